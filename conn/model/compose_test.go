package model_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

func arrive(m *model.Model, server, id string, minute int) conn.RequestKey {
	r := &conn.Request{Server: conn.ServerID(server), ID: id, Kind: conn.KindQuestion, Text: "q " + id,
		CreatedAt: time.Date(2026, 1, 1, 10, minute, 0, 0, time.UTC)}
	m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: r.Server}, Request: r})
	return r.Key()
}

func TestReplyProgressLivesOnTheCard(t *testing.T) {
	m := model.New(0)
	k := arrive(m, "s", "a", 1)
	if !m.BeginReply(k) {
		t.Fatal("BeginReply refused an open card")
	}
	if m.BeginReply(k) {
		t.Fatal("a second reply while one is on its way was accepted")
	}
	c, _ := m.Card(k)
	if c.Submit != model.Submitting || c.Answerable() || !c.State.Open() {
		t.Fatalf("submitting card %+v", c)
	}
	if _, _, ok := m.OldestPending(); ok {
		t.Fatal("a card with a reply on its way is offered as pending")
	}
	refused := errors.New("refused")
	m.ReplyFailed(k, refused)
	c, _ = m.Card(k)
	if c.Submit != model.SubmitFailed || !errors.Is(c.SubmitErr, refused) || !c.Answerable() {
		t.Fatalf("failed card %+v", c)
	}
	// Trying again, then the connection takes it.
	if !m.BeginReply(k) {
		t.Fatal("retry refused")
	}
	m.Apply(conn.ReplyUpdate{Origin: conn.Origin{Server: "s"}, ID: "a", Status: conn.ReplySent, Text: "yes"})
	c, _ = m.Card(k)
	if c.State != model.Sending || c.Submit != model.SubmitNone || c.SubmitErr != nil || c.Reply != "yes" {
		t.Fatalf("sending card %+v", c)
	}
	if m.BeginReply(k) {
		t.Fatal("a closed card accepted a reply")
	}
}

func TestRevisionChangesWithTheCard(t *testing.T) {
	m := model.New(0)
	k := arrive(m, "s", "a", 1)
	c0, _ := m.Card(k)
	m.SetDraft(k, "typing") // drafts are not card content
	c1, _ := m.Card(k)
	if c1.Rev != c0.Rev {
		t.Fatal("a draft changed the card revision")
	}
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "s"}, ID: "a", Reason: "timeout"})
	c2, _ := m.Card(k)
	if c2.Rev == c1.Rev {
		t.Fatal("a cancellation did not change the revision")
	}
}

func TestDraftsAndFocusFollowTheCard(t *testing.T) {
	m := model.New(1)
	a := arrive(m, "s", "a", 1)
	b := arrive(m, "t", "a", 2) // same id, other server
	m.SetDraft(a, "for s")
	m.SetDraft(b, "for t")
	if m.Draft(a) != "for s" || m.Draft(b) != "for t" {
		t.Fatal("drafts mixed up across servers")
	}
	m.SetDraft(conn.RequestKey{Server: "s", ID: "nope"}, "x")
	if m.Draft(conn.RequestKey{Server: "s", ID: "nope"}) != "" {
		t.Fatal("a draft for an unknown request was kept")
	}
	m.SetReplyFocus(a)
	if k, ok := m.ReplyFocus(); !ok || k != a {
		t.Fatalf("focus %v %v", k, ok)
	}
	// With a cap of one finished card, finishing both drops a's card, and
	// its draft and focus with it.
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "s"}, ID: "a"})
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "t"}, ID: "a"})
	if _, ok := m.Card(a); ok {
		t.Fatal("card beyond the cap kept")
	}
	if _, ok := m.ReplyFocus(); ok || m.Draft(a) != "" {
		t.Fatal("focus or draft of a dropped card kept")
	}
	if m.Draft(b) != "for t" {
		t.Fatal("the other server's draft was lost")
	}
}

func TestNextAnswerableSkipsTheOneJustSent(t *testing.T) {
	m := model.New(0)
	a := arrive(m, "s", "a", 1)
	b := arrive(m, "t", "b", 2)
	c := arrive(m, "s", "c", 3)
	if k, ok := m.NextAnswerable(a); !ok || k != b {
		t.Fatalf("next after a = %v", k)
	}
	m.BeginReply(b)
	if k, ok := m.NextAnswerable(a); !ok || k != c {
		t.Fatalf("next after a with b on its way = %v", k)
	}
	m.SetFilter(model.Filter{Server: "t"})
	if _, ok := m.NextAnswerable(a); ok {
		t.Fatal("next answerable ignores the filter")
	}
}

func TestReplyHistoryIsBoundedWithoutRepeats(t *testing.T) {
	m := model.New(0)
	for i := 0; i < 60; i++ {
		m.RememberReply(string(rune('a' + i%26)))
	}
	m.RememberReply("  ")
	m.RememberReply("a")
	h := m.ReplyHistory()
	if len(h) != 26 || h[len(h)-1] != "a" {
		t.Fatalf("history %q", h)
	}
}

func TestNoticesReplaceByIDAndDismiss(t *testing.T) {
	m := model.New(0)
	calls := 0
	m.OnChange(func() { calls++ })
	m.AddNotice(model.Notice{ID: "import", Title: "one"})
	m.AddNotice(model.Notice{ID: "keyring", Level: model.NoticeWarning, Title: "two"})
	m.AddNotice(model.Notice{ID: "import", Title: "three"})
	ns := m.Notices()
	if len(ns) != 2 || ns[0].ID != "keyring" || ns[1].Title != "three" {
		t.Fatalf("notices %+v", ns)
	}
	m.DismissNotice("keyring")
	m.DismissNotice("keyring")
	if len(m.Notices()) != 1 || calls != 4 {
		t.Fatalf("after dismiss: %+v, %d changes", m.Notices(), calls)
	}
	for i := 0; i < 20; i++ {
		m.AddNotice(model.Notice{ID: string(rune('a' + i))})
	}
	if n := len(m.Notices()); n > 8 {
		t.Fatalf("%d notices kept", n)
	}
}

func TestOwnChatLinesCarryTheirProgress(t *testing.T) {
	m := model.New(0)
	k := model.ChatKey{Server: "s", ClientID: "c1"}
	id := m.AddOwnChat(k, "bob", "hello")
	ch, _ := m.Chat(k)
	if len(ch.Lines) != 1 || ch.Lines[0].Status != model.LineSending || ch.Unread != 0 {
		t.Fatalf("chat %+v", ch)
	}
	m.SetChatStatus(k, id, model.LineFailed, errors.New("offline"))
	ch, _ = m.Chat(k)
	if ch.Lines[0].Status != model.LineFailed || ch.Lines[0].Err == nil {
		t.Fatalf("line %+v", ch.Lines[0])
	}
}

func TestHealthIsPerServer(t *testing.T) {
	m := model.New(0)
	m.SetServers([]conn.ServerConfig{{ID: "a", Label: "A", Enabled: true}, {ID: "b", Label: "B", Enabled: true}})
	m.SetHealth("a", model.Health{Checked: true, OK: true, Version: "1.2"})
	m.SetHealth("zzz", model.Health{Checked: true}) // unknown: ignored
	a, _ := m.Server("a")
	b, _ := m.Server("b")
	if !a.Health.OK || a.Health.Version != "1.2" || b.Health.Checked {
		t.Fatalf("health a=%+v b=%+v", a.Health, b.Health)
	}
	if _, ok := m.Server("zzz"); ok {
		t.Fatal("health created a server")
	}
}

func TestViewKeysVersionChangesWithShapeOnly(t *testing.T) {
	m := model.New(0)
	arrive(m, "s", "a", 2)
	keys, v1 := m.ViewKeys(nil)
	if len(keys) != 1 {
		t.Fatal(keys)
	}
	m.Apply(conn.ReplyUpdate{Origin: conn.Origin{Server: "s"}, ID: "a", Status: conn.ReplySent, Text: "x"})
	if _, v := m.ViewKeys(keys); v != v1 {
		t.Fatal("a content change changed the view version")
	}
	arrive(m, "s", "b", 1) // older: goes first
	keys, v2 := m.ViewKeys(keys)
	if v2 == v1 || len(keys) != 2 || keys[0].ID != "b" {
		t.Fatalf("after an arrival: %v %d", keys, v2)
	}
}

// TestPendingCountsStayExactUnderChurn drives a model with a random mix of
// arrivals, answers, cancellations, replies and re-openings, over two
// servers and past the finished cap, and checks the incremental pending
// counts and the trimmed view against a count from scratch.
func TestPendingCountsStayExactUnderChurn(t *testing.T) {
	m := model.New(20)
	m.SetServers([]conn.ServerConfig{{ID: "a", Enabled: true}, {ID: "b", Enabled: true}})
	rng := rand.New(rand.NewPCG(1, 2))
	for step := 0; step < 3000; step++ {
		srv := []string{"a", "b"}[rng.IntN(2)]
		id := fmt.Sprintf("r%d", rng.IntN(80))
		o := conn.Origin{Server: conn.ServerID(srv)}
		switch rng.IntN(6) {
		case 0, 1:
			arrive(m, srv, id, rng.IntN(59))
		case 2:
			m.Apply(conn.RequestAnswered{Origin: o, ID: id, By: "x"})
		case 3:
			m.Apply(conn.RequestCancelled{Origin: o, ID: id})
		case 4:
			m.Apply(conn.ReplyUpdate{Origin: o, ID: id, Status: conn.ReplyDelivered})
		case 5:
			m.Apply(conn.RequestGone{Origin: o, ID: id})
		}
		if rng.IntN(50) == 0 {
			m.SetFilter(model.Filter{PendingOnly: rng.IntN(2) == 0})
		}
		keys, _ := m.ViewKeys(nil)
		if len(keys) != m.Len() {
			t.Fatalf("step %d: %d view keys for %d cards", step, len(keys), m.Len())
		}
		want := map[conn.ServerID]int{}
		finished := 0
		for i := 0; i < m.Len(); i++ {
			c, _ := m.At(i)
			if c.Key() != keys[i] {
				t.Fatalf("step %d: view key %d is %v, the card is %v", step, i, keys[i], c.Key())
			}
			if c.State.Open() {
				want[c.Request.Server]++
			} else {
				finished++
			}
		}
		for _, s := range m.Servers() {
			if s.Pending != want[s.ID] {
				t.Fatalf("step %d: %s counts %d pending, the cards say %d", step, s.ID, s.Pending, want[s.ID])
			}
		}
		if finished > 20 {
			t.Fatalf("step %d: %d finished cards kept, cap 20", step, finished)
		}
	}
}

func TestHistoryCardsJoinTheTimelineWithoutReplacingLiveOnes(t *testing.T) {
	m := model.New(3)
	m.SetServers([]conn.ServerConfig{{ID: "s", Label: "Home", Enabled: true}})
	live := arrive(m, "s", "a", 5) // pending now, and also in the history as answered
	old := func(server, id string, minute int, st model.CardState) model.Card {
		return model.Card{Request: &conn.Request{Server: conn.ServerID(server), ID: id, Text: "old " + id,
			CreatedAt: time.Date(2026, 1, 1, 9, minute, 0, 0, time.UTC)}, State: st, Reply: "yes"}
	}
	m.AddHistory([]model.Card{
		old("s", "a", 1, model.AnsweredByMe), old("s", "h1", 2, model.AnsweredByMe),
		old("gone-server", "h2", 3, model.Cancelled), old("s", "p", 4, model.Pending),
	}, map[conn.ServerID]string{"gone-server": "Old box"})
	if c, _ := m.Card(live); c.State != model.Pending || c.History {
		t.Fatalf("a history entry replaced the live card: %+v", c)
	}
	keys, _ := m.ViewKeys(nil)
	if len(keys) != 3 || keys[0].ID != "h1" || keys[1].ID != "h2" || keys[2].ID != "a" {
		t.Fatalf("timeline %v", keys)
	}
	if c, _ := m.Card(keys[0]); !c.History || c.State != model.AnsweredByMe {
		t.Fatalf("history card %+v", c)
	}
	if m.Label("gone-server") != "Old box" || m.PendingTotal() != 1 {
		t.Fatalf("label %q, pending %d", m.Label("gone-server"), m.PendingTotal())
	}
	// Deleting the server keeps what is over as history, drops what was
	// pending; dropping its history then removes the rest.
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: "s"}, ID: "a", By: "bob"})
	m.SetServers(nil)
	if keys, _ = m.ViewKeys(nil); len(keys) != 3 {
		t.Fatalf("after deleting the server: %v", keys)
	}
	if m.Label("s") != "Home" {
		t.Fatalf("deleted server's label %q", m.Label("s"))
	}
	m.DropHistory("s")
	if keys, _ = m.ViewKeys(nil); len(keys) != 1 || keys[0].ID != "h2" {
		t.Fatalf("after dropping its history: %v", keys)
	}
}

func TestChatHistoryComesBeforeLiveLinesOnce(t *testing.T) {
	m := model.New(0)
	k := model.ChatKey{Server: "s", ClientID: "c2"}
	m.AddOwnChat(k, "alex", "live")
	hist := []model.Line{{Text: "earlier 1"}, {FromMe: true, Text: "earlier 2"}}
	m.AddChatHistory(k, "alex", hist)
	m.AddChatHistory(k, "alex", hist) // a second open adds nothing
	ch, _ := m.Chat(k)
	if len(ch.Lines) != 3 || ch.Lines[0].Text != "earlier 1" || !ch.Lines[1].History || ch.Lines[2].Text != "live" || ch.Unread != 0 {
		t.Fatalf("chat %+v", ch)
	}
}
