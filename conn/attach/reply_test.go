package attach_test

import (
	"bytes"
	"context"
	"image/color"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// next waits for the first event of type T about request id.
func next[T conn.Event](t *testing.T, ch <-chan conn.Event, id string, ok func(T) bool) T {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-ch:
			if v, is := e.(T); is && ok(v) {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("timed out waiting for %T about %s", zero, id)
			return zero
		}
	}
}

// The "done" case: an agent's AskQuestion gets back, in one reply,
// text plus a pasted PNG plus a picked file, with the Flutter client's
// McpResultContent shapes, over real sockets; another client sees them.
func TestDraftReplyReachesAgent(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{})
	opts := conn.Options{Token: "tok", Nickname: "me", InitialBackoff: 20 * time.Millisecond, ConfirmDelay: 20 * time.Millisecond}
	me := conn.NewManager(opts)
	t.Cleanup(me.Close)
	opts.Nickname = "bob"
	peer := conn.NewManager(opts)
	t.Cleanup(peer.Close)
	me.Put(conn.ServerConfig{ID: "S", Label: "S", URL: s.URL(), Enabled: true})
	peer.Put(conn.ServerConfig{ID: "S", Label: "S", URL: s.URL(), Enabled: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitClients(ctx, "tok", 2); err != nil {
		t.Fatal(err)
	}

	answer := aatest.AskAsync(s, &wire.AskQuestionRequest{ID: "q1", UserToken: "tok",
		Request: &wire.McpAskQuestionRequest{Question: "What does it look like?", ProjectDirectory: "/src", Timeout: 60}})
	req := next(t, me.Events(), "q1", func(e conn.RequestArrived) bool { return e.Request.ID == "q1" }).Request

	pngData := encodePNG(t, solid(40, 30, color.NRGBA{B: 255, A: 255}))
	logData := append([]byte("build log\x00\x01\x02"), bytes.Repeat([]byte{0xfe}, 4096)...)
	picked := writeFile(t, t.TempDir(), "build.log", logData)
	d := attach.NewDraft(attach.DefaultLimits())
	d.AddBytes("", pngData) // Ctrl+V of an image
	d.AddFile(picked)       // the paperclip
	atts, err := d.Attachments()
	if err != nil {
		t.Fatal(err)
	}
	if err := me.ReplyWith(req.Key(), "like this", atts); err != nil {
		t.Fatal(err)
	}
	d.Clear()

	var got *wire.AskQuestionResponse
	select {
	case got = <-answer:
	case <-time.After(20 * time.Second):
		t.Fatal("the agent got no answer")
	}
	c := got.GetContents()
	if got.GetIsError() || len(c) != 3 {
		t.Fatalf("agent got error=%v, %d contents: %v", got.GetIsError(), len(c), got.GetMeta())
	}
	if c[0].GetType() != 1 || c[0].GetText().GetType() != "text" || c[0].GetText().GetText() != "like this" {
		t.Errorf("contents[0] = %v", c[0])
	}
	img, file := c[1].GetEmbeddedResource(), c[2].GetEmbeddedResource()
	if c[1].GetType() != 4 || img.GetType() != "embedded_resource" || img.GetUri() != "file://"+atts[0].Name ||
		img.GetMimeType() != "image/png" || !bytes.Equal(img.GetData(), pngData) {
		t.Errorf("contents[1] = type %d %q %q %q", c[1].GetType(), img.GetType(), img.GetUri(), img.GetMimeType())
	}
	// The log has NUL bytes: content sniffing says binary, and it goes as-is.
	if c[2].GetType() != 4 || file.GetType() != "embedded_resource" || file.GetUri() != "file://build.log" ||
		file.GetMimeType() != "application/octet-stream" || !bytes.Equal(file.GetData(), logData) {
		t.Errorf("contents[2] = type %d %q %q %q", c[2].GetType(), file.GetType(), file.GetUri(), file.GetMimeType())
	}

	seen := next(t, peer.Events(), "q1", func(e conn.RequestAnswered) bool { return e.ID == "q1" })
	if seen.By != "me" || seen.Text != "like this" || len(seen.Attachments) != 2 ||
		!bytes.Equal(seen.Attachments[0].Data, pngData) || seen.Attachments[1].Name != "build.log" {
		t.Fatalf("peer saw %+v", seen)
	}
	// The peer can show the pasted image as a thumbnail.
	if th, err := attach.Thumbnail(seen.Attachments[0].Data, attach.ThumbBox); err != nil || th.Bounds().Dx() != 40 {
		t.Fatalf("peer thumbnail: %v", err)
	}
}
