package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/complete/completetest"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

// projectTree writes a small project: sources, a .gitignore'd build
// folder, node_modules, and Claude Code commands and skills.
func projectTree(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{
		"conn/manager.go":                  "package conn",
		"conn/session.go":                  "package conn",
		"ui/app.go":                        "package ui",
		"README.md":                        "# app",
		".gitignore":                       "build/\n",
		"build/manager.bin":                "x",
		"node_modules/mgr/index.js":        "",
		".claude/commands/deploy.md":       "---\ndescription: Ship it to production\n---\nSteps",
		".claude/commands/db/seed.md":      "Seed",
		".claude/skills/review/SKILL.md":   "---\ndescription: Review a change\n---\n",
		".claude/skills/no-skill/notes.md": "not a skill",
	})
	return dir
}

// listLines are the suggestions the focused card's list shows.
func (h *harness) listLines() []string {
	cv := h.focusedCard()
	if cv == nil || !cv.comp.open {
		return nil
	}
	var out []string
	for _, it := range cv.comp.items {
		out = append(out, it.label)
	}
	return out
}

// waitList waits until the focused card's list shows lines (or a note).
func (h *harness) waitList(what string, ok func(cv *cardView) bool) *cardView {
	h.t.Helper()
	var cv *cardView
	h.waitFor(what, func() bool {
		cv = h.focusedCard()
		return cv != nil && cv.comp.open && ok(cv)
	})
	return cv
}

// TestAtCompletionByKeyboard types "@mgr" in a reply: the list shows
// conn/manager.go first (fuzzy, .gitignore and node_modules left out),
// Down and Up move, Tab inserts; a folder keeps the list going inside it;
// Escape closes the list and only the list; keystrokes typed while the
// index builds all land.
func TestAtCompletionByKeyboard(t *testing.T) {
	h := newHarness(t, "Home")
	dir := projectTree(t)
	answer := h.askFull(0, "q", &wire.McpAskQuestionRequest{Question: "Which file?", ProjectDirectory: dir})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "q"}
	h.shortcut(ctrlJ)
	h.typeKeys("see @mgr") // typed before the index is built: nothing may be lost
	if got := h.u.model.Draft(k); got != "see @mgr" {
		t.Fatalf("draft %q while indexing", got)
	}
	cv := h.waitList("matches", func(cv *cardView) bool { return len(cv.comp.items) > 0 })
	lines := h.listLines()
	if lines[0] != "conn/manager.go" {
		t.Fatalf("first suggestion %q, want conn/manager.go (all: %q)", lines[0], lines)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "build/") || strings.HasPrefix(l, "node_modules/") {
			t.Errorf("ignored path %q suggested", l)
		}
	}
	// The matched characters are highlighted: bold segments spell m, g, r.
	var marked strings.Builder
	for _, seg := range cv.comp.rows[0].text.Segments {
		if ts, ok := seg.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
			marked.WriteString(ts.Text)
		}
	}
	if marked.String() != "mgr" {
		t.Errorf("highlighted %q, want the matched m, g, r", marked.String())
	}
	if !cv.comp.rows[0].frame.Visible() || cv.comp.sel != 0 {
		t.Fatal("the first line is not selected")
	}
	if len(lines) > 1 {
		h.pressKey(fyne.KeyDown)
		h.pressKey(fyne.KeyUp)
	}
	h.pressKey(fyne.KeyTab)
	if got := h.u.model.Draft(k); got != "see @conn/manager.go " {
		t.Fatalf("after Tab the draft is %q", got)
	}
	if cv.comp.open {
		t.Fatal("the list stayed open after inserting a file")
	}

	// A folder: the list goes on inside it; Enter inserts too.
	h.typeKeys("and @con")
	h.waitList("folders", func(cv *cardView) bool { return len(cv.comp.items) > 0 && cv.comp.items[0].label == "conn/" })
	h.pressKey(fyne.KeyReturn)
	if got := h.u.model.Draft(k); got != "see @conn/manager.go and @conn/" {
		t.Fatalf("after Enter on a folder the draft is %q", got)
	}
	h.waitList("inside the folder", func(cv *cardView) bool { return len(cv.comp.items) > 1 })
	h.typeKeys("ses")
	h.waitList("session", func(cv *cardView) bool { return cv.comp.items[0].label == "conn/session.go" })
	h.pressKey(fyne.KeyEscape)
	if cv.comp.open || h.focusedCard() != cv {
		t.Fatal("Escape must close the list and keep the keyboard in the reply")
	}
	if got := h.u.model.Draft(k); got != "see @conn/manager.go and @conn/ses" {
		t.Fatalf("Escape changed the text: %q", got)
	}
	h.typeKeys("sion.go")
	h.waitList("reopened", func(cv *cardView) bool { return len(cv.comp.items) > 0 })
	h.pressKey(fyne.KeyEscape)
	h.pressKey(fyne.KeyEscape) // the second Escape leaves the reply, as before
	if h.u.win.Canvas().Focused() != h.u.tl {
		t.Fatal("a second Escape did not hand the keyboard to the list")
	}
	h.u.tl.focusCard(k)
	h.shortcut(ctrlRet)
	if got := wire.ContentsText(h.contents(answer)); got != "see @conn/manager.go and @conn/session.go" {
		t.Fatalf("agent got %q", got)
	}
}

// TestAtCompletionUnavailable: a project folder that does not exist on
// this machine says so in the list, and typing goes on.
func TestAtCompletionUnavailable(t *testing.T) {
	h := newHarness(t, "Home")
	h.askFull(0, "q", &wire.McpAskQuestionRequest{Question: "Where?", ProjectDirectory: "/no/such/project"})
	h.waitPending(1)
	h.shortcut(ctrlJ)
	h.typeKeys("@")
	cv := h.waitList("a note", func(cv *cardView) bool { return cv.comp.note.Visible() })
	if got := cv.comp.note.Text(); got != "@ is not available: the project folder /no/such/project does not exist on this machine" {
		t.Fatalf("note %q", got)
	}
	h.pressKey(fyne.KeyReturn) // no line to pick: Enter is a new line
	h.typeKeys("x")
	if got := h.u.model.Draft(conn.RequestKey{Server: h.ids[0], ID: "q"}); got != "@\nx" {
		t.Fatalf("draft %q", got)
	}
	// "/" in ordinary text (a path) shows nothing once more is typed.
	h.typeKeys(" /usr")
	if cv.comp.open {
		t.Fatalf("a path in the text opened the list: %q", cv.comp.note.Text())
	}
}

// TestSlashCompletionInsertsTheTemplate: "/" lists the commands (and, as
// Settings choose, the skills) of the requesting agent's folders; Enter
// inserts the template with %name% and %path% filled in.
func TestSlashCompletionInsertsTheTemplate(t *testing.T) {
	h := newHarness(t, "Home")
	st := h.core.Settings()
	st.Completion.Show = profiles.ShowBoth
	st.Completion.SkillTemplate = "Use skill %name% from %path%."
	if err := h.core.SaveSettings(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	dir := projectTree(t)
	answer := h.askFull(0, "q", &wire.McpAskQuestionRequest{Question: "Next?", ProjectDirectory: dir, McpClientName: "Claude Code"})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "q"}
	h.shortcut(ctrlJ)
	h.typeKeys("/")
	cv := h.waitList("tools", func(cv *cardView) bool { return len(cv.comp.items) == 3 })
	if got := h.listLines(); strings.Join(got, " ") != "/deploy /seed /review" {
		t.Fatalf("tools %q", got)
	}
	if d := cv.comp.items[0].detail; d != "command · Ship it to production" {
		t.Fatalf("detail %q", d)
	}
	h.typeKeys("dep")
	h.waitList("deploy", func(cv *cardView) bool { return len(cv.comp.items) == 1 })
	h.pressKey(fyne.KeyReturn)
	want := "\nCommand /deploy triggered. Workflow file: [.claude/commands/deploy.md]. \nAction: Read/Reference the file to understand the workflow, then execute: \nInstruction: /deploy "
	if got := h.u.model.Draft(k); got != want {
		t.Fatalf("draft %q, want the command template", got)
	}
	h.typeKeys("now /rev")
	h.waitList("review", func(cv *cardView) bool { return len(cv.comp.items) == 1 })
	h.pressKey(fyne.KeyTab)
	h.shortcut(ctrlRet)
	if got := wire.ContentsText(h.contents(answer)); got != strings.TrimLeft(want, "\n")+"now Use skill review from .claude/skills/review/SKILL.md." {
		t.Fatalf("agent got %q", got)
	}
}

// TestCompletionLineByMouse: a tap on a line inserts it and gives the
// keyboard back to the reply.
func TestCompletionLineByMouse(t *testing.T) {
	h := newHarness(t, "Home")
	dir := projectTree(t)
	h.askFull(0, "q", &wire.McpAskQuestionRequest{Question: "Which?", ProjectDirectory: dir})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "q"}
	h.shortcut(ctrlJ)
	h.typeKeys("@READ")
	cv := h.waitList("readme", func(cv *cardView) bool { return len(cv.comp.items) > 0 })
	h.u.win.Canvas().Unfocus() // a click first takes the keyboard away
	test.Tap(cv.comp.rows[0])
	if got := h.u.model.Draft(k); got != "@README.md " {
		t.Fatalf("draft %q", got)
	}
	if h.focusedCard() != cv {
		t.Fatal("the reply did not get the keyboard back")
	}
}

// TestSlashListOpensWhenTheListingArrives: "/dep" typed faster than the
// commands are read still gets its list once they are; after Escape a
// late listing does not bring it back.
func TestSlashListOpensWhenTheListingArrives(t *testing.T) {
	h := newHarness(t, "Home")
	h.askFull(0, "a", &wire.McpAskQuestionRequest{Question: "Next?", ProjectDirectory: projectTree(t), McpClientName: "claude code"})
	h.waitPending(1)
	h.askFull(0, "b", &wire.McpAskQuestionRequest{Question: "Then?", ProjectDirectory: projectTree(t), McpClientName: "claude code"})
	h.waitPending(2)
	h.shortcut(ctrlJ)
	h.typeKeys("/dep") // no frame drawn in between: the listing is still being read
	h.waitList("deploy after the listing", func(cv *cardView) bool { return len(cv.comp.items) == 1 && cv.comp.items[0].label == "/deploy" })

	h.u.tl.focusCard(conn.RequestKey{Server: h.ids[0], ID: "b"})
	h.typeKeys("/")
	cv := h.focusedCard()
	if cv == nil || !cv.comp.open || cv.comp.note.Text() != "Looking for commands and skills…" {
		t.Fatal("no note while the commands are read")
	}
	h.pressKey(fyne.KeyEscape)
	h.u.work.wait()
	h.q.drain()
	if h.focusedCard() != cv || cv.comp.open {
		t.Fatal("a listing that arrived after Escape reopened the list")
	}
}

// TestToolListingsAreBounded: the commands of at most maxToolListings
// projects are kept; the oldest goes first.
func TestToolListingsAreBounded(t *testing.T) {
	h := newHarness(t)
	c := h.u.comp
	for i := range maxToolListings + 5 {
		k := toolsKey{client: "claude code", root: filepath.Join("/p", strings.Repeat("x", i+1))}
		c.loadTools(k)
		h.u.work.wait()
		h.q.drain()
	}
	if len(c.tools) > maxToolListings {
		t.Fatalf("%d listings kept", len(c.tools))
	}
	if _, ok := c.tools[toolsKey{client: "claude code", root: "/p/x"}]; ok {
		t.Fatal("the oldest listing was kept")
	}
}
