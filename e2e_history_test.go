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

// readScreen returns the text tesseract reads on the screen (the left part,
// where the timeline is), as a person would read it.
func readScreen(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	big := filepath.Join(dir, "big.png")
	run(t, "import", "-window", "root", shot)
	run(t, "convert", shot, "-crop", "760x700+0+0", "-resize", "200%", "-colorspace", "Gray", "-negate", big)
	out, err := exec.Command("tesseract", big, "-").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	screenshot(t, name)
	return string(out)
}

// waitScreen reads the screen until it shows want.
func waitScreen(t *testing.T, name, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		text := readScreen(t, name)
		if strings.Contains(text, want) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it read:\n%s", want, text)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// startApp starts the binary on the given folders.
func startApp(t *testing.T, bin, home, config, data string) *exec.Cmd {
	t.Helper()
	app := exec.Command(bin, "--config-dir", config, "--data-dir", data)
	app.Env = append(os.Environ(), "HOME="+home, "AGENTDESK_TOKEN="+e2eToken, "LANG=en_US.UTF-8", "AGENTDESK_NO_TRAY=1")
	app.Stdout, app.Stderr = os.Stdout, os.Stderr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = app.Process.Kill()
		_, _ = app.Process.Wait()
	})
	return app
}

// TestE2EHistorySurvivesARestartAndOneInstanceRuns answers a question,
// checks that a second start only raises the first (one connection per
// server), quits with Ctrl+Q, starts again and finds the answered
// question on screen and through Ctrl+F by a word of its reply.
func TestE2EHistorySurvivesARestartAndOneInstanceRuns(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "agentdesk")
	run(t, "go", "build", "-o", bin, ".")
	srv, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	config, data := filepath.Join(home, "config"), filepath.Join(home, "data")
	store, err := profiles.Load(config, profiles.Options{Secrets: profiles.NewMemorySecrets()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Add(context.Background(), profiles.Profile{URL: srv.URL(), Alias: "Home", Enabled: true}, ""); err != nil {
		t.Fatal(err)
	}

	first := startApp(t, bin, home, config, data)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := srv.WaitClients(ctx, e2eToken, 1); err != nil {
		t.Fatalf("the app never connected: %v", err)
	}
	win := strings.Fields(run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "agentdesk"))[0]
	run(t, "xdotool", "windowfocus", "--sync", win)

	c := ask(ctx, srv, "home", "db-choice")
	waitTitle(t, win, regexp.MustCompile(`^\(1\)`))
	keys(t, "ctrl+j")
	time.Sleep(150 * time.Millisecond)
	typeText(t, "use postgres behind pgbouncer")
	keys(t, "ctrl+Return")
	select {
	case r := <-c.answer:
		if got := wire.ContentsText(r.GetContents()); got != "use postgres behind pgbouncer" {
			t.Fatalf("the agent got %q", got)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("no answer reached the agent")
	}
	waitTitle(t, win, regexp.MustCompile(`^agentdesk`))

	// A second start raises the first and goes: still one connection.
	second := exec.Command(bin, "--config-dir", config, "--data-dir", data)
	second.Env = first.Env
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("the second start failed: %v\n%s", err, out)
	}
	time.Sleep(time.Second)
	if n := len(srv.Clients()); n != 1 {
		t.Fatalf("%d clients connected after a second start, want 1", n)
	}

	// Quit, and start again with the server still there.
	run(t, "xdotool", "windowfocus", "--sync", win)
	keys(t, "ctrl+q")
	done := make(chan error, 1)
	go func() { _, err := first.Process.Wait(); done <- err }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl+Q did not quit")
	}
	startApp(t, bin, home, config, data)
	win = strings.Fields(run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "agentdesk"))[0]
	run(t, "xdotool", "windowfocus", "--sync", win)
	text := waitScreen(t, "e2e-history-restart.png", "Answered by you: use postgres behind pgbouncer")
	if !strings.Contains(text, "from history") {
		t.Fatalf("the card is not marked as history; the screen read:\n%s", text)
	}

	// Ctrl+F finds it by a word of the reply.
	keys(t, "ctrl+f")
	time.Sleep(200 * time.Millisecond)
	typeText(t, "pgbouncer")
	waitScreen(t, "e2e-history-search.png", "1 found")
	keys(t, "Escape")
}
