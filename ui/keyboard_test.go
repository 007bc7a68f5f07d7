package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

// The keyboard helpers deliver input as the window does: to the focused
// widget, else to the window's own handlers.

func (h *harness) typeKeys(s string) {
	h.t.Helper()
	c := h.u.win.Canvas()
	for _, r := range s {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if fn := c.OnTypedRune(); fn != nil {
			fn(r)
		}
	}
}

func (h *harness) pressKey(k fyne.KeyName) {
	c := h.u.win.Canvas()
	ev := &fyne.KeyEvent{Name: k}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if fn := c.OnTypedKey(); fn != nil {
		fn(ev)
	}
}

func (h *harness) shortcut(s *desktop.CustomShortcut) {
	if f, ok := h.u.win.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	h.u.handleShortcut(s)
}

var desktopShortcutF = desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}

var (
	ctrlJ   = &desktop.CustomShortcut{KeyName: fyne.KeyJ, Modifier: fyne.KeyModifierShortcutDefault}
	ctrlRet = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}
)

// focusedCard is the card whose reply field has the keyboard, or nil.
func (h *harness) focusedCard() *cardView {
	f := h.u.win.Canvas().Focused()
	for _, v := range h.u.tl.views {
		if f == v.entry {
			return v
		}
	}
	return nil
}

// TestFiftyAnswersInARowWithTheKeyboard answers fifty questions on two
// servers, several sharing request ids, with Ctrl+J, typing and Ctrl+Enter
// only, without waiting for the servers between answers; every agent must
// get its own text.
func TestFiftyAnswersInARowWithTheKeyboard(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	const n = 50
	answers := map[string]<-chan string{}
	want := map[string]string{}
	for i := 0; i < n; i++ {
		srv := i % 2
		id := fmt.Sprintf("q%d", i/2) // q0 on Home and on Work, …
		key := fmt.Sprintf("%d/%s", srv, id)
		answers[key] = h.ask(srv, id, "Question "+key)
		h.waitPending(i + 1)
		want[key] = "answer for " + key
	}
	for i := 0; i < n; i++ {
		h.shortcut(ctrlJ)
		cv := h.focusedCard()
		if cv == nil {
			t.Fatalf("answer %d: Ctrl+J left the keyboard nowhere (focused %T)", i, h.u.win.Canvas().Focused())
		}
		srv := 0
		if cv.key.Server == h.ids[1] {
			srv = 1
		}
		key := fmt.Sprintf("%d/%s", srv, cv.key.ID)
		h.typeKeys(want[key])
		h.shortcut(ctrlRet)
		h.q.drain() // one frame, as the window would draw
	}
	for key, ch := range answers {
		if got := h.answer(ch); got != want[key] {
			t.Errorf("agent %s got %q, want %q", key, got, want[key])
		}
	}
	h.waitFor("all answered", func() bool { return h.u.model.PendingTotal() == 0 })
}

// TestArrivalsMidTypingKeepFocusAndDraft types half an answer, lets
// requests arrive on both servers, and types on: nothing moves.
func TestArrivalsMidTypingKeepFocusAndDraft(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	first := h.ask(1, "q1", "Deploy?")
	h.waitPending(1)
	h.shortcut(ctrlJ)
	h.typeKeys("ship ")
	k := conn.RequestKey{Server: h.ids[1], ID: "q1"}
	for i := 0; i < 6; i++ {
		h.ask(i%2, fmt.Sprintf("new%d", i), "Another one")
		h.waitPending(i + 2)
		h.typeKeys(string(rune('a' + i)))
	}
	cv := h.focusedCard()
	if cv == nil || cv.key != k {
		t.Fatalf("focus moved to %v", cv)
	}
	if got := h.u.model.Draft(k); got != "ship abcdef" {
		t.Fatalf("draft %q", got)
	}
	h.shortcut(ctrlRet)
	if got := h.answer(first); got != "ship abcdef" {
		t.Fatalf("agent got %q", got)
	}
	// After a send the focus goes to the next oldest request.
	h.q.drain()
	next := h.focusedCard()
	if next == nil || next.key != (conn.RequestKey{Server: h.ids[0], ID: "new0"}) {
		t.Fatalf("after the send the focus is on %v", next)
	}
}

// TestFocusSurvivesScrollingAway keeps typing into a card scrolled out of
// view: its view is kept, so the keystrokes still land in its draft.
func TestFocusSurvivesScrollingAway(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "old", "Oldest")
	h.waitPending(1)
	for i := 0; i < 12; i++ {
		h.ask(0, fmt.Sprintf("n%d", i), strings.Repeat("A long question. ", 20))
		h.waitPending(i + 2)
	}
	h.shortcut(ctrlJ) // the oldest, at the bottom
	h.typeKeys("one ")
	h.u.tl.scrollTo(0)
	h.u.tl.layoutRows()
	h.typeKeys("two")
	k := conn.RequestKey{Server: h.ids[0], ID: "old"}
	if got := h.u.model.Draft(k); got != "one two" {
		t.Fatalf("draft %q", got)
	}
}

// TestCardClosedUnderTypingHandsFocusToTheList: the request being typed
// into is cancelled; the keyboard goes to the list, on that card, and the
// draft is kept and shown.
func TestCardClosedUnderTypingHandsFocusToTheList(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "q1", "First")
	h.waitPending(1)
	second := h.ask(0, "q2", "Second")
	h.waitPending(2)
	h.shortcut(ctrlJ)
	h.typeKeys("half an answ")
	k := conn.RequestKey{Server: h.ids[0], ID: "q1"}
	h.srvs[0].Cancel("q1", "timeout")
	h.waitFor("cancelled", func() bool { c, _ := h.u.model.Card(k); return c.State == model.Cancelled })
	if f := h.u.win.Canvas().Focused(); f != h.u.tl {
		t.Fatalf("focus is on %T, want the list", f)
	}
	if h.u.tl.selected != k {
		t.Fatalf("selection %v", h.u.tl.selected)
	}
	if !hasText(h.cardFor(k), "Not sent (kept here): half an answ") {
		t.Fatal("the unsent draft is not shown")
	}
	// Ctrl+J goes on with the next request.
	h.shortcut(ctrlJ)
	h.typeKeys("two")
	h.shortcut(ctrlRet)
	if got := h.answer(second); got != "two" {
		t.Fatalf("agent got %q", got)
	}
}

// TestListKeyboard: Escape leaves a reply for the list, Up/Down move the
// selection, Enter goes back into the selected card's reply, and typing
// on the list starts a reply on the selected card.
func TestListKeyboard(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "a", "A")
	h.waitPending(1)
	h.ask(0, "b", "B")
	h.waitPending(2)
	h.shortcut(ctrlJ) // a, the oldest: the bottom row
	h.pressKey(fyne.KeyEscape)
	if h.u.win.Canvas().Focused() != h.u.tl {
		t.Fatal("Escape did not hand the keyboard to the list")
	}
	h.pressKey(fyne.KeyUp) // b
	h.pressKey(fyne.KeyReturn)
	cv := h.focusedCard()
	if cv == nil || cv.key.ID != "b" {
		t.Fatalf("Enter focused %v", cv)
	}
	h.pressKey(fyne.KeyEscape)
	h.typeKeys("x")
	if got := h.u.model.Draft(conn.RequestKey{Server: h.ids[0], ID: "b"}); got != "x" {
		t.Fatalf("typing on the list went to %q", got)
	}
}

// TestKeystrokeWithNothingFocusedIsNotLost: when nothing has the keyboard
// (after a dialog closed, say), a character goes to the reply the focus
// belongs to.
func TestKeystrokeWithNothingFocusedIsNotLost(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "a", "A")
	h.waitPending(1)
	h.shortcut(ctrlJ)
	h.typeKeys("ab")
	h.u.win.Canvas().Unfocus()
	h.typeKeys("c")
	if got := h.u.model.Draft(conn.RequestKey{Server: h.ids[0], ID: "a"}); got != "abc" {
		t.Fatalf("draft %q", got)
	}
	if h.focusedCard() == nil {
		t.Fatal("the reply did not take the keyboard back")
	}
}

// TestTheCardBeingTypedIntoStaysInViewWhenItGrows: a reply at the bottom
// of the window grows (several lines typed): the list follows it, so what
// is typed stays on screen.
func TestTheCardBeingTypedIntoStaysInViewWhenItGrows(t *testing.T) {
	h := newHarness(t, "Home")
	h.ask(0, "old", "Oldest")
	h.waitPending(1)
	for i := 0; i < 6; i++ {
		h.ask(0, fmt.Sprintf("n%d", i), strings.Repeat("A long question. ", 20))
		h.waitPending(i + 2)
	}
	h.shortcut(ctrlJ) // the oldest, at the bottom
	k := conn.RequestKey{Server: h.ids[0], ID: "old"}
	r, _ := h.u.tl.rowOf(k)
	before := h.u.tl.heights.height(r)
	h.typeKeys("see @") // the completion list (here: why it is unavailable) opens in the card
	h.q.drain()
	h.u.tl.refresh()
	if h.u.tl.heights.height(r) <= before {
		t.Fatalf("the card did not grow (%.0f, then %.0f)", before, h.u.tl.heights.height(r))
	}
	bottom := h.u.tl.heights.top(r) + h.u.tl.heights.height(r)
	if view := h.u.tl.scroll.Offset.Y + h.u.tl.scroll.Size().Height; bottom > view+gap()+1 {
		t.Fatalf("the card's bottom at %.0f is below the window's at %.0f", bottom, view)
	}
}
