package ui

import (
	"fmt"
	"image/color"
	"strings"
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

// serverPopupInput is what the server list popup needs.
type serverPopupInput struct {
	model *model.Model
	// retry asks a server to connect at once.
	retry func(id conn.ServerID)
	// after runs f on the UI goroutine after d; the returned function
	// cancels it.
	after func(d time.Duration, f func()) (cancel func())
	// now is the clock (tests).
	now func() time.Time
}

// serverPopup lists every server with its state, last error, the time to
// the next retry and a "Retry now" button. It is refreshed when the model
// changes, and otherwise only when a countdown it shows would read
// differently: an open popup costs nothing while nothing happens.
type serverPopup struct {
	in   serverPopupInput
	pop  *popover
	box  *fyne.Container
	rows map[conn.ServerID]*serverRowView
	sig  string

	cancelTick func()
}

// serverRowView is one server's row; it is updated in place.
type serverRowView struct {
	dot   *canvas.Circle
	title *toneText
	url   *toneText
	state *toneText
	more  *toneText
	err   *toneText
	retry *scopedButton
}

func newServerPopup(c fyne.Canvas, stack *overlays, in serverPopupInput) *serverPopup {
	if in.now == nil {
		in.now = time.Now
	}
	p := &serverPopup{in: in, box: container.NewVBox(), rows: map[conn.ServerID]*serverRowView{}}
	p.pop = newPopover(c, stack, container.NewVScroll(p.box))
	p.pop.onHidden = p.stopTicking
	return p
}

// show opens the popup under anchor.
func (p *serverPopup) show(anchor fyne.CanvasObject) {
	p.refresh()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor)
	h := min(p.box.MinSize().Height+2*theme.Padding(), 560)
	p.pop.showAt(pos.Add(fyne.NewPos(0, anchor.Size().Height)), fyne.NewSize(480, h))
}

// hide closes it.
func (p *serverPopup) hide() { p.pop.hide() }

// visible reports whether it is open.
func (p *serverPopup) visible() bool { return p.pop.visible() }

func (p *serverPopup) stopTicking() {
	if p.cancelTick != nil {
		p.cancelTick()
		p.cancelTick = nil
	}
}

// refresh updates the rows; they are rebuilt only when the servers change.
func (p *serverPopup) refresh() {
	servers := p.in.model.Servers()
	var sig strings.Builder
	for _, s := range servers {
		sig.WriteString(string(s.ID) + "\x00" + s.Label + "\x00" + s.URL + "\x01")
	}
	if sig.String() != p.sig {
		p.sig = sig.String()
		clear(p.rows)
		objs := []fyne.CanvasObject{widget.NewLabelWithStyle(T("Servers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
		if len(servers) == 0 {
			objs = append(objs, widget.NewLabel(T("No servers configured.")))
		}
		for _, s := range servers {
			objs = append(objs, widget.NewSeparator(), p.row(s))
		}
		p.box.Objects = objs
		p.box.Refresh()
	}
	now := p.in.now()
	next := time.Duration(-1)
	for _, s := range servers {
		r := p.rows[s.ID]
		if r == nil {
			continue
		}
		r.dot.FillColor = phaseColor(s.State.Phase)
		r.dot.Refresh()
		r.state.Set(StateText(s.State, now), toneNormal, false)
		r.more.Set(overflowText(s.State.PendingOverflow), toneWarn, false)
		if s.State.LastError != "" {
			tn := toneDanger
			if s.State.Phase == conn.PhaseConnected {
				tn = toneWarn
			}
			r.err.Set(cut(s.State.LastError, maxLine), tn, false)
			r.err.Show()
		} else {
			r.err.Hide()
		}
		if s.State.Phase != conn.PhaseConnected && s.State.Phase != conn.PhaseDisabled {
			r.retry.Show()
		} else {
			r.retry.Hide()
		}
		if d := untilTextChanges(s.State, now); d >= 0 && (next < 0 || d < next) {
			next = d
		}
	}
	p.stopTicking()
	if next >= 0 && p.pop.visible() {
		p.cancelTick = p.in.after(next, p.refresh)
	}
}

func (p *serverPopup) row(s model.Server) fyne.CanvasObject {
	r := &serverRowView{
		dot:   canvas.NewCircle(phaseColor(s.State.Phase)),
		title: newToneText(toneNormal, false),
		url:   newToneText(toneMuted, false),
		state: newToneText(toneNormal, true),
		more:  newToneText(toneWarn, true),
		err:   newToneText(toneDanger, true),
	}
	r.title.Set(oneLine(s.Label, maxLabel), toneNormal, true)
	r.url.Set(oneLine(s.URL, maxLabel), toneMuted, false)
	id := s.ID
	r.retry = newScopedButton(T("Retry now"), theme.ViewRefreshIcon(), func() { p.in.retry(id) }, p.pop.scope)
	p.rows[id] = r
	dotBox := container.New(layout.NewGridWrapLayout(fyne.NewSize(10, 10)), r.dot)
	left := container.NewVBox(container.NewBorder(nil, nil, container.NewCenter(dotBox), nil, r.title), r.url, r.state, r.more, r.err)
	return bordered(nil, nil, nil, container.NewCenter(r.retry), left)
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

// StateText describes a server's state in words, with the time to the
// next try while it waits to reconnect (also after refused credentials,
// which are retried at the slow end of the backoff).
func StateText(st conn.State, now time.Time) string {
	switch st.Phase {
	case conn.PhaseDisabled:
		return T("Disabled")
	case conn.PhaseConnecting:
		return T("Connecting…")
	case conn.PhaseConnected:
		return T("Connected")
	case conn.PhaseReconnecting:
		return T("Reconnecting: attempt {{.N}}, next try in {{.Left}}", map[string]any{"N": st.Attempt, "Left": fmtWait(st.NextTry.Sub(now))})
	case conn.PhaseAuthFailed:
		if !st.NextTry.IsZero() {
			return T("Login refused: check the user name and password; next try in {{.Left}}", map[string]any{"Left": fmtWait(st.NextTry.Sub(now))})
		}
		return T("Login refused: check the user name and password")
	case conn.PhaseError:
		return T("Cannot connect: check the settings")
	}
	return st.Phase.String()
}

// fmtWait shows a wait rounded up: in seconds under a minute, in minutes
// above, so the text changes once a minute while a long wait runs down
// and never says 0 while there is still time to wait.
func fmtWait(d time.Duration) string {
	secs := waitSeconds(d)
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}

// waitSeconds is d in whole seconds, rounded up, never negative.
func waitSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// untilTextChanges is how long until StateText(st) reads differently, or
// -1 when it never will by itself.
func untilTextChanges(st conn.State, now time.Time) time.Duration {
	if st.Phase != conn.PhaseReconnecting && st.Phase != conn.PhaseAuthFailed {
		return -1
	}
	if st.NextTry.IsZero() {
		return -1
	}
	d := st.NextTry.Sub(now)
	secs := waitSeconds(d)
	if secs == 0 {
		return -1
	}
	// The text stays the same down to this many seconds left.
	threshold := secs - 1
	if secs >= 60 {
		threshold = max((secs+59)/60*60-60, 59)
	}
	return d - time.Duration(threshold)*time.Second
}

// overflowText says how many requests a server holds beyond what is shown
// (the oldest are shown; the rest come as those are answered), or "".
func overflowText(n int) string {
	if n <= 0 {
		return ""
	}
	return T("{{.N}} more pending on the server: the oldest are shown, the rest follow as those are answered", map[string]any{"N": n})
}
