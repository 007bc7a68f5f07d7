package conn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// confirmChecks is how often delivery is checked before a reply that the
// server still lists as pending is reported as not accepted.
const confirmChecks = 5

// server supervises the connection to one configured server: it dials,
// waits out backoff, tracks the requests this server has pushed to us and
// holds replies that could not be sent yet.
type server struct {
	m  *Manager
	id ServerID

	// epoch changes when the server is reconfigured in a way that makes it a
	// different endpoint; events from an older epoch are dropped.
	epoch atomic.Uint64

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{} // retry now, or the settings changed

	mu         sync.Mutex
	cfg        ServerConfig
	state      State
	gen        uint64 // connection attempt counter; frames from older attempts are ignored
	sess       *session
	connCancel context.CancelFunc

	known         map[string]knownRequest
	arrivals      uint64 // sequence number of the latest arrival
	reconcileFrom uint64 // arrivals when the pending list was asked for
	outbox        []*outgoingReply
	inflight      map[string]*outgoingReply
}

type knownRequest struct {
	req *Request
	seq uint64
}

// outgoingReply is a reply on its way: queued while offline, or sent and
// awaiting confirmation.
type outgoingReply struct {
	id     string
	text   string
	atts   []AttachmentInfo
	msg    *wire.WebsocketMessage
	sent   bool // written at least once
	checks int
}

func newServer(m *Manager, cfg ServerConfig) *server {
	ctx, cancel := context.WithCancel(m.ctx)
	s := &server{
		m: m, id: cfg.ID, cfg: cfg,
		ctx: ctx, cancel: cancel,
		done:     make(chan struct{}),
		wake:     make(chan struct{}, 1),
		known:    map[string]knownRequest{},
		inflight: map[string]*outgoingReply{},
	}
	s.state = State{Phase: PhaseConnecting, Label: cfg.Label, URL: cfg.URL, Since: time.Now()}
	return s
}

func (s *server) origin() Origin { return Origin{Server: s.id, epoch: s.epoch.Load()} }

func (s *server) emit(e Event) { s.m.queue.push(e) }

func (s *server) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// setState records and announces a new state. Callers hold s.mu.
func (s *server) setStateLocked(st State) {
	st.Label = s.cfg.Label
	st.URL = s.cfg.URL
	if st.Since.IsZero() {
		st.Since = time.Now()
	}
	s.state = st
	s.emit(StateChanged{Origin: s.origin(), State: st})
}

func (s *server) setState(st State) {
	s.mu.Lock()
	s.setStateLocked(st)
	s.mu.Unlock()
}

// update applies new settings. Only changes to how we dial cost a reconnect.
func (s *server) update(cfg ServerConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cfg
	s.cfg = cfg
	switch {
	case !old.sameConnection(cfg):
		s.epoch.Add(1)
		s.restartLocked()
	case old.Enabled != cfg.Enabled:
		s.restartLocked()
	case old.Label != cfg.Label:
		s.setStateLocked(s.state) // same state, new label
	}
}

// restartLocked drops the current connection attempt and wakes the loop.
func (s *server) restartLocked() {
	if s.connCancel != nil {
		s.connCancel()
	}
	s.poke()
}

// run is the server's supervisor loop; it returns when the server is removed.
func (s *server) run() {
	defer close(s.done)
	delays := newReconnectDelays(s.m.opts.InitialBackoff, s.m.opts.MaxBackoff)
	attempt := 0
	for s.ctx.Err() == nil {
		s.mu.Lock()
		cfg := s.cfg
		s.gen++
		gen := s.gen
		connCtx, cancel := context.WithCancel(s.ctx)
		s.connCancel = cancel
		if !cfg.Enabled {
			s.setStateLocked(State{Phase: PhaseDisabled})
		} else {
			s.setStateLocked(State{Phase: PhaseConnecting, Attempt: attempt})
		}
		s.mu.Unlock()

		if !cfg.Enabled {
			s.waitWake(connCtx, nil)
			cancel()
			attempt = 0
			delays.reset()
			continue
		}

		err := s.connectOnce(connCtx, cfg, gen)
		reconfigured := connCtx.Err() != nil
		cancel()
		if s.ctx.Err() != nil {
			return
		}
		if reconfigured {
			// Settings changed: dial again at once, with a fresh backoff.
			attempt = 0
			delays.reset()
			continue
		}
		var loggedIn *loginSuccess
		if errors.As(err, &loggedIn) {
			// A good login resets the backoff, unless the server then broke
			// the protocol: that would turn a hostile server into a tight loop.
			err = loggedIn.cause
			if KindOf(err) != FailureProtocol {
				attempt = 0
				delays.reset()
			}
		}
		switch KindOf(err) {
		case FailureAuth, FailureConfig:
			phase := PhaseAuthFailed
			if KindOf(err) == FailureConfig {
				phase = PhaseError
			}
			s.setState(State{Phase: phase, LastError: err.Error(), Failure: KindOf(err)})
			s.waitWake(s.ctx, nil)
			attempt = 0
			delays.reset()
			continue
		}
		attempt++
		delay := delays.next()
		s.setState(State{Phase: PhaseReconnecting, Attempt: attempt, NextTry: time.Now().Add(delay),
			LastError: err.Error(), Failure: KindOf(err)})
		timer := time.NewTimer(delay)
		s.waitWake(s.ctx, timer.C)
		timer.Stop()
	}
}

// waitWake blocks until poked, the timer fires, or ctx ends.
func (s *server) waitWake(ctx context.Context, timer <-chan time.Time) {
	select {
	case <-s.wake:
	case <-timer:
	case <-ctx.Done():
	}
}

// loginSuccess wraps the end of a session that did log in.
type loginSuccess struct{ cause error }

func (l *loginSuccess) Error() string { return l.cause.Error() }
func (l *loginSuccess) Unwrap() error { return l.cause }

// connectOnce dials, logs in and serves one connection until it ends.
func (s *server) connectOnce(ctx context.Context, cfg ServerConfig, gen uint64) error {
	token, nickname := s.m.identity()
	sess, err := dialSession(ctx, cfg, s.m.opts, nickname, token,
		func(sess *session, msg *wire.WebsocketMessage) { s.onFrame(gen, sess, msg) },
		func(err error) { s.onWarning(gen, err) })
	if err == nil {
		// SetNickname skips servers without a live session; catch a change
		// made while this one was logging in.
		if _, now := s.m.identity(); now != nickname {
			_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: now})
		}
		sess.requestSnapshot(token)
		select {
		case <-sess.done:
		case <-ctx.Done():
			sess.close()
		}
		err = &loginSuccess{cause: sess.failure(false)}
	}
	s.mu.Lock()
	if s.gen == gen && s.sess != nil {
		s.sess = nil
		// Replies whose delivery was not confirmed go back to the outbox;
		// the next reconcile resends them if their request is still pending.
		for _, id := range sortedKeys(s.inflight) {
			s.outbox = append(s.outbox, s.inflight[id])
			delete(s.inflight, id)
		}
	}
	s.mu.Unlock()
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// onWarning records a skipped frame without dropping the connection.
func (s *server) onWarning(gen uint64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	s.warnLocked(err)
}

// warnLocked reports something the server sent that we skipped: as an event,
// and on the state so the server list shows it.
func (s *server) warnLocked(err error) {
	s.m.opts.Logger.Warn("ignored message", "server", s.id, "error", err)
	s.emit(Warning{Origin: s.origin(), Err: err})
	if s.state.LastError != err.Error() {
		st := s.state
		st.LastError = err.Error()
		st.Failure = KindOf(err)
		s.setStateLocked(st)
	}
}

// onFrame turns one decoded frame into events. It runs on the reader
// goroutine and never blocks on the consumer.
func (s *server) onFrame(gen uint64, sess *session, m *wire.WebsocketMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return // a frame from a connection we already left
	}
	warn := func(format string, args ...any) {
		s.warnLocked(newError(FailureProtocol, nil, format, args...))
	}
	switch m.GetCmd() {
	case wire.CmdUserLogin:
		// The session goes live here, on the reader, so it can be used as
		// soon as "connected" is announced and before any event the server
		// sends after the login. A repeated login (nickname change) may
		// come with a new client id.
		r := m.GetUserLoginResponse()
		switch {
		case !r.GetSuccess():
		case s.sess == nil:
			s.sess = sess
			s.reconcileFrom = s.arrivals
			s.setStateLocked(State{Phase: PhaseConnected, ClientID: r.GetClientId()})
		case r.GetClientId() != "" && r.GetClientId() != s.state.ClientID:
			st := s.state
			st.ClientID = r.GetClientId()
			s.setStateLocked(st)
		}
	case wire.CmdAskQuestion:
		a := m.GetAskQuestionRequest()
		if a.GetID() == "" || a.GetRequest() == nil {
			warn("ignored an AskQuestion without a request id or body")
			return
		}
		s.arriveLocked(requestFromAsk(s.id, a, 0), false)
	case wire.CmdWorkReport:
		w := m.GetWorkReportRequest()
		if w.GetID() == "" || w.GetRequest() == nil {
			warn("ignored a WorkReport without a request id or body")
			return
		}
		s.arriveLocked(requestFromReport(s.id, w, 0), false)
	case wire.CmdAskQuestionReplyNotification, wire.CmdWorkReportReplyNotification:
		id := m.GetAskQuestionRequest().GetID()
		if id == "" {
			id = m.GetWorkReportRequest().GetID()
		}
		// The replier's own words are in their response; StrParam is only a
		// fallback, since servers fill it with a human-readable summary.
		contents := append(slices.Clip(m.GetAskQuestionResponse().GetContents()), m.GetWorkReportResponse().GetContents()...)
		text := wire.ContentsText(contents)
		if text == "" {
			text = m.GetStrParam()
		}
		if _, ok := s.known[id]; !ok {
			return // broadcasts carry no token filter: not ours
		}
		by := m.GetNickname()
		if by == "" {
			by = "another client"
		}
		s.forgetLocked(id, "answered first by "+by)
		s.emit(RequestAnswered{Origin: s.origin(), ID: id, By: m.GetNickname(), Text: text, Attachments: receivedAttachments(contents)})
	case wire.CmdRequestCancelled:
		n := m.GetRequestCancelledNotification()
		id := n.GetRequestId()
		if _, ok := s.known[id]; !ok {
			return
		}
		reason := n.GetReason()
		if reason == "" {
			reason = "cancelled"
		}
		s.forgetLocked(id, "the request was cancelled ("+reason+")")
		s.emit(RequestCancelled{Origin: s.origin(), ID: id, Reason: reason})
	case wire.CmdGetPendingMessages:
		r := m.GetGetPendingMessagesResponse()
		if r == nil {
			warn("ignored a pending-messages answer without its list")
			return
		}
		s.reconcileLocked(r)
	case wire.CmdGetOnlineUsers:
		r := m.GetGetOnlineUsersResponse()
		users := make([]OnlineUser, 0, len(r.GetOnlineUsers()))
		for _, u := range r.GetOnlineUsers() {
			users = append(users, s.onlineUser(u))
		}
		s.emit(OnlineUsers{Origin: s.origin(), Users: users})
	case wire.CmdCheckMessageValidity:
		s.confirmLocked(m.GetCheckMessageValidityResponse().GetValidity())
	case wire.CmdChatMessageNotification:
		c := m.GetChatMessageNotification().GetChatMessage()
		if c == nil {
			warn("ignored a chat notification without a message")
			return
		}
		s.emit(ChatReceived{Origin: s.origin(), Message: ChatMessage{
			Server: s.id, ID: c.GetMessageId(), SenderClientID: c.GetSenderClientId(),
			SenderNickname: c.GetSenderNickname(), ReceiverClientID: c.GetReceiverClientId(),
			Content: c.GetContent(), SentAt: unixOrNow(c.GetSentAt()),
		}})
	case wire.CmdUserConnectionStatusNotification:
		n := m.GetUserConnectionStatusNotification()
		if n.GetUser().GetClientId() == "" {
			warn("ignored a user status notification without a user")
			return
		}
		s.emit(UserStatus{Origin: s.origin(), User: s.onlineUser(n.GetUser()), Online: n.GetStatus() != wire.StatusDisconnected})
	default:
		// Newer servers may add commands; they are not errors.
		s.m.opts.Logger.Debug("ignored unknown command", "server", s.id, "cmd", m.GetCmd())
	}
}

func (s *server) onlineUser(u *wire.OnlineUser) OnlineUser {
	return OnlineUser{Server: s.id, ClientID: u.GetClientId(), Nickname: u.GetNickname(), ConnectedAt: unixOrNow(u.GetConnectedAt())}
}

func unixOrNow(sec int64) time.Time {
	if sec > 0 {
		return time.Unix(sec, 0)
	}
	return time.Now()
}

func (s *server) arriveLocked(r *Request, recovered bool) {
	if _, ok := s.known[r.ID]; ok {
		return
	}
	s.arrivals++
	s.known[r.ID] = knownRequest{req: r, seq: s.arrivals}
	s.emit(RequestArrived{Origin: s.origin(), Request: r, Recovered: recovered})
}

// forgetLocked drops a request that can no longer be answered, and fails any
// reply of ours still on its way to it.
func (s *server) forgetLocked(id, why string) {
	delete(s.known, id)
	if r := s.takeReplyLocked(id); r != nil {
		s.emit(s.replyUpdate(r, ReplyUndeliverable, why))
	}
}

// takeReplyLocked removes and returns our reply to id, wherever it waits.
func (s *server) takeReplyLocked(id string) *outgoingReply {
	if r := s.inflight[id]; r != nil {
		delete(s.inflight, id)
		return r
	}
	for i, r := range s.outbox {
		if r.id == id {
			s.outbox = slices.Delete(s.outbox, i, i+1)
			return r
		}
	}
	return nil
}

// reconcileLocked makes the server's pending list the truth for this server.
func (s *server) reconcileLocked(r *wire.GetPendingMessagesResponse) {
	fresh := make(map[string]*Request, len(r.GetPendingMessages()))
	var order []*Request
	for _, p := range r.GetPendingMessages() {
		var req *Request
		switch {
		case p.GetAskQuestionRequest().GetID() != "":
			req = requestFromAsk(s.id, p.GetAskQuestionRequest(), p.GetCreatedAt())
		case p.GetWorkReportRequest().GetID() != "":
			req = requestFromReport(s.id, p.GetWorkReportRequest(), p.GetCreatedAt())
		default:
			s.warnLocked(newError(FailureProtocol, nil, "ignored a pending entry without a request"))
			continue
		}
		if req.Timeout == 0 {
			req.Timeout = time.Duration(p.GetTimeout()) * time.Second
		}
		if fresh[req.ID] == nil {
			fresh[req.ID] = req
			order = append(order, req)
		}
	}
	// The server lists pending requests in random order.
	slices.SortStableFunc(order, func(a, b *Request) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, id := range sortedKeys(s.known) {
		// Requests pushed after we asked may be missing from the list.
		if fresh[id] == nil && s.known[id].seq <= s.reconcileFrom {
			s.forgetLocked(id, "the request was answered or cancelled while the connection was down")
			s.emit(RequestGone{Origin: s.origin(), ID: id})
		}
	}
	for _, req := range order {
		s.arriveLocked(req, true)
	}
	s.emit(Reconciled{Origin: s.origin(), Pending: len(order)})

	if s.sess == nil {
		return // the connection is already gone; the outbox waits for the next one
	}
	queued := s.outbox
	s.outbox = nil
	for _, out := range queued {
		if fresh[out.id] != nil {
			s.sendReplyLocked(out)
			continue
		}
		reason := "the request was answered or cancelled while the connection was down"
		if out.sent {
			reason = "the connection dropped before delivery was confirmed, and the request is no longer pending"
		}
		s.emit(s.replyUpdate(out, ReplyUndeliverable, reason))
	}
}

// sendReplyLocked writes a reply and asks the server to confirm it.
func (s *server) sendReplyLocked(out *outgoingReply) {
	s.inflight[out.id] = out
	out.sent = true
	out.checks = 0
	if err := s.sess.write(out.msg); err != nil {
		// The session is ending; the disconnect path moves it to the outbox.
		return
	}
	_ = s.sess.write(validityCheck(out.id))
	s.emit(s.replyUpdate(out, ReplySent, ""))
}

// replyUpdate reports a reply's progress, with its attachments' metadata.
func (s *server) replyUpdate(out *outgoingReply, st ReplyStatus, reason string) ReplyUpdate {
	return ReplyUpdate{Origin: s.origin(), ID: out.id, Status: st, Text: out.text, Attachments: out.atts, Reason: reason}
}

func validityCheck(ids ...string) *wire.WebsocketMessage {
	return &wire.WebsocketMessage{Cmd: wire.CmdCheckMessageValidity,
		CheckMessageValidityRequest: &wire.CheckMessageValidityRequest{RequestIds: ids}}
}

// confirmLocked settles sent replies from a validity answer: a request that
// is no longer pending has our reply.
func (s *server) confirmLocked(validity map[string]bool) {
	for _, id := range sortedKeys(validity) {
		out := s.inflight[id]
		if out == nil {
			continue
		}
		if !validity[id] {
			delete(s.inflight, id)
			delete(s.known, id)
			s.emit(s.replyUpdate(out, ReplyDelivered, ""))
			continue
		}
		out.checks++
		if out.checks >= confirmChecks {
			delete(s.inflight, id)
			s.emit(s.replyUpdate(out, ReplyUndeliverable, "the server did not accept the reply: the request is still pending"))
			continue
		}
		sess := s.sess
		time.AfterFunc(s.m.opts.ConfirmDelay, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.sess == sess && sess != nil && s.inflight[id] == out {
				_ = sess.write(validityCheck(id))
			}
		})
	}
}

// reply answers request id with text and attachments (already checked),
// now or as soon as the server is back.
func (s *server) reply(id, text string, atts []Attachment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.known[id]
	if !ok {
		return fmt.Errorf("%w: %s on %s", ErrNotPending, id, s.cfg.Label)
	}
	if s.inflight[id] != nil || slices.ContainsFunc(s.outbox, func(o *outgoingReply) bool { return o.id == id }) {
		return fmt.Errorf("%w: %s", ErrAlreadyReplied, id)
	}
	out := &outgoingReply{id: id, text: text, atts: attachmentInfos(atts), msg: replyMessage(k.req, text, atts)}
	if size := proto.Size(out.msg); size > MaxReplyFrameBytes {
		return fmt.Errorf("%w: %s bytes with the request it answers; at most %s fit in one message",
			ErrReplyTooLarge, groupDigits(int64(size)), groupDigits(MaxReplyFrameBytes))
	}
	if s.sess == nil {
		s.outbox = append(s.outbox, out)
		s.emit(s.replyUpdate(out, ReplyQueued, ""))
		return nil
	}
	s.sendReplyLocked(out)
	return nil
}

// replyMessage builds the reply frame. The stock server dereferences both the
// request and the response, so both are always set.
func replyMessage(r *Request, text string, atts []Attachment) *wire.WebsocketMessage {
	contents := replyContents(text, atts)
	if r.Kind == KindWorkReport {
		return &wire.WebsocketMessage{Cmd: wire.CmdWorkReportReply,
			WorkReportRequest:  r.report,
			WorkReportResponse: &wire.WorkReportResponse{ID: r.ID, Contents: contents}}
	}
	return &wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply,
		AskQuestionRequest:  r.ask,
		AskQuestionResponse: &wire.AskQuestionResponse{ID: r.ID, Contents: contents}}
}

// write sends a message if the server is connected.
func (s *server) write(m *wire.WebsocketMessage) error {
	s.mu.Lock()
	sess := s.sess
	label := s.cfg.Label
	s.mu.Unlock()
	if sess == nil {
		return fmt.Errorf("%w: %s", ErrOffline, label)
	}
	return sess.write(m)
}

// requestSnapshot asks for pending requests and online users.
func (sess *session) requestSnapshot(token string) {
	_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages,
		GetPendingMessagesRequest: &wire.GetPendingMessagesRequest{UserToken: token}})
	_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers,
		GetOnlineUsersRequest: &wire.GetOnlineUsersRequest{UserToken: token}})
}
