//go:build e2e

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
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

// answerWithKeyboard asks on srv, then answers with Ctrl+J, typing and
// Ctrl+Enter, and checks the agent on srv received exactly that text.
func answerWithKeyboard(t *testing.T, win string, srv *aaserver.Server, id, question, answer string) {
	t.Helper()
	got := make(chan *wire.AskQuestionResponse, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		r, err := aaserver.PostAsk(ctx, srv.BaseURL(), &wire.AskQuestionRequest{ID: id, UserToken: e2eToken,
			Request: &wire.McpAskQuestionRequest{Question: question, Timeout: 120, AgentName: "e2e", ProjectDirectory: "/src/e2e"}})
		if err != nil {
			r = &wire.AskQuestionResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		got <- r
	}()
	waitTitle(t, win, regexp.MustCompile(`\(1\)`))
	run(t, "xdotool", "windowfocus", "--sync", win)
	run(t, "xdotool", "key", "--clearmodifiers", "ctrl+j")
	time.Sleep(300 * time.Millisecond) // let the entry take focus
	run(t, "xdotool", "type", "--delay", "30", answer)
	run(t, "xdotool", "key", "--clearmodifiers", "ctrl+Return")
	select {
	case r := <-got:
		if r.GetIsError() {
			t.Fatalf("agent call on %s failed: %v", srv.URL(), r.GetMeta())
		}
		if text := wire.ContentsText(r.GetContents()); text != answer {
			t.Fatalf("agent on %s got %q, want %q", srv.URL(), text, answer)
		}
	case <-time.After(45 * time.Second):
		screenshot(t, "e2e-timeout.png")
		t.Fatalf("agent on %s never got an answer", srv.URL())
	}
}

func TestE2EKeyboardAnswersReachTheirServers(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "agentdesk")
	run(t, "go", "build", "-o", bin, ".")

	home, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer home.Close()
	work, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer work.Close()

	cfgDir := t.TempDir()
	store, err := profiles.Load(cfgDir, profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for alias, s := range map[string]*aaserver.Server{"Home": home, "Work": work} {
		if _, err := store.Add(context.Background(), profiles.Profile{URL: s.URL(), Alias: alias, Enabled: true}, ""); err != nil {
			t.Fatal(err)
		}
	}

	app := exec.Command(bin, "--config-dir", cfgDir)
	app.Env = append(os.Environ(), "AGENTDESK_TOKEN="+e2eToken, "LANG=en_US.UTF-8", "AGENTDESK_NICKNAME=")
	app.Stdout, app.Stderr = os.Stdout, os.Stderr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = app.Process.Kill()
		_ = app.Wait()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, s := range []*aaserver.Server{home, work} {
		if err := s.WaitClients(ctx, e2eToken, 1); err != nil {
			t.Fatalf("the app never connected to %s: %v", s.URL(), err)
		}
	}
	win := run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "agentdesk")
	win = strings.Fields(win)[0]

	answerWithKeyboard(t, win, work, "same-id", "Deploy to work?", "ship it from work")
	answerWithKeyboard(t, win, home, "same-id", "Water the plants?", "yes from home")

	// A request pending on each server, for the picture.
	for _, s := range []*aaserver.Server{home, work} {
		go aaserver.PostAsk(ctx, s.BaseURL(), &wire.AskQuestionRequest{ID: "shown", UserToken: e2eToken,
			Request: &wire.McpAskQuestionRequest{Question: "Anything else **before** I stop?", Timeout: 120, AgentName: "e2e"}})
	}
	waitTitle(t, win, regexp.MustCompile(`\(2\)`))
	time.Sleep(500 * time.Millisecond)
	screenshot(t, "e2e.png")
}

// launchToWindow starts bin and returns how long until its window named
// title is mapped on the X display.
func launchToWindow(b *testing.B, bin, title string, args ...string) time.Duration {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AGENTDESK_TOKEN=bench", "LANG=en_US.UTF-8")
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
			return time.Since(start)
		}
	}
	b.Fatalf("%s never showed a window", bin)
	return 0
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
