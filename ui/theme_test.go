package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// testTheme is fyne's test theme, so reference images do not depend on
// the system fonts.
func testTheme() fyne.Theme { return test.Theme() }
