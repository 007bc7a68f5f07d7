package ui

import (
	"fmt"
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
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
	b.count = canvas.NewText("0", color.White)
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

// serverPopup lists every server with its state, last error, the time to
// the next retry and a "Retry now" button.
type serverPopup struct {
	u      *UI
	pop    *widget.PopUp
	box    *fyne.Container
	ticker *time.Ticker
	stop   chan struct{}
}

// showServerPopup opens the popup under the badge that was tapped.
func (u *UI) showServerPopup(anchor fyne.CanvasObject) {
	if u.popup != nil {
		u.popup.hide()
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(anchor)
	if c == nil {
		c = u.win.Canvas()
	}
	p := &serverPopup{u: u, box: container.NewVBox(), stop: make(chan struct{})}
	p.fill()
	scroll := container.NewVScroll(p.box)
	h := min(p.box.MinSize().Height, 560)
	if ws := u.win.Canvas().Size().Height - 80; ws > 200 && h > ws {
		h = ws
	}
	scroll.SetMinSize(fyne.NewSize(480, h))
	p.pop = widget.NewPopUp(scroll, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor)
	p.pop.ShowAtPosition(pos.Add(fyne.NewPos(0, anchor.Size().Height)))
	u.popup = p
	// The countdown ticks once a second while the popup is open.
	p.ticker = time.NewTicker(time.Second)
	go func(t *time.Ticker, stop chan struct{}) {
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				u.bridge.Do(func() {
					switch {
					case u.popup != p:
					case !p.pop.Visible():
						p.hide() // dismissed by a tap outside
					default:
						p.fill()
					}
				})
			}
		}
	}(p.ticker, p.stop)
}

func (p *serverPopup) hide() {
	select {
	case <-p.stop:
		return
	default:
	}
	p.ticker.Stop()
	close(p.stop)
	p.pop.Hide()
	if p.u.popup == p {
		p.u.popup = nil
	}
}

func (p *serverPopup) fill() {
	servers := p.u.model.Servers()
	objs := []fyne.CanvasObject{widget.NewLabelWithStyle(T("Servers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if len(servers) == 0 {
		objs = append(objs, widget.NewLabel(T("No servers configured.")))
	}
	for _, s := range servers {
		objs = append(objs, widget.NewSeparator(), p.u.serverStateRow(s, true))
	}
	p.box.Objects = objs
	p.box.Refresh()
}

// serverStateRow shows one server's label, URL, state, last error and
// retry countdown, with a "Retry now" button when retry makes sense.
func (u *UI) serverStateRow(s model.Server, withRetry bool) fyne.CanvasObject {
	dot := canvas.NewCircle(phaseColor(s.State.Phase))
	dotBox := container.New(layout.NewGridWrapLayout(fyne.NewSize(10, 10)), dot)
	title := widget.NewLabelWithStyle(s.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	urlL := widget.NewLabel(s.URL)
	urlL.Importance = widget.LowImportance
	urlL.Truncation = fyne.TextTruncateEllipsis
	state := widget.NewLabel(StateText(s.State, time.Now()))
	state.Wrapping = fyne.TextWrapWord
	rows := []fyne.CanvasObject{container.NewHBox(container.NewCenter(dotBox), title), urlL, state}
	if s.State.LastError != "" {
		e := widget.NewLabel(s.State.LastError)
		e.Wrapping = fyne.TextWrapWord
		e.Importance = widget.DangerImportance
		if s.State.Phase == conn.PhaseConnected {
			e.Importance = widget.WarningImportance
		}
		rows = append(rows, e)
	}
	var right fyne.CanvasObject
	if withRetry && s.State.Phase != conn.PhaseConnected && s.State.Phase != conn.PhaseDisabled {
		id := s.ID
		right = container.NewCenter(widget.NewButtonWithIcon(T("Retry now"), theme.ViewRefreshIcon(), func() {
			go func() { _ = u.core.RetryNow(id) }()
		}))
	}
	return container.NewBorder(nil, nil, nil, right, container.NewVBox(rows...))
}

func phaseColor(p conn.Phase) color.Color {
	switch p {
	case conn.PhaseConnected:
		return colorAllUp
	case conn.PhaseConnecting, conn.PhaseReconnecting:
		return colorSomeUp
	case conn.PhaseDisabled:
		return theme.Color(theme.ColorNameDisabled)
	}
	return colorNoneUp
}

// StateText describes a server's state in words, with the countdown to the
// next retry while reconnecting.
func StateText(st conn.State, now time.Time) string {
	switch st.Phase {
	case conn.PhaseDisabled:
		return T("Disabled")
	case conn.PhaseConnecting:
		return T("Connecting…")
	case conn.PhaseConnected:
		return T("Connected")
	case conn.PhaseReconnecting:
		left := st.NextTry.Sub(now).Round(time.Second)
		if left < 0 {
			left = 0
		}
		return T("Reconnecting: attempt {{.N}}, next try in {{.Left}}", map[string]any{"N": st.Attempt, "Left": fmtDuration(left)})
	case conn.PhaseAuthFailed:
		return T("Login refused: check the user name and password")
	case conn.PhaseError:
		return T("Cannot connect: check the settings")
	}
	return st.Phase.String()
}

func fmtDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
