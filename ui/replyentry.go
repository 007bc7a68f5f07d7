package ui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// maxReplyChars bounds what a reply field holds: a pasted megabyte would
// freeze the UI thread while it is shaped, and no agent needs it.
const maxReplyChars = limits.ReplyDraftChars

// replyEntry is a card's multi-line reply field: Ctrl+Enter sends, Up on
// the first line and Down on the last walk the reply history, Escape hands
// the keyboard to the list, and window shortcuts (Ctrl+J, Ctrl+0…9) still
// work while it has the focus.
type replyEntry struct {
	widget.Entry
	t       *timeline
	key     conn.RequestKey
	onSend  func()
	onFocus func()

	// Rich replies (wired by the card): onPaste takes a paste it can
	// attach (false: the text goes in as text); onPick picks the n-th
	// structured option (Alt+1…9); comp is the completion list, which
	// Up, Down, Enter, Tab and Escape drive while it is open; onAccept
	// inserts its selection; onCaret runs after the text or the caret
	// changed; onCloseList after Escape closed the list.
	onPaste     func(fyne.Clipboard) bool
	onPick      func(n int) bool
	comp        *completionList
	onAccept    func()
	onCaret     func()
	onCloseList func()
	// applying is set while a suggestion is being inserted.
	applying bool

	hasFocus bool

	hist  []string
	histI int    // index into hist while walking; len(hist) when not
	saved string // what was typed before walking started
}

func newReplyEntry(t *timeline) *replyEntry {
	e := &replyEntry{t: t}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.SetPlaceHolder(T("Reply… (Ctrl+Enter sends; empty confirms)"))
	e.ExtendBaseWidget(e)
	return e
}

// bindKey points the entry at another card and shows its draft.
func (e *replyEntry) bindKey(k conn.RequestKey, draft string) {
	if e.key == k && e.Text == draft {
		return
	}
	e.key = k
	e.hist = nil
	if e.Text != draft {
		e.SetText(draft)
	}
}

// FocusGained records, in the model, which card has the reply focus.
func (e *replyEntry) FocusGained() {
	e.hasFocus = true
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}

// FocusLost forgets the focus. An open completion list stays until the
// keyboard goes to another reply or the list: a click on one of its lines
// takes the focus away before the line hears the click.
func (e *replyEntry) FocusLost() {
	e.hasFocus = false
	e.Entry.FocusLost()
}

// moveCursorToEnd puts the cursor after the last character.
func (e *replyEntry) moveCursorToEnd() {
	e.CursorRow = lineCount(e.Text) - 1
	e.CursorColumn = len([]rune(lastLine(e.Text)))
	e.Refresh()
}

// TypedShortcut sends on Ctrl+Enter, cuts oversized pastes, and passes
// window shortcuts on.
func (e *replyEntry) TypedShortcut(s fyne.Shortcut) {
	switch cs := s.(type) {
	case *desktop.CustomShortcut:
		if (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) && cs.Modifier == fyne.KeyModifierControl {
			if e.onSend != nil && !e.Disabled() {
				e.onSend()
			}
			return
		}
		if n := altDigit(cs); n > 0 && e.onPick != nil && !e.Disabled() && e.onPick(n-1) {
			return
		}
		if e.t != nil && e.t.in.shortcut != nil && e.t.in.shortcut(cs) {
			return
		}
	case *fyne.ShortcutPaste:
		if !e.Disabled() && e.onPaste != nil && e.onPaste(cs.Clipboard) {
			return
		}
		if e.pasteCut(cs) {
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// pasteCut inserts at most what still fits of a pasted text; it reports
// whether it handled the paste (false: the normal paste is fine).
func (e *replyEntry) pasteCut(p *fyne.ShortcutPaste) bool {
	if p.Clipboard == nil || e.Disabled() {
		return false
	}
	text := p.Clipboard.Content()
	room := maxReplyChars - utf8.RuneCountInString(e.Text)
	if utf8.RuneCountInString(text) <= room {
		return false
	}
	if room > 0 {
		head, _ := cutRunes(text, room)
		e.Entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cutClipboard{head}})
	}
	return true
}

// cutClipboard hands a cut text to the entry's own paste.
type cutClipboard struct{ text string }

// Content is the cut text.
func (c cutClipboard) Content() string { return c.text }

// SetContent does nothing: this clipboard is only read.
func (c cutClipboard) SetContent(string) {}

// TypedRune refuses characters beyond the reply limit.
func (e *replyEntry) TypedRune(r rune) {
	if len(e.Text) >= maxReplyChars && utf8.RuneCountInString(e.Text) >= maxReplyChars {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedKey walks the reply history with Up and Down, and hands the
// keyboard to the list on Escape.
func (e *replyEntry) TypedKey(k *fyne.KeyEvent) {
	if e.listKey(k) {
		return
	}
	switch k.Name {
	case fyne.KeyEscape:
		if e.t != nil {
			if c := e.t.in.canvas(); c != nil {
				e.t.selected = e.key
				c.Focus(e.t)
			}
		}
		return
	case fyne.KeyUp:
		if e.CursorRow == 0 && e.walk(-1) {
			return
		}
	case fyne.KeyDown:
		if e.hist != nil && e.CursorRow >= lineCount(e.Text)-1 && e.walk(1) {
			return
		}
	}
	e.Entry.TypedKey(k)
	switch k.Name {
	case fyne.KeyLeft, fyne.KeyRight, fyne.KeyHome, fyne.KeyEnd, fyne.KeyUp, fyne.KeyDown:
		// The caret moved: the list follows it, or closes.
		if e.comp != nil && e.comp.open && e.onCaret != nil {
			e.onCaret()
		}
	}
}

// walk moves through the history; it reports whether it did.
func (e *replyEntry) walk(step int) bool {
	if e.hist == nil {
		if step > 0 || e.t == nil {
			return false
		}
		e.hist = e.t.in.model.ReplyHistory()
		if len(e.hist) == 0 {
			e.hist = nil
			return false
		}
		e.histI = len(e.hist)
		e.saved = e.Text
	}
	i := e.histI + step
	if i < 0 {
		return true
	}
	hist, saved := e.hist, e.saved
	e.histI = i
	text := saved
	if i < len(hist) {
		text = hist[i]
	}
	e.SetText(text)
	e.hist, e.histI, e.saved = hist, i, saved
	if i >= len(hist) {
		e.hist = nil
	}
	e.moveCursorToEnd()
	return true
}

func lineCount(s string) int {
	n := 1
	for _, r := range s {
		if r == '\n' {
			n++
		}
	}
	return n
}

func lastLine(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			return s[i+1:]
		}
	}
	return s
}

// listKey drives an open completion list: Up and Down move its selection,
// Enter and Tab insert it, Escape closes it (and only it: the keyboard
// stays in the reply). It reports whether it used the key.
func (e *replyEntry) listKey(k *fyne.KeyEvent) bool {
	if e.comp == nil || !e.comp.open {
		return false
	}
	switch k.Name {
	case fyne.KeyEscape:
		e.comp.hide()
		e.comp.dismissed = true
		if e.onCloseList != nil {
			e.onCloseList()
		}
		return true
	case fyne.KeyUp, fyne.KeyDown:
		if len(e.comp.items) == 0 {
			return false
		}
		if k.Name == fyne.KeyUp {
			e.comp.move(-1)
		} else {
			e.comp.move(1)
		}
		return true
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		if _, ok := e.comp.selected(); !ok || e.onAccept == nil {
			return false
		}
		e.onAccept()
		return true
	}
	return false
}

// AcceptsTab keeps Tab in the reply: it inserts the selected suggestion
// while the completion list is open, and a tab character otherwise, as a
// multi-line field does.
func (e *replyEntry) AcceptsTab() bool { return true }

// replaceToken replaces the word tok (rune offsets, the caret inside it)
// with insert, through the entry's own editing so that the caret, the
// wrapped rows and undo stay right: delete back to the word's start and
// forward to its end, then paste insert.
func (e *replyEntry) replaceToken(tok complete.Token, insert string) {
	caret := e.CursorTextOffset()
	if caret < tok.Start || caret > tok.End {
		return
	}
	e.applying = true
	defer func() { e.applying = false }()
	for range caret - tok.Start {
		e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	}
	for range tok.End - caret {
		e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	}
	if room := maxReplyChars - utf8.RuneCountInString(e.Text); room > 0 {
		head, _ := cutRunes(insert, room)
		e.Entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cutClipboard{head}})
	}
}

// altDigit returns n for Alt+n (1…9), else 0.
func altDigit(s *desktop.CustomShortcut) int {
	if s.Modifier != fyne.KeyModifierAlt {
		return 0
	}
	for i, k := range digitKeys[1:] {
		if s.KeyName == k {
			return i + 1
		}
	}
	return 0
}
