package ui

import (
	"fmt"
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
	"github.com/agentdesk/agentdesk/conn/model"
)

// cardView draws one timeline card. widget.List recycles it for whatever
// card scrolls into its row, so everything the user typed lives in the
// timeline (drafts), never here.
type cardView struct {
	widget.BaseWidget
	tl *timeline

	key conn.RequestKey
	rev string

	bg      *canvas.Rectangle
	tag     *serverTag
	kind    *widget.Label
	meta    *widget.Label
	where   *widget.Label
	body    *widget.RichText
	status  *widget.Label
	reply   *fyne.Container
	entry   *replyEntry
	quick   *fyne.Container
	target  *widget.Label
	send    *widget.Button
	content *fyne.Container
}

func newCardView(tl *timeline) *cardView {
	c := &cardView{tl: tl}
	c.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	c.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	c.bg.StrokeWidth = 1
	c.tag = newServerTag()
	c.kind = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.meta = widget.NewLabel("")
	c.meta.Truncation = fyne.TextTruncateEllipsis
	c.where = widget.NewLabel("")
	c.where.Truncation = fyne.TextTruncateEllipsis
	c.where.Importance = widget.LowImportance
	c.body = widget.NewRichText()
	c.body.Wrapping = fyne.TextWrapWord
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	c.entry = newReplyEntry(tl)
	c.entry.OnChanged = func(s string) {
		if c.key.ID != "" {
			tl.setDraft(c.key, s)
		}
	}
	c.entry.onSend = func() { tl.send(c.key, c.entry.Text) }
	c.quick = container.NewHBox()
	c.target = widget.NewLabel("")
	c.target.Importance = widget.LowImportance
	c.send = widget.NewButtonWithIcon(T("Send"), theme.MailSendIcon(), func() { tl.send(c.key, c.entry.Text) })
	c.send.Importance = widget.HighImportance
	c.reply = container.NewVBox(c.entry, container.NewBorder(nil, nil, c.quick, container.NewHBox(c.target, c.send)))

	header := container.NewBorder(nil, nil, container.NewHBox(c.tag, c.kind), nil, c.meta)
	c.content = container.NewVBox(header, c.where, c.body, c.status, c.reply)
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer draws the card's background behind its content.
func (c *cardView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewPadded(c.content)))
}

// revision identifies what a card shows, so unchanged rows skip work.
func revision(cd model.Card, label string) string {
	return fmt.Sprintf("%d|%d|%s|%d", cd.State, cd.Updated.UnixNano(), label, len(cd.Reply))
}

// bind shows cd in this view.
func (c *cardView) bind(cd model.Card) {
	tl := c.tl
	label := tl.u.model.Label(cd.Request.Server)
	rev := revision(cd, label) + fmt.Sprintf("|%d", tl.u.serverOrder[cd.Request.Server])
	sending, sendErr := tl.sendState(cd.Key())
	rev += fmt.Sprintf("|%v|%s", sending, sendErr)
	if c.key == cd.Key() && c.rev == rev {
		return
	}
	sameCard := c.key == cd.Key()
	if !sameCard && c.entry.hasFocus && c.key.ID != "" {
		// The row is reused for another card while the user types: the
		// focus follows the card being typed into, not the row.
		tl.focusOnBind = c.key
		if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
			cv.Unfocus()
		}
	}
	c.key, c.rev = cd.Key(), rev
	r := cd.Request

	c.tag.set(label, tl.u.serverColor(cd.Request.Server))
	if r.Kind == conn.KindWorkReport {
		c.kind.SetText(T("Work report"))
	} else {
		c.kind.SetText(T("Question"))
	}
	c.meta.SetText(joinNonEmpty(" · ", r.AgentName, r.Model, r.MCPClient))
	c.where.SetText(joinNonEmpty(" · ", r.ProjectDirectory, formatTime(r.CreatedAt)))
	if !sameCard {
		c.body.Segments = safeSegments(r.Text, openURL)
		c.body.Refresh()
	}

	open := cd.State.Open()
	status, imp := statusText(cd)
	if open && sending {
		status, imp = T("Sending…"), widget.MediumImportance
	}
	if open && sendErr != "" {
		status, imp = T("Not sent: {{.Err}}", map[string]any{"Err": sendErr}), widget.DangerImportance
	}
	c.status.SetText(status)
	c.status.Importance = imp
	c.status.Refresh()
	if status == "" {
		c.status.Hide()
	} else {
		c.status.Show()
	}

	stroke := theme.Color(theme.ColorNameSeparator)
	if open {
		stroke = theme.Color(theme.ColorNamePrimary)
		c.reply.Show()
		if !sameCard {
			c.entry.bindKey(cd.Key(), tl.draft(cd.Key()))
			c.setQuickReplies(cd)
		}
		c.target.SetText(T("to {{.Server}}", map[string]any{"Server": label}))
		if sending {
			c.entry.Disable()
			c.send.Disable()
		} else {
			c.entry.Enable()
			c.send.Enable()
		}
	} else {
		c.reply.Hide()
		c.entry.bindKey(conn.RequestKey{}, "")
	}
	c.bg.StrokeColor = stroke
	c.bg.Refresh()
}

func (c *cardView) setQuickReplies(cd model.Card) {
	var labels []string
	for _, ch := range cd.Request.Choices {
		for _, o := range ch.Options {
			labels = append(labels, o.Label)
		}
		break
	}
	if len(labels) > 6 {
		labels = labels[:6]
	}
	if cd.Request.Kind == conn.KindWorkReport {
		labels = append(labels, T("Confirmed"), T("Continue"))
	} else if len(labels) == 0 {
		labels = []string{T("OK"), T("Yes"), T("No"), T("Continue")}
	}
	objs := make([]fyne.CanvasObject, 0, len(labels))
	for _, l := range labels {
		text := l
		b := widget.NewButton(text, func() { c.tl.send(c.key, text) })
		objs = append(objs, b)
	}
	c.quick.Objects = objs
	c.quick.Refresh()
}

// statusText says what became of a card, and how loudly.
func statusText(cd model.Card) (string, widget.Importance) {
	switch cd.State {
	case model.Sending:
		return T("Sending your reply: {{.Text}}", map[string]any{"Text": cd.Reply}), widget.MediumImportance
	case model.Queued:
		return T("Queued: the server is offline; your reply is sent when it is back: {{.Text}}", map[string]any{"Text": cd.Reply}), widget.WarningImportance
	case model.AnsweredByMe:
		return T("Answered by you: {{.Text}}", map[string]any{"Text": cd.Reply}), widget.SuccessImportance
	case model.AnsweredElsewhere:
		by := cd.By
		if by == "" {
			by = T("another client")
		}
		return T("Answered elsewhere by {{.By}}: {{.Text}}", map[string]any{"By": by, "Text": cd.ByText}), widget.LowImportance
	case model.Cancelled:
		reason := cd.Reason
		if reason == "" {
			reason = T("no reason given")
		}
		return T("Cancelled: {{.Reason}}", map[string]any{"Reason": reason}), widget.WarningImportance
	case model.Gone:
		return T("Answered or cancelled while this app was offline"), widget.LowImportance
	case model.Undeliverable:
		return T("Undeliverable: {{.Reason}}", map[string]any{"Reason": cd.Reason}), widget.DangerImportance
	}
	return "", widget.MediumImportance
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
	t.text.Text = label
	t.bg.FillColor = c
	t.Refresh()
}

// CreateRenderer draws the text on its coloured background.
func (t *serverTag) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.bg,
		container.New(layout.NewCustomPaddedLayout(2, 2, 6, 6), container.NewCenter(t.text))))
}

var tagPalette = []color.NRGBA{
	{0x25, 0x63, 0xeb, 0xff}, {0x7c, 0x3a, 0xed, 0xff}, {0x05, 0x96, 0x69, 0xff},
	{0xc2, 0x41, 0x0c, 0xff}, {0xdb, 0x27, 0x77, 0xff}, {0x08, 0x91, 0xb2, 0xff},
}

// serverColor gives each server its own colour, by its place in the
// server list (so the first six never share one); servers the list does
// not know yet get one from their ID.
func (u *UI) serverColor(id conn.ServerID) color.Color {
	if i, ok := u.serverOrder[id]; ok {
		return tagPalette[i%len(tagPalette)]
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return tagPalette[h.Sum32()%uint32(len(tagPalette))]
}
