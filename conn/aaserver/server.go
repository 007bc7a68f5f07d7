// Package aaserver is an in-process server that speaks the Agent Assistant
// protocol the way agentassistant-srv does, quirks included (see
// shared/PROTOCOL.md): WebSocket clients on /ws, a health check on /health
// and the agents' JSON RPC on /agentassistproto.SrvAgentAssist/AskQuestion
// and /agentassistproto.SrvAgentAssist/WorkReport.
//
// Tests, the end-to-end suite and the demo mode run it on a loopback port
// with Start. Methods on Server let them watch and steer it (wait for
// clients, list and cancel pending requests, drop or stall a connection), and
// Ask, Report, PostAsk and PostReport play the agent.
//
// It is the other side of the wire from package conn and never imports it.
package aaserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// Paths served by Server, as on agentassistant-srv.
const (
	// PathWebSocket is the WebSocket endpoint human clients connect to.
	PathWebSocket = "/ws"
	// PathHealth answers 200 when the server is up.
	PathHealth = "/health"
	// PathAskQuestion is the Connect RPC path agents ask questions on.
	PathAskQuestion = "/agentassistproto.SrvAgentAssist/AskQuestion"
	// PathWorkReport is the Connect RPC path agents send work reports on.
	PathWorkReport = "/agentassistproto.SrvAgentAssist/WorkReport"
)

// Values of the "error" key in the Meta of a failed agent call.
const (
	// ErrNoClients: no client with the request's token was connected.
	ErrNoClients = "no_clients"
	// ErrTimeout: nobody answered within the request's Timeout.
	ErrTimeout = "timeout"
	// ErrCancelled: the agent went away, Cancel was called or the server closed.
	ErrCancelled = "cancelled"
	// ErrInvalidRequest: the call had no ID or no Request, or did not parse.
	ErrInvalidRequest = "invalid_request"
)

// Defaults of Config, the values of the stock server.
const (
	DefaultPingInterval   = 54 * time.Second
	DefaultPongWait       = 60 * time.Second
	DefaultRequestTimeout = 600 * time.Second
	DefaultSendQueue      = 10
)

// writeWait bounds every write to a client socket, as on the stock server.
const writeWait = 10 * time.Second

// Config tunes a Server. Zero values take the defaults noted on each field.
type Config struct {
	// PingInterval is how often the server pings each client (default 54 s).
	PingInterval time.Duration
	// PongWait is how long a client may go without answering a ping before
	// it is dropped (default 60 s). As on the stock server only pongs extend
	// it: other traffic from the client does not count.
	PongWait time.Duration
	// DefaultTimeout applies to requests whose Timeout is 0 or less
	// (default 600 s).
	DefaultTimeout time.Duration
	// TimeoutUnit is how long one second of a request's Timeout lasts
	// (default 1 s). Tests shrink it so that timeouts fire quickly.
	TimeoutUnit time.Duration
	// SendQueue is the capacity of each client's send queue (default 10).
	// When it is full, direct replies are dropped and a broadcast cuts the
	// client off.
	SendQueue int
	// Version, when set, emulates a newer server build: it goes in the
	// StrParam of the login answer, and /health answers JSON
	// {"status":"ok","version":…} instead of the plain "OK".
	Version string
	// BasicUser and BasicPassword, when BasicUser is set, emulate a reverse
	// proxy with HTTP Basic auth in front of /ws and /health: both answer 401
	// without the right credentials. The agent RPC stays open, as it does on
	// the inside of such a proxy.
	BasicUser     string
	BasicPassword string
	// Logger receives debug logs (default: discarded).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.PingInterval <= 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.PongWait <= 0 {
		c.PongWait = DefaultPongWait
	}
	if c.DefaultTimeout <= 0 {
		c.DefaultTimeout = DefaultRequestTimeout
	}
	if c.TimeoutUnit <= 0 {
		c.TimeoutUnit = time.Second
	}
	if c.SendQueue <= 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Server is an Agent Assistant-compatible server. It implements
// http.Handler; Start and StartOn also listen and serve it. All methods are
// safe for concurrent use.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	upgrader websocket.Upgrader

	// mu guards everything below it, and the mutable fields of every client.
	// Sends to client queues never block, so one lock keeps the fan-outs
	// ordered without risking a stall.
	mu      sync.Mutex
	closed  bool
	clients map[string]*client
	pending map[string]*pending
	// changed is closed and replaced whenever clients or pending requests
	// change, so that waiters wake without polling.
	changed chan struct{}

	// conns counts /ws handlers, so Close can wait for their goroutines.
	conns sync.WaitGroup

	// Set by StartOn only.
	ln        net.Listener
	httpSrv   *http.Server
	serveDone chan struct{}
}

// New returns a Server that is not listening: mount it as an http.Handler
// (for example with httptest.NewServer), or use Start to get a listening one.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg: cfg,
		log: cfg.Logger,
		upgrader: websocket.Upgrader{
			// The stock server accepts every origin.
			CheckOrigin:     func(*http.Request) bool { return true },
			ReadBufferSize:  1024,
			WriteBufferSize: 1024,
		},
		clients: map[string]*client{},
		pending: map[string]*pending{},
		changed: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.Handle(PathWebSocket, s.basicAuth(http.HandlerFunc(s.serveWS)))
	mux.Handle(PathHealth, s.basicAuth(http.HandlerFunc(s.serveHealth)))
	mux.HandleFunc(PathAskQuestion, func(w http.ResponseWriter, r *http.Request) { s.serveRPC(w, r, wire.MessageTypeAskQuestion) })
	mux.HandleFunc(PathWorkReport, func(w http.ResponseWriter, r *http.Request) { s.serveRPC(w, r, wire.MessageTypeWorkReport) })
	s.mux = mux
	return s
}

// Start listens on a free loopback port (127.0.0.1:0) and serves s there.
func Start(cfg Config) (*Server, error) {
	return StartOn(cfg, "127.0.0.1:0")
}

// StartOn listens on addr and serves s there. Passing the Addr of a closed
// Server starts a new one on the same port, which is how tests restart a
// server under connected clients.
func StartOn(cfg Config, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("aaserver: listen %s: %w", addr, err)
	}
	s := New(cfg)
	s.ln = ln
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.serveDone = make(chan struct{})
	go func() {
		defer close(s.serveDone)
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("serve", "err", err)
		}
	}()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Addr is the host:port s listens on, or "" when it was made with New.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the WebSocket endpoint, for example ws://127.0.0.1:PORT/ws, or ""
// when s was made with New.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "ws://" + s.Addr() + PathWebSocket
}

// BaseURL is where the agent RPC and /health live, for example
// http://127.0.0.1:PORT, or "" when s was made with New.
func (s *Server) BaseURL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.Addr()
}

// Close stops listening, closes every client connection with a going-away
// close frame, fails every blocked agent call with "cancelled" and waits for
// the connection goroutines to end. Later connections are refused. Close is
// idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for id := range s.pending {
		s.settleLocked(id, errResult(ErrCancelled, "Server is shutting down"))
	}
	bye := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	for _, c := range s.clients {
		c.closeFrame = bye
		c.flush = false // the server is going away: do not wait on slow readers
		s.removeLocked(c)
	}
	s.mu.Unlock()

	var err error
	if s.httpSrv != nil {
		err = s.httpSrv.Close()
		<-s.serveDone
	}
	s.conns.Wait()
	return err
}

// ClientInfo describes one connected WebSocket client.
type ClientInfo struct {
	// ID is the client_id the server gave the connection.
	ID string
	// Token is the token of the last UserLogin ("" before any).
	Token string
	// Nickname is the nickname of the last UserLogin.
	Nickname string
	// LoggedIn is set once the client has sent UserLogin.
	LoggedIn bool
	// ConnectedAt is when the WebSocket was accepted.
	ConnectedAt time.Time
}

// Clients returns a snapshot of the connected clients, oldest first.
func (s *Server) Clients() []ClientInfo {
	s.mu.Lock()
	out := make([]ClientInfo, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, ClientInfo{ID: c.id, Token: c.token, Nickname: c.nickname, LoggedIn: c.loggedIn, ConnectedAt: c.connectedAt})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b ClientInfo) int {
		if c := a.ConnectedAt.Compare(b.ConnectedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// WaitClients waits until exactly n logged-in clients hold token (so n = 0
// waits for them to go), or ctx is done.
func (s *Server) WaitClients(ctx context.Context, token string, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d clients with token %q", n, token), func() bool {
		got := 0
		for _, c := range s.clients {
			if c.loggedIn && c.token == token {
				got++
			}
		}
		return got == n
	})
}

// Pending returns the IDs of the requests for token still waiting for a
// human, sorted.
func (s *Server) Pending(token string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendingIDsLocked(token)
}

// WaitPending waits until exactly n requests for token are pending, or ctx
// is done.
func (s *Server) WaitPending(ctx context.Context, token string, n int) error {
	return s.waitFor(ctx, fmt.Sprintf("%d pending requests for token %q", n, token), func() bool {
		return len(s.pendingIDsLocked(token)) == n
	})
}

func (s *Server) pendingIDsLocked(token string) []string {
	var ids []string
	for id, p := range s.pending {
		if p.token == token {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// waitFor waits until cond, called with s.mu held, is true.
func (s *Server) waitFor(ctx context.Context, what string, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		changed := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("aaserver: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// notifyLocked wakes every waitFor.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Disconnect drops a client's socket abruptly, without a close frame, as a
// network failure would. It reports whether the client was connected.
func (s *Server) Disconnect(clientID string) bool {
	s.mu.Lock()
	c := s.clients[clientID] // only clients not yet removed are in the map
	if c != nil {
		c.flush = false
		c.closeFrame = nil
		s.removeLocked(c)
	}
	s.mu.Unlock()
	if c == nil {
		return false
	}
	_ = c.conn.Close() // safe concurrently with the reader and writer
	return true
}

// Stall turns a client's connection half-open: the socket stays up but the
// server stops sending to it (messages pile up in its send queue), stops
// pinging it and answering its pings, and ignores what it sends, until the
// PongWait runs out and the server drops it. It reports whether the client
// was connected.
func (s *Server) Stall(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return false
	}
	if !c.isStalled {
		c.isStalled = true
		close(c.stalled)
	}
	return true
}

// serveHealth answers like the stock server, or like a newer build when
// Config.Version is set.
func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	if s.cfg.Version != "" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"ok","version":%q}`, s.cfg.Version)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("OK"))
}

// basicAuth emulates a reverse proxy asking for HTTP Basic auth.
func (s *Server) basicAuth(next http.Handler) http.Handler {
	if s.cfg.BasicUser == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(s.cfg.BasicUser)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(s.cfg.BasicPassword)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="agentassistant"`)
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// randomString returns n random letters and digits.
func randomString(n int) string {
	const charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = charset[rand.IntN(len(charset))]
	}
	return string(b)
}
