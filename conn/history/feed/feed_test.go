package feed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/history"
)

func TestEventsBecomeHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := history.Open(t.TempDir(), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := Recorder{Store: s, Label: func(id conn.ServerID) string { return "label " + string(id) }}
	home, work := conn.Origin{Server: "home"}, conn.Origin{Server: "work"}
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	arrive := func(o conn.Origin, id string, kind conn.RequestKind) conn.Event {
		return conn.RequestArrived{Origin: o, Request: &conn.Request{Server: o.Server, ID: id, Kind: kind,
			Text: "text of " + id, ProjectDirectory: "/p", AgentName: "claude", Model: "opus", MCPClient: "cc",
			Timeout: time.Minute, CreatedAt: at}}
	}
	events := []conn.Event{
		arrive(home, "mine", conn.KindQuestion),
		arrive(home, "theirs", conn.KindQuestion),
		arrive(home, "cancelled", conn.KindWorkReport),
		arrive(home, "gone", conn.KindQuestion),
		arrive(home, "lost", conn.KindQuestion),
		arrive(home, "queued", conn.KindQuestion),
		arrive(work, "mine", conn.KindQuestion), // the same id on another server
		conn.ReplyUpdate{Origin: home, ID: "queued", Status: conn.ReplyQueued, Text: "later"},
		conn.ReplyUpdate{Origin: home, ID: "mine", Status: conn.ReplySent, Text: "yes"},
		conn.ReplyUpdate{Origin: home, ID: "mine", Status: conn.ReplyDelivered, Text: "yes"},
		conn.RequestAnswered{Origin: home, ID: "theirs", By: "alex", Text: "done by alex"},
		conn.RequestCancelled{Origin: home, ID: "cancelled", Reason: "timed out"},
		conn.RequestGone{Origin: home, ID: "gone"},
		conn.ReplyUpdate{Origin: home, ID: "lost", Status: conn.ReplyUndeliverable, Text: "too late", Reason: "already answered"},
		conn.ChatReceived{Origin: home, Message: conn.ChatMessage{Server: "home", SenderClientID: "c7",
			SenderNickname: "alex", Content: "lunch?", SentAt: at}},
		conn.StateChanged{Origin: home},
		conn.Warning{Origin: home, Err: errors.New("skipped a frame")},
	}
	for _, e := range events {
		if err := rec.Event(e); err != nil {
			t.Fatalf("Event(%T): %v", e, err)
		}
	}
	if err := rec.OwnChat("home", "alex", "c7", "sure"); err != nil {
		t.Fatal(err)
	}
	if err := rec.ChatNotice("home", "alex", "alex went offline"); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	want := map[string]history.Outcome{
		"mine":      {State: history.StateAnswered, Text: "yes"},
		"theirs":    {State: history.StateAnsweredElsewhere, By: "alex", Text: "done by alex"},
		"cancelled": {State: history.StateCancelled, Reason: "timed out"},
		"gone":      {State: history.StateGone, Reason: GoneReason},
		"lost":      {State: history.StateUndeliverable, Text: "too late", Reason: "already answered"},
		"queued":    {State: history.StatePending},
	}
	for id, o := range want {
		e, err := s.Get(ctx, history.Key{Server: "home", ID: id})
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		got := e.Outcome
		if got.State != o.State || got.Text != o.Text || got.By != o.By || got.Reason != o.Reason {
			t.Errorf("%s: outcome %+v, want %+v", id, got, o)
		}
		r := e.Request
		if r.Text != "text of "+id || r.Agent != "claude" || r.Model != "opus" || r.MCPClient != "cc" ||
			r.Project != "/p" || r.Timeout != time.Minute || !r.Created.Equal(at) || r.ServerLabel != "label home" {
			t.Errorf("%s: request %+v", id, r)
		}
	}
	if e, _ := s.Get(ctx, history.Key{Server: "home", ID: "cancelled"}); e.Request.Kind != history.KindWorkReport {
		t.Errorf("a work report was stored as %v", e.Request.Kind)
	}
	if e, _ := s.Get(ctx, history.Key{Server: "work", ID: "mine"}); e.Outcome.State != history.StatePending {
		t.Errorf("work/mine = %v: the reply on home reached work's request", e.Outcome.State)
	}
	lines, err := s.Chat(ctx, "home", "alex", 10)
	if err != nil || len(lines) != 3 {
		t.Fatalf("Chat = %d lines, %v", len(lines), err)
	}
	if lines[0].From != history.FromPeer || lines[0].ClientID != "c7" || lines[1].From != history.FromMe ||
		lines[1].Text != "sure" || lines[2].From != history.FromSystem {
		t.Errorf("chat lines = %+v", lines)
	}

	// A reconnect's pending list ends what the server no longer lists.
	if err := rec.Reconciled("home", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Get(ctx, history.Key{Server: "home", ID: "queued"}); e.Outcome.State != history.StateGone {
		t.Errorf("queued after reconciling an empty list = %v, want gone", e.Outcome.State)
	}
	// Input the history refuses is reported, not stored.
	if err := rec.Event(conn.RequestCancelled{Origin: home, ID: ""}); err == nil {
		t.Error("an event with an empty request id was accepted")
	}
}

// TestAttachmentsAreRecordedAsMetadata: a reply's attachments are kept as
// name, type and size; another client's bytes only when the store keeps
// bytes; unreadable ones not at all.
func TestAttachmentsAreRecordedAsMetadata(t *testing.T) {
	store, err := history.Open(t.TempDir(), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec := Recorder{Store: store}
	ctx := context.Background()
	for _, id := range []string{"mine", "theirs"} {
		if err := rec.Event(conn.RequestArrived{Origin: conn.Origin{Server: "s"}, Request: &conn.Request{Server: "s", ID: id, Kind: conn.KindQuestion, Text: "?", CreatedAt: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	rec.Event(conn.ReplyUpdate{Origin: conn.Origin{Server: "s"}, ID: "mine", Status: conn.ReplyDelivered, Text: "see file",
		Attachments: []conn.AttachmentInfo{{Name: "a.png", MIME: "image/png", Size: 42}}})
	rec.Event(conn.RequestAnswered{Origin: conn.Origin{Server: "s"}, ID: "theirs", By: "bob", Text: "here",
		Attachments: []conn.ReceivedAttachment{
			{AttachmentInfo: conn.AttachmentInfo{Name: "b.txt", MIME: "text/plain", Size: 3}, Data: []byte("abc")},
			{AttachmentInfo: conn.AttachmentInfo{Name: "bad"}, Problem: conn.UnreadableAttachment},
		}})
	if err := store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := store.Get(ctx, history.Key{Server: "s", ID: "mine"})
	if err != nil || len(mine.Outcome.Attachments) != 1 || mine.Outcome.Attachments[0].Name != "a.png" || mine.Outcome.Attachments[0].Size != 42 {
		t.Fatalf("our reply's attachments: %+v, %v", mine.Outcome.Attachments, err)
	}
	theirs, err := store.Get(ctx, history.Key{Server: "s", ID: "theirs"})
	if err != nil || len(theirs.Outcome.Attachments) != 1 || theirs.Outcome.Attachments[0].Name != "b.txt" || theirs.Outcome.Attachments[0].Data != nil {
		t.Fatalf("their reply's attachments: %+v, %v", theirs.Outcome.Attachments, err)
	}
}
