package conn

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// session is one live WebSocket connection: one reader goroutine that never
// stops reading (so pongs keep flowing) and one writer goroutine that owns
// every write, since gorilla/websocket allows no concurrent writers.
type session struct {
	ws    *websocket.Conn
	opts  Options
	url   *url.URL
	token string // the token this session logged in with

	send chan []byte
	done chan struct{}

	endOnce sync.Once
	err     error // why the session ended; written once before done closes

	loggedIn chan *wire.UserLoginResponse // first login answer
	loginOK  sync.Once

	h handlers

	// clientID and latency are set by login and read after it returns.
	clientID string
	latency  time.Duration
}

// minUplink is the slowest upload rate a large frame is given time for: a
// reply with 20 MB of attachments must not fail a deadline made for text.
const minUplink = 256 << 10 // bytes per second

// transferTime is the extra write time a frame of n bytes is allowed.
func transferTime(n int) time.Duration {
	return time.Duration(n) * time.Second / minUplink
}

// handlers receive what the reader decodes, with the session it came on, on
// the reader goroutine. None may block.
type handlers struct {
	// message gets every frame decoded by proto.
	message func(*session, *wire.WebsocketMessage)
	// request, when set, gets the AskQuestion and WorkReport frames the fast
	// path decoded (see decode.go); they never reach message.
	request func(*session, *Request)
	// cancelled gets the RequestCancelled frames the fast path decoded, as
	// slices of the read buffer that are valid only during the call. It is
	// set together with request.
	cancelled func(s *session, id, reason []byte)
	// warn hears about frames that were skipped; the session goes on.
	warn func(error)
}

// sendQueue is the writer's backlog. Writes are quick; this only absorbs bursts.
const sendQueue = 256

// parseServerURL checks that raw is a ws:// or wss:// URL with a host.
func parseServerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newError(FailureConfig, err, "invalid server URL %q: %v", raw, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, newError(FailureConfig, nil, "invalid server URL %q: the scheme must be ws:// or wss://", raw)
	}
	if u.Hostname() == "" {
		return nil, newError(FailureConfig, nil, "invalid server URL %q: no host", raw)
	}
	return u, nil
}

// basicAuthHeader returns the HTTP headers carrying cfg's Basic auth, if any.
func basicAuthHeader(cfg ServerConfig) http.Header {
	h := http.Header{}
	if cfg.BasicUser != "" {
		cred := base64.StdEncoding.EncodeToString([]byte(cfg.BasicUser + ":" + cfg.BasicPassword))
		h.Set("Authorization", "Basic "+cred)
	}
	return h
}

// dialSession opens the socket, starts both pumps and logs in. On success the
// session is live and has asked for pending requests and online users.
func dialSession(ctx context.Context, cfg ServerConfig, opts Options, nickname, token string, h handlers) (*session, error) {
	u, err := parseServerURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	dialer := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: opts.HandshakeTimeout,
	}
	start := time.Now()
	ws, resp, err := dialer.DialContext(ctx, u.String(), basicAuthHeader(cfg))
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, classifyDialError(err, resp, u)
	}
	s := &session{
		ws:       ws,
		opts:     opts,
		url:      u,
		token:    token,
		send:     make(chan []byte, sendQueue),
		done:     make(chan struct{}),
		loggedIn: make(chan *wire.UserLoginResponse, 1),
		h:        h,
	}
	ws.SetReadLimit(opts.ReadLimit)
	go s.readPump()
	go s.writePump()

	if err := s.write(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: nickname}); err != nil {
		s.end(err)
		return nil, s.failure(true)
	}
	timer := time.NewTimer(opts.LoginTimeout)
	defer timer.Stop()
	select {
	case r := <-s.loggedIn:
		if !r.GetSuccess() {
			msg := limits.Label(r.GetErrorMessage(), limits.LoginErrorChars)
			if msg == "" {
				msg = "no reason given"
			}
			err := newError(FailureAuth, nil, "%s refused the login: %s", u.Host, msg)
			s.end(err)
			return nil, err
		}
		s.clientID = limits.Label(r.GetClientId(), limits.ClientIDBytes)
		s.latency = time.Since(start)
	case <-s.done:
		return nil, s.failure(true)
	case <-timer.C:
		err := newError(FailureProtocol, nil, "%s did not answer the login within %s", u.Host, opts.LoginTimeout)
		s.end(err)
		return nil, err
	case <-ctx.Done():
		s.end(ctx.Err())
		return nil, ctx.Err()
	}
	return s, nil
}

// write queues one message for the writer. It fails only once the session ended.
func (s *session) write(m *wire.WebsocketMessage) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", m.GetCmd(), err)
	}
	select {
	case s.send <- b:
		return nil
	case <-s.done:
		return s.failure(false)
	}
}

// end stops the session once, remembering why.
func (s *session) end(err error) {
	s.endOnce.Do(func() {
		s.err = err
		close(s.done)
		// Closing the socket unblocks the reader.
		_ = s.ws.Close()
	})
}

// close ends the session politely (used when we leave on purpose).
func (s *session) close() {
	s.endOnce.Do(func() {
		s.err = errSessionClosed
		_ = s.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		close(s.done)
		_ = s.ws.Close()
	})
}

var errSessionClosed = errors.New("connection closed by agentdesk")

// failure returns why the session ended, worded for the login phase if asked.
func (s *session) failure(duringLogin bool) error {
	<-s.done
	if duringLogin && !errors.Is(s.err, errSessionClosed) {
		return newError(FailureProtocol, s.err, "%s closed the connection during login (%v)", s.url.Host, s.err)
	}
	return s.err
}

func (s *session) extendDeadline() {
	_ = s.ws.SetReadDeadline(time.Now().Add(s.opts.DeadAfter))
}

func (s *session) readPump() {
	s.extendDeadline()
	s.ws.SetPongHandler(func(string) error { s.extendDeadline(); return nil })
	s.ws.SetPingHandler(func(data string) error {
		s.extendDeadline()
		err := s.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(s.opts.WriteTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})
	// One buffer and one envelope serve every frame: proto.Unmarshal copies
	// the bytes it keeps and resets the envelope, and handlers keep only the
	// sub-messages, which are allocated afresh for each frame.
	var buf bytes.Buffer
	var m wire.WebsocketMessage
	lastExtend := time.Now()
	frames := 0
	for {
		kind, r, err := s.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			s.end(s.readError(err))
			return
		}
		data := buf.Bytes()
		// Frames count as traffic, like pongs. Moving the deadline costs a
		// syscall-ish call, so once a second is plenty, and even reading the
		// clock shows in a burst: it is read every 16th frame. A live server
		// also answers our pings, which move the deadline on their own.
		if frames++; frames%16 == 1 {
			if now := time.Now(); now.Sub(lastExtend) > time.Second {
				lastExtend = now
				s.extendDeadline()
			}
		}
		s.frame(kind, data, &m)
		if buf.Cap() > 1<<20 {
			buf = bytes.Buffer{} // let a one-off huge frame's memory go now
		}
	}
}

// frame decodes one frame and hands it on. m is the reader's envelope,
// reused for every frame.
func (s *session) frame(kind int, data []byte, m *wire.WebsocketMessage) {
	if kind != websocket.BinaryMessage {
		s.h.warn(newError(FailureProtocol, nil, "ignored a text frame from %s (the protocol uses binary frames)", s.url.Host))
		return
	}
	if s.h.request != nil {
		if t := scanTop(data); t.ok && s.fastPath(data, t) {
			return
		}
	}
	if err := proto.Unmarshal(data, m); err != nil {
		s.h.warn(newError(FailureProtocol, err, "ignored a malformed frame from %s (%d bytes): %v", s.url.Host, len(data), err))
		return
	}
	if m.GetCmd() == wire.CmdUserLogin && m.GetUserLoginResponse() != nil {
		s.loginOK.Do(func() { s.loggedIn <- m.GetUserLoginResponse() })
	}
	s.h.message(s, m)
	if len(data) > 1<<16 {
		m.Reset() // let a big message (a long pending list) go now, not at the next frame
	}
}

// fastPath hands a pushed request or a cancellation to its handler without
// proto. It reports false when proto must decode the frame instead.
func (s *session) fastPath(data []byte, t topLevel) bool {
	if t.sub.num == fieldRequestCancelled {
		id, reason, ok := fastCancel(data, t)
		if ok {
			s.h.cancelled(s, id, reason)
		}
		return ok
	}
	r, ok := fastRequest(data, t)
	if ok {
		s.h.request(s, r)
	}
	return ok
}

// readError words why reading stopped.
func (s *session) readError(err error) error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	host := s.url.Host
	if errors.Is(err, websocket.ErrReadLimit) {
		return newError(FailureProtocol, err, "%s sent a frame larger than the %d-byte limit", host, s.opts.ReadLimit)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return newError(FailureUnreachable, err, "no traffic from %s for %s: the connection is presumed dead", host, s.opts.DeadAfter)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Text != "" {
			return newError(FailureUnreachable, err, "%s closed the connection (%d: %s)", host, ce.Code, ce.Text)
		}
		return newError(FailureUnreachable, err, "%s closed the connection (code %d)", host, ce.Code)
	}
	return newError(FailureUnreachable, err, "lost the connection to %s: %s", host, rootCause(err))
}

func (s *session) writePump() {
	ping := time.NewTicker(s.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case b := <-s.send:
			_ = s.ws.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout + transferTime(len(b))))
			if err := s.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
				s.writeFailed(err)
				return
			}
		case <-ping.C:
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.opts.WriteTimeout)); err != nil {
				s.writeFailed(err)
				return
			}
		case <-s.done:
			return
		}
	}
}

// writeFailed ends the session after a failed write. When the reader already
// sent a close frame (for example over a frame that broke the read limit), the
// reader holds the real reason and ends the session itself.
func (s *session) writeFailed(err error) {
	if errors.Is(err, websocket.ErrCloseSent) {
		<-s.done
		return
	}
	s.end(newError(FailureUnreachable, err, "writing to %s failed: %s", s.url.Host, rootCause(err)))
}
