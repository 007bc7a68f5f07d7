package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/conn/model"
)

// newRich builds the card's rich-reply parts and hooks them to its reply
// field. Every action names the card by its key at the time it runs, so a
// recycled view acts on the card it shows.
func (c *cardView) newRich() {
	t := c.t
	c.choices = newChoicesView(choicesInput{
		selectOption: func(ch, opt int, on bool) { t.in.model.SelectOption(c.key, ch, opt, on) },
		setCustom:    func(ch int, s string) { t.in.model.SetChoiceCustom(c.key, ch, s) },
	})
	c.received = newReceivedView(func(i int) {
		if t.in.rich.save != nil {
			t.in.rich.save(c.key, i)
		}
	})
	c.chips = newChipsRow(func(id int) {
		if t.in.rich.remove != nil {
			t.in.rich.remove(c.key, id)
		}
	})
	c.comp = newCompletionList(func(i int) { c.pickCompletion(i) })
	c.attach = widget.NewButtonWithIcon(T("Attach…"), theme.MailAttachmentIcon(), func() {
		if t.in.rich.pickFiles != nil && c.key.ID != "" {
			t.in.rich.pickFiles(c.key)
		}
	})
	e := c.entry
	e.comp = c.comp
	e.onPaste = func(clip fyne.Clipboard) bool {
		return t.in.rich.paste != nil && c.key.ID != "" && t.in.rich.paste(c.key, clip)
	}
	e.onPick = func(n int) bool {
		if cd, ok := t.in.model.Card(c.key); !ok || len(cd.Request.Choices) == 0 {
			return false
		}
		t.in.model.ToggleOption(c.key, n)
		return true
	}
	e.onAccept = c.acceptCompletion
	e.onCaret = c.updateCompletion
	e.onCloseList = func() { t.cardResized(c, nil) }
}

// bindRich shows the rich parts of cd.
func (c *cardView) bindRich(cd model.Card, fresh bool) {
	k := cd.Key()
	m := c.t.in.model
	if fresh {
		c.hideCompletion()
	}
	if cd.State.Open() && len(cd.Request.Choices) > 0 {
		c.choices.set(k, cd.Request.Choices, m.ChoiceAnswers(k), cd.Answerable(), fresh)
	} else {
		c.choices.set(k, nil, nil, false, fresh)
	}
	if cd.State == model.AnsweredElsewhere {
		c.received.set(cd.Received)
	} else {
		c.received.set(nil)
	}
	if cd.State.Open() {
		c.chips.set(m.AttachmentItems(k), cd.Submit == model.Submitting)
	} else {
		c.chips.set(nil, false)
	}
}

// keptText is the line of a card that closed before its reply was sent:
// the text kept, and the attachments that were not sent.
func keptText(draft string, unsent []string) string {
	var lines []string
	if draft != "" {
		lines = append(lines, T("Not sent (kept here): {{.Text}}", map[string]any{"Text": cut(draft, maxLine)}))
	}
	if len(unsent) > 0 {
		lines = append(lines, T("Attachments not sent: {{.Names}}", map[string]any{"Names": namesList(unsent)}))
	}
	return strings.Join(lines, "\n")
}

// namesList joins file names for a status line, cut.
func namesList(names []string) string {
	shown := make([]string, 0, min(len(names), 6))
	for i, n := range names {
		if i == 6 {
			shown = append(shown, T("and {{.N}} more", map[string]any{"N": len(names) - 6}))
			break
		}
		shown = append(shown, oneLine(n, 60))
	}
	return strings.Join(shown, ", ")
}

// replySummary is our reply as a status line quotes it: its text and the
// names of the files it carries.
func replySummary(cd model.Card) string {
	text := cut(cd.Reply, maxLine)
	if n := len(cd.ReplyAttachments); n > 0 {
		names := make([]string, n)
		for i, a := range cd.ReplyAttachments {
			names[i] = a.Name
		}
		files := T("(+{{.N}} attachments: {{.Names}})", map[string]any{"N": n, "Names": namesList(names)})
		text = strings.TrimSpace(text + " " + files)
	}
	return text
}

// updateCompletion opens, updates or closes the completion list for the
// word at the reply's caret.
func (c *cardView) updateCompletion() {
	e := c.entry
	comp := c.t.in.rich.completer
	if comp == nil || e.applying {
		return
	}
	cd, ok := c.t.in.model.Card(c.key)
	if !ok || !cd.Answerable() || !e.hasFocus {
		c.hideCompletion()
		return
	}
	tok, ok := complete.ActiveToken(e.Text, e.CursorTextOffset())
	if !ok {
		c.hideCompletion()
		return
	}
	s, show := comp.suggest(cd.Request, tok)
	if !show {
		c.hideCompletion()
		return
	}
	before := c.comp.box.MinSize().Height
	wasOpen := c.comp.open
	c.comp.show(tok, s)
	if !wasOpen || c.comp.box.MinSize().Height != before {
		c.t.cardResized(c, c.comp.box)
	}
}

// hideCompletion closes the list, and measures the card again if it was
// open.
func (c *cardView) hideCompletion() {
	if c.comp.hide() && c.key.ID != "" {
		c.t.cardResized(c, nil)
	}
}

// pickCompletion inserts the i-th suggestion (a tap on it).
func (c *cardView) pickCompletion(i int) {
	if i < 0 || i >= len(c.comp.items) {
		return
	}
	c.comp.sel = i
	c.acceptCompletion()
	if cv := c.t.in.canvas(); cv != nil && c.reply.Visible() {
		cv.Focus(c.entry)
	}
}

// acceptCompletion replaces the "@…" or "/…" word at the caret with the
// selected suggestion. A folder keeps the list open on what is inside it.
func (c *cardView) acceptCompletion() {
	s, ok := c.comp.selected()
	if !ok {
		return
	}
	e := c.entry
	tok, ok := complete.ActiveToken(e.Text, e.CursorTextOffset())
	if !ok || tok.Start != c.comp.tok.Start || tok.Trigger != c.comp.tok.Trigger {
		c.hideCompletion()
		return
	}
	e.replaceToken(tok, s.insert)
	if strings.HasSuffix(s.insert, "/") {
		c.updateCompletion()
	} else {
		c.hideCompletion()
	}
}
