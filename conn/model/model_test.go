package model_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

var t0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

func req(server, id string, minute int) *conn.Request {
	return &conn.Request{Server: conn.ServerID(server), ID: id, Kind: conn.KindQuestion,
		Text: "q " + id, CreatedAt: t0.Add(time.Duration(minute) * time.Minute)}
}

func arrived(r *conn.Request) conn.Event {
	return conn.RequestArrived{Origin: conn.Origin{Server: r.Server}, Request: r}
}

func origin(s string) conn.Origin { return conn.Origin{Server: conn.ServerID(s)} }

func ids(m *model.Model) string {
	var out []string
	for i := 0; i < m.Len(); i++ {
		c, _ := m.At(i)
		out = append(out, fmt.Sprintf("%s/%s", c.Request.Server, c.Request.ID))
	}
	return strings.Join(out, " ")
}

func TestTimelineInterleavesServersByTime(t *testing.T) {
	m := model.New(0)
	m.SetServers([]conn.ServerConfig{{ID: "home", Label: "Home", Enabled: true}, {ID: "work", Label: "Work", Enabled: true}})
	m.Apply(arrived(req("work", "x", 3)))
	m.Apply(arrived(req("home", "x", 1))) // same id, other server
	m.Apply(arrived(req("home", "y", 2)))
	m.Apply(arrived(req("home", "y", 2))) // duplicate push is ignored
	if got := ids(m); got != "home/x home/y work/x" {
		t.Fatalf("timeline = %s", got)
	}
	if m.PendingTotal() != 3 {
		t.Fatalf("pending = %d", m.PendingTotal())
	}
	m.SetFilter(model.Filter{Server: "work"})
	if got := ids(m); got != "work/x" {
		t.Fatalf("work filter = %s", got)
	}
	srv := m.Servers()
	if len(srv) != 2 || srv[0].Label != "Home" || srv[0].Pending != 2 || srv[1].Pending != 1 {
		t.Fatalf("servers = %+v", srv)
	}
}

func TestCardStates(t *testing.T) {
	m := model.New(0)
	for i, id := range []string{"a", "b", "c", "d", "e", "f"} {
		m.Apply(arrived(req("s", id, i)))
	}
	m.Apply(conn.RequestAnswered{Origin: origin("s"), ID: "a", By: "bob", Text: "done"})
	m.Apply(conn.RequestCancelled{Origin: origin("s"), ID: "b", Reason: "timeout"})
	m.Apply(conn.RequestGone{Origin: origin("s"), ID: "c"})
	m.Apply(conn.ReplyUpdate{Origin: origin("s"), ID: "d", Status: conn.ReplySent, Text: "ok"})
	m.Apply(conn.ReplyUpdate{Origin: origin("s"), ID: "d", Status: conn.ReplyDelivered, Text: "ok"})
	m.Apply(conn.ReplyUpdate{Origin: origin("s"), ID: "e", Status: conn.ReplyQueued, Text: "later"})
	m.Apply(conn.ReplyUpdate{Origin: origin("s"), ID: "e", Status: conn.ReplyUndeliverable, Text: "later", Reason: "gone"})
	m.Apply(conn.RequestAnswered{Origin: origin("other"), ID: "f", By: "eve"}) // other server: not ours
	want := map[string]model.CardState{"a": model.AnsweredElsewhere, "b": model.Cancelled, "c": model.Gone, "d": model.AnsweredByMe, "e": model.Undeliverable, "f": model.Pending}
	for id, st := range want {
		c, ok := m.Card(conn.RequestKey{Server: "s", ID: id})
		if !ok || c.State != st {
			t.Errorf("%s: state %v, want %v", id, c.State, st)
		}
	}
	a, _ := m.Card(conn.RequestKey{Server: "s", ID: "a"})
	if a.By != "bob" || a.ByText != "done" {
		t.Errorf("answered elsewhere lost who/what: %+v", a)
	}
	e, _ := m.Card(conn.RequestKey{Server: "s", ID: "e"})
	if e.Reason != "gone" || e.Reply != "later" {
		t.Errorf("undeliverable lost reason/reply: %+v", e)
	}
	if m.PendingTotal() != 1 {
		t.Errorf("pending = %d, want 1", m.PendingTotal())
	}
	m.SetFilter(model.Filter{PendingOnly: true})
	if got := ids(m); got != "s/f" {
		t.Errorf("pending-only = %s", got)
	}
	k, i, ok := m.OldestPending()
	if !ok || k.ID != "f" || i != 0 {
		t.Errorf("oldest pending = %v %d %v", k, i, ok)
	}
}

func TestFinishedCardsAreCapped(t *testing.T) {
	m := model.New(3)
	for i := 0; i < 10; i++ {
		m.Apply(arrived(req("s", fmt.Sprint(i), i)))
	}
	for i := 0; i < 8; i++ {
		m.Apply(conn.RequestCancelled{Origin: origin("s"), ID: fmt.Sprint(i), Reason: "timeout"})
	}
	if got := ids(m); got != "s/5 s/6 s/7 s/8 s/9" {
		t.Fatalf("after cap = %s", got)
	}
	if _, ok := m.Card(conn.RequestKey{Server: "s", ID: "0"}); ok {
		t.Fatal("trimmed card still reachable by key")
	}
}

func TestPresenceAndChats(t *testing.T) {
	m := model.New(0)
	m.SetServers([]conn.ServerConfig{{ID: "a", Label: "A", Enabled: true}, {ID: "b", Label: "B", Enabled: true}})
	m.Apply(conn.StateChanged{Origin: origin("a"), State: conn.State{Phase: conn.PhaseConnected}})
	m.Apply(conn.StateChanged{Origin: origin("b"), State: conn.State{Phase: conn.PhaseConnected}})
	m.Apply(conn.OnlineUsers{Origin: origin("a"), Users: []conn.OnlineUser{{Server: "a", ClientID: "1", Nickname: "bob"}}})
	m.Apply(conn.UserStatus{Origin: origin("b"), User: conn.OnlineUser{Server: "b", ClientID: "1", Nickname: "bob"}, Online: true})
	if u := m.Users(); len(u) != 2 || u[0].Server != "a" || u[1].Server != "b" {
		t.Fatalf("bob on two servers must be two entries: %+v", u)
	}
	if c, e := m.Connectivity(); c != 2 || e != 2 {
		t.Fatalf("connectivity = %d/%d", c, e)
	}

	k := model.ChatKey{Server: "a", ClientID: "1"}
	m.Apply(conn.ChatReceived{Origin: origin("a"), Message: conn.ChatMessage{Server: "a", SenderClientID: "1", SenderNickname: "bob", Content: "hi"}})
	m.AddOwnChat(k, "bob", "hello")
	if c, _ := m.Chat(k); len(c.Lines) != 2 || c.Unread != 1 || !c.Lines[1].FromMe {
		t.Fatalf("chat = %+v", c)
	}
	if _, ok := m.Chat(model.ChatKey{Server: "b", ClientID: "1"}); ok {
		t.Fatal("a chat on server a leaked into server b")
	}
	m.MarkRead(k)
	m.Apply(conn.UserStatus{Origin: origin("a"), User: conn.OnlineUser{Server: "a", ClientID: "1", Nickname: "bob"}, Online: false})
	m.Apply(conn.StateChanged{Origin: origin("a"), State: conn.State{Phase: conn.PhaseReconnecting}})
	c, _ := m.Chat(k)
	if c.Unread != 0 || len(c.Lines) != 4 || c.Lines[2].Text != "bob went offline" || c.Lines[3].Text != "server offline" {
		t.Fatalf("chat after offline = %+v", c.Lines)
	}
	if m.Online(k) || len(m.Users()) != 1 {
		t.Fatalf("users after server a went down = %+v", m.Users())
	}
	if c, _ := m.Connectivity(); c != 1 {
		t.Fatalf("connected = %d", c)
	}
}

func TestRemovingServerDropsItsState(t *testing.T) {
	m := model.New(0)
	m.SetServers([]conn.ServerConfig{{ID: "a"}, {ID: "b"}})
	m.Apply(arrived(req("a", "1", 1)))
	m.Apply(arrived(req("b", "1", 2)))
	m.SetFilter(model.Filter{Server: "a"})
	m.SetServers([]conn.ServerConfig{{ID: "b"}})
	if m.Filter().Server != "" {
		t.Fatal("filter still points at a removed server")
	}
	if got := ids(m); got != "b/1" {
		t.Fatalf("after removal = %s", got)
	}
}

func TestOnChangeFires(t *testing.T) {
	m := model.New(0)
	n := 0
	m.OnChange(func() { n++ })
	m.Apply(arrived(req("s", "1", 1)))
	m.SetFilter(model.Filter{PendingOnly: true})
	m.SetFilter(model.Filter{PendingOnly: true}) // no change, no refresh
	if n != 2 {
		t.Fatalf("OnChange fired %d times, want 2", n)
	}
}
