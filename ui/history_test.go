package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
)

// answerAll answers every question on the harness's servers with text.
func (h *harness) answerVia(k conn.RequestKey, text string, ch <-chan string) {
	h.t.Helper()
	cv := h.cardFor(k)
	test.Type(cv.entry, text)
	cv.entry.TypedShortcut(ctrlEnter)
	if got := h.answer(ch); got != text {
		h.t.Fatalf("agent got %q", got)
	}
}

// TestSearchFindsAnAnsweredQuestionByItsReply answers two questions, then
// searches (Ctrl+F) by a word of one reply, opens the result and copies
// its question and reply as Markdown.
func TestSearchFindsAnAnsweredQuestionByItsReply(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	a := h.ask(0, "q1", "Which **database** shall I use?")
	h.waitPending(1)
	b := h.ask(1, "q1", "Deploy now?")
	h.waitPending(2)
	h.answerVia(conn.RequestKey{Server: h.ids[0], ID: "q1"}, "postgres with pgbouncer", a)
	h.answerVia(conn.RequestKey{Server: h.ids[1], ID: "q1"}, "not yet", b)
	h.waitFor("answered", func() bool { return h.u.model.PendingTotal() == 0 })

	h.shortcut(&desktopShortcutF)
	if !h.u.searching || h.u.win.Canvas().Focused() != h.u.search.query {
		t.Fatal("Ctrl+F did not open the search with the keyboard in it")
	}
	h.typeKeys("pgbounc") // a prefix of a word in the reply
	h.waitFor("results", func() bool { h.u.work.wait(); return len(h.u.search.results) == 1 })
	got := h.u.search.results[0]
	if got.Key() != (conn.RequestKey{Server: h.ids[0], ID: "q1"}) || !strings.Contains(h.u.search.summary.Text(), "1 found") {
		t.Fatalf("found %v, summary %q", got.Key(), h.u.search.summary.Text())
	}
	// Filtering by the other server finds nothing.
	h.u.search.server.SetSelectedIndex(2)
	h.waitFor("filtered", func() bool {
		h.u.work.wait()
		return len(h.u.search.results) == 0 && h.u.search.summary.Text() == "0 found"
	})
	h.u.search.server.SetSelectedIndex(0)
	h.waitFor("all again", func() bool { h.u.work.wait(); return len(h.u.search.results) == 1 })

	h.u.search.list.Select(0)
	h.waitFor("details", func() bool { h.u.work.wait(); return h.overlaysOpen() == 1 })
	ov := h.u.win.Canvas().Overlays().Top()
	if !hasText(ov, "Which database shall I use?") || !hasText(ov, "Answered by you: postgres with pgbouncer") {
		t.Fatal("the details lack the question or the reply")
	}
	test.Tap(findButton(ov, "Copy the reply"))
	h.waitFor("copied", func() bool {
		h.u.work.wait()
		return strings.Contains(h.app.Clipboard().Content(), "postgres with pgbouncer")
	})
	if md := h.app.Clipboard().Content(); !strings.HasPrefix(md, "**Answered by me**") {
		t.Fatalf("clipboard %q", md)
	}
	h.pressKey(fyne.KeyEscape) // the details
	h.pressKey(fyne.KeyEscape) // the search
	if h.u.searching || h.overlaysOpen() != 0 {
		t.Fatal("Escape did not close the details and the search")
	}
	if h.u.main.body.Objects[0] != h.u.tl {
		t.Fatal("the timeline is not back")
	}
}

// TestCopyTheQuestionFromACard copies a live card's question as Markdown.
func TestCopyTheQuestionFromACard(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "q1", "Shall I **refactor** the cart?")
	h.waitPending(1)
	h.u.copyMarkdown(conn.RequestKey{Server: h.ids[0], ID: "q1"}, desk.CopyQuestion)
	h.waitFor("copied", func() bool { h.u.work.wait(); return h.app.Clipboard().Content() != "" })
	md := h.app.Clipboard().Content()
	if !strings.HasPrefix(md, "**Question** (claude · Home · /src/app") || !strings.Contains(md, "Shall I **refactor** the cart?") {
		t.Fatalf("clipboard %q", md)
	}
}

// TestSettingsHistorySection: retention is saved with the settings (and a
// bad number refused), the size per server is shown, Clear empties it.
func TestSettingsHistorySection(t *testing.T) {
	h := newHarness(t, "Home")
	a := h.ask(0, "q1", "Proceed?")
	h.waitPending(1)
	h.answerVia(conn.RequestKey{Server: h.ids[0], ID: "q1"}, "go ahead", a)
	h.waitFor("answered", func() bool { return h.u.model.PendingTotal() == 0 })
	h.u.showSettings()
	hs := h.u.settings.history
	h.waitFor("stats", func() bool { h.u.work.wait(); return hasText(hs.rows, "Home: 1 requests") })
	if !hasText(hs.where, "history.db") {
		t.Fatalf("the location is not shown: %q", hs.where.Text())
	}
	hs.days.SetText("-4")
	test.Tap(&h.u.settings.save.Button)
	if h.core.Settings().History.RetentionDays != 0 || !strings.Contains(h.u.settings.saveMsg.Text(), "Delete after") {
		t.Fatalf("a bad retention was saved: %q", h.u.settings.saveMsg.Text())
	}
	hs.days.SetText("30")
	hs.perServer.SetText("500")
	test.Tap(&h.u.settings.save.Button)
	h.waitFor("saved", func() bool { h.u.work.wait(); return h.core.Settings().History.RetentionDays == 30 })
	if h.core.Settings().History.RetentionPerServer != 500 {
		t.Fatalf("history settings %+v", h.core.Settings().History)
	}
	test.Tap(findButton(hs.rows, "Clear"))
	h.pressKey(fyne.KeyReturn) // confirm
	h.waitFor("cleared", func() bool { h.u.work.wait(); return hasText(hs.rows, "Nothing in the history yet.") })
}
