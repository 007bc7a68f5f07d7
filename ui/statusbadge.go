package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Badge colours: every enabled server connected, some, none, and no
// server enabled at all.
var (
	colorAllUp  = color.NRGBA{0x2e, 0xa0, 0x43, 0xff}
	colorSomeUp = color.NRGBA{0xe0, 0x9b, 0x12, 0xff}
	colorNoneUp = color.NRGBA{0xd0, 0x3a, 0x2f, 0xff}
	colorIdle   = color.NRGBA{0x6b, 0x72, 0x80, 0xff}
)

// BadgeColor is the status badge's colour for connected of enabled servers:
// green when all are connected, amber when some are, red when none are, and
// grey when no server is enabled (a first run is not an error).
func BadgeColor(connected, enabled int) color.Color {
	switch {
	case enabled == 0:
		return colorIdle
	case enabled > 0 && connected >= enabled:
		return colorAllUp
	case connected > 0:
		return colorSomeUp
	}
	return colorNoneUp
}

// StatusBadge is a server icon with a coloured badge counting the
// connected servers. Tapping it calls OnTapped.
type StatusBadge struct {
	widget.BaseWidget
	// OnTapped is called when the badge is tapped.
	OnTapped func()

	icon   *widget.Icon
	circle *canvas.Circle
	count  *canvas.Text

	connected, enabled int
}

// NewStatusBadge returns a badge showing no servers.
func NewStatusBadge(tapped func()) *StatusBadge {
	b := &StatusBadge{OnTapped: tapped}
	b.icon = widget.NewIcon(theme.StorageIcon())
	b.circle = canvas.NewCircle(BadgeColor(0, 0))
	b.count = canvas.NewText("0", textOn(b.circle.FillColor))
	b.count.TextStyle.Bold = true
	b.count.Alignment = fyne.TextAlignCenter
	b.count.TextSize = theme.TextSize() * 0.8
	b.ExtendBaseWidget(b)
	return b
}

// Set shows connected out of enabled servers.
func (b *StatusBadge) Set(connected, enabled int) {
	if b.connected == connected && b.enabled == enabled && b.count.Text != "" {
		return
	}
	b.connected, b.enabled = connected, enabled
	b.count.Text = strconv.Itoa(connected)
	b.circle.FillColor = BadgeColor(connected, enabled)
	b.count.Color = textOn(b.circle.FillColor)
	b.Refresh()
}

// Counts returns what the badge shows: connected and enabled servers.
func (b *StatusBadge) Counts() (connected, enabled int) { return b.connected, b.enabled }

// Tapped opens the server list.
func (b *StatusBadge) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

// MinSize fits the icon and its badge.
func (b *StatusBadge) MinSize() fyne.Size {
	s := theme.IconInlineSize() * 1.6
	return fyne.NewSize(s+theme.Padding()*2, s+theme.Padding()*2)
}

// CreateRenderer lays out the icon with the badge over its top right.
func (b *StatusBadge) CreateRenderer() fyne.WidgetRenderer {
	return &badgeRenderer{b: b, objs: []fyne.CanvasObject{b.icon, b.circle, b.count}}
}

type badgeRenderer struct {
	b    *StatusBadge
	objs []fyne.CanvasObject
}

// Layout places the icon and the badge circle with its count.
func (r *badgeRenderer) Layout(s fyne.Size) {
	p := theme.Padding()
	icon := s.Height - 2*p
	r.b.icon.Resize(fyne.NewSize(icon, icon))
	r.b.icon.Move(fyne.NewPos(p, p))
	d := icon * 0.6
	pos := fyne.NewPos(s.Width-d, 0)
	r.b.circle.Resize(fyne.NewSize(d, d))
	r.b.circle.Move(pos)
	ts := fyne.MeasureText(r.b.count.Text, r.b.count.TextSize, r.b.count.TextStyle)
	r.b.count.Resize(fyne.NewSize(d, ts.Height))
	r.b.count.Move(fyne.NewPos(pos.X, pos.Y+(d-ts.Height)/2))
}

// MinSize is the badge's minimum size.
func (r *badgeRenderer) MinSize() fyne.Size { return r.b.MinSize() }

// Refresh redraws the badge.
func (r *badgeRenderer) Refresh() { r.Layout(r.b.Size()); canvas.Refresh(r.b) }

// Objects are the icon, the circle and the count.
func (r *badgeRenderer) Objects() []fyne.CanvasObject { return r.objs }

// Destroy has nothing to release.
func (r *badgeRenderer) Destroy() {}
