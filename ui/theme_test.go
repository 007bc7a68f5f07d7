package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/assets/about"
)

// testTheme is fyne's test theme, so reference images do not depend on
// the system fonts.
func testTheme() fyne.Theme { return test.Theme() }

// harnessTheme is the theme new harnesses start with; contrast tests
// swap in the real default theme in each variant.
var harnessTheme = testTheme

// testAbout identifies the build in UI tests.
var testAbout = about.Info{Name: "agentdesk", Version: "9.8.7", Build: 3, Commit: "0123456789abcdef", Go: "go1.26", Fyne: "v2.8.1", Platform: "linux/amd64"}
