package conn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
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
	fenced     bool // set by fence: emit does nothing
	cfg        ServerConfig
	state      State
	gen        uint64 // connection attempt counter; frames from older attempts are ignored
	sess       *session
	connCancel context.CancelFunc

	// known holds the requests we hold, at most Options.MaxPending of them
	// taking at most Options.MaxPendingBytes (heldBytes).
	known     map[string]knownRequest
	heldBytes int
	// overflow counts requests the server has for us beyond the cap
	// (State.PendingOverflow). overflowNoted is set while a throttled
	// state update for it is on its way; refetchArmed while a fetch of
	// the pending list is.
	overflow      int
	overflowNoted bool
	refetchArmed  bool
	arrivals      uint64 // sequence number of the latest arrival
	// reconcileFrom is arrivals when the oldest unanswered pending-list
	// request was sent; asksOut counts those requests on this connection.
	// A list answers the oldest ask: requests that arrived after it may be
	// missing from it without being gone.
	reconcileFrom uint64
	asksOut       int
	// online holds the client ids of the users announced online on this
	// connection, at most limits.OnlineUsers, so a server cannot grow the
	// presence list without bound; onlineFull is set once that was hit.
	online     map[string]bool
	onlineFull bool
	outbox     []*outgoingReply
	inflight   map[string]*outgoingReply
}

type knownRequest struct {
	req  *Request
	seq  uint64
	size int // req.retained() when it arrived
}

// overflowNoteDelay throttles the state updates that live pushes beyond the
// pending cap cause: a server pushing 100,000 requests makes a few updates
// a second, not 100,000.
const overflowNoteDelay = 250 * time.Millisecond

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
		online:   map[string]bool{},
		inflight: map[string]*outgoingReply{},
	}
	s.state = State{Phase: PhaseConnecting, Label: cfg.Label, URL: cfg.URL, Since: time.Now()}
	return s
}

func (s *server) origin() Origin { return Origin{Server: s.id, epoch: s.epoch.Load()} }

// emit announces e. Callers hold s.mu, so e carries the current epoch and
// may skip the dispatcher; once the server is fenced, nothing is announced.
func (s *server) emit(e Event) {
	if !s.fenced {
		s.m.queue.push(e, true)
	}
}

// fence stops the server's announcements for good: after Remove or Close a
// reader still finishing its last frame must not reach a closed channel.
func (s *server) fence() {
	s.mu.Lock()
	s.fenced = true
	s.mu.Unlock()
}

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
	st.PendingOverflow = s.overflow
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
		case FailureConfig:
			// Settings that cannot work wait for an edit or RetryNow.
			s.setState(State{Phase: PhaseError, LastError: err.Error(), Failure: FailureConfig})
			s.waitWake(s.ctx, nil)
			attempt = 0
			delays.reset()
			continue
		case FailureAuth:
			// Refused credentials are tried again only at the slow end of
			// the backoff: no storm of logins, yet a proxy that refused for
			// a moment heals by itself. An edit or RetryNow tries at once.
			attempt++
			wait := s.m.opts.MaxBackoff
			s.setState(State{Phase: PhaseAuthFailed, Attempt: attempt, NextTry: time.Now().Add(wait),
				LastError: err.Error(), Failure: FailureAuth})
			timer := time.NewTimer(wait)
			s.waitWake(s.ctx, timer.C)
			timer.Stop()
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
	sess, err := dialSession(ctx, cfg, s.m.opts, nickname, token, handlers{
		message:   func(sess *session, msg *wire.WebsocketMessage) { s.onFrame(gen, sess, msg) },
		request:   func(_ *session, r *Request) { s.onRequest(gen, r) },
		cancelled: func(_ *session, id, reason []byte) { s.onCancelled(gen, id, reason) },
		warn:      func(err error) { s.onWarning(gen, err) },
	})
	if err == nil {
		// SetNickname skips servers without a live session; catch a change
		// made while this one was logging in.
		if _, now := s.m.identity(); now != nickname {
			_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: now})
		}
		sess.requestSnapshot()
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

// onFrame turns one frame decoded by proto into events. It runs on the
// reader goroutine and never blocks on the consumer.
func (s *server) onFrame(gen uint64, sess *session, m *wire.WebsocketMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return // a frame from a connection we already left
	}
	switch m.GetCmd() {
	case wire.CmdUserLogin:
		// The session goes live here, on the reader, so it can be used as
		// soon as "connected" is announced and before any event the server
		// sends after the login. A repeated login (nickname change) may
		// come with a new client id.
		r := m.GetUserLoginResponse()
		id := limits.Label(r.GetClientId(), limits.ClientIDBytes)
		switch {
		case !r.GetSuccess():
		case s.sess == nil:
			s.sess = sess
			// connectOnce asks for the pending list right after the login.
			s.reconcileFrom = s.arrivals
			s.asksOut = 1
			clear(s.online)
			s.onlineFull = false
			s.setStateLocked(State{Phase: PhaseConnected, ClientID: id})
		case id != "" && id != s.state.ClientID:
			st := s.state
			st.ClientID = id
			s.setStateLocked(st)
		}
	case wire.CmdAskQuestion:
		a := m.GetAskQuestionRequest()
		if a.GetID() == "" || a.GetRequest() == nil {
			s.protocolWarnLocked("ignored an AskQuestion without a request id or body")
			return
		}
		s.pushedLocked(requestFromAsk(s.id, a, 0))
	case wire.CmdWorkReport:
		w := m.GetWorkReportRequest()
		if w.GetID() == "" || w.GetRequest() == nil {
			s.protocolWarnLocked("ignored a WorkReport without a request id or body")
			return
		}
		s.pushedLocked(requestFromReport(s.id, w, 0))
	case wire.CmdAskQuestionReplyNotification, wire.CmdWorkReportReplyNotification:
		id := m.GetAskQuestionRequest().GetID()
		if id == "" {
			id = m.GetWorkReportRequest().GetID()
		}
		if _, ok := s.known[id]; !ok {
			s.unknownEndedLocked() // broadcasts carry no token filter: not ours
			return
		}
		// The replier's own words are in their response; StrParam is only a
		// fallback, since servers fill it with a human-readable summary.
		text := limits.CutBytes(wire.ContentsTextUpTo(limits.ReplyTextBytes,
			m.GetAskQuestionResponse().GetContents(), m.GetWorkReportResponse().GetContents()), limits.ReplyTextBytes)
		if text == "" {
			text = limits.CutBytes(m.GetStrParam(), limits.ReplyTextBytes)
		}
		by := limits.Label(m.GetNickname(), limits.NicknameChars)
		who := by
		if who == "" {
			who = "another client"
		}
		s.forgetLocked(id, "answered first by "+who)
		contents := append(slices.Clip(m.GetAskQuestionResponse().GetContents()), m.GetWorkReportResponse().GetContents()...)
		s.emit(RequestAnswered{Origin: s.origin(), ID: id, By: by, Text: text, Attachments: receivedAttachments(contents)})
	case wire.CmdRequestCancelled:
		n := m.GetRequestCancelledNotification()
		s.cancelledLocked(n.GetRequestId(), n.GetReason())
	case wire.CmdGetPendingMessages:
		r := m.GetGetPendingMessagesResponse()
		if r == nil {
			s.protocolWarnLocked("ignored a pending-messages answer without its list")
			return
		}
		s.reconcileLocked(r)
	case wire.CmdGetOnlineUsers:
		s.onlineUsersLocked(m.GetGetOnlineUsersResponse().GetOnlineUsers())
	case wire.CmdCheckMessageValidity:
		s.confirmLocked(m.GetCheckMessageValidityResponse().GetValidity())
	case wire.CmdChatMessageNotification:
		c := m.GetChatMessageNotification().GetChatMessage()
		switch {
		case c == nil:
			s.protocolWarnLocked("ignored a chat notification without a message")
			return
		case len(c.GetSenderClientId()) > limits.ClientIDBytes:
			s.protocolWarnLocked("ignored a chat message whose sender's client id is %d bytes long (the limit is %d)",
				len(c.GetSenderClientId()), limits.ClientIDBytes)
			return
		}
		s.emit(ChatReceived{Origin: s.origin(), Message: ChatMessage{
			Server: s.id, ID: limits.CutBytes(c.GetMessageId(), limits.ClientIDBytes), SenderClientID: c.GetSenderClientId(),
			SenderNickname:   limits.Label(c.GetSenderNickname(), limits.NicknameChars),
			ReceiverClientID: limits.CutBytes(c.GetReceiverClientId(), limits.ClientIDBytes),
			Content:          limits.CutBytes(c.GetContent(), limits.ChatMessageBytes), SentAt: unixOrNow(c.GetSentAt()),
		}})
	case wire.CmdUserConnectionStatusNotification:
		n := m.GetUserConnectionStatusNotification()
		if n.GetUser().GetClientId() == "" {
			s.protocolWarnLocked("ignored a user status notification without a user")
			return
		}
		u, ok := s.onlineUser(n.GetUser())
		if !ok {
			s.protocolWarnLocked("ignored a user status notification whose client id is %d bytes long (the limit is %d)",
				len(n.GetUser().GetClientId()), limits.ClientIDBytes)
			return
		}
		online := n.GetStatus() != wire.StatusDisconnected
		switch {
		case !online:
			delete(s.online, u.ClientID)
		case !s.online[u.ClientID] && len(s.online) >= limits.OnlineUsers:
			if !s.onlineFull {
				s.onlineFull = true // once per connection: a flood of them is one problem
				s.protocolWarnLocked("ignored users coming online beyond %d at once", limits.OnlineUsers)
			}
			return
		default:
			s.online[u.ClientID] = true
		}
		s.emit(UserStatus{Origin: s.origin(), User: u, Online: online})
	default:
		// Newer servers may add commands; they are not errors.
		s.m.opts.Logger.Debug("ignored unknown command", "server", s.id, "cmd", limits.Label(m.GetCmd(), 64))
	}
}

// protocolWarnLocked reports a skipped frame or value as a protocol warning.
func (s *server) protocolWarnLocked(format string, args ...any) {
	s.warnLocked(newError(FailureProtocol, nil, format, args...))
}

// onRequest takes a request the fast path decoded.
func (s *server) onRequest(gen uint64, r *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	if r.ID == "" {
		if r.Kind == KindWorkReport {
			s.protocolWarnLocked("ignored a WorkReport without a request id or body")
		} else {
			s.protocolWarnLocked("ignored an AskQuestion without a request id or body")
		}
		return
	}
	r.Server = s.id
	s.pushedLocked(r)
}

// onCancelled takes a cancellation the fast path decoded; id and reason are
// only valid during the call.
func (s *server) onCancelled(gen uint64, id, reason []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	k, ok := s.known[string(id)] // no copy: the lookup does not keep the key
	if !ok {
		s.unknownEndedLocked()
		return
	}
	s.cancelKnownLocked(k, reasonText(reason))
}

// reasonText copies a cancel reason, without allocating for the usual ones.
func reasonText(b []byte) string {
	switch string(b) {
	case "timeout":
		return "timeout"
	case "cancelled":
		return "cancelled"
	}
	return string(b)
}

// cancelledLocked handles a RequestCancelled for id.
func (s *server) cancelledLocked(id, reason string) {
	k, ok := s.known[id]
	if !ok {
		s.unknownEndedLocked()
		return
	}
	s.cancelKnownLocked(k, reason)
}

// cancelKnownLocked handles a RequestCancelled for a request we hold. It
// takes the entry already looked up: cancellations are half of a busy
// stream, and each lookup hashes the id again.
func (s *server) cancelKnownLocked(k knownRequest, reason string) {
	id := k.req.ID
	reason = limits.Label(reason, limits.CancelReasonChars)
	if reason == "" {
		reason = "cancelled"
	}
	s.dropKnownLocked(k)
	s.failReplyLocked(id, "the request was cancelled ("+reason+")")
	s.emit(RequestCancelled{Origin: s.origin(), ID: id, Reason: reason})
}

// pushedLocked takes a request the server pushed live: it is checked,
// bounded, and held, or counted when the server is over the pending cap.
func (s *server) pushedLocked(r *Request) {
	if len(r.ID) > limits.RequestIDBytes {
		s.protocolWarnLocked("ignored a %s whose request id is %d bytes long (the limit is %d): no reply could reach it",
			r.Kind, len(r.ID), limits.RequestIDBytes)
		return
	}
	r.bound()
	if !s.arriveLocked(r, false) {
		s.overflow++
		s.noteOverflowLocked()
	}
}

// onlineUser converts a user; ok is false when its client id is too long to
// route a chat to.
func (s *server) onlineUser(u *wire.OnlineUser) (OnlineUser, bool) {
	if len(u.GetClientId()) > limits.ClientIDBytes {
		return OnlineUser{}, false
	}
	return OnlineUser{Server: s.id, ClientID: u.GetClientId(), Nickname: limits.Label(u.GetNickname(), limits.NicknameChars),
		ConnectedAt: unixOrNow(u.GetConnectedAt())}, true
}

// onlineUsersLocked announces the online-users list, bounded.
func (s *server) onlineUsersLocked(list []*wire.OnlineUser) {
	users := make([]OnlineUser, 0, min(len(list), limits.OnlineUsers))
	skipped := 0
	for _, u := range list {
		if len(users) == limits.OnlineUsers {
			s.protocolWarnLocked("the server listed %d online users; only the first %d are shown", len(list), limits.OnlineUsers)
			break
		}
		if ou, ok := s.onlineUser(u); ok {
			users = append(users, ou)
		} else {
			skipped++
		}
	}
	if skipped > 0 {
		s.protocolWarnLocked("ignored %d online users whose client id is longer than %d bytes", skipped, limits.ClientIDBytes)
	}
	clear(s.online)
	for _, u := range users {
		s.online[u.ClientID] = true
	}
	s.emit(OnlineUsers{Origin: s.origin(), Users: users})
}

func unixOrNow(sec int64) time.Time {
	if sec > 0 {
		return time.Unix(sec, 0)
	}
	return time.Now()
}

// arriveLocked holds a request and announces it. It reports false, and
// holds nothing, when the server is at its pending cap.
func (s *server) arriveLocked(r *Request, recovered bool) bool {
	if _, ok := s.known[r.ID]; ok {
		return true
	}
	size := r.retained()
	if len(s.known) >= s.m.opts.MaxPending || s.heldBytes+size > s.m.opts.MaxPendingBytes {
		return false
	}
	s.arrivals++
	s.known[r.ID] = knownRequest{req: r, seq: s.arrivals, size: size}
	s.heldBytes += size
	s.emit(RequestArrived{Origin: s.origin(), Request: r, Recovered: recovered})
	return true
}

// dropLocked lets go of a held request. When the server has more than the
// cap, the pending list is fetched again so the next-oldest arrive.
func (s *server) dropLocked(id string) {
	if k, ok := s.known[id]; ok {
		s.dropKnownLocked(k)
	}
}

// dropKnownLocked is dropLocked for an entry already looked up.
func (s *server) dropKnownLocked(k knownRequest) {
	delete(s.known, k.req.ID)
	s.heldBytes -= k.size
	if s.overflow > 0 {
		s.refetchLocked()
	}
}

// unknownEndedLocked hears that a request we do not hold was answered or
// cancelled. It may have been one of those over the cap, so the count is
// made exact again with the next fetch.
func (s *server) unknownEndedLocked() {
	if s.overflow > 0 {
		s.refetchLocked()
	}
}

// noteOverflowLocked announces a changed overflow count, a few times a
// second at most.
func (s *server) noteOverflowLocked() {
	if s.overflowNoted {
		return
	}
	s.overflowNoted = true
	time.AfterFunc(overflowNoteDelay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.overflowNoted = false
		if s.ctx.Err() == nil && s.state.PendingOverflow != s.overflow {
			s.setStateLocked(s.state)
		}
	})
}

// refetchLocked asks for the pending list again after Options.RefetchDelay,
// once however often it is called meanwhile.
func (s *server) refetchLocked() {
	if s.refetchArmed || s.sess == nil {
		return
	}
	s.refetchArmed = true
	sess := s.sess
	time.AfterFunc(s.m.opts.RefetchDelay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.refetchArmed = false
		if s.ctx.Err() == nil && s.sess == sess && s.overflow > 0 {
			s.askPendingLocked()
		}
	})
}

// askPendingLocked asks the live session for the pending list.
func (s *server) askPendingLocked() {
	if s.asksOut == 0 {
		s.reconcileFrom = s.arrivals
	}
	s.asksOut++
	s.sess.askPending()
}

// forgetLocked drops a request that can no longer be answered, and fails any
// reply of ours still on its way to it with the reason why.
func (s *server) forgetLocked(id, why string) {
	s.dropLocked(id)
	s.failReplyLocked(id, why)
}

// failReplyLocked reports our reply to id, if one is still on its way, as
// undeliverable for the reason why, and lets it go.
func (s *server) failReplyLocked(id, why string) {
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

// listed is one usable entry of a pending list.
type listed struct {
	p  *wire.PendingMessage
	id string
	at int64 // created_at in ms; entries without one sort last
}

// reconcileLocked makes the server's pending list the truth for this
// server: held requests it no longer lists are gone, and the oldest listed
// ones are held up to the cap while the rest are counted.
func (s *server) reconcileLocked(r *wire.GetPendingMessagesResponse) {
	from := s.reconcileFrom
	if s.asksOut > 0 {
		// Later asks keep the older reconcileFrom: treating a request as
		// possibly newer than the list only ever keeps it a little longer.
		s.asksOut--
	}
	entries := r.GetPendingMessages()
	list := make([]listed, 0, len(entries))
	var noRequest, longID int
	for _, p := range entries {
		id, ts := p.GetAskQuestionRequest().GetID(), p.GetAskQuestionRequest().GetTimestamp()
		if id == "" {
			id, ts = p.GetWorkReportRequest().GetID(), p.GetWorkReportRequest().GetTimestamp()
		}
		switch {
		case id == "":
			noRequest++
			continue
		case len(id) > limits.RequestIDBytes:
			longID++
			continue
		}
		at := p.GetCreatedAt()
		if at <= 0 {
			at = ts
		}
		if at <= 0 {
			at = math.MaxInt64
		}
		list = append(list, listed{p: p, id: id, at: at})
	}
	if noRequest > 0 {
		s.protocolWarnLocked("ignored %d pending entries without a request", noRequest)
	}
	if longID > 0 {
		s.protocolWarnLocked("ignored %d pending requests whose id is longer than %d bytes: no reply could reach them", longID, limits.RequestIDBytes)
	}
	// The server lists pending requests in random order.
	slices.SortFunc(list, func(a, b listed) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	list = slices.CompactFunc(list, func(a, b listed) bool { return a.id == b.id })

	still := make(map[string]bool, len(s.known))
	for _, l := range list {
		if _, ok := s.known[l.id]; ok {
			still[l.id] = true
		}
	}
	s.overflow = 0 // recounted below; letting go of requests here must not refetch
	for _, id := range sortedKeys(s.known) {
		// Requests pushed after we asked may be missing from the list.
		if !still[id] && s.known[id].seq <= from {
			s.forgetLocked(id, "the request was answered or cancelled while the connection was down")
			s.emit(RequestGone{Origin: s.origin(), ID: id})
		}
	}
	// Hold the oldest up to the cap, count the rest: the held ones stay a
	// prefix of the list, so the oldest request is always reachable.
	overflow, full := 0, false
	for _, l := range list {
		if _, ok := s.known[l.id]; ok {
			continue
		}
		if !full {
			req := requestFromPending(s.id, l.p)
			req.bound()
			if s.arriveLocked(req, true) {
				continue
			}
			full = true
		}
		overflow++
	}
	s.overflow = overflow
	if s.state.PendingOverflow != overflow {
		s.setStateLocked(s.state) // before Reconciled, so it sees the count
	}
	s.emit(Reconciled{Origin: s.origin(), Pending: len(list)})

	if s.sess == nil {
		return // the connection is already gone; the outbox waits for the next one
	}
	queued := s.outbox
	s.outbox = nil
	for _, out := range queued {
		if still[out.id] {
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

// requestFromPending converts one entry of a pending list.
func requestFromPending(server ServerID, p *wire.PendingMessage) *Request {
	var req *Request
	if p.GetAskQuestionRequest().GetID() != "" {
		req = requestFromAsk(server, p.GetAskQuestionRequest(), p.GetCreatedAt())
	} else {
		req = requestFromReport(server, p.GetWorkReportRequest(), p.GetCreatedAt())
	}
	if req.Timeout == 0 {
		req.Timeout = timeoutSeconds(p.GetTimeout())
	}
	return req
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
			s.dropLocked(id)
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
		req := r.report
		if req == nil {
			req = &wire.WorkReportRequest{ID: r.ID}
			// raw was decoded once already; it parses again.
			_ = proto.Unmarshal([]byte(r.raw), req)
		}
		return &wire.WebsocketMessage{Cmd: wire.CmdWorkReportReply,
			WorkReportRequest:  req,
			WorkReportResponse: &wire.WorkReportResponse{ID: r.ID, Contents: contents}}
	}
	req := r.ask
	if req == nil {
		req = &wire.AskQuestionRequest{ID: r.ID}
		_ = proto.Unmarshal([]byte(r.raw), req)
	}
	return &wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply,
		AskQuestionRequest:  req,
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
func (sess *session) requestSnapshot() {
	sess.askPending()
	_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers,
		GetOnlineUsersRequest: &wire.GetOnlineUsersRequest{UserToken: sess.token}})
}

// askPending asks for the pending list of the token the session logged in
// with.
func (sess *session) askPending() {
	_ = sess.write(&wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages,
		GetPendingMessagesRequest: &wire.GetPendingMessagesRequest{UserToken: sess.token}})
}
