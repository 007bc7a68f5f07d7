package conn_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// Each bad server ends in a clear state or warning for that server alone,
// while a healthy server on the same manager keeps working.
func TestBadServersAreIsolated(t *testing.T) {
	// skippedAndContinues: the frame is skipped with a warning and the next
	// good frame still arrives on the same connection.
	skippedAndContinues := func(bad func(ws *websocket.Conn)) func(*websocket.Conn, *wire.WebsocketMessage) {
		return func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
			loginOK(ws)
			bad(ws)
			sendFrame(ws, askFrame("after"))
			holdOpen(ws)
		}
	}
	cases := []struct {
		name   string
		script func(*websocket.Conn, *wire.WebsocketMessage)
		// warning, when set, must appear in a Warning event and in the
		// state's LastError while the connection stays up.
		warning string
	}{
		{"garbage frame", skippedAndContinues(func(ws *websocket.Conn) {
			_ = ws.WriteMessage(websocket.BinaryMessage, []byte{0xff, 0xff, 0xff, 0xff})
		}), "malformed frame"},
		{"truncated frame", skippedAndContinues(func(ws *websocket.Conn) {
			b := []byte("\x0a\x0bAskQuestion\x12\x40\x0a\x01x") // length says 64 bytes, 3 follow
			_ = ws.WriteMessage(websocket.BinaryMessage, b)
		}), "malformed frame"},
		{"text frame", skippedAndContinues(func(ws *websocket.Conn) {
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"Cmd":"AskQuestion"}`))
		}), "text frame"},
		{"nil request", skippedAndContinues(func(ws *websocket.Conn) {
			sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion})
		}), "without a request"},
		{"nil chat message", skippedAndContinues(func(ws *websocket.Conn) {
			sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdChatMessageNotification})
		}), "without a message"},
		{"unknown cmd", skippedAndContinues(func(ws *websocket.Conn) {
			sendFrame(ws, &wire.WebsocketMessage{Cmd: "SomethingFromTheFuture", StrParam: "x"})
		}), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good := aatest.Start(t, aaserver.Config{})
			bad, _ := hostileServer(t, tc.script)
			m, log := newManager(t, fastOptions())
			m.Put(serverCfg("good", good.URL()))
			m.Put(serverCfg("bad", wsURL(bad.URL)))

			if tc.warning != "" {
				w := waitEvent(log, "bad", func(conn.Warning) bool { return true })
				if !strings.Contains(w.Err.Error(), tc.warning) {
					t.Fatalf("warning %q does not mention %q", w.Err, tc.warning)
				}
			}
			arrived := waitEvent(log, "bad", func(conn.RequestArrived) bool { return true })
			if arrived.Request.ID != "after" {
				t.Fatalf("the skipped frame became a request: %+v", arrived.Request)
			}
			st, _ := m.State("bad")
			if st.Phase != conn.PhaseConnected {
				t.Fatalf("bad server state = %v, want connected", st.Phase)
			}
			if tc.warning != "" && !strings.Contains(st.LastError, tc.warning) {
				t.Fatalf("state LastError %q does not mention %q", st.LastError, tc.warning)
			}
			assertHealthy(t, m, log, good)
		})
	}
}

// assertHealthy checks the good server is connected and still delivers.
func assertHealthy(t *testing.T, m *conn.Manager, log *eventLog, good *aaserver.Server) {
	t.Helper()
	if err := good.WaitClients(context.Background(), testToken, 1); err != nil {
		t.Fatal(err)
	}
	answer := ask(t, good, "g1", "still there?", 30)
	r := waitEvent(log, "good", func(e conn.RequestArrived) bool { return e.Request.ID == "g1" })
	if err := m.Reply(r.Request.Key(), "yes"); err != nil {
		t.Fatal(err)
	}
	if got := answerText(t, answer); got != "yes" {
		t.Fatalf("good server got %q", got)
	}
}

// Failures that end the connection: the server goes to the named phase with
// an error that says what happened, and the healthy server is unaffected.
func TestBrokenConnections(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	plainSrv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plainSrv.Close)
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	t.Cleanup(unauthorized.Close)
	closesDuringLogin, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {})
	tooLarge, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		loginOK(ws)
		_ = ws.WriteMessage(websocket.BinaryMessage, make([]byte, 8192))
		holdOpen(ws)
	})
	silent, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		holdOpen(ws) // never answers the login
	})

	cases := []struct {
		name  string
		url   string
		phase conn.Phase
		kind  conn.FailureKind
		text  string
	}{
		{"401 on upgrade", wsURL(unauthorized.URL), conn.PhaseAuthFailed, conn.FailureAuth, "refused the credentials (HTTP 401)"},
		{"TLS failure", "wss" + strings.TrimPrefix(tlsSrv.URL, "https") + "/ws", conn.PhaseReconnecting, conn.FailureTLS, "certificate"},
		{"TLS to a plain server", "wss" + strings.TrimPrefix(plainSrv.URL, "http") + "/ws", conn.PhaseReconnecting, conn.FailureTLS, "does not speak TLS"},
		{"DNS failure", "ws://no-such-host.invalid:2000/ws", conn.PhaseReconnecting, conn.FailureUnreachable, "cannot resolve"},
		{"refused", "ws://127.0.0.1:1/ws", conn.PhaseReconnecting, conn.FailureUnreachable, "connection refused"},
		{"wrong path", wsURL(plainSrv.URL), conn.PhaseReconnecting, conn.FailureRejected, "HTTP 404"},
		{"closes during login", wsURL(closesDuringLogin.URL), conn.PhaseReconnecting, conn.FailureProtocol, "during login"},
		{"no login answer", wsURL(silent.URL), conn.PhaseReconnecting, conn.FailureProtocol, "did not answer the login"},
		{"frame over read limit", wsURL(tooLarge.URL), conn.PhaseReconnecting, conn.FailureProtocol, "larger than the 4096-byte limit"},
		{"bad scheme", "http://example.com/ws", conn.PhaseError, conn.FailureConfig, "must be ws:// or wss://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good := aatest.Start(t, aaserver.Config{})
			opts := fastOptions()
			opts.ReadLimit = 4096
			opts.LoginTimeout = 300 * time.Millisecond
			m, log := newManager(t, opts)
			m.Put(serverCfg("good", good.URL()))
			m.Put(serverCfg("bad", tc.url))
			st := waitPhase(log, "bad", tc.phase)
			if st.Failure != tc.kind || !strings.Contains(st.LastError, tc.text) {
				t.Fatalf("state = %v %v %q; want %v with %q", st.Phase, st.Failure, st.LastError, tc.kind, tc.text)
			}
			assertHealthy(t, m, log, good)
		})
	}
}

// A 401 is retried only at the slow end of the backoff, with the time of
// the next try in the state; RetryNow dials at once.
func TestAuthFailedWaitsForTheCap(t *testing.T) {
	dials := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		dials <- struct{}{}
		http.Error(w, "no", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	opts := fastOptions()
	opts.MaxBackoff = time.Minute
	m, log := newManager(t, opts)
	m.Put(serverCfg("a", wsURL(srv.URL)))
	st := waitPhase(log, "a", conn.PhaseAuthFailed)
	if wait := time.Until(st.NextTry); wait < 50*time.Second || wait > time.Minute {
		t.Fatalf("next try in %v, want about the one-minute cap", wait)
	}
	<-dials
	select {
	case <-dials:
		t.Fatal("auth failure was retried before the cap")
	case <-time.After(300 * time.Millisecond): // fifteen initial backoff intervals
	}
	if err := m.RetryNow("a"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-dials:
	case <-time.After(5 * time.Second):
		t.Fatal("RetryNow did not dial")
	}
	waitPhase(log, "a", conn.PhaseAuthFailed)
}

// A proxy that refused the credentials for a while and then lets them
// through: the server reconnects by itself within the cap, without a storm
// of tries meanwhile.
func TestAuthFailureHealsAtTheCap(t *testing.T) {
	backend := aaserver.New(aaserver.Config{})
	t.Cleanup(func() { backend.Close() })
	var refuse atomic.Bool
	refuse.Store(true)
	var refused atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() {
			refused.Add(1)
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	opts := fastOptions()
	opts.MaxBackoff = 300 * time.Millisecond
	m, log := newManager(t, opts)
	m.Put(serverCfg("p", wsURL(proxy.URL)))
	first := waitPhase(log, "p", conn.PhaseAuthFailed)
	if first.Failure != conn.FailureAuth || !strings.Contains(first.LastError, "401") || first.NextTry.IsZero() {
		t.Fatalf("state = %+v", first)
	}
	time.Sleep(time.Second)
	// One try per cap at most: about 4 in a second (0.3 s apart), never
	// the 50 the initial backoff would allow.
	if n := refused.Load(); n > 6 {
		t.Fatalf("%d tries in one second with a 300 ms cap", n)
	}
	refuse.Store(false)
	st := waitPhase(log, "p", conn.PhaseConnected)
	if st.ClientID == "" {
		t.Fatalf("connected without a client id: %+v", st)
	}
}

// A server that logs us in and then breaks the protocol must not reset the
// backoff, or it would turn into a reconnect loop.
func TestProtocolViolationKeepsBackingOff(t *testing.T) {
	tooLarge, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		loginOK(ws)
		_ = ws.WriteMessage(websocket.BinaryMessage, make([]byte, 8192))
		holdOpen(ws)
	})
	opts := fastOptions()
	opts.ReadLimit = 4096
	m, log := newManager(t, opts)
	m.Put(serverCfg("bad", wsURL(tooLarge.URL)))
	for want := 1; want <= 3; want++ {
		st := waitPhase(log, "bad", conn.PhaseReconnecting)
		if st.Attempt != want {
			t.Fatalf("attempt = %d, want %d (backoff was reset)", st.Attempt, want)
		}
	}
}
