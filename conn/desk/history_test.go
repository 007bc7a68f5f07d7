package desk_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// historyCore is a core with a config folder and a data folder that a
// second core (a restart) can open again.
func historyCore(t *testing.T, config, data string, sec *profiles.Secrets) *desk.Core {
	t.Helper()
	return newCore(t, func(o *desk.Options) {
		o.ConfigDir, o.DataDir = config, data
		if sec != nil {
			o.Secrets = sec
		}
	})
}

// TestHistorySurvivesARestart answers a question and chats, quits, and
// starts again on the same folders: the answered question is back as
// history before any server connects, a search finds it by a word of the
// reply, and the chat window's earlier lines are there.
func TestHistorySurvivesARestart(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	config, data := t.TempDir(), t.TempDir()
	sec := profiles.NewMemorySecrets()
	if err := sec.SetToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	c := historyCore(t, config, data, sec)
	c.Start(context.Background())
	p, err := c.AddServer(context.Background(), profiles.Profile{URL: srv.URL(), Alias: "Home", Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	eventually(t, "connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })
	got := ask(t, srv, "q1", "Which database?")
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return c.Model().PendingTotal() == 1 })
	if err := c.Reply(k, "postgres with pgbouncer"); err != nil {
		t.Fatal(err)
	}
	<-got
	eventually(t, "answered", func() bool { cd, _ := c.Model().Card(k); return cd.State == model.AnsweredByMe })
	c.Close() // quit: what is queued is saved

	// The server is gone now; the restart still shows the history.
	srv.Close()
	c2 := historyCore(t, config, data, sec)
	c2.Start(context.Background())
	cd, ok := c2.Model().Card(k)
	if !ok || !cd.History || cd.State != model.AnsweredByMe || cd.Reply != "postgres with pgbouncer" || cd.Request.Text != "Which database?" {
		t.Fatalf("after a restart the card is %+v (%v)", cd, ok)
	}
	page, err := c2.SearchHistory(context.Background(), desk.HistoryQuery{Text: "pgbouncer"})
	if err != nil || len(page.Cards) != 1 || page.Cards[0].Key() != k {
		t.Fatalf("search by a word of the reply: %+v, %v", page, err)
	}
	md, err := c2.Markdown(context.Background(), k, desk.CopyReply)
	if err != nil || !strings.Contains(md, "postgres with pgbouncer") {
		t.Fatalf("copy the reply: %q, %v", md, err)
	}
	if _, err := os.Stat(filepath.Join(data, "history.db")); err != nil {
		t.Fatalf("no history.db in the data folder: %v", err)
	}
}

// TestDeletingAServerAsksAboutItsHistory deletes one server keeping its
// history, and another with it.
func TestDeletingAServerAsksAboutItsHistory(t *testing.T) {
	a, b := aatest.Start(t, aaserver.Config{}), aatest.Start(t, aaserver.Config{})
	c := historyCore(t, t.TempDir(), t.TempDir(), nil)
	c.Start(context.Background())
	ctx := context.Background()
	var ids []conn.ServerID
	for _, s := range []*aaserver.Server{a, b} {
		p, err := c.AddServer(ctx, profiles.Profile{URL: s.URL(), Enabled: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		id := conn.ServerID(p.ID)
		ids = append(ids, id)
		eventually(t, "connected", func() bool { st, _ := c.State(id); return st.Phase == conn.PhaseConnected })
		ask(t, s, "same", "Proceed?")
	}
	eventually(t, "two cards", func() bool { return c.Model().PendingTotal() == 2 })
	for _, id := range ids {
		k := conn.RequestKey{Server: id, ID: "same"}
		if err := c.Reply(k, "yes "+string(id)); err != nil {
			t.Fatal(err)
		}
		eventually(t, "answered", func() bool { cd, _ := c.Model().Card(k); return cd.State == model.AnsweredByMe })
	}
	if err := c.DeleteServer(ctx, ids[0], false); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteServer(ctx, ids[1], true); err != nil {
		t.Fatal(err)
	}
	if cd, ok := c.Model().Card(conn.RequestKey{Server: ids[0], ID: "same"}); !ok || !cd.History {
		t.Fatal("the kept history left the timeline")
	}
	if _, ok := c.Model().Card(conn.RequestKey{Server: ids[1], ID: "same"}); ok {
		t.Fatal("the deleted history is still in the timeline")
	}
	stats, _, err := c.HistoryStats(ctx)
	if err != nil || len(stats) != 1 || stats[0].Server != string(ids[0]) || stats[0].Requests != 1 {
		t.Fatalf("stats after the deletes: %+v, %v", stats, err)
	}
	var buf bytes.Buffer
	if err := c.ExportHistory(ctx, &buf, desk.ExportMarkdown); err != nil || !strings.Contains(buf.String(), "yes "+string(ids[0])) ||
		strings.Contains(buf.String(), "yes "+string(ids[1])) {
		t.Fatalf("export after the deletes: %v\n%s", err, buf.String())
	}
	// Clearing the kept server's history empties it.
	if err := c.ClearHistory(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n, err := c.CountHistory(ctx, desk.HistoryQuery{}); err != nil || n != 0 {
		t.Fatalf("after clearing: %d, %v", n, err)
	}
}

// TestChatHistoryOpensWithTheConversation: lines sent and received are
// kept per user@server (by nickname: the client id changes on every
// connection) and come back when the chat opens after a restart.
func TestChatHistoryOpensWithTheConversation(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	ctx := context.Background()
	config, data := t.TempDir(), t.TempDir()
	sec := profiles.NewMemorySecrets()
	_ = sec.SetToken(ctx, token)
	me := historyCore(t, config, data, sec)
	me.Start(ctx)
	alex := newCore(t, nil) // another client with the same token
	alex.Start(ctx)
	st := alex.Settings()
	st.Nickname = "alex"
	if err := alex.SaveSettings(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	var ids []conn.ServerID
	for _, c := range []*desk.Core{me, alex} {
		p, err := c.AddServer(ctx, profiles.Profile{URL: srv.URL(), Enabled: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, conn.ServerID(p.ID))
	}
	// Each sees the other online; alex writes to me, I answer.
	var mine, theirs conn.OnlineUser
	eventually(t, "online", func() bool {
		u1, u2 := me.Model().Users(), alex.Model().Users()
		if len(u1) != 1 || len(u2) != 1 {
			return false
		}
		mine, theirs = u2[0], u1[0]
		return true
	})
	if err := alex.SendChat(model.ChatKey{Server: ids[1], ClientID: mine.ClientID}, mine.Nickname, "lunch?"); err != nil {
		t.Fatal(err)
	}
	k := model.ChatKey{Server: ids[0], ClientID: theirs.ClientID}
	eventually(t, "received", func() bool { ch, _ := me.Model().Chat(k); return len(ch.Lines) == 1 })
	if err := me.SendChat(k, "alex", "at noon"); err != nil {
		t.Fatal(err)
	}
	me.Close()

	again := historyCore(t, config, data, sec)
	again.Start(ctx)
	later := model.ChatKey{Server: ids[0], ClientID: "a-new-connection"}
	if err := again.LoadChatHistory(ctx, later, "alex"); err != nil {
		t.Fatal(err)
	}
	ch, _ := again.Model().Chat(later)
	if len(ch.Lines) != 2 || ch.Lines[0].Text != "lunch?" || ch.Lines[0].FromMe || ch.Lines[1].Text != "at noon" || !ch.Lines[1].FromMe {
		t.Fatalf("the conversation after a restart: %+v", ch.Lines)
	}
}

// TestHistoryProblemsAreBanners: a history file that is not a database is
// moved aside with a banner, and the app runs.
func TestHistoryProblemsAreBanners(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "history.db"), []byte("this is not a database, just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := historyCore(t, t.TempDir(), data, nil)
	c.Start(context.Background())
	ns := c.Model().Notices()
	found := false
	for _, n := range ns {
		found = found || (n.Title == desk.NoticeHistoryMoved && strings.Contains(n.Details, "history.db"))
	}
	if !found {
		t.Fatalf("notices %+v", ns)
	}
	if _, err := c.SearchHistory(context.Background(), desk.HistoryQuery{States: []history.State{history.StateAnswered}}); err != nil {
		t.Fatalf("the history does not work after the move: %v", err)
	}
}

// TestRenamingAServerRenamesItsHistory: the history's stats show a
// server's new name as soon as it is renamed, not only once another
// request arrives.
func TestRenamingAServerRenamesItsHistory(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	ctx := context.Background()
	c := historyCore(t, t.TempDir(), t.TempDir(), nil)
	c.Start(ctx)
	p, err := c.AddServer(ctx, profiles.Profile{URL: srv.URL(), Alias: "Home", Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	eventually(t, "connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })
	ask(t, srv, "q1", "Rename me?")
	label := func() string {
		stats, _, err := c.HistoryStats(ctx)
		if err != nil || len(stats) != 1 {
			return ""
		}
		return stats[0].Label
	}
	eventually(t, "the request stored with its label", func() bool { return label() == "Home" })
	p.Alias = "Office"
	if _, err := c.UpdateServer(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new label in the stats", func() bool { return label() == "Office" })
}
