package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
)

// replyEntry is a card's multi-line reply field: Ctrl+Enter sends, Up on
// the first line and Down on the last walk the reply history, and window
// shortcuts (Ctrl+J, Ctrl+0…9) still work while it has the focus.
type replyEntry struct {
	widget.Entry
	tl     *timeline
	key    conn.RequestKey
	onSend func()

	hasFocus bool

	hist  []string
	histI int    // index into hist while walking; len(hist) when not
	saved string // what was typed before walking started
}

func newReplyEntry(tl *timeline) *replyEntry {
	e := &replyEntry{tl: tl}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.SetPlaceHolder(T("Reply… (Ctrl+Enter sends; empty confirms)"))
	e.ExtendBaseWidget(e)
	return e
}

// bindKey points the entry at another card and shows its draft.
func (e *replyEntry) bindKey(k conn.RequestKey, draft string) {
	e.key = k
	e.hist = nil
	if e.Text != draft {
		e.SetText(draft)
	}
}

// FocusGained remembers which card has the focus.
func (e *replyEntry) FocusGained() {
	e.hasFocus = true
	e.Entry.FocusGained()
	if e.tl != nil {
		e.tl.focused = e.key
	}
}

// FocusLost forgets the focus.
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

// TypedShortcut sends on Ctrl+Enter and passes window shortcuts on.
func (e *replyEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok {
		if (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) && cs.Modifier == fyne.KeyModifierControl {
			if e.onSend != nil && !e.Disabled() {
				e.onSend()
			}
			return
		}
		if e.tl != nil && e.tl.u.handleShortcut(cs) {
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey walks the reply history with Up and Down.
func (e *replyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
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
}

// walk moves through the history; it reports whether it did.
func (e *replyEntry) walk(step int) bool {
	if e.hist == nil {
		if step > 0 || e.tl == nil {
			return false
		}
		e.hist = e.tl.u.core.ReplyHistory()
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
