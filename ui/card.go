package ui

import (
	"context"
	"errors"
	"hash/fnv"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
)

// cardView draws one timeline card. It is bound to one request at a time
// and keeps nothing the model does not have: the draft is the model's, and
// the view only shows it.
type cardView struct {
	widget.BaseWidget
	t *timeline

	key      conn.RequestKey
	rev      uint64
	gen      uint64 // see measurement.gen
	look     serverLook
	selected bool

	bg      *canvas.Rectangle
	tag     *serverTag
	kind    *toneText
	meta    *toneText
	where   *toneText
	body    *widget.RichText
	state   *toneText
	draft   *toneText
	reply   *fyne.Container
	entry   *replyEntry
	quick   *fyne.Container
	target  *toneText
	send    *widget.Button
	copy    *widget.Button
	content *fyne.Container

	// Rich replies (card_rich.go): the request's structured choices, the
	// attachments of someone else's reply, the chips of this reply's
	// attachments, the paperclip, and the "@"/"/" completion list.
	choices  *choicesView
	received *receivedView
	chips    *chipsRow
	attach   *widget.Button
	comp     *completionList
}

func newCardView(t *timeline) *cardView {
	c := &cardView{t: t}
	c.bg = canvas.NewRectangle(theme.Color(colorNameCard))
	c.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	c.bg.StrokeWidth = 1
	c.tag = newServerTag()
	c.kind = newFitText(toneNormal)
	c.meta = newToneText(toneMuted, false)
	c.where = newToneText(toneMuted, false)
	c.body = widget.NewRichText()
	c.body.Wrapping = fyne.TextWrapWord
	c.state = newToneText(toneNormal, true)
	c.draft = newToneText(toneMuted, true)
	c.entry = newReplyEntry(t)
	c.entry.OnChanged = func(s string) {
		if c.key.ID != "" {
			t.in.model.SetDraft(c.key, s)
			c.comp.dismissed = false
			c.updateCompletion()
		}
	}
	c.entry.onSend = func() { t.send(c.key, c.entry.Text) }
	c.entry.onFocus = func() {
		if c.key.ID != "" {
			t.in.model.SetReplyFocus(c.key)
			t.selected = c.key
			t.closeCompletions(c.key)
		}
	}
	c.quick = container.NewHBox()
	c.target = newFitText(toneMuted)
	c.send = widget.NewButtonWithIcon(T("Send"), theme.MailSendIcon(), func() { t.send(c.key, c.entry.Text) })
	c.send.Importance = widget.HighImportance
	c.newRich()
	c.reply = container.NewVBox(c.entry, c.comp.box, c.chips.box,
		container.NewBorder(nil, nil, c.quick, container.NewHBox(c.target, c.attach, c.send)))

	c.copy = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), c.showCopyMenu)
	c.copy.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, container.NewHBox(c.tag, c.kind), c.copy, c.meta)
	c.content = container.NewVBox(header, c.where, c.body, c.choices.box, c.state, c.received.box, c.draft, c.reply)
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer draws the card's background behind its content.
func (c *cardView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewPadded(c.content)))
}

// unbind forgets the card shown, before the view is reused.
func (c *cardView) unbind() {
	c.hideCompletion()
	c.key, c.rev = conn.RequestKey{}, 0
	c.entry.bindKey(conn.RequestKey{}, "")
}

// setSelected highlights the card the list's keyboard selection is on.
func (c *cardView) setSelected(on bool) {
	if c.selected == on {
		return
	}
	c.selected = on
	c.paintBorder()
}

func (c *cardView) paintBorder() {
	c.bg.FillColor = theme.Color(colorNameCard)
	c.bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	c.bg.StrokeWidth = 1
	if cd, ok := c.t.in.model.Card(c.key); ok && cd.State.Open() {
		c.bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
	if c.selected || (c.entry.hasFocus && c.reply.Visible()) {
		c.bg.StrokeColor = theme.Color(theme.ColorNameFocus)
		c.bg.StrokeWidth = 3
	}
	c.bg.Refresh()
}

// bind shows cd in this view; draft is the model's draft for it.
func (c *cardView) bind(cd model.Card, look serverLook, draft string, selected bool) {
	fresh := c.key != cd.Key()
	c.key, c.rev, c.look, c.selected = cd.Key(), cd.Rev, look, selected
	r := cd.Request

	c.tag.set(oneLine(look.label, maxLabel), look.color)
	if r.Kind == conn.KindWorkReport {
		c.kind.Set(T("Work report"), toneNormal, true)
	} else {
		c.kind.Set(T("Question"), toneNormal, true)
	}
	c.meta.Set(oneLine(joinNonEmpty(" · ", r.AgentName, r.Model, r.MCPClient), maxLabel), toneMuted, false)
	where := joinNonEmpty(" · ", oneLine(r.ProjectDirectory, maxLabel), formatTime(r.CreatedAt))
	switch {
	case cd.Preview:
		where = joinNonEmpty(" · ", where, T("from history (a preview: copy gives the full text)"))
	case cd.History:
		where = joinNonEmpty(" · ", where, T("from history"))
	}
	c.where.Set(where, toneMuted, false)
	if fresh {
		c.body.Segments = safeSegments(r.Text, openURL)
		c.body.Refresh()
	}

	status, tn := statusText(cd)
	if status == "" {
		c.state.Hide()
	} else {
		c.state.Set(cut(status, maxLine), tn, true)
		c.state.Show()
	}

	c.bindRich(cd, fresh)
	if cd.State.Open() {
		c.draft.Hide()
		c.reply.Show()
		if fresh {
			c.entry.bindKey(cd.Key(), draft)
			c.setQuickReplies(cd)
		}
		c.target.Set(T("to {{.Server}}", map[string]any{"Server": oneLine(look.label, 40)}), toneMuted, false)
		if cd.Submit == model.Submitting {
			c.entry.Disable()
			c.send.Disable()
			c.attach.Disable()
		} else {
			c.entry.Enable()
			c.send.Enable()
			c.attach.Enable()
		}
	} else {
		c.reply.Hide()
		c.entry.bindKey(cd.Key(), "")
		if kept := keptText(draft, c.t.in.model.UnsentAttachments(cd.Key())); kept != "" {
			c.draft.Set(kept, toneMuted, false)
			c.draft.Show()
		} else {
			c.draft.Hide()
		}
	}
	c.paintBorder()
}

// showCopyMenu offers to copy the question or the reply as Markdown.
func (c *cardView) showCopyMenu() {
	k := c.key
	items := []*fyne.MenuItem{fyne.NewMenuItem(T("Copy the question as Markdown"), func() { c.t.in.copy(k, desk.CopyQuestion) })}
	if cd, ok := c.t.in.model.Card(k); ok && (cd.Reply != "" || cd.ByText != "") {
		items = append(items, fyne.NewMenuItem(T("Copy the reply as Markdown"), func() { c.t.in.copy(k, desk.CopyReply) }))
	}
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.copy)
	if cv == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.copy).Add(fyne.NewPos(0, c.copy.Size().Height))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cv, pos)
}

func (c *cardView) setQuickReplies(cd model.Card) {
	// Structured choices have their own options on the card.
	var labels []string
	if cd.Request.Kind == conn.KindWorkReport {
		labels = append(labels, T("Confirmed"), T("Continue"))
	} else if len(cd.Request.Choices) == 0 {
		labels = []string{T("OK"), T("Yes"), T("No"), T("Continue")}
	}
	objs := make([]fyne.CanvasObject, 0, len(labels))
	for _, l := range labels {
		text := l
		objs = append(objs, widget.NewButton(text, func() { c.t.send(c.key, text) }))
	}
	c.quick.Objects = objs
	c.quick.Refresh()
}

// statusText says what became of a card, and in which tone: the outcome
// line, the most visible line of a card after the question.
func statusText(cd model.Card) (string, tone) {
	switch cd.Submit {
	case model.Submitting:
		return T("Sending…"), toneInfo
	case model.SubmitFailed:
		return T("Not sent: {{.Err}}", map[string]any{"Err": cut(friendlyError(cd.SubmitErr), maxLine)}), toneDanger
	}
	switch cd.State {
	case model.Sending:
		return T("Sending your reply: {{.Text}}", map[string]any{"Text": replySummary(cd)}), toneInfo
	case model.Queued:
		return T("Queued: the server is offline; your reply is sent when it is back: {{.Text}}", map[string]any{"Text": replySummary(cd)}), toneWarn
	case model.AnsweredByMe:
		return T("Answered by you: {{.Text}}", map[string]any{"Text": replySummary(cd)}), toneOK
	case model.AnsweredElsewhere:
		by := cd.By
		if by == "" {
			by = T("another client")
		}
		return T("Answered elsewhere by {{.By}}: {{.Text}}", map[string]any{"By": oneLine(by, maxLabel), "Text": cut(cd.ByText, maxLine)}), toneInfo
	case model.Cancelled:
		reason := cd.Reason
		if reason == "" {
			reason = T("no reason given")
		}
		return T("Cancelled: {{.Reason}}", map[string]any{"Reason": oneLine(reason, maxLabel)}), toneWarn
	case model.Gone:
		return T("Answered or cancelled while this app was offline"), toneMuted
	case model.Undeliverable:
		return T("Undeliverable: {{.Reason}}", map[string]any{"Reason": cut(cd.Reason, maxLine)}), toneDanger
	}
	return "", toneNormal
}

func friendlyError(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, conn.ErrNotPending):
		return T("this request is no longer waiting for an answer")
	case errors.Is(err, conn.ErrAlreadyReplied):
		return T("a reply is already on its way")
	case errors.Is(err, context.DeadlineExceeded):
		return T("timed out")
	}
	return err.Error()
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// formatTime shows the clock time today and the date otherwise.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	now := time.Now()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// serverTag is a small coloured label naming a server, such as [Work].
type serverTag struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	text *canvas.Text
}

func newServerTag() *serverTag {
	t := &serverTag{bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.White)}
	t.bg.CornerRadius = 4
	t.text.TextStyle.Bold = true
	t.text.TextSize = theme.TextSize() * 0.9
	t.ExtendBaseWidget(t)
	return t
}

func (t *serverTag) set(label string, c color.Color) {
	if t.text.Text == label && t.bg.FillColor == c {
		return
	}
	t.text.Text = label
	t.text.Color = textOn(c)
	t.bg.FillColor = c
	t.Refresh()
}

// CreateRenderer draws the text on its coloured background.
func (t *serverTag) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.bg,
		container.New(layout.NewCustomPaddedLayout(2, 2, 6, 6), container.NewCenter(t.text))))
}

// tagHues are the server tag colours before they are darkened for
// contrast; tagPalette holds the measured result.
var tagHues = []color.NRGBA{
	{0x25, 0x63, 0xeb, 0xff}, {0x7c, 0x3a, 0xed, 0xff}, {0x05, 0x96, 0x69, 0xff},
	{0xc2, 0x41, 0x0c, 0xff}, {0xdb, 0x27, 0x77, 0xff}, {0x08, 0x91, 0xb2, 0xff},
}

// tagPalette is tagHues, each darkened just enough for white text on it
// to reach the contrast target.
var tagPalette = func() []color.NRGBA {
	out := make([]color.NRGBA, len(tagHues))
	for i, h := range tagHues {
		out[i] = h
		for ContrastRatio(white, out[i]) < contrastTarget {
			out[i] = blend(out[i], black, 0.02)
		}
	}
	return out
}()

// tagColor gives each server its own colour, by its place in the server
// list (so the first six never share one); servers the list does not know
// yet get one from their ID.
func tagColor(order map[conn.ServerID]int, id conn.ServerID) color.Color {
	if i, ok := order[id]; ok {
		return tagPalette[i%len(tagPalette)]
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return tagPalette[h.Sum32()%uint32(len(tagPalette))]
}
