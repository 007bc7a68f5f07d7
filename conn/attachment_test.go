package conn_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/attach/attachtest"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// binaryBlob is file content with every byte value, NULs included.
func binaryBlob(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func askReq(id string) *wire.AskQuestionRequest {
	return &wire.AskQuestionRequest{ID: id, UserToken: testToken,
		Request: &wire.McpAskQuestionRequest{Question: "show me", Timeout: 60, ProjectDirectory: "/src"}}
}

func agentAnswer(t *testing.T, ch <-chan *wire.AskQuestionResponse) *wire.AskQuestionResponse {
	t.Helper()
	select {
	case r := <-ch:
		if r.GetIsError() {
			t.Fatalf("agent call failed: %v", r.GetMeta())
		}
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("agent call did not return")
	}
	return nil
}

// checkAgentContents checks the exact McpResultContent shapes an agent
// gets for text + PNG + file + audio.
func checkAgentContents(t *testing.T, got []*wire.McpResultContent, text string, pngData, fileData, audioData []byte) {
	t.Helper()
	if len(got) != 4 {
		t.Fatalf("agent got %d contents, want 4: %v", len(got), got)
	}
	if c := got[0]; c.GetType() != 1 || c.GetText().GetType() != "text" || c.GetText().GetText() != text {
		t.Errorf("contents[0] = %v, want the text", c)
	}
	if c := got[1]; c.GetType() != 4 || c.GetEmbeddedResource().GetType() != "embedded_resource" ||
		c.GetEmbeddedResource().GetUri() != "file://shot.png" || c.GetEmbeddedResource().GetMimeType() != "image/png" ||
		!bytes.Equal(c.GetEmbeddedResource().GetData(), pngData) || c.GetImage() != nil {
		t.Errorf("contents[1] = type %d uri %q mime %q (%d bytes), want the PNG as an embedded resource",
			c.GetType(), c.GetEmbeddedResource().GetUri(), c.GetEmbeddedResource().GetMimeType(), len(c.GetEmbeddedResource().GetData()))
	}
	if c := got[2]; c.GetType() != 4 || c.GetEmbeddedResource().GetType() != "embedded_resource" ||
		c.GetEmbeddedResource().GetUri() != "file://data.bin" || c.GetEmbeddedResource().GetMimeType() != "application/octet-stream" ||
		!bytes.Equal(c.GetEmbeddedResource().GetData(), fileData) {
		t.Errorf("contents[2] = type %d uri %q mime %q, want the file", c.GetType(), c.GetEmbeddedResource().GetUri(), c.GetEmbeddedResource().GetMimeType())
	}
	if c := got[3]; c.GetType() != 3 || c.GetAudio().GetType() != "audio" || c.GetAudio().GetMimeType() != "audio/ogg" ||
		c.GetAudio().GetData() != base64.StdEncoding.EncodeToString(audioData) {
		t.Errorf("contents[3] = type %d %q, want base64 audio", c.GetType(), c.GetAudio().GetMimeType())
	}
}

// One reply carries text, a PNG, a binary file and audio; the agent gets
// them in that order with the Flutter client's shapes, another client sees
// them decoded, and our own reply history has their metadata.
func TestReplyWithAttachmentsReachesAgentAndPeers(t *testing.T) {
	s, me, log, _, peerLog := withPeer(t)
	pngData, fileData, audioData := attachtest.PNG(t, 3, 2), binaryBlob(70000), binaryBlob(999)

	answer := aatest.AskAsync(s, askReq("q1"))
	r := arrivedID(log, "S", "q1")
	arrivedID(peerLog, "S", "q1")
	atts := []conn.Attachment{
		{Name: "shot.png", MIME: "image/png", Data: pngData},
		{Name: "data.bin", MIME: "application/octet-stream", Data: fileData},
		{Name: "note.ogg", MIME: "audio/ogg", Data: audioData},
	}
	if err := me.ReplyWith(r.Key(), "see attached", atts); err != nil {
		t.Fatal(err)
	}
	checkAgentContents(t, agentAnswer(t, answer).GetContents(), "see attached", pngData, fileData, audioData)

	done := replyStatus(log, "S", "q1", conn.ReplyDelivered)
	want := []conn.AttachmentInfo{
		{Name: "shot.png", MIME: "image/png", Size: int64(len(pngData)), Kind: conn.AttachmentImage},
		{Name: "data.bin", MIME: "application/octet-stream", Size: 70000, Kind: conn.AttachmentFile},
		{Name: "note.ogg", MIME: "audio/ogg", Size: 999, Kind: conn.AttachmentAudio},
	}
	if len(done.Attachments) != 3 || done.Attachments[0] != want[0] || done.Attachments[1] != want[1] || done.Attachments[2] != want[2] {
		t.Errorf("delivered reply attachments = %+v, want %+v", done.Attachments, want)
	}

	seen := waitEvent(peerLog, "S", func(e conn.RequestAnswered) bool { return e.ID == "q1" })
	if seen.Text != "see attached" || len(seen.Attachments) != 3 {
		t.Fatalf("peer saw %q with %d attachments", seen.Text, len(seen.Attachments))
	}
	// Audio content has no name on the wire: the receiver numbers it.
	want[2].Name = "audio-4.ogg"
	for i, a := range seen.Attachments {
		if a.AttachmentInfo != want[i] || a.Problem != "" || a.Omitted || !bytes.Equal(a.Data, atts[i].Data) {
			t.Errorf("peer attachment %d = %+v (problem %q, %d bytes), want %+v", i, a.AttachmentInfo, a.Problem, len(a.Data), want[i])
		}
	}
}

// A reply with attachments made offline waits in the outbox and reaches the
// agent whole once the server is back.
func TestReplyWithAttachmentsQueuedOffline(t *testing.T) {
	s, m, log, _, _ := withPeer(t)
	pngData := attachtest.PNG(t, 3, 2)
	answer := aatest.AskAsync(s, askReq("later"))
	r := arrivedID(log, "S", "later")

	setEnabled(m, "S", s.URL(), false)
	waitPhase(log, "S", conn.PhaseDisabled)
	if err := m.ReplyWith(r.Key(), "", []conn.Attachment{{Name: "shot.png", MIME: "image/png", Data: pngData}}); err != nil {
		t.Fatal(err)
	}
	q := replyStatus(log, "S", "later", conn.ReplyQueued)
	if len(q.Attachments) != 1 || q.Attachments[0].Name != "shot.png" {
		t.Fatalf("queued update = %+v", q)
	}
	setEnabled(m, "S", s.URL(), true)
	replyStatus(log, "S", "later", conn.ReplyDelivered)
	got := agentAnswer(t, answer).GetContents()
	// Empty text with attachments: no empty text item, as the Flutter client.
	if len(got) != 1 || got[0].GetType() != 4 || !bytes.Equal(got[0].GetEmbeddedResource().GetData(), pngData) {
		t.Fatalf("agent got %v", got)
	}
}

// A reply written to a socket the server no longer reads is sent again on
// the next connection, attachments included.
func TestReplyWithAttachmentsResentAfterDroppedSend(t *testing.T) {
	s, m, log, _, _ := withPeer(t)
	fileData := binaryBlob(300000)
	answer := aatest.AskAsync(s, askReq("q2"))
	r := arrivedID(log, "S", "q2")
	st, _ := m.State("S")

	if !s.Stall(st.ClientID) {
		t.Fatal("client not found to stall")
	}
	if err := m.ReplyWith(r.Key(), "here", []conn.Attachment{{Name: "data.bin", MIME: "application/octet-stream", Data: fileData}}); err != nil {
		t.Fatal(err)
	}
	replyStatus(log, "S", "q2", conn.ReplySent)
	s.Disconnect(st.ClientID) // the send is lost with the connection
	waitPhase(log, "S", conn.PhaseReconnecting)

	replyStatus(log, "S", "q2", conn.ReplyDelivered)
	got := agentAnswer(t, answer).GetContents()
	if len(got) != 2 || got[0].GetText().GetText() != "here" || !bytes.Equal(got[1].GetEmbeddedResource().GetData(), fileData) {
		t.Fatalf("agent got %d contents", len(got))
	}
}

// A reply that cannot fit one frame, or holds an empty file, is refused
// before anything is queued; the request can still be answered.
func TestReplyWithRefusesBadAttachments(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", s.URL()))
	waitClients(t, s, 1)
	answer := aatest.AskAsync(s, askReq("q3"))
	r := arrivedID(log, "S", "q3")

	huge := make([]byte, conn.MaxReplyFrameBytes)
	err := m.ReplyWith(r.Key(), "too big", []conn.Attachment{{Name: "big.bin", MIME: "application/octet-stream", Data: huge}})
	if !errors.Is(err, conn.ErrReplyTooLarge) || !strings.Contains(err.Error(), "32,") {
		t.Errorf("huge reply: err = %v", err)
	}
	err = m.ReplyWith(r.Key(), "empty", []conn.Attachment{{Name: "empty.txt", MIME: "text/plain"}})
	if err == nil || !strings.Contains(err.Error(), `"empty.txt" is empty`) {
		t.Errorf("empty attachment: err = %v", err)
	}
	many := make([]conn.Attachment, conn.MaxAttachments+1)
	for i := range many {
		many[i] = conn.Attachment{Name: "a", MIME: "text/plain", Data: []byte("x")}
	}
	if err := m.ReplyWith(r.Key(), "many", many); !errors.Is(err, conn.ErrReplyTooLarge) {
		t.Errorf("too many attachments: err = %v", err)
	}
	if err := m.Reply(r.Key(), "fine"); err != nil {
		t.Fatalf("a refused reply blocked the next one: %v", err)
	}
	if got := answerText(t, answer); got != "fine" {
		t.Fatalf("agent got %q", got)
	}
}

// Malformed content in someone else's reply becomes flagged entries; an
// http resource stays a link and nothing is fetched; the connection goes on.
func TestReceivedMalformedAttachments(t *testing.T) {
	srv, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		loginOK(ws)
		sendFrame(ws, askFrame("q1"))
		sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReplyNotification, Nickname: "eve",
			AskQuestionRequest: &wire.AskQuestionRequest{ID: "q1"},
			AskQuestionResponse: &wire.AskQuestionResponse{ID: "q1", Contents: []*wire.McpResultContent{
				{Type: 1, Text: &wire.TextContent{Type: "text", Text: "look"}},
				{Type: 4},
				{Type: 3, Audio: &wire.AudioContent{Type: "audio", Data: "%%%not base64", MimeType: "audio/ogg"}},
				{Type: 2, Image: &wire.ImageContent{Type: "image", Data: base64.StdEncoding.EncodeToString([]byte("PNGDATA")), MimeType: "image/png"}},
				{Type: 4, EmbeddedResource: &wire.EmbeddedResource{Type: "embedded_resource", Uri: "http://127.0.0.1:1/x.png", MimeType: "image/png"}},
				{Type: 9},
				{Type: 4, EmbeddedResource: &wire.EmbeddedResource{Uri: "file://../../etc/pass\x00wd", MimeType: "bogus mime;;", Data: []byte{1, 2}}},
			}}})
		sendFrame(ws, askFrame("q2"))
		holdOpen(ws)
	})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("H", wsURL(srv.URL)))
	got := waitEvent(log, "H", func(e conn.RequestAnswered) bool { return e.ID == "q1" })
	if got.Text != "look" || len(got.Attachments) != 6 {
		t.Fatalf("answered = %q with %d attachments", got.Text, len(got.Attachments))
	}
	a := got.Attachments
	for _, i := range []int{0, 1, 3, 4} {
		if !strings.HasPrefix(a[i].Problem, conn.UnreadableAttachment) || a[i].Data != nil {
			t.Errorf("attachment %d = %+v, want flagged unreadable", i, a[i])
		}
	}
	if a[3].URI != "http://127.0.0.1:1/x.png" {
		t.Errorf("the link was not kept as text: %+v", a[3])
	}
	if a[2].Problem != "" || string(a[2].Data) != "PNGDATA" || a[2].Kind != conn.AttachmentImage || a[2].Name != "image-4.png" {
		t.Errorf("image = %+v", a[2])
	}
	if a[5].Problem != "" || a[5].Name != "passwd" || a[5].MIME != "application/octet-stream" || a[5].Size != 2 {
		t.Errorf("odd resource = %+v", a[5])
	}
	arrivedID(log, "H", "q2") // the connection went on
}

// Work reports take attachments the same way.
func TestWorkReportReplyWithAttachment(t *testing.T) {
	s, me, log, _, peerLog := withPeer(t)
	out := make(chan *wire.WorkReportResponse, 1)
	go func() {
		resp, err := aaserver.PostReport(context.Background(), s.BaseURL(), &wire.WorkReportRequest{ID: "w1", UserToken: testToken,
			Request: &wire.McpWorkReportRequest{Summary: "done", Timeout: 60}})
		if err != nil {
			resp = &wire.WorkReportResponse{IsError: true}
		}
		out <- resp
	}()
	r := arrivedID(log, "S", "w1")
	pngData := attachtest.PNG(t, 3, 2)
	if err := me.ReplyWith(r.Key(), "approved, see the mark-up", []conn.Attachment{{Name: "markup.png", MIME: "image/png", Data: pngData}}); err != nil {
		t.Fatal(err)
	}
	var got *wire.WorkReportResponse
	select {
	case got = <-out:
	case <-time.After(20 * time.Second):
		t.Fatal("the agent got no answer")
	}
	c := got.GetContents()
	if got.GetIsError() || len(c) != 2 || c[0].GetText().GetText() != "approved, see the mark-up" ||
		c[1].GetEmbeddedResource().GetUri() != "file://markup.png" || !bytes.Equal(c[1].GetEmbeddedResource().GetData(), pngData) {
		t.Fatalf("agent got %v", c)
	}
	seen := waitEvent(peerLog, "S", func(e conn.RequestAnswered) bool { return e.ID == "w1" })
	if len(seen.Attachments) != 1 || seen.Attachments[0].Name != "markup.png" {
		t.Fatalf("peer saw %+v", seen.Attachments)
	}
}
