package conn_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/wire"
)

const testToken = "tok"

// fastOptions keeps tests quick: short backoff and login timeout.
func fastOptions() conn.Options {
	return conn.Options{
		Token: testToken, Nickname: "tester",
		InitialBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		LoginTimeout: 2 * time.Second, HandshakeTimeout: 2 * time.Second,
		ConfirmDelay: 20 * time.Millisecond,
	}
}

// eventLog reads a manager's events and lets a test wait for one. Events a
// wait skips stay in the backlog for later waits, so waiting for server A
// never loses an event of server B.
type eventLog struct {
	t       *testing.T
	ch      <-chan conn.Event
	backlog []conn.Event
}

func newManager(t *testing.T, opts conn.Options) (*conn.Manager, *eventLog) {
	t.Helper()
	m := conn.NewManager(opts)
	t.Cleanup(m.Close)
	return m, &eventLog{t: t, ch: m.Events()}
}

// waitEvent returns the oldest event of type T from server that satisfies
// ok; it fails the test after 20 s.
func waitEvent[T conn.Event](l *eventLog, server conn.ServerID, ok func(T) bool) T {
	l.t.Helper()
	match := func(e conn.Event) (T, bool) {
		v, is := e.(T)
		return v, is && e.ServerID() == server && (ok == nil || ok(v))
	}
	for i, e := range l.backlog {
		if v, hit := match(e); hit {
			l.backlog = append(l.backlog[:i], l.backlog[i+1:]...)
			return v
		}
	}
	deadline := time.After(20 * time.Second) // generous: only a failing test waits this long
	for {
		select {
		case e, open := <-l.ch:
			if !open {
				l.t.Fatalf("event stream closed while waiting for %T", *new(T))
			}
			if v, hit := match(e); hit {
				return v
			}
			l.backlog = append(l.backlog, e)
		case <-deadline:
			var zero T
			l.t.Fatalf("timed out waiting for %T on %s", zero, server)
			return zero
		}
	}
}

func waitPhase(l *eventLog, server conn.ServerID, p conn.Phase) conn.State {
	l.t.Helper()
	return waitEvent(l, server, func(e conn.StateChanged) bool { return e.State.Phase == p }).State
}

func serverCfg(id, url string) conn.ServerConfig {
	return conn.ServerConfig{ID: conn.ServerID(id), Label: id, URL: url, Enabled: true}
}

// ask makes an agent call on s in the background; the answer arrives on the channel.
func ask(t *testing.T, s *aaserver.Server, id, question string, timeout int32) <-chan *wire.AskQuestionResponse {
	t.Helper()
	out := make(chan *wire.AskQuestionResponse, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		resp, err := aaserver.PostAsk(ctx, s.BaseURL(), &wire.AskQuestionRequest{ID: id, UserToken: testToken,
			Request: &wire.McpAskQuestionRequest{Question: question, Timeout: timeout, ProjectDirectory: "/src", AgentName: "claude"}})
		if err != nil {
			resp = &wire.AskQuestionResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		out <- resp
	}()
	return out
}

func answerText(t *testing.T, ch <-chan *wire.AskQuestionResponse) string {
	t.Helper()
	select {
	case r := <-ch:
		if r.GetIsError() {
			t.Fatalf("agent call failed: %v", r.GetMeta())
		}
		return wire.ContentsText(r.GetContents())
	case <-time.After(10 * time.Second):
		t.Fatal("agent call did not return")
	}
	return ""
}

// hostileServer is a WebSocket endpoint scripted by the test: script runs
// after the upgrade with the connection and the client's first frame.
func hostileServer(t *testing.T, script func(ws *websocket.Conn, login *wire.WebsocketMessage)) (*httptest.Server, <-chan struct{}) {
	t.Helper()
	dials := make(chan struct{}, 100)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dials <- struct{}{}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var login wire.WebsocketMessage
		if err := proto.Unmarshal(data, &login); err != nil {
			return
		}
		script(ws, &login)
	}))
	t.Cleanup(srv.Close)
	return srv, dials
}

func wsURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") + "/ws" }

func sendFrame(ws *websocket.Conn, m *wire.WebsocketMessage) {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(fmt.Sprint("test frame: ", err))
	}
	_ = ws.WriteMessage(websocket.BinaryMessage, b)
}

func loginOK(ws *websocket.Conn) {
	sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdUserLogin, UserLoginResponse: &wire.UserLoginResponse{ClientId: "c1", Success: true}})
}

func askFrame(id string) *wire.WebsocketMessage {
	return &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{
		ID: id, Request: &wire.McpAskQuestionRequest{Question: "q " + id}}}
}

// holdOpen keeps reading until the client leaves.
func holdOpen(ws *websocket.Conn) {
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}
