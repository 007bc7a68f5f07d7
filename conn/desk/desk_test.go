package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

const token = "tok-1"

func newCore(t *testing.T, mod func(*desk.Options)) *desk.Core {
	t.Helper()
	sec := profiles.NewMemorySecrets()
	if err := sec.SetToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	o := desk.Options{
		ConfigDir: t.TempDir(), Secrets: sec, SkipFirstRunImport: true, HealthInterval: -1,
		Conn: conn.Options{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond},
	}
	if mod != nil {
		mod(&o)
	}
	c := desk.New(o)
	t.Cleanup(c.Close)
	return c
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ask(t *testing.T, srv *aaserver.Server, id, q string) <-chan string {
	t.Helper()
	out := make(chan string, 1)
	go func() {
		resp, err := aaserver.PostAsk(context.Background(), srv.BaseURL(), &wire.AskQuestionRequest{
			ID: id, UserToken: token, Request: &wire.McpAskQuestionRequest{Question: q, Timeout: 60, AgentName: "claude"}})
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		text := ""
		for _, c := range resp.GetContents() {
			text += c.GetText().GetText()
		}
		out <- text
	}()
	return out
}

func TestNotReadyBeforeStart(t *testing.T) {
	c := newCore(t, nil)
	if c.Ready() {
		t.Fatal("ready before Start")
	}
	if err := c.Reply(conn.RequestKey{}, "x"); !errors.Is(err, desk.ErrNotReady) {
		t.Fatalf("Reply before Start: %v", err)
	}
}

func TestAddServerReplyWrapsAndDefaults(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	if res := c.Start(context.Background()); res.Err != nil {
		t.Fatal(res.Err)
	}
	p, err := c.AddServer(context.Background(), profiles.Profile{URL: srv.URL(), Alias: "Work", Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	eventually(t, "connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })

	st := c.Settings()
	st.ReplyAffixes, st.ReplyPrefix, st.ReplySuffix = true, "[", "]"
	if err := c.SaveSettings(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}

	got := ask(t, srv, "q1", "Deploy?")
	m := c.Model()
	eventually(t, "card", func() bool { return m.Len() == 1 })
	card, _ := m.At(0)
	if card.Request.Server != id || card.Request.Text != "Deploy?" {
		t.Fatalf("card = %+v", card.Request)
	}
	if err := c.Reply(card.Key(), "  "); err != nil {
		t.Fatal(err)
	}
	// A second send while the first is on its way is refused, not doubled.
	if err := c.Reply(card.Key(), "again"); !errors.Is(err, desk.ErrNotAnswerable) {
		t.Fatalf("second reply: %v", err)
	}
	if a := <-got; a != "[OK]" {
		t.Fatalf("agent got %q", a)
	}
	eventually(t, "answered", func() bool { cd, _ := m.Card(card.Key()); return cd.State == model.AnsweredByMe })
	if cd, _ := m.Card(card.Key()); cd.Reply != "[OK]" || cd.Submit != model.SubmitNone {
		t.Fatalf("answered card %+v", cd)
	}

	got = ask(t, srv, "q2", "Name?")
	eventually(t, "card 2", func() bool { return m.PendingTotal() == 1 })
	k2 := conn.RequestKey{Server: id, ID: "q2"}
	m.SetDraft(k2, "Bob")
	if err := c.Reply(k2, "Bob"); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a != "[Bob]" {
		t.Fatalf("agent got %q", a)
	}
	eventually(t, "history", func() bool { return len(m.ReplyHistory()) == 1 })
	if h := m.ReplyHistory(); len(h) != 1 || h[0] != "Bob" {
		t.Fatalf("history %q", h)
	}
	if d := m.Draft(k2); d != "" {
		t.Fatalf("draft kept after a send: %q", d)
	}
}

func TestReplyRefusedIsRecordedOnTheCard(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	c.Start(context.Background())
	p, err := c.AddServer(context.Background(), profiles.Profile{URL: srv.URL(), Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	eventually(t, "connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })
	ask(t, srv, "q1", "Deploy?")
	m := c.Model()
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return m.PendingTotal() == 1 })
	// The server forgets the request behind our back (another client
	// answered while its notification was lost): the model still shows it
	// open, the connection refuses, and the card says why.
	srv.Cancel("q1", "timeout")
	eventually(t, "cancelled", func() bool { cd, _ := m.Card(k); return cd.State == model.Cancelled })
	if err := c.Reply(k, "late"); !errors.Is(err, desk.ErrNotAnswerable) {
		t.Fatalf("reply to a closed card: %v", err)
	}
	m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: &conn.Request{Server: id, ID: "q1", Text: "again"}})
	m.SetDraft(k, "late")
	if err := c.Reply(k, "late"); err != nil {
		t.Fatalf("reply not started: %v", err)
	}
	eventually(t, "refusal on the card", func() bool { cd, _ := m.Card(k); return cd.Submit == model.SubmitFailed })
	cd, _ := m.Card(k)
	if !errors.Is(cd.SubmitErr, conn.ErrNotPending) || !cd.Answerable() || m.Draft(k) != "late" {
		t.Fatalf("card after a refused reply: %+v, draft %q", cd, m.Draft(k))
	}
}

func TestReplyTextDefaults(t *testing.T) {
	c := newCore(t, nil)
	if got := c.ReplyText(conn.KindWorkReport, ""); got != desk.DefaultReportReply {
		t.Fatalf("report default %q", got)
	}
	if got := c.ReplyText(conn.KindQuestion, "\n"); got != desk.DefaultQuestionReply {
		t.Fatalf("question default %q", got)
	}
}

func TestProfileChangesReconfigureThatServer(t *testing.T) {
	a, b := aatest.Start(t, aaserver.Config{}), aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	c.Start(context.Background())
	ctx := context.Background()
	pa, _ := c.AddServer(ctx, profiles.Profile{URL: a.URL(), Alias: "A", Enabled: true}, "")
	pb, _ := c.AddServer(ctx, profiles.Profile{URL: b.URL(), Alias: "B", Enabled: true}, "")
	eventually(t, "both connected", func() bool {
		x, _ := c.State(conn.ServerID(pa.ID))
		y, _ := c.State(conn.ServerID(pb.ID))
		return x.Phase == conn.PhaseConnected && y.Phase == conn.PhaseConnected
	})
	if n := len(c.Model().Servers()); n != 2 {
		t.Fatalf("model servers %d", n)
	}
	if err := c.SetEnabled(ctx, conn.ServerID(pb.ID), false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B disabled", func() bool { s, _ := c.State(conn.ServerID(pb.ID)); return s.Phase == conn.PhaseDisabled })
	if s, _ := c.State(conn.ServerID(pa.ID)); s.Phase != conn.PhaseConnected {
		t.Fatalf("A is %v", s.Phase)
	}
	if err := c.SetDefault(conn.ServerID(pa.ID)); err != nil || c.DefaultID() != conn.ServerID(pa.ID) {
		t.Fatalf("default %v %q", err, c.DefaultID())
	}
	if err := c.DeleteServer(ctx, conn.ServerID(pa.ID), false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A removed from model", func() bool { return len(c.Model().Servers()) == 1 })
	if _, ok := c.State(conn.ServerID(pa.ID)); ok {
		t.Fatal("A still managed")
	}
}

func TestSaveSettingsPushesNicknameAndToken(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	c.Start(context.Background())
	ctx := context.Background()
	c.AddServer(ctx, profiles.Profile{URL: srv.URL(), Enabled: true}, "")
	eventually(t, "login", func() bool { cl := srv.Clients(); return len(cl) == 1 && cl[0].LoggedIn })
	st := c.Settings()
	st.Nickname = "alice"
	tok := "tok-2"
	if err := c.SaveSettings(ctx, st, &tok); err != nil {
		t.Fatal(err)
	}
	eventually(t, "new identity", func() bool {
		cl := srv.Clients()
		return len(cl) == 1 && cl[0].Nickname == "alice" && cl[0].Token == "tok-2"
	})
	if got, _ := c.Store().Secrets().Token(ctx); got != "tok-2" {
		t.Fatalf("stored token %q", got)
	}
}

func TestSendChatOfflineRecordsNotice(t *testing.T) {
	c := newCore(t, nil)
	c.Start(context.Background())
	k := model.ChatKey{Server: "nope", ClientID: "c1"}
	if err := c.SendChat(k, "bob", "hi"); err == nil {
		t.Fatal("no error")
	}
	ch, ok := c.Model().Chat(k)
	if !ok || len(ch.Lines) != 1 || !ch.Lines[0].FromMe || ch.Lines[0].Status != model.LineFailed || ch.Lines[0].Err == nil {
		t.Fatalf("chat %+v", ch)
	}
	if err := c.SendChat(k, "bob", "  "); !errors.Is(err, desk.ErrEmptyMessage) {
		t.Fatalf("empty: %v", err)
	}
}

func TestTestConnection(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	c.Start(context.Background())
	res, err := c.TestConnection(context.Background(), profiles.Profile{URL: srv.URL()}, nil)
	if err != nil || !res.Connected() || !res.Health.OK {
		t.Fatalf("check %v %+v", err, res)
	}
	if len(c.Profiles()) != 0 {
		t.Fatal("test connection saved a profile")
	}
	if _, err := c.TestConnection(context.Background(), profiles.Profile{URL: "ftp://x"}, nil); err == nil {
		t.Fatal("bad URL accepted")
	}
}

type fakeDemo struct {
	srv    *aaserver.Server
	closed chan struct{}
}

func (d *fakeDemo) Servers() []conn.ServerConfig {
	return []conn.ServerConfig{{ID: "d1", Label: "Demo Home", URL: d.srv.URL(), Enabled: true}}
}
func (d *fakeDemo) Token() string    { return token }
func (d *fakeDemo) Nickname() string { return "you" }
func (d *fakeDemo) Close()           { close(d.closed) }

func TestDemoModeUsesTempConfig(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	d := &fakeDemo{srv: srv, closed: make(chan struct{})}
	dir := t.TempDir()
	c := newCore(t, func(o *desk.Options) {
		o.ConfigDir = dir
		o.Demo = true
		o.StartDemo = func() (desk.DemoBackend, error) { return d, nil }
	})
	if res := c.Start(context.Background()); res.Err != nil {
		t.Fatal(res.Err)
	}
	if !c.Demo() {
		t.Fatal("not in demo mode")
	}
	ps := c.Profiles()
	if len(ps) != 1 || ps[0].Label() != "Demo Home" {
		t.Fatalf("profiles %+v", ps)
	}
	if c.Store().Path() == dir+"/config.json" {
		t.Fatal("demo used the real config dir")
	}
	if c.Settings().Nickname != "you" {
		t.Fatalf("nickname %q", c.Settings().Nickname)
	}
	eventually(t, "demo login", func() bool { cl := srv.Clients(); return len(cl) == 1 && cl[0].Token == token })
	c.Close()
	select {
	case <-d.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("demo not closed")
	}
}

func TestEventsReachListeners(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	got := make(chan conn.RequestArrived, 4)
	c.OnEvent(func(e conn.Event) {
		if a, ok := e.(conn.RequestArrived); ok {
			got <- a
		}
	})
	c.Start(context.Background())
	c.AddServer(context.Background(), profiles.Profile{URL: srv.URL(), Enabled: true}, "")
	eventually(t, "login", func() bool { cl := srv.Clients(); return len(cl) == 1 && cl[0].LoggedIn })
	ask(t, srv, "q9", "hello")
	select {
	case a := <-got:
		if a.Request.ID != "q9" || c.Model().Len() != 1 {
			t.Fatalf("event %+v, model len %d", a.Request, c.Model().Len())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
}

func writeFlutterPrefs(t *testing.T, url, tok, nick string) string {
	t.Helper()
	servers, _ := json.Marshal([]map[string]any{{"name": "Imported", "url": url}})
	raw, _ := json.Marshal(map[string]any{"flutter.server_configs": string(servers), "flutter.user_token": tok, "flutter.user_nickname": nick})
	path := filepath.Join(t.TempDir(), "shared_preferences.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFirstRunImportConnects(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	path := writeFlutterPrefs(t, srv.URL(), "", "flutter-nick")
	c := newCore(t, func(o *desk.Options) { o.SkipFirstRunImport = false; o.FlutterPrefs = path })
	res := c.Start(context.Background())
	if res.Imported == nil || len(res.Imported.Imported) != 1 {
		t.Fatalf("import %+v", res.Imported)
	}
	// The import is news, not a decision: a banner in the model.
	ns := c.Model().Notices()
	if len(ns) != 1 || ns[0].Title != desk.NoticeImported || ns[0].Args["N"] != 1 || !strings.Contains(ns[0].Details, "Imported") {
		t.Fatalf("notices %+v", ns)
	}
	id := conn.ServerID(c.Profiles()[0].ID)
	eventually(t, "imported server connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })
	eventually(t, "nickname used", func() bool { cl := srv.Clients(); return len(cl) == 1 && cl[0].Nickname == "flutter-nick" })
}

func TestImportFromFileAppliesToken(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, func(o *desk.Options) {
		o.Secrets = profiles.NewMemorySecrets()
	})
	c.Start(context.Background())
	if c.HasToken() {
		t.Fatal("token before import")
	}
	res, err := c.ImportFromFile(context.Background(), writeFlutterPrefs(t, srv.URL(), "tok-imported", "bob"))
	if err != nil || len(res.Imported) != 1 || !res.Token {
		t.Fatalf("import %v %+v", err, res)
	}
	eventually(t, "login with imported token", func() bool {
		cl := srv.Clients()
		return len(cl) == 1 && cl[0].Token == "tok-imported" && cl[0].Nickname == "bob"
	})
	if _, err := c.ImportFromFile(context.Background(), "/nonexistent/prefs.json"); err == nil {
		t.Fatal("missing file accepted")
	}
}
