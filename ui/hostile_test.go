package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// longestText returns the longest text handed to a widget under o, in
// characters: what Fyne has to shape (or truncate) is what costs.
func longestText(o fyne.CanvasObject) (int, string) {
	n, which := 0, ""
	see := func(s string) {
		if l := utf8.RuneCountInString(s); l > n {
			n, which = l, s[:min(len(s), 40)]
		}
	}
	walk(o, func(x fyne.CanvasObject) {
		switch v := x.(type) {
		case *canvas.Text:
			see(v.Text)
		case *widget.Label:
			see(v.Text)
		case *widget.Button:
			see(v.Text)
		case *widget.Select:
			for _, opt := range v.Options {
				see(opt)
			}
		case *widget.RichText:
			for _, seg := range v.Segments {
				if ts, ok := seg.(*widget.TextSegment); ok {
					see(ts.Text)
				}
			}
		}
	})
	return n, which
}

// hostileFixture is a server whose every value is oversized: a 1 MB
// hostname and label, a 1 MB nickname online, and a request with 1 MB
// names, path, reason and replies and a 10 MB question.
func hostileFixture(h *harness) (conn.ServerID, model.ChatKey) {
	mb := strings.Repeat("x", 1<<20)
	id := conn.ServerID("hostile")
	m := h.u.model
	m.SetServers([]conn.ServerConfig{{ID: id, Label: "L" + mb, URL: "ws://h" + mb + ":2000/ws", Enabled: true}})
	m.Apply(conn.StateChanged{Origin: conn.Origin{Server: id}, State: conn.State{Phase: conn.PhaseReconnecting,
		NextTry: time.Now().Add(time.Minute), LastError: "refused " + mb}})
	m.Apply(conn.UserStatus{Origin: conn.Origin{Server: id}, Online: true, User: conn.OnlineUser{Server: id, ClientID: "c1", Nickname: "N" + mb}})
	for i, kind := range []conn.RequestKind{conn.KindQuestion, conn.KindWorkReport} {
		r := &conn.Request{Server: id, ID: string(rune('a' + i)), Kind: kind, Text: strings.Repeat("Q", 10<<20),
			AgentName: "A" + mb, Model: "M" + mb, MCPClient: "C" + mb, ProjectDirectory: "/" + mb, CreatedAt: time.Now()}
		m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: r})
	}
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: id}, ID: "b", By: "B" + mb, Text: "T" + mb})
	k := model.ChatKey{Server: id, ClientID: "c1"}
	m.Apply(conn.ChatReceived{Origin: conn.Origin{Server: id}, Message: conn.ChatMessage{Server: id, SenderClientID: "c1",
		SenderNickname: "N" + mb, Content: "C" + mb, SentAt: time.Now()}})
	m.AddNotice(model.Notice{ID: "big", Title: "T" + mb, Details: "D" + mb})
	return id, k
}

// TestOversizedTextIsCutBeforeFyne fills every place a value from
// outside is shown with megabytes, and checks that no text handed to
// Fyne is longer than the display limits (a 1 MB label froze the UI
// thread for minutes).
func TestOversizedTextIsCutBeforeFyne(t *testing.T) {
	h := newHarness(t)
	_, chat := hostileFixture(h)
	h.waitFor("cards", func() bool { return h.u.tl.len() == 2 })
	h.u.openChat(chat, "N")
	h.u.showServers(h.u.main.badge)
	h.q.drain()
	limit := maxMarkdown + 1 // the longest: a question's first 20 kB
	for what, o := range map[string]fyne.CanvasObject{
		"main window":  h.u.win.Content(),
		"server popup": h.u.popup.pop.panel,
		"chat window":  h.u.chats[chat].win.Content(),
	} {
		if n, which := longestText(o); n > limit {
			t.Errorf("%s draws a text of %d characters (%q…)", what, n, which)
		}
	}
	if n, _ := longestText(h.u.popup.pop.panel); n > maxLine+1 {
		t.Errorf("the server popup draws %d characters in one text", n)
	}
	if title := h.u.chats[chat].win.Title(); utf8.RuneCountInString(title) > 120 {
		t.Errorf("chat title of %d characters", utf8.RuneCountInString(title))
	}
}

// BenchmarkServerPopupWithHugeHost opens the server popup with a 1 MB
// hostname and label, against the same popup with a short one, and
// reports the ratio (the issue measured minutes; it must be about 1).
func BenchmarkServerPopupWithHugeHost(b *testing.B) {
	open := func(label, url string) time.Duration {
		h := newHarnessWith(b, 0)
		h.u.model.SetServers([]conn.ServerConfig{{ID: "s", Label: label, URL: url, Enabled: true}})
		h.q.drain()
		start := time.Now()
		h.u.showServers(h.u.main.badge)
		h.q.drain()
		h.u.win.Canvas().Capture() // draw the frame
		d := time.Since(start)
		h.u.popup.hide()
		return d
	}
	mb := strings.Repeat("h", 1<<20)
	var short, huge time.Duration
	for i := 0; i < b.N; i++ {
		short += open("Work", "ws://work:2000/ws")
		huge += open(mb, "ws://"+mb+":2000/ws")
	}
	b.ReportMetric(float64(short.Microseconds())/float64(b.N), "µs-short")
	b.ReportMetric(float64(huge.Microseconds())/float64(b.N), "µs-1MB")
	b.ReportMetric(float64(huge)/float64(short), "x-short")
}

// TestOneMegabyteHostInTheConfig starts on a config.json whose server
// has a 1 MB hostname: the server is dropped on load with a banner that
// names the limit (never the value), and the server popup opens with
// nothing oversized in it.
func TestOneMegabyteHostInTheConfig(t *testing.T) {
	dir := t.TempDir()
	host := strings.Repeat("h", 1<<20)
	raw := `{"schema_version": 2, "profiles": [{"id": "3f1c2b9e-6a1d-4c8e-9f00-1234567890ab", "url": "ws://` + host + `:2000/ws", "enabled": true}], "settings": {"nickname": "alice"}}`
	if err := os.WriteFile(filepath.Join(dir, profiles.ConfigFileName), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarnessOpts(t, 0, func(o *desk.Options) { o.ConfigDir = dir })
	if n := len(h.core.Profiles()); n != 0 {
		t.Fatalf("%d profiles loaded from a 1 MB hostname", n)
	}
	h.q.drain()
	if n, _ := longestText(h.u.notices.box); n > limits.NoticeDetailChars+1 {
		t.Fatalf("a banner of %d characters", n)
	}
	h.u.showServers(h.u.main.badge)
	h.q.drain()
	if n, _ := longestText(h.u.popup.pop.panel); n > maxLine+1 {
		t.Fatalf("the server popup draws %d characters in one text", n)
	}
	text := strings.Join(h.u.notices.titles(), " ")
	if !strings.Contains(text, "settings file needed attention") {
		t.Fatalf("no banner about the dropped server: %q", text)
	}
}
