package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn/model"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// maxNoticeDetails bounds the details shown under a banner.
const maxNoticeDetails = limits.NoticeDetailChars

// noticeBar shows the model's notices as banners at the top of the main
// window: a one-line title, details on demand and a dismiss button. News
// that needs no decision never blocks the timeline behind a modal.
type noticeBar struct {
	box       *fyne.Container
	dismiss   func(id string)
	sig       string
	expanded  map[string]bool
	rows      map[string]*noticeRow
	lastShown []model.Notice
}

type noticeRow struct {
	details *toneText
	toggle  *widget.Button
}

// newNoticeBar returns an empty bar; dismiss removes a notice (from the
// model).
func newNoticeBar(dismiss func(id string)) *noticeBar {
	return &noticeBar{box: container.NewVBox(), dismiss: dismiss, expanded: map[string]bool{}, rows: map[string]*noticeRow{}}
}

// show makes the bar show ns; rows are rebuilt only when ns changed.
func (b *noticeBar) show(ns []model.Notice) {
	var sig strings.Builder
	for _, n := range ns {
		sig.WriteString(n.ID + "\x00" + n.Title + "\x00" + n.Details + "\x01")
	}
	if sig.String() == b.sig {
		return
	}
	b.sig = sig.String()
	b.lastShown = ns
	clear(b.rows)
	objs := make([]fyne.CanvasObject, 0, len(ns))
	for _, n := range ns {
		objs = append(objs, b.row(n))
	}
	b.box.Objects = objs
	b.box.Refresh()
}

// titles lists the titles shown, translated (tests).
func (b *noticeBar) titles() []string {
	out := make([]string, len(b.lastShown))
	for i, n := range b.lastShown {
		out[i] = noticeTitle(n)
	}
	return out
}

func noticeTitle(n model.Notice) string {
	if n.Args != nil {
		return T(n.Title, n.Args)
	}
	return T(n.Title)
}

func (b *noticeBar) row(n model.Notice) fyne.CanvasObject {
	icon, tn := theme.InfoIcon(), toneInfo
	switch n.Level {
	case model.NoticeWarning:
		icon, tn = theme.WarningIcon(), toneWarn
	case model.NoticeError:
		icon, tn = theme.ErrorIcon(), toneDanger
	}
	title := newToneText(tn, false)
	title.Set(oneLine(noticeTitle(n), maxLabel), tn, true)
	r := &noticeRow{details: newToneText(toneNormal, true)}
	r.details.Set(cut(n.Details, maxNoticeDetails), toneNormal, false)
	id := n.ID
	r.toggle = widget.NewButton(T("Details"), func() {
		b.expanded[id] = !b.expanded[id]
		b.apply(id)
	})
	if strings.TrimSpace(n.Details) == "" {
		r.toggle.Hide()
	}
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { b.dismiss(id) })
	dismiss.Importance = widget.LowImportance
	b.rows[id] = r
	b.apply(id)
	head := container.NewBorder(nil, nil, widget.NewIcon(icon), container.NewHBox(r.toggle, dismiss), title)
	bg := canvas.NewRectangle(theme.Color(colorNameCard))
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	return container.NewStack(bg, container.NewPadded(container.NewVBox(head, r.details)))
}

// apply shows or hides one banner's details.
func (b *noticeBar) apply(id string) {
	r := b.rows[id]
	if r == nil {
		return
	}
	if b.expanded[id] {
		r.toggle.SetText(T("Hide details"))
		r.details.Show()
	} else {
		r.toggle.SetText(T("Details"))
		r.details.Hide()
	}
	b.box.Refresh()
}
