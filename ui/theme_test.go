package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// testTheme is fyne's test theme, so reference images do not depend on
// the system fonts.
func testTheme() fyne.Theme { return test.Theme() }

// harnessTheme is the theme new harnesses start with; contrast tests
// swap in the real default theme in each variant.
var harnessTheme = testTheme
