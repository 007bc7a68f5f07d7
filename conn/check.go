package conn

import (
	"context"
	"time"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// CheckResult is what a one-off connection test found.
type CheckResult struct {
	// Err is why the check failed, nil when it logged in.
	Err error
	// Kind sorts Err.
	Kind FailureKind
	// ClientID is the id the server gave the test connection.
	ClientID string
	// Pending and Online are what the server reported after login; -1 when
	// it did not answer in time.
	Pending int
	Online  int
	// Latency is dial plus login.
	Latency time.Duration
	// Health is the health endpoint's answer.
	Health Health
}

// Connected reports whether the login succeeded.
func (r CheckResult) Connected() bool { return r.Err == nil }

// Check connects once to cfg, logs in with token and nickname, asks for
// pending requests and online users, probes health, and disconnects. It
// serves "Test connection" and doctor without touching any Manager. It never
// takes longer than the handshake plus login timeouts plus about a second.
func Check(ctx context.Context, cfg ServerConfig, opts Options) CheckResult {
	opts = opts.withDefaults()
	health := make(chan Health, 1)
	go func() { health <- ProbeHealth(ctx, cfg) }()
	res := checkLogin(ctx, cfg, opts)
	res.Health = <-health
	return res
}

// checkLogin is the WebSocket half of Check.
func checkLogin(ctx context.Context, cfg ServerConfig, opts Options) CheckResult {
	res := CheckResult{Pending: -1, Online: -1}
	pending := make(chan int, 1)
	online := make(chan int, 1)
	sess, err := dialSession(ctx, cfg, opts, opts.Nickname, opts.Token, handlers{message: func(_ *session, m *wire.WebsocketMessage) {
		switch m.GetCmd() {
		case wire.CmdGetPendingMessages:
			select {
			case pending <- len(m.GetGetPendingMessagesResponse().GetPendingMessages()):
			default:
			}
		case wire.CmdGetOnlineUsers:
			select {
			case online <- len(m.GetGetOnlineUsersResponse().GetOnlineUsers()):
			default:
			}
		}
	}, warn: func(error) {}})
	if err != nil {
		res.Err = err
		res.Kind = KindOf(err)
		return res
	}
	defer sess.close()
	res.ClientID = sess.clientID
	res.Latency = sess.latency
	sess.requestSnapshot()

	wait := time.NewTimer(opts.LoginTimeout)
	defer wait.Stop()
	want := 2
	if opts.Token == "" {
		want = 1 // the server does not answer GetOnlineUsers without a token
	}
	for got := 0; got < want; got++ {
		select {
		case n := <-pending:
			res.Pending = n
		case n := <-online:
			res.Online = n
		case <-wait.C:
			return res
		case <-sess.done:
			return res
		case <-ctx.Done():
			return res
		}
	}
	return res
}
