package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

const testToken = "tok-ui"

// queue is the test dispatcher: goroutines queue work, the test runs it
// on its own goroutine with drain, so widgets are only touched there.
type queue struct {
	mu  sync.Mutex
	fns []func()
	n   int
}

func (q *queue) dispatch(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.n++
	q.mu.Unlock()
}

func (q *queue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

type harness struct {
	t    testing.TB
	app  fyne.App
	core *desk.Core
	u    *UI
	q    *queue
	srvs []*aaserver.Server
	ids  []conn.ServerID
}

// newHarness starts a UI with servers named by labels, each backed by its
// own in-process server.
func newHarness(t testing.TB, labels ...string) *harness {
	t.Helper()
	h := newHarnessOpts(t, 0)
	for _, l := range labels {
		h.addServer(l)
	}
	return h
}

func newHarnessOpts(t testing.TB, maxFinished int, mods ...func(*desk.Options)) *harness {
	t.Helper()
	var a fyne.App
	if cur := fyne.CurrentApp(); cur != nil && benchApp == cur {
		a = cur
	} else {
		a = test.NewTempApp(t)
		benchApp = a
	}
	a.Settings().SetTheme(newDeskTheme(harnessTheme()))
	sec := profiles.NewMemorySecrets()
	if err := sec.SetToken(context.Background(), testToken); err != nil {
		t.Fatal(err)
	}
	opts := desk.Options{
		ConfigDir: t.TempDir(), DataDir: t.TempDir(), Secrets: sec, SkipFirstRunImport: true, HealthInterval: -1, MaxFinished: maxFinished,
		Conn: conn.Options{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	}
	for _, m := range mods {
		m(&opts)
	}
	core := desk.New(opts)
	h := &harness{t: t, app: a, core: core, q: &queue{}}
	h.u = New(a, core, h.q.dispatch, testAbout)
	h.u.win.Resize(fyne.NewSize(1000, 700))
	t.Cleanup(func() {
		core.Close()
		h.q.drain()
	})
	h.u.Start()
	h.waitFor("core ready", func() bool { return core.Ready() && !h.u.start.starting })
	return h
}

// benchApp lets two harnesses in one benchmark share the test app.
var benchApp fyne.App

func (h *harness) addServer(label string) conn.ServerID {
	h.t.Helper()
	s, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { s.Close() })
	p, err := h.core.AddServer(context.Background(), profiles.Profile{URL: s.URL(), Alias: label, Enabled: true}, "")
	if err != nil {
		h.t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	h.srvs = append(h.srvs, s)
	h.ids = append(h.ids, id)
	h.waitFor(label+" connected", func() bool { st, _ := h.core.State(id); return st.Phase == conn.PhaseConnected })
	return id
}

// waitFor drains the dispatcher until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ask plays an agent asking a question on server i; the answer arrives on
// the returned channel.
func (h *harness) ask(i int, id, question string) <-chan string {
	out := make(chan string, 1)
	srv := h.srvs[i]
	go func() {
		resp, err := aaserver.PostAsk(context.Background(), srv.BaseURL(), &wire.AskQuestionRequest{
			ID: id, UserToken: testToken,
			Request: &wire.McpAskQuestionRequest{Question: question, Timeout: 60, AgentName: "claude", ProjectDirectory: "/src/app"}})
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		var b strings.Builder
		for _, c := range resp.GetContents() {
			b.WriteString(c.GetText().GetText())
		}
		out <- b.String()
	}()
	return out
}

func (h *harness) waitPending(n int) {
	h.t.Helper()
	h.waitFor("pending", func() bool { return h.u.model.PendingTotal() == n && h.u.tl.len() == h.u.model.Len() })
}

// answer waits for the agent's answer.
func (h *harness) answer(ch <-chan string) string {
	h.t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		h.t.Fatal("no answer reached the agent")
	}
	return ""
}

// cardFor returns the visible card view bound to a request.
func (h *harness) cardFor(k conn.RequestKey) *cardView {
	h.t.Helper()
	h.q.drain()
	if r, ok := h.u.tl.rowOf(k); ok {
		h.u.tl.revealRow(r)
	}
	found := h.u.tl.views[k]
	if found == nil {
		h.t.Fatalf("no card shown for %v", k)
	}
	return found
}

// walk visits every object rendered under o.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, f)
		}
	}
}

// walkVisible visits every shown object under o, skipping hidden subtrees.
func walkVisible(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if !o.Visible() {
		return
	}
	f(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkVisible(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkVisible(c, f)
		}
	}
}

// findButton finds a visible button by its text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walkVisible(o, func(x fyne.CanvasObject) {
		var b *widget.Button
		switch v := x.(type) {
		case *widget.Button:
			b = v
		case *scopedButton:
			b = &v.Button
		}
		if b != nil && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// hasText reports whether a label, or rich text, under o shows text.
func hasText(o fyne.CanvasObject, text string) bool {
	ok := false
	walkVisible(o, func(x fyne.CanvasObject) {
		switch v := x.(type) {
		case *widget.Label:
			ok = ok || strings.Contains(v.Text, text)
		case interface{ String() string }:
			ok = ok || strings.Contains(v.String(), text)
		}
	})
	return ok
}

func profileFor(url, alias, user string) profiles.Profile {
	return profiles.Profile{URL: url, Alias: alias, Enabled: true, BasicAuth: user != "", BasicUser: user}
}
