package conn

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// benchServer is a server fed frames by hand, as its reader would feed
// them, with its events drained the way the app drains them.
func benchServer(b *testing.B) (*server, *session) {
	m := NewManager(Options{})
	b.Cleanup(m.Close)
	go func() {
		for range m.Events() {
		}
	}()
	s := newServer(m, ServerConfig{ID: "H", Label: "H", URL: "ws://h/ws", Enabled: true})
	m.mu.Lock()
	m.servers[s.id] = s // registered, but its loop never dials
	m.mu.Unlock()
	go func() { // what run would do on Close
		<-s.ctx.Done()
		close(s.done)
	}()
	sess := &session{url: &url.URL{Host: "h"}, opts: m.opts, h: handlers{
		message:   func(ss *session, msg *wire.WebsocketMessage) { s.onFrame(0, ss, msg) },
		request:   func(_ *session, r *Request) { s.onRequest(0, r) },
		cancelled: func(_ *session, id, reason []byte) { s.onCancelled(0, id, reason) },
		warn:      func(err error) { s.onWarning(0, err) },
	}}
	return s, sess
}

// forgetAll empties what the server holds, so each iteration handles the
// frame as new.
func (s *server) forgetAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.known)
	s.heldBytes, s.overflow = 0, 0
}

// BenchmarkHostileFrames: the time the reader spends on each frame of the
// hostile-server test, from bytes to events, and x-decode, that time over
// proto.Unmarshal of the same frame alone (measured in the same run).
//   - pending-100k: a pending list of 100,000 requests (about 12 MB): 2000
//     are held and 98,000 counted;
//   - nickname-1MB: a user status whose nickname is 1 MB, cut to 32;
//   - question-10MB: a 10 MB question, kept whole.
//
// Everyday frames are BenchmarkPushToEvent's.
func BenchmarkHostileFrames(b *testing.B) {
	list := &wire.GetPendingMessagesResponse{}
	base := time.Now().Add(-time.Hour).UnixMilli()
	for i := range 100_000 {
		list.PendingMessages = append(list.PendingMessages, &wire.PendingMessage{MessageType: wire.MessageTypeAskQuestion,
			CreatedAt: base + int64(i), Timeout: 600, AskQuestionRequest: &wire.AskQuestionRequest{
				ID: fmt.Sprintf("seed-%06d", i), UserToken: "tok",
				Request: &wire.McpAskQuestionRequest{Question: "Deploy?", ProjectDirectory: "/src/app", AgentName: "claude"}}})
	}
	cases := []struct {
		name string
		msg  *wire.WebsocketMessage
	}{
		{"pending-100k", &wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages, GetPendingMessagesResponse: list}},
		{"nickname-1MB", &wire.WebsocketMessage{Cmd: wire.CmdUserConnectionStatusNotification,
			UserConnectionStatusNotification: &wire.UserConnectionStatusNotification{
				User: &wire.OnlineUser{ClientId: "peer", Nickname: strings.Repeat("界", 1<<20/3)}, Status: wire.StatusConnected}}},
		{"question-10MB", &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{
			ID: "big", UserToken: "tok", Request: &wire.McpAskQuestionRequest{Question: strings.Repeat("Too long? ", 1<<20)}}}},
	}
	for _, tc := range cases {
		data, err := proto.Marshal(tc.msg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			s, sess := benchServer(b)
			var m, bare wire.WebsocketMessage
			var decode time.Duration
			for b.Loop() {
				b.StopTimer()
				s.forgetAll()
				start := time.Now()
				if err := proto.Unmarshal(data, &bare); err != nil {
					b.Fatal(err)
				}
				decode += time.Since(start)
				bare.Reset()
				b.StartTimer()
				sess.frame(websocket.BinaryMessage, data, &m)
			}
			b.ReportMetric(float64(b.Elapsed())/float64(decode), "x-decode")
			b.ReportMetric(float64(len(data))/(1<<20), "MB/frame")
		})
	}
}
