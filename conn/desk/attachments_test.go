package desk_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/attach/attachtest"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

// richCore is a started core connected to one in-process server.
func richCore(t *testing.T) (*desk.Core, *aaserver.Server, conn.ServerID) {
	t.Helper()
	srv := aatest.Start(t, aaserver.Config{})
	c := newCore(t, nil)
	c.Start(context.Background())
	p, err := c.AddServer(context.Background(), profiles.Profile{URL: srv.URL(), Enabled: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := conn.ServerID(p.ID)
	eventually(t, "connected", func() bool { s, _ := c.State(id); return s.Phase == conn.PhaseConnected })
	return c, srv, id
}

func agentGets(t *testing.T, ch <-chan *wire.AskQuestionResponse) []*wire.McpResultContent {
	t.Helper()
	select {
	case r := <-ch:
		if r.GetIsError() {
			t.Fatalf("the agent's call failed: %v", r.GetMeta())
		}
		return r.GetContents()
	case <-time.After(20 * time.Second):
		t.Fatal("no answer reached the agent")
	}
	return nil
}

// One reply carries text, a pasted PNG and a picked file, in the shapes
// the Flutter client sends; a chip still failing stops the whole reply
// first, and the bytes are released once the reply is on its way.
func TestReplyCarriesTheDraftsAttachments(t *testing.T) {
	c, srv, id := richCore(t)
	m := c.Model()
	answer := aatest.AskAsync(srv, &wire.AskQuestionRequest{ID: "q1", UserToken: token,
		Request: &wire.McpAskQuestionRequest{Question: "Show me", Timeout: 60}})
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return m.PendingTotal() == 1 })

	dir := t.TempDir()
	report := filepath.Join(dir, "report.txt")
	if err := os.WriteFile(report, []byte("all green\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	shot := attachtest.PNG(t, 40, 30)
	m.AttachmentDraft(k, c.AttachmentLimits()).AddBytes("shot.png", shot)
	if err := c.AttachFiles(k, []string{report, filepath.Join(dir, "missing.txt")}); err != nil {
		t.Fatal(err)
	}
	// The missing file's chip stops the reply: nothing is sent half-way.
	if err := c.Reply(k, "see attached"); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Fatalf("reply with a failed chip: err = %v", err)
	}
	cd, _ := m.Card(k)
	if cd.Submit != model.SubmitFailed || !cd.Answerable() || len(m.AttachmentItems(k)) != 3 {
		t.Fatalf("after the refusal: submit %v, %d chips", cd.Submit, len(m.AttachmentItems(k)))
	}
	for _, it := range m.AttachmentItems(k) {
		if it.Err != nil {
			c.RemoveAttachment(k, it.ID)
		}
	}
	if err := c.Reply(k, "see attached"); err != nil {
		t.Fatal(err)
	}
	got := agentGets(t, answer)
	if len(got) != 3 {
		t.Fatalf("agent got %d contents: %v", len(got), got)
	}
	if got[0].GetType() != 1 || got[0].GetText().GetType() != "text" || got[0].GetText().GetText() != "see attached" {
		t.Errorf("contents[0] = %v", got[0])
	}
	for i, want := range []struct {
		uri, mime string
		data      []byte
	}{{"file://shot.png", "image/png", shot}, {"file://report.txt", "text/plain", []byte("all green\n")}} {
		r := got[i+1].GetEmbeddedResource()
		if got[i+1].GetType() != 4 || r.GetType() != "embedded_resource" || r.GetUri() != want.uri || r.GetMimeType() != want.mime || !bytes.Equal(r.GetData(), want.data) {
			t.Errorf("contents[%d] = type %d, %q %q %q (%d bytes)", i+1, got[i+1].GetType(), r.GetType(), r.GetUri(), r.GetMimeType(), len(r.GetData()))
		}
	}
	eventually(t, "answered", func() bool { cd, _ := m.Card(k); return cd.State == model.AnsweredByMe })
	eventually(t, "released", func() bool { return m.Attachments(k) == nil })
	if cd, _ := m.Card(k); len(cd.ReplyAttachments) != 2 || cd.ReplyAttachments[1].Name != "report.txt" {
		t.Fatalf("reply attachments on the card: %+v", cd.ReplyAttachments)
	}
}

// An empty clipboard, or no way to read one, shows as a chip and is dropped
// at send: it holds nothing, so nothing is lost, and the default text goes.
func TestClipboardProblemChipIsDroppedAtSend(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	c, srv, id := richCore(t)
	m := c.Model()
	answer := aatest.AskAsync(srv, &wire.AskQuestionRequest{ID: "q1", UserToken: token,
		Request: &wire.McpAskQuestionRequest{Question: "Paste it", Timeout: 60}})
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return m.PendingTotal() == 1 })
	if err := c.AttachClipboard(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	items := m.AttachmentItems(k)
	if len(items) != 1 || items[0].Err == nil || !strings.Contains(items[0].Label(), "xclip") {
		t.Fatalf("clipboard chip %+v", items)
	}
	if err := c.Reply(k, ""); err != nil {
		t.Fatal(err)
	}
	if got := agentGets(t, answer); len(got) != 1 || got[0].GetText().GetText() != desk.DefaultQuestionReply {
		t.Fatalf("agent got %v", got)
	}
	if err := c.AttachFiles(k, []string{"/etc/hostname"}); err == nil {
		t.Fatal("a closed card took attachments")
	}
}

// Structured choices go out as the Flutter client words them, followed by
// what was typed; a reply with only attachments has no text item.
func TestReplyBodyWithChoices(t *testing.T) {
	c, srv, id := richCore(t)
	m := c.Model()
	answer := aatest.AskAsync(srv, &wire.AskQuestionRequest{ID: "q1", UserToken: token,
		Request: &wire.McpAskQuestionRequest{Question: "Setup?", Timeout: 60, Questions: []*wire.Question{
			aatest.Question("Which database?", "Database", false, false, "Postgres (Recommended)", "SQLite"),
			aatest.Question("Which checks?", "", true, true, "lint", "tests"),
		}}})
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return m.PendingTotal() == 1 })
	m.ToggleOption(k, 0)
	m.ToggleOption(k, 3)
	m.SetChoiceCustom(k, 1, "fuzzing")
	if err := c.Reply(k, "and hurry"); err != nil {
		t.Fatal(err)
	}
	want := "Q: Database\nA: Postgres\n\nQ: Which checks?\nA: tests, fuzzing\n\nand hurry"
	if got := agentGets(t, answer); len(got) != 1 || got[0].GetText().GetText() != want {
		t.Fatalf("agent got %q, want %q", wire.ContentsText(got), want)
	}
	eventually(t, "choices cleared", func() bool { return m.ChoiceAnswers(k)[0].Selected == nil })

	if got := c.ReplyBody(&conn.Request{Kind: conn.KindWorkReport}, " ", nil, true); got != "" {
		t.Fatalf("attachments only: body %q, want none", got)
	}
	if got := c.ReplyBody(&conn.Request{Kind: conn.KindWorkReport}, " ", nil, false); got != desk.DefaultReportReply {
		t.Fatalf("nothing at all: body %q", got)
	}
}

// Someone else's reply with an image gets a preview in the model, made in
// the background; a malformed item stays flagged.
func TestReceivedImagesGetPreviews(t *testing.T) {
	c, srv, id := richCore(t)
	m := c.Model()
	aatest.AskAsync(srv, &wire.AskQuestionRequest{ID: "q1", UserToken: token,
		Request: &wire.McpAskQuestionRequest{Question: "Look", Timeout: 60}})
	k := conn.RequestKey{Server: id, ID: "q1"}
	eventually(t, "card", func() bool { return m.PendingTotal() == 1 })

	peer := conn.NewManager(conn.Options{Token: token, Nickname: "bob"})
	defer peer.Close()
	peer.Put(conn.ServerConfig{ID: "peer", Label: "peer", URL: srv.URL(), Enabled: true})
	go func() {
		for range peer.Events() {
		}
	}()
	shot := attachtest.PNG(t, 300, 200)
	eventually(t, "peer replied", func() bool {
		return peer.ReplyWith(conn.RequestKey{Server: "peer", ID: "q1"}, "here",
			[]conn.Attachment{{Name: "shot.png", MIME: "image/png", Data: shot}, {Name: "notes.txt", MIME: "text/plain", Data: []byte("n")}}) == nil
	})
	eventually(t, "preview", func() bool {
		cd, _ := m.Card(k)
		return cd.State == model.AnsweredElsewhere && len(cd.Received) == 2 && cd.Received[0].Thumb != nil
	})
	cd, _ := m.Card(k)
	if b := cd.Received[0].Thumb.Bounds(); b.Dx() != 96 || b.Dy() != 64 {
		t.Errorf("preview is %v, want 96×64", b)
	}
	if cd.By != "bob" || cd.Received[1].Thumb != nil || !bytes.Equal(cd.Received[0].Data, shot) {
		t.Errorf("card %+v", cd.Received[1])
	}
}
