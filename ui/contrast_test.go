package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

func TestContrastRatioMatchesWCAG(t *testing.T) {
	for _, c := range []struct {
		a, b color.Color
		want float64
	}{
		{black, white, 21},
		{white, white, 1},
		{color.NRGBA{0x77, 0x77, 0x77, 0xff}, white, 4.48},
		{color.NRGBA{0x39, 0x39, 0x39, 0xff}, color.NRGBA{0x1f, 0x1f, 0x1f, 0xff}, 1.43}, // the grey on grey
	} {
		if got := ContrastRatio(c.a, c.b); got < c.want-0.01 || got > c.want+0.01 {
			t.Errorf("ContrastRatio(%v, %v) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

func TestReadableOnReachesTheTarget(t *testing.T) {
	bgs := []color.Color{color.NRGBA{0x1f, 0x1f, 0x1f, 0xff}, color.NRGBA{0x28, 0x28, 0x2a, 0xff}}
	got := readableOn(color.NRGBA{0x39, 0x39, 0x39, 0xff}, bgs...)
	if r := minContrastOn(got, bgs); r < contrastTarget {
		t.Fatalf("readableOn gave %v at %.2f", got, r)
	}
	light := readableOn(color.NRGBA{0x43, 0xa0, 0x47, 0xff}, white) // a green on white
	if r := ContrastRatio(light, white); r < contrastTarget || light.G <= light.R {
		t.Fatalf("green on white became %v (%.2f): too weak, or no longer green", light, r)
	}
	for _, c := range tagPalette {
		if ContrastRatio(white, c) < MinContrast {
			t.Errorf("tag colour %v: white text at %.2f", c, ContrastRatio(white, c))
		}
	}
}

// contrastFixture fills the model with a card in every state, notices of
// every level, and a server in trouble.
func contrastFixture(h *harness) {
	m := h.u.model
	id := conn.ServerID("s-work")
	m.SetServers([]conn.ServerConfig{{ID: id, Label: "Demo Work", URL: "ws://work:2000/ws", Enabled: true}})
	m.Apply(conn.StateChanged{Origin: conn.Origin{Server: id}, State: conn.State{Phase: conn.PhaseConnected, Label: "Demo Work"}})
	at := func(min int) time.Time { return time.Date(2026, 1, 2, 9, min, 0, 0, time.Local) }
	n := 0
	arrive := func(kind conn.RequestKind, text string) conn.RequestKey {
		n++
		r := &conn.Request{Server: id, ID: fmt.Sprintf("r%d", n), Kind: kind, Text: text, AgentName: "claude", Model: "sonnet",
			MCPClient: "Claude Code", ProjectDirectory: "/src/six", CreatedAt: at(n)}
		m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: r})
		return r.Key()
	}
	o := conn.Origin{Server: id}
	k := arrive(conn.KindQuestion, "Answered elsewhere?")
	m.Apply(conn.RequestAnswered{Origin: o, ID: k.ID, By: "web-peer", Text: "web-says-yes"})
	k = arrive(conn.KindWorkReport, "Cancelled report")
	m.Apply(conn.RequestCancelled{Origin: o, ID: k.ID, Reason: "timeout"})
	k = arrive(conn.KindQuestion, "Mine")
	m.Apply(conn.ReplyUpdate{Origin: o, ID: k.ID, Status: conn.ReplyDelivered, Text: "yes"})
	k = arrive(conn.KindQuestion, "Queued")
	m.Apply(conn.ReplyUpdate{Origin: o, ID: k.ID, Status: conn.ReplyQueued, Text: "later"})
	k = arrive(conn.KindQuestion, "Sending")
	m.Apply(conn.ReplyUpdate{Origin: o, ID: k.ID, Status: conn.ReplySent, Text: "now"})
	k = arrive(conn.KindQuestion, "Undeliverable")
	m.Apply(conn.ReplyUpdate{Origin: o, ID: k.ID, Status: conn.ReplyUndeliverable, Text: "x", Reason: "cancelled"})
	k = arrive(conn.KindQuestion, "Gone")
	m.Apply(conn.RequestGone{Origin: o, ID: k.ID})
	k = arrive(conn.KindQuestion, "Failed send")
	m.BeginReply(k)
	m.ReplyFailed(k, errors.New("server is not connected"))
	k = arrive(conn.KindQuestion, "Closed with a draft")
	m.SetDraft(k, "half")
	m.Apply(conn.RequestCancelled{Origin: o, ID: k.ID, Reason: "timeout"})
	k = arrive(conn.KindQuestion, "Submitting")
	m.BeginReply(k)
	arrive(conn.KindQuestion, "Deploy **v2** now? See [notes](https://example.com/notes)")
	m.AddNotice(model.Notice{ID: "i", Level: model.NoticeInfo, Title: "Imported {{.N}} server(s) from the Agent Assistant app", Args: map[string]any{"N": 2}})
	m.AddNotice(model.Notice{ID: "w", Level: model.NoticeWarning, Title: "Secrets are kept for this session only"})
	m.AddNotice(model.Notice{ID: "e", Level: model.NoticeError, Title: "agentdesk started with a problem"})
}

// textRun is one text drawn on screen and its measured contrast.
type textRun struct {
	text  string
	ratio float64
	fg    color.Color
	bg    color.Color
}

// measureTexts finds every visible text under root, and measures in img
// the contrast between its most contrasting pixel and the most common
// colour of its box (its background).
func measureTexts(img image.Image, root fyne.CanvasObject) []textRun {
	var runs []textRun
	d := fyne.CurrentApp().Driver()
	var visit func(o fyne.CanvasObject, disabled bool)
	visit = func(o fyne.CanvasObject, disabled bool) {
		if !o.Visible() {
			return
		}
		if dis, ok := o.(fyne.Disableable); ok && dis.Disabled() {
			disabled = true // WCAG exempts inactive controls
		}
		switch v := o.(type) {
		case *canvas.Text:
			if disabled || strings.TrimSpace(strings.Trim(v.Text, "…")) == "" {
				return
			}
			pos, size := d.AbsolutePositionForObject(v), v.Size()
			r := image.Rect(int(pos.X), int(pos.Y), int(pos.X+size.Width), int(pos.Y+size.Height)).Intersect(img.Bounds())
			if r.Dx() < 2 || r.Dy() < 2 {
				return
			}
			fg, bg := textColours(img, r)
			runs = append(runs, textRun{text: v.Text, ratio: ContrastRatio(fg, bg), fg: fg, bg: bg})
		case *fyne.Container:
			for _, c := range v.Objects {
				visit(c, disabled)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				visit(c, disabled)
			}
		}
	}
	visit(root, false)
	return runs
}

// textColours returns the pixel of r that stands out most from r's most
// common colour, and that colour.
func textColours(img image.Image, r image.Rectangle) (fg, bg color.Color) {
	count := map[color.NRGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
		}
	}
	var bgc color.NRGBA
	best := -1
	for c, n := range count {
		if n > best {
			bgc, best = c, n
		}
	}
	fgc, most := bgc, 1.0
	for c := range count {
		if r := ContrastRatio(c, bgc); r > most {
			fgc, most = c, r
		}
	}
	return fgc, bgc
}

// TestEveryTextMeetsWCAGAA renders the main window with a card in every
// state, banners of every level, the server popup, a dialog and the
// settings screen, in the light and the dark default theme, and measures
// every text run against what it is drawn on.
func TestEveryTextMeetsWCAGAA(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		name := map[fyne.ThemeVariant]string{theme.VariantLight: "light", theme.VariantDark: "dark"}[v]
		t.Run(name, func(t *testing.T) {
			old := harnessTheme
			harnessTheme = func() fyne.Theme { return fixedVariant{theme.DefaultTheme(), v} }
			defer func() { harnessTheme = old }()
			h := newHarness(t)
			contrastFixture(h)
			h.u.win.Resize(fyne.NewSize(1000, 4200))
			rich := richContrastFixture(t, h, "s-work")
			h.waitFor("cards", func() bool { return h.u.tl.len() == 11+richCardCount })
			h.q.drain()
			var all []string
			check := func(what string, root fyne.CanvasObject) int {
				img := h.u.win.Canvas().Capture()
				runs := measureTexts(img, root)
				for _, r := range runs {
					all = append(all, r.text)
					if r.ratio < MinContrast {
						t.Errorf("%s %s: %q is %.2f:1 (%v on %v)", name, what, r.text, r.ratio, r.fg, r.bg)
					}
				}
				return len(runs)
			}
			if n := check("main window", h.u.win.Content()); n < 60 {
				t.Fatalf("only %d text runs measured", n)
			}
			// Every card state's line was among them, and the lines the
			// issue found unreadable.
			for _, want := range append([]string{"Answered elsewhere by web-peer: web-says-yes", "Cancelled: timeout",
				"Answered by you: yes", "Queued: the server is offline", "Sending your reply: now", "Undeliverable: cancelled",
				"Answered or cancelled while this app was offline", "Not sent: server is not connected",
				"Not sent (kept here): half", "Sending…", "/src/six · 2026-01-02 09:01", "to Demo Work",
				"Imported 2 server(s)", "Secrets are kept", "agentdesk started with a problem", "notes", "Reply…"}, rich...) {
				found := false
				for _, s := range all {
					found = found || strings.Contains(s, want)
				}
				if !found {
					t.Errorf("%s: %q was not measured", name, want)
				}
			}
			h.u.showServers(h.u.main.badge)
			check("server popup", h.u.popup.pop.panel)
			h.u.popup.hide()
			d := h.u.openServerDialog(nil)
			d.address.SetText("ftp://nope")
			check("server dialog", d.dlg.pop.Content)
			d.dlg.hide()
			h.u.showSettings()
			h.q.drain()
			check("settings", h.u.win.Content())
		})
	}
}
