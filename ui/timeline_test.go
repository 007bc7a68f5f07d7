package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

var ctrlEnter = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}

func TestTimelineInterleavesServersAndShowsHeaders(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	h.ask(0, "q1", "First from **home**")
	h.waitPending(1)
	h.ask(1, "q1", "Then from work")
	h.waitPending(2)

	// Newest first: Work's card, then Home's; same id on both servers.
	work := h.cardFor(conn.RequestKey{Server: h.ids[1], ID: "q1"})
	home := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q1"})
	if work.tag.text.Text != "Work" || home.tag.text.Text != "Home" {
		t.Fatalf("tags %q %q", work.tag.text.Text, home.tag.text.Text)
	}
	if work.kind.Text() != "Question" || work.meta.Text() != "claude" || !hasText(work, "/src/app") {
		t.Fatalf("header kind=%q meta=%q where=%q", work.kind.Text(), work.meta.Text(), work.where.Text())
	}
	if !hasText(home, "First from home") {
		t.Fatal("markdown text not rendered")
	}
	if work.target.Text() != "to Work" {
		t.Fatalf("send target %q", work.target.Text())
	}
	if got := h.u.win.Title(); got != "(2) agentdesk" {
		t.Fatalf("title %q", got)
	}
}

func TestCtrlEnterRepliesToTheCardsOwnServer(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	ansHome := h.ask(0, "q1", "Home question")
	h.waitPending(1)
	ansWork := h.ask(1, "q1", "Work question")
	h.waitPending(2)

	cv := h.cardFor(conn.RequestKey{Server: h.ids[1], ID: "q1"})
	test.Type(cv.entry, "ship it")
	cv.entry.TypedShortcut(ctrlEnter)
	if got := h.answer(ansWork); got != "ship it" {
		t.Fatalf("work agent got %q", got)
	}
	h.waitFor("work answered", func() bool {
		c, _ := h.u.model.Card(conn.RequestKey{Server: h.ids[1], ID: "q1"})
		return c.State == model.AnsweredByMe
	})
	if c, _ := h.u.model.Card(conn.RequestKey{Server: h.ids[0], ID: "q1"}); c.State != model.Pending {
		t.Fatalf("home card is %v", c.State)
	}
	select {
	case a := <-ansHome:
		t.Fatalf("home agent answered: %q", a)
	default:
	}
	done := h.cardFor(conn.RequestKey{Server: h.ids[1], ID: "q1"})
	if done.reply.Visible() || !hasText(done, "Answered by you: ship it") {
		t.Fatal("answered card still offers a reply or lacks its status")
	}
}

func TestQuickReplyAndEmptyConfirm(t *testing.T) {
	h := newHarness(t, "Home")
	a1 := h.ask(0, "q1", "Proceed?")
	h.waitPending(1)
	test.Tap(findButton(h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q1"}), "Yes"))
	if got := h.answer(a1); got != "Yes" {
		t.Fatalf("quick reply sent %q", got)
	}
	a2 := h.ask(0, "q2", "Anything?")
	h.waitFor("q2", func() bool { return h.u.model.PendingTotal() == 1 && h.u.tl.len() == 2 })
	cv := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q2"})
	test.Tap(cv.send)
	if got := h.answer(a2); got != "OK" {
		t.Fatalf("empty reply sent %q", got)
	}
}

func TestDraftSurvivesNewArrivals(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "q1", "First")
	h.waitPending(1)
	k1 := conn.RequestKey{Server: h.ids[0], ID: "q1"}
	test.Type(h.cardFor(k1).entry, "half-written")
	for i, id := range []string{"q2", "q3", "q4"} {
		h.ask(0, id, "more")
		h.waitPending(i + 2)
	}
	// The oldest card is now at the bottom.
	h.u.tl.scrollTo(h.u.tl.heights.total())
	h.u.tl.layoutRows()
	if got := h.cardFor(k1).entry.Text; got != "half-written" {
		t.Fatalf("draft is %q", got)
	}
	h.u.tl.scrollTo(0)
	h.u.tl.layoutRows()
	if got := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q4"}).entry.Text; got != "" {
		t.Fatalf("new card shows draft %q", got)
	}
}

func TestUpDownWalksReplyHistory(t *testing.T) {
	h := newHarness(t, "Home")
	for _, s := range []string{"alpha", "beta"} {
		a := h.ask(0, s, "?")
		h.waitPending(1)
		cv := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: s})
		test.Type(cv.entry, s)
		cv.entry.TypedShortcut(ctrlEnter)
		h.answer(a)
		h.waitFor("answered", func() bool { return h.u.model.PendingTotal() == 0 })
	}
	h.ask(0, "q3", "?")
	h.waitPending(1)
	e := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q3"}).entry
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if e.Text != "beta" {
		t.Fatalf("up once: %q", e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if e.Text != "alpha" {
		t.Fatalf("up twice: %q", e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if e.Text != "" {
		t.Fatalf("down back to the draft: %q", e.Text)
	}
}

func TestReplyWrappingFromSettings(t *testing.T) {
	h := newHarness(t, "Home")
	st := h.core.Settings()
	st.ReplyAffixes, st.ReplyPrefix, st.ReplySuffix = true, "> ", " (via agentdesk)"
	if err := h.core.SaveSettings(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	a := h.ask(0, "q1", "?")
	h.waitPending(1)
	test.Tap(findButton(h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "q1"}), "Continue"))
	if got := h.answer(a); got != "> Continue (via agentdesk)" {
		t.Fatalf("wrapped reply %q", got)
	}
}

func TestFilterShortcutsAndJump(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	h.ask(0, "h1", "home one")
	h.waitPending(1)
	h.ask(1, "w1", "work one")
	h.waitPending(2)
	h.ask(1, "w2", "work two")
	h.waitPending(3)

	// The test canvas cannot type window shortcuts; call what the window's
	// shortcut handlers call.
	type shortcutter interface{ TypedShortcut(fyne.Shortcut) }
	sc := shortcutter(shortcutFunc(func(s fyne.Shortcut) { h.u.handleShortcut(s.(*desktop.CustomShortcut)) }))
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault})
	h.q.drain()
	if f := h.u.model.Filter(); f.Server != h.ids[1] || h.u.tl.len() != 2 {
		t.Fatalf("Ctrl+2: filter %+v, rows %d", f, h.u.tl.len())
	}
	if got := h.u.main.filter.Selected; got != "2. Work (2)" {
		t.Fatalf("filter shows %q", got)
	}
	// Ctrl+J jumps to the oldest pending in this filter: w1.
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyJ, Modifier: fyne.KeyModifierShortcutDefault})
	h.q.drain()
	want := h.cardFor(conn.RequestKey{Server: h.ids[1], ID: "w1"})
	if h.u.win.Canvas().Focused() != want.entry {
		t.Fatalf("Ctrl+J focused %v", h.u.win.Canvas().Focused())
	}
	// Shortcuts still work while a reply field has the focus.
	want.entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key0, Modifier: fyne.KeyModifierShortcutDefault})
	h.q.drain()
	if f := h.u.model.Filter(); f.Server != "" || h.u.tl.len() != 3 {
		t.Fatalf("Ctrl+0: filter %+v, rows %d", f, h.u.tl.len())
	}
	if got := h.u.main.filter.Selected; got != "All servers (3)" {
		t.Fatalf("filter shows %q", got)
	}
	c := h.u.main.pendingOnly
	test.TapAt(c, fyne.NewPos(5, c.Size().Height/2))
	h.q.drain()
	if !h.u.model.Filter().PendingOnly {
		t.Fatal("pending only not set")
	}
}

type shortcutFunc func(fyne.Shortcut)

func (f shortcutFunc) TypedShortcut(s fyne.Shortcut) { f(s) }

func TestFocusFollowsTheCardBeingTyped(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "q1", "First")
	h.waitPending(1)
	k1 := conn.RequestKey{Server: h.ids[0], ID: "q1"}
	e := h.cardFor(k1).entry
	h.u.win.Canvas().Focus(e)
	test.Type(e, "typing")
	// A newer card takes the top row, which held q1.
	h.ask(0, "q2", "Second")
	h.waitPending(2)
	h.q.drain()
	now := h.cardFor(k1).entry
	if h.u.win.Canvas().Focused() != now || now.Text != "typing" {
		t.Fatalf("focus on %v, q1 entry %p text %q", h.u.win.Canvas().Focused(), now, now.Text)
	}
	test.Type(now, " more")
	if got := h.u.model.Draft(k1); got != "typing more" {
		t.Fatalf("draft %q", got)
	}
}
