//go:build e2e

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// The end-to-end test runs the real binary under Xvfb (make test-e2e)
// against two in-process servers and answers with the keyboard alone.

const e2eToken = "e2e-token"

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// waitTitle polls the window title until it matches re.
func waitTitle(t *testing.T, win string, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		title, _ := exec.Command("xdotool", "getwindowname", win).Output()
		if re.Match(title) {
			return string(title)
		}
		if time.Now().After(deadline) {
			t.Fatalf("window title %q never matched %s", title, re)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func screenshot(t *testing.T, name string) {
	dir := os.Getenv("AGENTDESK_E2E_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	run(t, "import", "-window", "root", path)
	t.Logf("screenshot: %s", path)
}

// keys sends key strokes to the focused window, as a person would.
func keys(t *testing.T, combos ...string) {
	t.Helper()
	for _, c := range combos {
		run(t, "xdotool", "key", "--clearmodifiers", c)
	}
}

// typeText types text into whatever has the keyboard.
func typeText(t *testing.T, text string) {
	t.Helper()
	run(t, "xdotool", "type", "--delay", "25", text)
}

// agentCall is one agent waiting for its answer.
type agentCall struct {
	srv    *aaserver.Server
	name   string // "home" or "work"
	id     string
	answer chan *wire.AskQuestionResponse
	// sent and expect: the answer was typed, and what it said.
	sent   bool
	expect string
}

// ask plays an agent asking id on srv; the answer arrives on the call.
func ask(ctx context.Context, srv *aaserver.Server, name, id string) *agentCall {
	c := &agentCall{srv: srv, name: name, id: id, answer: make(chan *wire.AskQuestionResponse, 1)}
	go func() {
		r, err := aaserver.PostAsk(ctx, srv.BaseURL(), &wire.AskQuestionRequest{ID: id, UserToken: e2eToken,
			Request: &wire.McpAskQuestionRequest{Question: "Question " + id + " on " + name + "?", Timeout: 300,
				AgentName: "e2e", ProjectDirectory: "/src/e2e"}})
		if err != nil {
			r = &wire.AskQuestionResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		c.answer <- r
	}()
	return c
}

// buildApp builds the binary into a temporary folder.
func buildApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agentdesk")
	run(t, "go", "build", "-o", bin, ".")
	return bin
}

// newHome makes an empty home folder for the app, with the .cache folder
// whose absence can make D-Bus hang for minutes starting a keyring.
func newHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	return home
}

// dataHome is the XDG data folder startApp gives the app under home: the
// Flutter client's settings and, without --data-dir, the history live there.
func dataHome(home string) string { return filepath.Join(home, ".local", "share") }

// startApp starts the binary with home as its $HOME and the given
// arguments; it is killed when the test ends.
func startApp(t *testing.T, bin, home string, args ...string) *exec.Cmd {
	t.Helper()
	app := exec.Command(bin, args...)
	app.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+dataHome(home), "AGENTDESK_TOKEN="+e2eToken,
		"LANG=en_US.UTF-8", "AGENTDESK_NO_TRAY=1")
	app.Stdout, app.Stderr = os.Stdout, os.Stderr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = app.Process.Kill()
		_ = app.Wait()
	})
	return app
}

// focusApp waits for the app's window, focuses it and returns its id.
func focusApp(t *testing.T) string {
	t.Helper()
	win := strings.Fields(run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "agentdesk"))[0]
	run(t, "xdotool", "windowfocus", "--sync", win)
	return win
}

// flutterServer is one server in the Flutter client's settings.
type flutterServer struct{ name, url string }

// writeFlutterPrefs puts the Agent Assistant Flutter client's settings,
// naming the servers and the nickname, under home where agentdesk's first
// run looks for them.
func writeFlutterPrefs(t *testing.T, home, nickname string, servers ...flutterServer) {
	t.Helper()
	var list []map[string]any
	for _, s := range servers {
		list = append(list, map[string]any{"name": s.name, "url": s.url, "isEnabled": true})
	}
	enc, _ := json.Marshal(list)
	raw, _ := json.Marshal(map[string]any{"flutter.server_configs": string(enc), "flutter.user_nickname": nickname})
	dir := filepath.Join(dataHome(home), "code.agentassistant.flutter.agentassistant-flutter")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shared_preferences.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestE2ETwentyKeyboardAnswersAcrossTwoServers starts the real binary on
// a first run that imports two servers from the Flutter client (so the
// import notice is shown), opens and Escapes a dialog, then answers twenty
// questions over both servers, several with the same request id, with
// Ctrl+J, typing and Ctrl+Enter only. Four questions arrive while an
// answer is half typed. Every agent must get exactly its own text.
func TestE2ETwentyKeyboardAnswersAcrossTwoServers(t *testing.T) {
	bin := buildApp(t)

	servers := map[string]*aaserver.Server{}
	for _, name := range []string{"Home", "Work"} {
		s, err := aaserver.Start(aaserver.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		servers[name] = s
	}
	home := newHome(t)
	writeFlutterPrefs(t, home, "e2e-desk",
		flutterServer{"Home", servers["Home"].URL()}, flutterServer{"Work", servers["Work"].URL()})
	startApp(t, bin, home, "--config-dir", filepath.Join(home, "config"))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, s := range servers {
		if err := s.WaitClients(ctx, e2eToken, 1); err != nil {
			t.Fatalf("the app never connected to %s (first-run import): %v", s.URL(), err)
		}
	}
	win := focusApp(t)
	time.Sleep(500 * time.Millisecond)
	screenshot(t, "e2e-first-run.png")

	// A dialog opened by mistake is closed with Escape; if it were not,
	// every key below would land in it and the answers would fail.
	keys(t, "ctrl+n")
	time.Sleep(300 * time.Millisecond)
	keys(t, "Escape")

	// Sixteen questions, eight ids shared by both servers, in a known
	// order: Ctrl+J always finds the oldest.
	var queue []*agentCall
	post := func(name, id string) {
		queue = append(queue, ask(ctx, servers[name], strings.ToLower(name), id))
		waitTitle(t, win, regexp.MustCompile(fmt.Sprintf(`^\(%d\)`, pendingCount(queue))))
		time.Sleep(20 * time.Millisecond) // distinct creation times
	}
	for i := 0; i < 8; i++ {
		post("Home", fmt.Sprintf("same-%d", i))
		post("Work", fmt.Sprintf("same-%d", i))
	}
	extra := 0
	for i := 0; i < 20; i++ {
		c := oldestUnanswered(queue)
		if c == nil {
			t.Fatalf("answer %d: nothing left to answer", i)
		}
		want := fmt.Sprintf("%s says %s", c.name, c.id)
		keys(t, "ctrl+j")
		time.Sleep(150 * time.Millisecond)
		half := len(want) / 2
		typeText(t, want[:half])
		if i%5 == 2 && extra < 4 {
			// A request arrives mid-typing: it must not take the keyboard.
			name := []string{"Work", "Home"}[extra%2]
			post(name, fmt.Sprintf("late-%d", extra))
			extra++
		}
		typeText(t, want[half:])
		keys(t, "ctrl+Return")
		c.expect = want
		c.sent = true
	}
	for _, c := range queue {
		select {
		case r := <-c.answer:
			if r.GetIsError() {
				screenshot(t, "e2e-failed.png")
				t.Fatalf("%s %s: the agent's call failed: %v", c.name, c.id, r.GetMeta())
			}
			if got := wire.ContentsText(r.GetContents()); got != c.expect {
				screenshot(t, "e2e-failed.png")
				t.Fatalf("%s %s: the agent got %q, want %q", c.name, c.id, got, c.expect)
			}
		case <-time.After(60 * time.Second):
			screenshot(t, "e2e-timeout.png")
			t.Fatalf("%s %s: no answer reached the agent", c.name, c.id)
		}
	}
	waitTitle(t, win, regexp.MustCompile(`^agentdesk`))

	// Two pending requests, for the picture.
	ask(ctx, servers["Home"], "home", "shown")
	ask(ctx, servers["Work"], "work", "shown")
	waitTitle(t, win, regexp.MustCompile(`^\(2\)`))
	time.Sleep(500 * time.Millisecond)
	screenshot(t, "e2e.png")
}

func pendingCount(q []*agentCall) int {
	n := 0
	for _, c := range q {
		if !c.sent {
			n++
		}
	}
	return n
}

func oldestUnanswered(q []*agentCall) *agentCall {
	for _, c := range q {
		if !c.sent {
			return c
		}
	}
	return nil
}

// launchToWindow starts bin and returns how long until its window named
// title is mapped on the X display.
func launchToWindow(b *testing.B, bin, title string, args ...string) time.Duration {
	took, _ := launch(b, bin, title, 0, args...)
	return took
}

// launch starts bin, measures how long until its window named title is
// mapped on the X display, then waits settle and reads its resident set
// (kB) before stopping it.
func launch(b *testing.B, bin, title string, settle time.Duration, args ...string) (time.Duration, int) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AGENTDESK_TOKEN=bench", "LANG=en_US.UTF-8", "AGENTDESK_NO_TRAY=1")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	// xdotool's own --sync polls too coarsely for this; ask every 20 ms.
	for deadline := start.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if exec.Command("xdotool", "search", "--onlyvisible", "--name", title).Run() == nil {
			took := time.Since(start)
			time.Sleep(settle)
			return took, rssKB(cmd.Process.Pid)
		}
	}
	b.Fatalf("%s never showed a window", bin)
	return 0, 0
}

// BenchmarkLaunchToFirstFrame: agentdesk (with an empty config) until its
// window is visible, against a bare Fyne window, alternating, under Xvfb.
func BenchmarkLaunchToFirstFrame(b *testing.B) {
	dir := b.TempDir()
	app := filepath.Join(dir, "agentdesk")
	bare := filepath.Join(dir, "barewindow")
	for bin, pkg := range map[string]string{app: ".", bare: "./ui/internal/barewindow"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	var ours, base time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base += launchToWindow(b, bare, "barewindow")
		ours += launchToWindow(b, app, "agentdesk", "--config-dir", b.TempDir())
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms-agentdesk")
	b.ReportMetric(float64(base.Milliseconds())/float64(b.N), "ms-bare")
	b.ReportMetric(float64(ours)/float64(base), "x-bare")
}
