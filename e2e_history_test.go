//go:build e2e

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/history/historytest"
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

// TestE2EHistorySurvivesARestartAndOneInstanceRuns answers a question,
// checks that a second start only raises the first (one connection per
// server), quits with Ctrl+Q, starts again and finds the answered
// question on screen and through Ctrl+F by a word of its reply.
func TestE2EHistorySurvivesARestartAndOneInstanceRuns(t *testing.T) {
	bin := buildApp(t)
	srv, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	home := newHome(t)
	config, data := filepath.Join(home, "config"), filepath.Join(home, "data")
	store, err := profiles.Load(config, profiles.Options{Secrets: profiles.NewMemorySecrets()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Add(context.Background(), profiles.Profile{URL: srv.URL(), Alias: "Home", Enabled: true}, ""); err != nil {
		t.Fatal(err)
	}

	first := startApp(t, bin, home, "--config-dir", config, "--data-dir", data)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := srv.WaitClients(ctx, e2eToken, 1); err != nil {
		t.Fatalf("the app never connected: %v", err)
	}
	win := focusApp(t)

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
	startApp(t, bin, home, "--config-dir", config, "--data-dir", data)
	focusApp(t)
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

// rssKB reads a process's resident set, in kB.
func rssKB(pid int) int {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// launchHistory starts bin on data, measures the time until its window is
// mapped and, once the history is read and shown, its RSS.
func launchHistory(b *testing.B, bin, data string) (time.Duration, int) {
	return launch(b, bin, "agentdesk", 3*time.Second, "--config-dir", b.TempDir(), "--data-dir", data)
}

// BenchmarkLaunchWithHistory launches agentdesk on a history of 100,000
// finished requests and on an empty one, alternating, and reports the
// launch-to-window ratio (target 1.15 or less) and the RSS difference
// (target 20 MB or less), with the database's size.
func BenchmarkLaunchWithHistory(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "agentdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	full, empty := filepath.Join(dir, "full"), filepath.Join(dir, "empty")
	if err := historytest.FillDir(context.Background(), full, 100_000, historytest.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(full, "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	var tFull, tEmpty time.Duration
	var rFull, rEmpty int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, r := launchHistory(b, bin, empty)
		tEmpty, rEmpty = tEmpty+d, rEmpty+r
		d, r = launchHistory(b, bin, full)
		tFull, rFull = tFull+d, rFull+r
	}
	b.StopTimer()
	b.ReportMetric(float64(tFull.Milliseconds())/float64(b.N), "ms-100k")
	b.ReportMetric(float64(tEmpty.Milliseconds())/float64(b.N), "ms-empty")
	b.ReportMetric(float64(tFull)/float64(tEmpty), "x-empty")
	b.ReportMetric(float64(rFull-rEmpty)/float64(b.N)/1024, "MB-rss-over-empty")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB-db-100k")
}
