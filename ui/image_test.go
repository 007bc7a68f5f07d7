package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/conn"
)

// fixtureTimeline fills the model with one card in each interesting state,
// at fixed times, on a server labelled Work.
func fixtureTimeline(h *harness) {
	m := h.u.model
	id := conn.ServerID("s-work")
	m.SetServers([]conn.ServerConfig{{ID: id, Label: "Work", URL: "ws://work:2000/ws", Enabled: true}})
	m.Apply(conn.StateChanged{Origin: conn.Origin{Server: id}, State: conn.State{Phase: conn.PhaseConnected, Label: "Work"}})
	at := func(min int) time.Time { return time.Date(2026, 1, 2, 9, min, 0, 0, time.Local) }
	arrive := func(rid string, kind conn.RequestKind, text string, min int) {
		m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: &conn.Request{
			Server: id, ID: rid, Kind: kind, Text: text, AgentName: "claude", Model: "sonnet", MCPClient: "Claude Code",
			ProjectDirectory: "/src/shop", CreatedAt: at(min)}})
	}
	arrive("r1", conn.KindWorkReport, "Refactored the **cart** module.", 1)
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: id}, ID: "r1", Reason: "timeout"})
	arrive("r2", conn.KindQuestion, "Use *Postgres* or SQLite?", 2)
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: id}, ID: "r2", By: "bob", Text: "Postgres"})
	arrive("r3", conn.KindQuestion, "Deploy **v2** now? ![x](file:///etc/passwd)\n\n- see [notes](https://example.com/notes)", 3)
	h.waitFor("cards", func() bool { return h.u.tl.len() == 3 })
}

func TestTimelineRendersStates(t *testing.T) {
	h := newHarness(t)
	fixtureTimeline(h)
	h.u.win.Resize(fyne.NewSize(900, 720))
	h.q.drain()
	test.AssertImageMatches(t, "timeline/states.png", h.u.win.Canvas().Capture())
}

func TestEmptyStateRenders(t *testing.T) {
	h := newHarness(t)
	h.u.win.Resize(fyne.NewSize(800, 520))
	h.q.drain()
	test.AssertImageMatches(t, "mainwindow/empty.png", h.u.win.Canvas().Capture())
}

func TestStatusBadgeRenders(t *testing.T) {
	test.NewTempApp(t)
	for name, c := range map[string][2]int{"all": {2, 2}, "some": {1, 2}, "none": {0, 2}} {
		b := NewStatusBadge(nil)
		b.Set(c[0], c[1])
		w := test.NewTempWindow(t, b)
		w.Resize(b.MinSize().Add(fyne.NewSize(8, 8)))
		test.AssertImageMatches(t, "statusbadge/"+name+".png", w.Canvas().Capture())
	}
}
