package doctor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/doctor"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

// deadURL returns a loopback address nobody listens on.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "ws://" + addr + "/ws"
}

// pendingAsk leaves one question waiting on s for token.
func pendingAsk(t *testing.T, s *aaserver.Server, token string) {
	t.Helper()
	// The real server answers no_clients without a client, so keep one
	// logged in while the question is asked, as the user's app would be.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Ask(ctx, &wire.AskQuestionRequest{ID: "waiting", UserToken: token,
		Request: &wire.McpAskQuestionRequest{Question: "still there?", Timeout: 600}})
}

func runJSON(t *testing.T, args ...string) ([]doctor.Report, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := doctor.Main(append([]string{"--json"}, args...), &out, &errOut)
	var reports []doctor.Report
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatalf("doctor printed no JSON (%v): %s / %s", err, out.String(), errOut.String())
	}
	return reports, code, errOut.String()
}

// Two live servers and a dead URL: both connect, the pending request is
// recovered, and the dead one is unreachable within the budget.
func TestDoctorJSONWithURLs(t *testing.T) {
	t.Setenv("AGENTDESK_TOKEN", "tok")
	t.Setenv("AGENTDESK_NICKNAME", "doc")
	a := aatest.Start(t, aaserver.Config{})
	b := aatest.Start(t, aaserver.Config{Version: "1.4.0"})
	// A user's client is online on a, so the agent's question stays pending.
	watcher, _, err := (&websocketClient{}).login(a.URL(), "tok")
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	pendingAsk(t, a, "tok")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.WaitPending(ctx, "tok", 1); err != nil {
		t.Fatal(err)
	}

	dead := deadURL(t)
	start := time.Now()
	reports, code, _ := runJSON(t, a.URL(), strings.TrimPrefix(b.URL(), "ws://"), dead)
	if d := time.Since(start); d > doctor.Budget+time.Second {
		t.Fatalf("doctor took %v", d)
	}
	if code != 1 || len(reports) != 3 {
		t.Fatalf("exit %d, %d reports", code, len(reports))
	}
	ra, rb, rd := reports[0], reports[1], reports[2]
	if ra.State != "connected" || ra.ClientID == "" || ra.Pending == nil || *ra.Pending != 1 || ra.Online == nil || *ra.Online != 1 || ra.Health != "ok" {
		t.Fatalf("server a: %+v", ra)
	}
	if rb.State != "connected" || *rb.Pending != 0 || rb.Health != "ok (1.4.0)" || rb.URL != b.URL() {
		t.Fatalf("server b: %+v", rb)
	}
	if wantLabel := strings.TrimSuffix(strings.TrimPrefix(a.URL(), "ws://"), "/ws"); ra.Server != wantLabel {
		t.Fatalf("label = %q, want %q", ra.Server, wantLabel)
	}
	if rd.State != "unreachable" || !strings.Contains(rd.Error, "connection refused") || rd.Pending != nil {
		t.Fatalf("dead server: %+v", rd)
	}

	reports, code, _ = runJSON(t, a.URL(), b.URL())
	if code != 0 || !doctor.AllConnected(reports) {
		t.Fatalf("two live servers: exit %d, %+v", code, reports)
	}
}

func TestDoctorAuthFailedAndBadURL(t *testing.T) {
	t.Setenv("AGENTDESK_TOKEN", "tok")
	s := aatest.Start(t, aaserver.Config{BasicUser: "u", BasicPassword: "p"})
	reports, code, _ := runJSON(t, s.URL())
	if code != 1 || reports[0].State != "auth-failed" || !strings.Contains(reports[0].Error, "401") {
		t.Fatalf("exit %d: %+v", code, reports)
	}
	var out, errOut bytes.Buffer
	if code := doctor.Main([]string{"http://user:secret@host/ws"}, &out, &errOut); code != 2 {
		t.Fatalf("bad URL exit %d", code)
	}
	if strings.Contains(errOut.String(), "secret") || !strings.Contains(errOut.String(), "Basic auth") {
		t.Fatalf("bad URL message: %q", errOut.String())
	}
}

func TestDoctorTextTable(t *testing.T) {
	t.Setenv("AGENTDESK_TOKEN", "tok")
	s := aatest.Start(t, aaserver.Config{})
	var out, errOut bytes.Buffer
	code := doctor.Main([]string{s.URL()}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "SERVER") || !strings.Contains(lines[1], "connected") {
		t.Fatalf("exit %d, table:\n%s", code, out.String())
	}
}

// Issue 3's acceptance: a fresh HOME holding only the Flutter client's
// preferences; doctor imports both servers, stores and reads back the token
// through the keyring, and connects. No secret lands in the config dir.
func TestDoctorFirstRunImportFromFlutter(t *testing.T) {
	keyring.MockInit()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("AppData", filepath.Join(home, "AppData", "Roaming")) // where Windows looks
	t.Setenv("AGENTDESK_TOKEN", "")
	t.Setenv("AGENTDESK_CONFIG_DIR", "")
	a := aatest.Start(t, aaserver.Config{})
	b := aatest.Start(t, aaserver.Config{})
	const token = "flutter-secret-token"

	list, _ := json.Marshal([]map[string]any{
		{"id": "1", "name": "Work", "url": a.URL(), "isEnabled": true},
		{"id": "2", "name": "", "url": b.URL(), "isEnabled": true},
	})
	prefs, _ := json.Marshal(map[string]any{
		"flutter.server_configs": string(list),
		"flutter.user_token":     token,
		"flutter.user_nickname":  "flutterer",
	})
	prefsPath, err := profiles.FlutterPrefsPath()
	if err != nil || !strings.HasPrefix(prefsPath, home) {
		t.Fatalf("FlutterPrefsPath = %q, %v; want a path in the fresh home %q", prefsPath, err, home)
	}
	if err := os.MkdirAll(filepath.Dir(prefsPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prefsPath, prefs, 0o600); err != nil {
		t.Fatal(err)
	}

	cfgDir := filepath.Join(t.TempDir(), "cfg")
	reports, code, stderr := runJSON(t, "--config-dir", cfgDir)
	if code != 0 || len(reports) != 2 {
		t.Fatalf("exit %d, reports %+v, stderr %s", code, reports, stderr)
	}
	bLabel := strings.TrimSuffix(strings.TrimPrefix(b.URL(), "ws://"), "/ws")
	if reports[0].Server != "Work" || reports[1].Server != bLabel {
		t.Fatalf("labels = %q, %q; want Work and %q", reports[0].Server, reports[1].Server, bLabel)
	}
	// The import wrote the token to the keyring; doctor read it back from there.
	if got, err := keyring.Get("agentdesk", "token"); err != nil || got != token {
		t.Fatalf("keyring token = %q, %v", got, err)
	}
	if !strings.Contains(stderr, "Imported 2 servers") {
		t.Fatalf("import not reported: %s", stderr)
	}
	err = filepath.Walk(cfgDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(token)) {
			t.Errorf("%s holds the token", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
