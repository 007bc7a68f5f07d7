package conn_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/wire"
)

func waitPending(t *testing.T, s *aaserver.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitPending(ctx, testToken, n); err != nil {
		t.Fatal(err)
	}
}

func waitClients(t *testing.T, s *aaserver.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitClients(ctx, testToken, n); err != nil {
		t.Fatal(err)
	}
}

// withPeer starts a server with us and bob, another human, connected to it
// as server "S".
func withPeer(t *testing.T) (*aaserver.Server, *conn.Manager, *eventLog, *conn.Manager, *eventLog) {
	t.Helper()
	s := aatest.Start(t, aaserver.Config{})
	me, log := newManager(t, fastOptions())
	peerOpts := fastOptions()
	peerOpts.Nickname = "bob"
	peer, peerLog := newManager(t, peerOpts)
	me.Put(serverCfg("S", s.URL()))
	peer.Put(serverCfg("S", s.URL()))
	waitClients(t, s, 2)
	return s, me, log, peer, peerLog
}

func arrivedID(l *eventLog, server conn.ServerID, id string) *conn.Request {
	l.t.Helper()
	return waitEvent(l, server, func(e conn.RequestArrived) bool { return e.Request.ID == id }).Request
}

func replyStatus(l *eventLog, server conn.ServerID, id string, st conn.ReplyStatus) conn.ReplyUpdate {
	l.t.Helper()
	return waitEvent(l, server, func(e conn.ReplyUpdate) bool { return e.ID == id && e.Status == st })
}

// Two servers carry the same request id; each answer goes to its own server.
func TestSameIDOnTwoServersRoutesEachReply(t *testing.T) {
	a := aatest.Start(t, aaserver.Config{})
	b := aatest.Start(t, aaserver.Config{})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("A", a.URL()))
	m.Put(serverCfg("B", b.URL()))
	waitClients(t, a, 1)
	waitClients(t, b, 1)

	fromA := ask(t, a, "same", "on A?", 60)
	fromB := ask(t, b, "same", "on B?", 60)
	ra := arrivedID(log, "A", "same")
	rb := arrivedID(log, "B", "same")
	if ra.Text != "on A?" || rb.Text != "on B?" || ra.Key() == rb.Key() {
		t.Fatalf("requests mixed up: %+v / %+v", ra, rb)
	}
	if ra.ProjectDirectory != "/src" || ra.AgentName != "claude" || ra.Timeout != time.Minute || ra.Kind != conn.KindQuestion {
		t.Fatalf("metadata lost: %+v", ra)
	}
	if err := m.Reply(ra.Key(), "answer for A"); err != nil {
		t.Fatal(err)
	}
	if got := answerText(t, fromA); got != "answer for A" {
		t.Fatalf("A's agent got %q", got)
	}
	replyStatus(log, "A", "same", conn.ReplyDelivered)
	if p := b.Pending(testToken); len(p) != 1 || p[0] != "same" {
		t.Fatalf("B's request was touched by A's answer: pending %v", p)
	}
	if err := m.Reply(rb.Key(), "answer for B"); err != nil {
		t.Fatal(err)
	}
	if got := answerText(t, fromB); got != "answer for B" {
		t.Fatalf("B's agent got %q", got)
	}
	if err := m.Reply(ra.Key(), "again"); !errors.Is(err, conn.ErrNotPending) {
		t.Fatalf("second reply to a delivered request: err = %v", err)
	}
}

func TestWorkReportConfirmation(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", s.URL()))
	waitClients(t, s, 1)
	done := make(chan *wire.WorkReportResponse, 1)
	go func() {
		r, _ := aaserver.PostReport(context.Background(), s.BaseURL(), &wire.WorkReportRequest{ID: "w1", UserToken: testToken,
			Request: &wire.McpWorkReportRequest{Summary: "# Done\nAll green", McpClientName: "cursor", ReasoningModelName: "m1"}})
		done <- r
	}()
	r := arrivedID(log, "S", "w1")
	if r.Kind != conn.KindWorkReport || r.Text != "# Done\nAll green" || r.MCPClient != "cursor" || r.Model != "m1" {
		t.Fatalf("work report decoded wrong: %+v", r)
	}
	if err := m.Reply(r.Key(), "thanks"); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-done:
		if resp.GetIsError() || wire.ContentsText(resp.GetContents()) != "thanks" {
			t.Fatalf("agent got %v", resp)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("work report call did not return")
	}
	replyStatus(log, "S", "w1", conn.ReplyDelivered)
}

// Another human answers first: we hear who and what, and our late reply is refused.
func TestAnsweredElsewhere(t *testing.T) {
	s, me, log, peer, peerLog := withPeer(t)

	answer := ask(t, s, "q1", "ship it?", 60)
	arrivedID(log, "S", "q1")
	pr := arrivedID(peerLog, "S", "q1")
	if err := peer.Reply(pr.Key(), "shipped by bob"); err != nil {
		t.Fatal(err)
	}
	got := waitEvent(log, "S", func(e conn.RequestAnswered) bool { return e.ID == "q1" })
	if got.By != "bob" || got.Text != "shipped by bob" {
		t.Fatalf("answered elsewhere = %+v", got)
	}
	if txt := answerText(t, answer); txt != "shipped by bob" {
		t.Fatalf("agent got %q", txt)
	}
	if err := me.Reply(conn.RequestKey{Server: "S", ID: "q1"}, "too late"); !errors.Is(err, conn.ErrNotPending) {
		t.Fatalf("reply after someone else answered: err = %v", err)
	}
}

// Reply and cancel broadcasts carry no token filter; ones about requests we
// never held are ignored.
func TestIgnoresBroadcastsAboutOthersRequests(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{TimeoutUnit: 10 * time.Millisecond})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", s.URL()))
	otherOpts := fastOptions()
	otherOpts.Token = "someone-else"
	other, otherLog := newManager(t, otherOpts)
	other.Put(serverCfg("S", s.URL()))
	waitClients(t, s, 1)
	waitPhase(otherLog, "S", conn.PhaseConnected)

	go func() {
		_, _ = aaserver.PostAsk(context.Background(), s.BaseURL(), &wire.AskQuestionRequest{ID: "foreign", UserToken: "someone-else",
			Request: &wire.McpAskQuestionRequest{Question: "not yours", Timeout: 600}})
	}()
	go func() {
		_, _ = aaserver.PostAsk(context.Background(), s.BaseURL(), &wire.AskQuestionRequest{ID: "foreign-timeout", UserToken: "someone-else",
			Request: &wire.McpAskQuestionRequest{Question: "not yours either", Timeout: 1}})
	}()
	fr := arrivedID(otherLog, "S", "foreign")
	if err := other.Reply(fr.Key(), "mine"); err != nil {
		t.Fatal(err)
	}
	waitEvent(otherLog, "S", func(e conn.RequestCancelled) bool { return e.ID == "foreign-timeout" })
	replyStatus(otherLog, "S", "foreign", conn.ReplyDelivered)

	// A request of ours marks the point by which the broadcasts had arrived.
	ask(t, s, "ours", "yours", 60)
	arrivedID(log, "S", "ours")
	for _, e := range log.backlog {
		switch v := e.(type) {
		case conn.RequestAnswered, conn.RequestCancelled, conn.RequestGone, conn.RequestArrived:
			t.Fatalf("foreign broadcast leaked through: %#v", v)
		}
	}
}

func TestCancelledWhenAgentTimesOut(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{TimeoutUnit: 10 * time.Millisecond})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", s.URL()))
	waitClients(t, s, 1)
	ask(t, s, "slow", "anyone?", 5)
	arrivedID(log, "S", "slow")
	c := waitEvent(log, "S", func(e conn.RequestCancelled) bool { return e.ID == "slow" })
	if c.Reason != "timeout" {
		t.Fatalf("reason = %q", c.Reason)
	}
}

func setEnabled(m *conn.Manager, id, url string, on bool) {
	c := serverCfg(id, url)
	c.Enabled = on
	m.Put(c)
}

// After a reconnect the server's pending list is the truth: requests
// answered meanwhile are gone, new ones appear in creation order.
func TestReconcileAfterReconnect(t *testing.T) {
	s, m, log, peer, peerLog := withPeer(t)

	ask(t, s, "kept", "still pending", 60)
	ask(t, s, "answered", "answered while away", 60)
	arrivedID(log, "S", "kept")
	arrivedID(log, "S", "answered")

	setEnabled(m, "S", s.URL(), false)
	waitPhase(log, "S", conn.PhaseDisabled)
	waitClients(t, s, 1)
	pr := arrivedID(peerLog, "S", "answered")
	if err := peer.Reply(pr.Key(), "done"); err != nil {
		t.Fatal(err)
	}
	waitPending(t, s, 1)
	// Ids sort the other way round from creation time, so only sorting by
	// time gives this order.
	ask(t, s, "z-older", "asked first", 60)
	waitPending(t, s, 2)
	time.Sleep(5 * time.Millisecond) // distinct created_at milliseconds
	ask(t, s, "a-newer", "asked second", 60)
	waitPending(t, s, 3)

	setEnabled(m, "S", s.URL(), true)
	gone := waitEvent(log, "S", func(conn.RequestGone) bool { return true })
	if gone.ID != "answered" {
		t.Fatalf("gone = %q, want answered", gone.ID)
	}
	first := waitEvent(log, "S", func(conn.RequestArrived) bool { return true })
	second := waitEvent(log, "S", func(conn.RequestArrived) bool { return true })
	if first.Request.ID != "z-older" || second.Request.ID != "a-newer" || !first.Recovered {
		t.Fatalf("recovered %q then %q (recovered=%v); want z-older then a-newer", first.Request.ID, second.Request.ID, first.Recovered)
	}
	waitEvent(log, "S", func(e conn.Reconciled) bool { return e.Pending == 3 })
}

// A reply made offline waits in the outbox and is sent on reconnect; one
// whose request was resolved meanwhile is reported, never dropped silently.
func TestOutboxDeliversOrReports(t *testing.T) {
	s, m, log, peer, peerLog := withPeer(t)

	answer := ask(t, s, "later", "reply while offline", 60)
	ask(t, s, "lost", "answered by bob meanwhile", 60)
	rLater := arrivedID(log, "S", "later")
	rLost := arrivedID(log, "S", "lost")

	setEnabled(m, "S", s.URL(), false)
	waitPhase(log, "S", conn.PhaseDisabled)
	if err := m.Reply(rLater.Key(), "queued answer"); err != nil {
		t.Fatal(err)
	}
	replyStatus(log, "S", "later", conn.ReplyQueued)
	if err := m.Reply(rLost.Key(), "mine"); err != nil {
		t.Fatal(err)
	}
	if err := m.Reply(rLost.Key(), "twice"); !errors.Is(err, conn.ErrAlreadyReplied) {
		t.Fatalf("second queued reply: err = %v", err)
	}
	pr := arrivedID(peerLog, "S", "lost")
	if err := peer.Reply(pr.Key(), "bob's"); err != nil {
		t.Fatal(err)
	}
	waitPending(t, s, 1)

	setEnabled(m, "S", s.URL(), true)
	u := replyStatus(log, "S", "lost", conn.ReplyUndeliverable)
	if !strings.Contains(u.Reason, "while the connection was down") || u.Text != "mine" {
		t.Fatalf("undeliverable = %+v", u)
	}
	replyStatus(log, "S", "later", conn.ReplyDelivered)
	if got := answerText(t, answer); got != "queued answer" {
		t.Fatalf("agent got %q", got)
	}
}

// Editing a server's URL reconnects it at once; what the old endpoint held
// is reconciled away, and new events carry the same server id.
func TestEditURLReconnects(t *testing.T) {
	a := aatest.Start(t, aaserver.Config{})
	b := aatest.Start(t, aaserver.Config{})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", a.URL()))
	waitClients(t, a, 1)
	ask(t, a, "on-a", "old endpoint", 60)
	arrivedID(log, "S", "on-a")

	m.Put(serverCfg("S", b.URL()))
	st := waitEvent(log, "S", func(e conn.StateChanged) bool {
		return e.State.Phase == conn.PhaseConnected && e.State.URL == b.URL()
	})
	if st.State.ClientID == "" {
		t.Fatal("no client id after edit")
	}
	gone := waitEvent(log, "S", func(conn.RequestGone) bool { return true })
	if gone.ID != "on-a" {
		t.Fatalf("gone = %q", gone.ID)
	}
	waitClients(t, b, 1)
	waitClients(t, a, 0) // the old connection was closed
	ask(t, b, "on-b", "new endpoint", 60)
	arrivedID(log, "S", "on-b")

	// A rename alone does not reconnect.
	renamed := serverCfg("S", b.URL())
	renamed.Label = "Work"
	m.Put(renamed)
	st = waitEvent(log, "S", func(e conn.StateChanged) bool { return e.State.Label == "Work" })
	if st.State.Phase != conn.PhaseConnected {
		t.Fatalf("rename changed phase to %v", st.State.Phase)
	}
}

// A silent, half-open socket is noticed by our own pings and redialled.
func TestHalfOpenSocketIsRedialled(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{})
	opts := fastOptions()
	opts.PingInterval = 50 * time.Millisecond
	opts.DeadAfter = 300 * time.Millisecond
	m, log := newManager(t, opts)
	m.Put(serverCfg("S", s.URL()))
	first := waitPhase(log, "S", conn.PhaseConnected)
	if !s.Stall(first.ClientID) {
		t.Fatal("could not stall the client")
	}
	st := waitPhase(log, "S", conn.PhaseReconnecting)
	if !strings.Contains(st.LastError, "presumed dead") {
		t.Fatalf("last error = %q", st.LastError)
	}
	again := waitPhase(log, "S", conn.PhaseConnected)
	if again.ClientID == first.ClientID {
		t.Fatal("client id did not change on reconnect")
	}
}

// A server that comes back is picked up again, and RetryNow skips the wait.
func TestRestartAndRetryNow(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	opts := fastOptions()
	opts.InitialBackoff = time.Minute
	opts.MaxBackoff = 2 * time.Minute
	m, log := newManager(t, opts)
	m.Put(serverCfg("S", "ws://"+addr+"/ws"))
	st := waitPhase(log, "S", conn.PhaseReconnecting)
	if wait := time.Until(st.NextTry); wait < 20*time.Second || wait > 2*time.Minute {
		t.Fatalf("next try in %v, want about a minute", wait)
	}
	if st.Attempt != 1 || !strings.Contains(st.LastError, "connection refused") {
		t.Fatalf("state = %+v", st)
	}
	s, err := aaserver.StartOn(aaserver.Config{}, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := m.RetryNow("S"); err != nil {
		t.Fatal(err)
	}
	waitPhase(log, "S", conn.PhaseConnected)
	if err := m.RetryNow("nope"); !errors.Is(err, conn.ErrUnknownServer) {
		t.Fatalf("RetryNow unknown: %v", err)
	}
}

// Presence, nickname changes and chat, all scoped to one server.
func TestPresenceAndChat(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{})
	me, log := newManager(t, fastOptions())
	me.Put(serverCfg("S", s.URL()))
	snap := waitEvent(log, "S", func(conn.OnlineUsers) bool { return true })
	if len(snap.Users) != 0 {
		t.Fatalf("online users excluding me = %+v", snap.Users)
	}
	peerOpts := fastOptions()
	peerOpts.Nickname = "bob"
	peer, peerLog := newManager(t, peerOpts)
	peer.Put(serverCfg("P", s.URL()))
	joined := waitEvent(log, "S", func(e conn.UserStatus) bool { return e.Online })
	if joined.User.Nickname != "bob" {
		t.Fatalf("joined = %+v", joined.User)
	}
	peerSnap := waitEvent(peerLog, "P", func(conn.OnlineUsers) bool { return true })
	if len(peerSnap.Users) != 1 || peerSnap.Users[0].Nickname != "tester" {
		t.Fatalf("peer sees %+v", peerSnap.Users)
	}

	peer.SetNickname("bobby")
	renamed := waitEvent(log, "S", func(e conn.UserStatus) bool { return e.Online && e.User.Nickname == "bobby" })
	if renamed.User.ClientID != joined.User.ClientID {
		t.Fatalf("rename changed client id: %v → %v", joined.User.ClientID, renamed.User.ClientID)
	}

	if err := me.SendChat("S", joined.User.ClientID, "hello bob"); err != nil {
		t.Fatal(err)
	}
	msg := waitEvent(peerLog, "P", func(conn.ChatReceived) bool { return true })
	if msg.Message.Content != "hello bob" || msg.Message.SenderNickname != "tester" || msg.Message.Server != "P" {
		t.Fatalf("chat = %+v", msg.Message)
	}
	if err := me.SendChat("nope", "x", "y"); !errors.Is(err, conn.ErrUnknownServer) {
		t.Fatalf("chat to unknown server: %v", err)
	}

	peer.Remove("P")
	left := waitEvent(log, "S", func(e conn.UserStatus) bool { return !e.Online })
	if left.User.ClientID != joined.User.ClientID {
		t.Fatalf("left = %+v", left.User)
	}
	setEnabled(me, "S", s.URL(), false)
	waitPhase(log, "S", conn.PhaseDisabled)
	if err := me.SendChat("S", joined.User.ClientID, "anyone?"); !errors.Is(err, conn.ErrOffline) {
		t.Fatalf("chat while offline: %v", err)
	}
}

// Many servers connect in parallel; one that is down does not delay the rest.
func TestDeadServerDoesNotDelayOthers(t *testing.T) {
	// A TCP listener that accepts and never answers: the upgrade hangs until
	// the handshake timeout.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	opts := fastOptions()
	opts.HandshakeTimeout = 30 * time.Second
	m, log := newManager(t, opts)
	m.Put(serverCfg("hang", "ws://"+l.Addr().String()+"/ws"))
	good := aatest.Start(t, aaserver.Config{})
	start := time.Now()
	m.Put(serverCfg("good", good.URL()))
	waitPhase(log, "good", conn.PhaseConnected)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("good server took %v to connect", d)
	}
	if st, _ := m.State("hang"); st.Phase != conn.PhaseConnecting {
		t.Fatalf("hanging server state = %v", st.Phase)
	}
}

// A consumer that does not read for a while neither stalls the socket reader
// nor loses events. The server below writes synchronously 1000 frames of
// 16 KB, more than the kernel's socket buffers hold: it can only finish
// while nobody consumes events if our reader keeps draining the socket.
// Afterwards every event arrives, in order.
func TestSlowConsumerLosesNothing(t *testing.T) {
	const n = 1000
	frames := make([][]byte, n)
	big := strings.Repeat("x", 16<<10)
	for i := range frames {
		frames[i], _ = proto.Marshal(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{
			ID: fmt.Sprintf("r%03d", i), Request: &wire.McpAskQuestionRequest{Question: big}}})
	}
	ps := newPushServer(t, frames)
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", wsURL(ps.URL)))
	waitEvent(log, "S", func(conn.Reconciled) bool { return true })

	close(ps.start)
	select {
	case <-ps.written:
	case <-time.After(20 * time.Second):
		t.Fatal("the server could not write its burst: our reader stalled behind the consumer")
	}
	for i := 0; i < n; i++ {
		r := waitEvent(log, "S", func(conn.RequestArrived) bool { return true })
		if want := fmt.Sprintf("r%03d", i); r.Request.ID != want {
			t.Fatalf("event %d is %s, want %s", i, r.Request.ID, want)
		}
	}
	if st, _ := m.State("S"); st.Phase != conn.PhaseConnected {
		t.Fatalf("state after the burst: %+v", st)
	}
}
