package ui_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/ui"
)

// TestEveryStringIsTranslated checks that every T("…") literal in the ui
// package has an entry in both translation files.
func TestEveryStringIsTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`\bT\(("(?:[^"\\]|\\.)*")`)
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			k, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatal(err)
			}
			keys[k] = true
		}
	}
	// Banner titles are kept as English templates (in the core and here)
	// and translated when shown.
	titles := regexp.MustCompile(`(?m)^\s*(?:Notice|title)\w+\s*=\s*("(?:[^"\\]|\\.)*")`)
	more, _ := filepath.Glob(filepath.Join("..", "conn", "desk", "*.go"))
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range titles.FindAllStringSubmatch(string(src), -1) {
			k, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatal(err)
			}
			keys[k] = true
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d strings", len(keys))
	}
	for _, lang := range []string{"en", "zh"} {
		raw, err := os.ReadFile(filepath.Join("..", "assets", "translations", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var tr map[string]string
		if err := json.Unmarshal(raw, &tr); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		for k := range keys {
			v, ok := tr[k]
			if !ok || v == "" {
				t.Errorf("%s.json lacks %q", lang, k)
			}
			for _, field := range regexp.MustCompile(`{{\.\w+}}`).FindAllString(k, -1) {
				if !strings.Contains(v, field) {
					t.Errorf("%s.json: %q drops %s", lang, k, field)
				}
			}
		}
	}
}

func TestStateTextCountdown(t *testing.T) {
	now := time.Now()
	cases := map[conn.Phase]string{conn.PhaseConnected: "Connected", conn.PhaseDisabled: "Disabled"}
	for p, want := range cases {
		if got := ui.StateText(conn.State{Phase: p}, now); got != want {
			t.Errorf("%v: %q", p, got)
		}
	}
	st := conn.State{Phase: conn.PhaseReconnecting, Attempt: 2, NextTry: now.Add(9 * time.Second)}
	if got := ui.StateText(st, now); got != "Reconnecting: attempt 2, next try in 9 s" {
		t.Errorf("%q", got)
	}
}

func TestTrayIconsArePNG(t *testing.T) {
	names := map[string]bool{}
	for _, c := range [][3]int{{1, 2, 2}, {0, 2, 2}, {0, 1, 2}} {
		r := ui.TrayIcon(c[0], c[1], c[2])
		if !strings.HasPrefix(string(r.Content()), "\x89PNG") {
			t.Fatalf("%s is not a PNG", r.Name())
		}
		names[r.Name()] = true
	}
	if len(names) != 3 {
		t.Fatalf("variants %v", names)
	}
}
