package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// popover is a non-modal panel over the window, under an anchor. A tap
// outside it, Escape or Enter (through its key scope) close it. Fyne's own
// PopUp hides itself on an outside tap without telling anyone; this one
// reports every way it closes, so nothing has to poll whether it is still
// open.
type popover struct {
	widget.BaseWidget
	canvas fyne.Canvas
	stack  *overlays
	scope  *keyScope
	panel  *panelSink
	at     fyne.Position
	size   fyne.Size
	shown  bool
	// onHidden runs once the popover is gone, however it was closed.
	onHidden func()
}

// newPopover builds a popover on c showing content.
func newPopover(c fyne.Canvas, stack *overlays, content fyne.CanvasObject) *popover {
	p := &popover{canvas: c, stack: stack}
	p.scope = &keyScope{cancel: p.hide, submit: p.hide}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.CornerRadius = theme.Size(theme.SizeNamePopupRadius)
	bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	bg.StrokeWidth = 1
	p.panel = newPanelSink(container.NewStack(bg, container.NewPadded(content)))
	p.ExtendBaseWidget(p)
	return p
}

// showAt opens the popover with its top left at pos, size big, kept
// inside the window.
func (p *popover) showAt(pos fyne.Position, size fyne.Size) {
	p.at, p.size = pos, size
	if !p.shown {
		p.shown = true
		p.stack.push(p.scope)
		p.canvas.Overlays().Add(p)
	}
	p.Resize(p.canvas.Size())
	p.layoutPanel()
	p.Refresh()
}

// hide closes the popover; closing twice is harmless.
func (p *popover) hide() {
	if !p.shown {
		return
	}
	p.shown = false
	p.stack.remove(p.scope)
	p.canvas.Overlays().Remove(p)
	if p.onHidden != nil {
		p.onHidden()
	}
}

// visible reports whether the popover is open.
func (p *popover) visible() bool { return p.shown }

func (p *popover) layoutPanel() {
	cs := p.Size()
	size := p.size
	size.Width = min(size.Width, cs.Width)
	size.Height = min(size.Height, cs.Height)
	pos := p.at
	pos.X = max(0, min(pos.X, cs.Width-size.Width))
	pos.Y = max(0, min(pos.Y, cs.Height-size.Height))
	p.panel.Move(pos)
	p.panel.Resize(size)
}

// Resize follows the window.
func (p *popover) Resize(s fyne.Size) {
	p.BaseWidget.Resize(s)
	p.layoutPanel()
}

// Tapped closes the popover: a tap that reaches it missed the panel.
func (p *popover) Tapped(*fyne.PointEvent) { p.hide() }

// CreateRenderer draws the panel over a transparent layer.
func (p *popover) CreateRenderer() fyne.WidgetRenderer {
	return &popoverRenderer{p: p}
}

type popoverRenderer struct{ p *popover }

func (r *popoverRenderer) Layout(fyne.Size)             { r.p.layoutPanel() }
func (r *popoverRenderer) MinSize() fyne.Size           { return fyne.NewSize(0, 0) }
func (r *popoverRenderer) Refresh()                     { r.p.layoutPanel(); r.p.panel.Refresh() }
func (r *popoverRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.p.panel} }
func (r *popoverRenderer) Destroy()                     {}

// panelSink wraps a panel so that taps on its background stop there.
type panelSink struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func newPanelSink(content fyne.CanvasObject) *panelSink {
	s := &panelSink{content: content}
	s.ExtendBaseWidget(s)
	return s
}

// Tapped ignores taps on the panel's background.
func (s *panelSink) Tapped(*fyne.PointEvent) {}

// CreateRenderer draws the content.
func (s *panelSink) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(s.content)
}
