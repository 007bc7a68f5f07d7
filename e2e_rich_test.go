//go:build e2e

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/attach/attachtest"
	"github.com/agentdesk/agentdesk/conn/complete/completetest"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// TestE2ERichReply drives rich replies in the real binary under Xvfb, by
// keyboard and the real clipboard: "@" completion picks a file of a
// generated project, "/" completion inserts a command's template, a PNG
// put on the clipboard with xclip is pasted with Ctrl+V, and two files
// are pasted the ways file managers copy them (a text/uri-list, and a
// file:// URI as text). One Ctrl+Enter sends it all, and the agent must
// get exactly the Flutter client's McpResultContent shapes.
func TestE2ERichReply(t *testing.T) {
	if _, err := exec.LookPath("xclip"); err != nil {
		t.Fatal("the rich reply e2e test needs xclip (make deps installs it)")
	}
	bin := buildApp(t)

	srv, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	home := newHome(t)
	writeFlutterPrefs(t, home, "e2e-rich", flutterServer{"Rich", srv.URL()})
	project := richProject(t)
	files := t.TempDir()
	shot := attachtest.PNG(t, 640, 400)
	shotPath := filepath.Join(files, "clip.png")
	report := filepath.Join(files, "build report.txt")
	data := filepath.Join(files, "data.csv")
	for p, b := range map[string][]byte{shotPath: shot, report: []byte("all 212 tests pass\n"), data: []byte("a,b\n1,2\n")} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	startApp(t, bin, home, "--config-dir", filepath.Join(home, "config"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := srv.WaitClients(ctx, e2eToken, 1); err != nil {
		t.Fatalf("the app never connected: %v", err)
	}
	win := focusApp(t)

	answer := make(chan *wire.AskQuestionResponse, 1)
	go func() {
		r, err := aaserver.PostAsk(ctx, srv.BaseURL(), &wire.AskQuestionRequest{ID: "rich-1", UserToken: e2eToken,
			Request: &wire.McpAskQuestionRequest{Question: "Which file holds the manager, and can you show me the screen?",
				Timeout: 300, AgentName: "claude", McpClientName: "Claude Code", ProjectDirectory: project}})
		if err != nil {
			r = &wire.AskQuestionResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		answer <- r
	}()
	waitTitle(t, win, regexp.MustCompile(`^\(1\)`))
	time.Sleep(300 * time.Millisecond)

	keys(t, "ctrl+j")
	time.Sleep(200 * time.Millisecond)
	typeText(t, "See ")
	typeText(t, "@co")
	time.Sleep(1500 * time.Millisecond) // the index is built in the background
	screenshot(t, "e2e-at-list.png")
	keys(t, "BackSpace", "BackSpace")
	typeText(t, "mgr") // fuzzy: finds conn/manager.go
	time.Sleep(500 * time.Millisecond)
	keys(t, "Down", "Up", "Tab")
	typeText(t, "then ")
	typeText(t, "/dep")
	time.Sleep(1 * time.Second)
	screenshot(t, "e2e-slash-list.png")
	keys(t, "Return")

	// A screenshot tool's copy: only image/png on the clipboard.
	shotFile, err := os.Open(shotPath)
	if err != nil {
		t.Fatal(err)
	}
	setClipboardFrom(t, "image/png", shotFile)
	shotFile.Close()
	keys(t, "ctrl+v")
	time.Sleep(1500 * time.Millisecond)
	// A file manager's copy: a text/uri-list, percent-escaped.
	setClipboard(t, "text/uri-list", "file://"+strings.ReplaceAll(report, " ", "%20")+"\r\n")
	keys(t, "ctrl+v")
	time.Sleep(1500 * time.Millisecond)
	// A path copied as text.
	setClipboard(t, "UTF8_STRING", "file://"+data)
	keys(t, "ctrl+v")
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "e2e-three-chips.png")
	keys(t, "ctrl+Return")

	var got []*wire.McpResultContent
	select {
	case r := <-answer:
		if r.GetIsError() {
			screenshot(t, "e2e-rich-failed.png")
			t.Fatalf("the agent's call failed: %v", r.GetMeta())
		}
		got = r.GetContents()
	case <-time.After(60 * time.Second):
		screenshot(t, "e2e-rich-timeout.png")
		t.Fatal("no answer reached the agent")
	}
	wantText := "See @conn/manager.go then \nCommand /deploy triggered. Workflow file: [.claude/commands/deploy.md]. \n" +
		"Action: Read/Reference the file to understand the workflow, then execute: \nInstruction: /deploy"
	if len(got) != 4 {
		screenshot(t, "e2e-rich-failed.png")
		t.Fatalf("the agent got %d contents, want text + 3 files: %v", len(got), got)
	}
	if got[0].GetType() != 1 || got[0].GetText().GetType() != "text" || got[0].GetText().GetText() != wantText {
		t.Errorf("contents[0] = type %d %q, want the text %q", got[0].GetType(), got[0].GetText().GetText(), wantText)
	}
	type file struct {
		uriRe *regexp.Regexp
		mime  string
		data  []byte
	}
	for i, want := range []file{
		{regexp.MustCompile(`^file://pasted-\d{8}-\d{6}\.png$`), "image/png", shot},
		{regexp.MustCompile(`^file://build report\.txt$`), "text/plain", []byte("all 212 tests pass\n")},
		{regexp.MustCompile(`^file://data\.csv$`), "text/csv", []byte("a,b\n1,2\n")},
	} {
		c := got[i+1]
		r := c.GetEmbeddedResource()
		if c.GetType() != 4 || r.GetType() != "embedded_resource" || !want.uriRe.MatchString(r.GetUri()) ||
			r.GetMimeType() != want.mime || !bytes.Equal(r.GetData(), want.data) || c.GetImage() != nil || c.GetText() != nil {
			t.Errorf("contents[%d] = type %d, %q uri %q mime %q (%d bytes), want %s %s", i+1, c.GetType(), r.GetType(),
				r.GetUri(), r.GetMimeType(), len(r.GetData()), want.uriRe, want.mime)
		}
	}
	waitTitle(t, win, regexp.MustCompile(`^agentdesk`))
	time.Sleep(300 * time.Millisecond)
	screenshot(t, "e2e-rich-sent.png")
}

// setClipboard owns the clipboard with text under one target, as a file
// manager or editor would.
func setClipboard(t *testing.T, target, text string) {
	t.Helper()
	setClipboardFrom(t, target, strings.NewReader(text))
}

// setClipboardFrom is setClipboard with content from r. xclip forks a
// child that serves the selection until another program takes it, so its
// output is not captured (a pipe would stay open while the child lives).
func setClipboardFrom(t *testing.T, target string, r io.Reader) {
	t.Helper()
	cmd := exec.Command("xclip", "-selection", "clipboard", "-t", target, "-i")
	cmd.Stdin = r
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -t %s: %v", target, err)
	}
}

// richProject generates a project tree: sources in folders, a .gitignore
// that hides build output, node_modules, and Claude Code commands.
func richProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{
		"conn/manager.go":             "package conn",
		"conn/session.go":             "package conn",
		"ui/timeline.go":              "package ui",
		"docs/design.md":              "# design",
		".gitignore":                  "build/\n",
		"build/manager.o":             "x",
		"node_modules/mgr/index.js":   "",
		".claude/commands/deploy.md":  "---\ndescription: Ship it\n---\nSteps",
		".claude/commands/release.md": "Release",
	})
	return dir
}
