// Command barewindow shows an empty Fyne window titled "barewindow": the
// baseline that BenchmarkLaunchToFirstFrame compares agentdesk's start-up
// with.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.agentdesk.barewindow")
	w := a.NewWindow("barewindow")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
}
