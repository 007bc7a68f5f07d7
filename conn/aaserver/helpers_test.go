package aaserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// waitTime bounds every wait in these tests; nothing should come near it.
const waitTime = 5 * time.Second

func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// waitConnected waits for n connections, logged in or not: a dial returns
// before the server has registered the connection.
func waitConnected(t *testing.T, s *Server, n int) {
	t.Helper()
	if err := s.waitFor(waitCtx(t), fmt.Sprintf("%d connections", n), func() bool { return len(s.clients) == n }); err != nil {
		t.Fatal(err)
	}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

// wsClient is a bare gorilla/websocket client with one read loop, as a
// well-behaved Agent Assistant client has.
type wsClient struct {
	t     *testing.T
	conn  *websocket.Conn
	in    chan *wire.WebsocketMessage
	done  chan struct{} // closed when the read loop ends
	err   error         // why it ended; valid after done
	pings atomic.Int32
	id    string // client_id, after login
}

func dial(t *testing.T, s *Server) *wsClient {
	t.Helper()
	c, err := dialHeader(t, s.URL(), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

func dialHeader(t *testing.T, url string, h http.Header) (*wsClient, error) {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		return nil, err
	}
	c := &wsClient{t: t, conn: conn, in: make(chan *wire.WebsocketMessage, 256), done: make(chan struct{})}
	conn.SetPingHandler(func(data string) error {
		c.pings.Add(1)
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		defer close(c.done)
		for {
			mt, data, err := conn.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			if mt != websocket.BinaryMessage {
				c.err = errors.New("server sent a non-binary frame")
				return
			}
			var m wire.WebsocketMessage
			if err := proto.Unmarshal(data, &m); err != nil {
				c.err = err
				return
			}
			c.in <- &m
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return c, nil
}

func (c *wsClient) send(m *wire.WebsocketMessage) {
	c.t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.conn.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("send %s: %v", m.GetCmd(), err)
	}
}

// next returns the next message from the server.
func (c *wsClient) next() *wire.WebsocketMessage {
	c.t.Helper()
	select {
	case m := <-c.in:
		return m
	case <-c.done:
		c.t.Fatalf("connection ended while waiting for a message: %v", c.err)
	case <-time.After(waitTime):
		c.t.Fatal("no message from the server")
	}
	return nil
}

// expect returns the next message with cmd, skipping others.
func (c *wsClient) expect(cmd string) *wire.WebsocketMessage {
	c.t.Helper()
	for {
		if m := c.next(); m.GetCmd() == cmd {
			return m
		}
	}
}

func (c *wsClient) login(token, nickname string) string {
	c.t.Helper()
	c.send(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: nickname})
	r := c.expect(wire.CmdUserLogin).GetUserLoginResponse()
	if !r.GetSuccess() || r.GetClientId() == "" {
		c.t.Fatalf("login answer = %v", r)
	}
	c.id = r.GetClientId()
	return c.id
}

// barrier makes a round trip and returns what arrived before its answer.
// The server handles a client's frames in order and queues its answers in
// order, so anything a previous command caused is in the result.
func (c *wsClient) barrier() []*wire.WebsocketMessage {
	c.t.Helper()
	c.send(&wire.WebsocketMessage{
		Cmd:                         wire.CmdCheckMessageValidity,
		CheckMessageValidityRequest: &wire.CheckMessageValidityRequest{RequestIds: []string{"barrier"}},
	})
	var before []*wire.WebsocketMessage
	for {
		m := c.next()
		if m.GetCmd() == wire.CmdCheckMessageValidity {
			if _, ok := m.GetCheckMessageValidityResponse().GetValidity()["barrier"]; ok {
				return before
			}
		}
		before = append(before, m)
	}
}

// assertNone fails if msgs hold a message with cmd.
func assertNone(t *testing.T, who string, msgs []*wire.WebsocketMessage, cmd string) {
	t.Helper()
	for _, m := range msgs {
		if m.GetCmd() == cmd {
			t.Errorf("%s got an unexpected %s: %v", who, cmd, m)
		}
	}
}

// waitClosed waits for the server to end the connection and returns the
// read error.
func (c *wsClient) waitClosed() error {
	c.t.Helper()
	deadline := time.After(waitTime)
	for {
		select {
		case <-c.in:
		case <-c.done:
			return c.err
		case <-deadline:
			c.t.Fatal("the server did not close the connection")
			return nil
		}
	}
}

type askResult struct {
	resp *wire.AskQuestionResponse
	err  error
}

// goPostAsk runs PostAsk in the background.
func goPostAsk(ctx context.Context, s *Server, req *wire.AskQuestionRequest) <-chan askResult {
	ch := make(chan askResult, 1)
	go func() {
		r, err := PostAsk(ctx, s.BaseURL(), req)
		ch <- askResult{r, err}
	}()
	return ch
}

// goAsk runs the in-process Ask in the background.
func goAsk(ctx context.Context, s *Server, req *wire.AskQuestionRequest) <-chan *wire.AskQuestionResponse {
	ch := make(chan *wire.AskQuestionResponse, 1)
	go func() { ch <- s.Ask(ctx, req) }()
	return ch
}

func recvAsk(t *testing.T, ch <-chan askResult) *wire.AskQuestionResponse {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("PostAsk: %v", r.err)
		}
		return r.resp
	case <-time.After(waitTime):
		t.Fatal("the agent call did not return")
	}
	return nil
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTime):
		t.Fatal("the agent call did not return")
	}
	var zero T
	return zero
}

func question(id, token, text string, timeout int32) *wire.AskQuestionRequest {
	return &wire.AskQuestionRequest{ID: id, UserToken: token, Request: &wire.McpAskQuestionRequest{
		ProjectDirectory: "/src/app", Question: text, Timeout: timeout, AgentName: "claude",
	}}
}

func askReply(req *wire.AskQuestionRequest, text string) *wire.WebsocketMessage {
	return &wire.WebsocketMessage{
		Cmd:                 wire.CmdAskQuestionReply,
		AskQuestionRequest:  req,
		AskQuestionResponse: &wire.AskQuestionResponse{ID: req.GetID(), Contents: wire.TextContents(text)},
	}
}
