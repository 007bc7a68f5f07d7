package conn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
)

func TestHealthProbe(t *testing.T) {
	stock := aatest.Start(t, aaserver.Config{})
	newer := aatest.Start(t, aaserver.Config{Version: "2.0.1"})
	proxied := aatest.Start(t, aaserver.Config{BasicUser: "u", BasicPassword: "pw"})
	var hits atomic.Int32
	opencode := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/prefix/global/health" {
			w.Write([]byte(`{"healthy":true}`))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(opencode.Close)

	ctx := context.Background()
	if h := conn.ProbeHealth(ctx, serverCfg("s", stock.URL())); !h.OK || h.Version != "" || !strings.HasSuffix(h.URL, "/health") {
		t.Errorf("stock: %+v", h)
	}
	if h := conn.ProbeHealth(ctx, serverCfg("n", newer.URL())); !h.OK || h.Version != "2.0.1" {
		t.Errorf("newer: %+v", h)
	}
	h := conn.ProbeHealth(ctx, serverCfg("o", wsURL(opencode.URL+"/prefix")))
	if !h.OK || !strings.HasSuffix(h.URL, "/prefix/global/health") || hits.Load() != 2 {
		t.Errorf("fallback: %+v after %d requests", h, hits.Load())
	}

	cfg := serverCfg("p", proxied.URL())
	if h := conn.ProbeHealth(ctx, cfg); h.OK || conn.KindOf(h.Err) != conn.FailureAuth {
		t.Errorf("without credentials: %+v", h)
	}
	cfg.BasicUser, cfg.BasicPassword = "u", "pw"
	if h := conn.ProbeHealth(ctx, cfg); !h.OK {
		t.Errorf("with credentials: %+v", h)
	}
	cfg.BasicPassword = "wrong"
	if h := conn.ProbeHealth(ctx, cfg); h.OK || strings.Contains(h.Err.Error(), "wrong") {
		t.Errorf("wrong password: %+v (the error must not echo it)", h)
	}
}

// A network error is retried once; an HTTP answer is not.
func TestHealthRetriesNetworkErrorsOnce(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			// Drop the first connection without an answer.
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		w.Write([]byte("OK"))
	}))
	t.Cleanup(srv.Close)
	h := conn.ProbeHealth(context.Background(), serverCfg("s", wsURL(srv.URL)))
	if !h.OK || hits.Load() != 2 {
		t.Fatalf("health %+v after %d requests", h, hits.Load())
	}
	dead := conn.ProbeHealth(context.Background(), serverCfg("d", "ws://127.0.0.1:1/ws"))
	if dead.OK || conn.KindOf(dead.Err) != conn.FailureUnreachable {
		t.Fatalf("dead: %+v", dead)
	}
}

// Basic auth goes on the WebSocket upgrade too; "Test connection" reports
// health and the login result without a Manager.
func TestCheckWithBasicAuth(t *testing.T) {
	s := aatest.Start(t, aaserver.Config{BasicUser: "u", BasicPassword: "pw"})
	cfg := serverCfg("p", s.URL())
	cfg.BasicUser, cfg.BasicPassword = "u", "pw"
	res := conn.Check(context.Background(), cfg, fastOptions())
	if !res.Connected() || res.ClientID == "" || res.Pending != 0 || res.Online != 0 || !res.Health.OK {
		t.Fatalf("check: %+v", res)
	}
	cfg.BasicPassword = "nope"
	res = conn.Check(context.Background(), cfg, fastOptions())
	if res.Connected() || res.Kind != conn.FailureAuth || res.Health.OK {
		t.Fatalf("check with a wrong password: %+v", res)
	}
}
