package ui

import (
	"errors"
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/model"
)

// Sizes of attachment previews on cards.
const (
	// chipThumb is the side of a chip's preview.
	chipThumb = 32
	// receivedThumb is the longer side of a received image's preview.
	receivedThumb = 96
	// maxChipText bounds a chip's text: a name or an error.
	maxChipText = 90
	// maxReceivedShown bounds the received attachments a card lists.
	maxReceivedShown = 12
)

// chipsRow shows the attachments of a reply being written, under its
// reply box: a preview for images, the name and size, and a remove button;
// a chip that cannot be sent says why instead. It keeps nothing: set
// rebuilds it from the model's items.
type chipsRow struct {
	box    *fyne.Container
	remove func(id int)
	// sig is what the chips show now, so an unchanged set costs nothing.
	sig string
}

func newChipsRow(remove func(id int)) *chipsRow {
	r := &chipsRow{remove: remove}
	r.box = container.New(layout.NewRowWrapLayout())
	r.box.Hide()
	return r
}

// set shows items; disabled turns the remove buttons off (a reply on its
// way).
func (r *chipsRow) set(items []attach.Item, disabled bool) {
	var sig strings.Builder
	for _, it := range items {
		sig.WriteString(cut(it.Label(), maxChipText))
		if it.Loading {
			sig.WriteString("~")
		}
		if it.Thumb != nil {
			sig.WriteString("#")
		}
		sig.WriteByte('|')
	}
	if disabled {
		sig.WriteString("off")
	}
	if sig.String() == r.sig {
		return
	}
	r.sig = sig.String()
	if len(items) == 0 {
		r.box.Objects = nil
		r.box.Hide()
		return
	}
	objs := make([]fyne.CanvasObject, 0, len(items))
	for _, it := range items {
		objs = append(objs, r.chip(it, disabled))
	}
	r.box.Objects = objs
	r.box.Show()
	r.box.Refresh()
}

// chip draws one item.
func (r *chipsRow) chip(it attach.Item, disabled bool) fyne.CanvasObject {
	var lead fyne.CanvasObject
	switch {
	case it.Thumb != nil:
		lead = thumbImage(it.Thumb, chipThumb)
	default:
		lead = widget.NewIcon(kindIcon(it.Kind, it.Err != nil))
	}
	text := newFitText(toneNormal)
	switch {
	case it.Err != nil:
		text.Set(oneLine(chipError(it.Err), maxChipText), toneDanger, false)
	case it.Loading:
		text.Set(T("{{.Name}} · loading…", map[string]any{"Name": oneLine(it.Name, maxChipText/2)}), toneMuted, false)
	default:
		text.Set(oneLine(it.Name, maxChipText/2)+" · "+attach.FormatSize(it.Size), toneNormal, false)
	}
	id := it.ID
	rm := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { r.remove(id) })
	rm.Importance = widget.LowImportance
	if disabled {
		rm.Disable()
	}
	return newChipFrame(container.NewHBox(lead, container.NewCenter(text), rm))
}

// chipError words a chip's problem; limits and unreadable files come
// worded from conn/attach, clipboard problems are translated here.
func chipError(err error) string {
	switch {
	case errors.Is(err, attach.ErrEmptyClipboard):
		return T("The clipboard holds no image or file")
	case errors.Is(err, attach.ErrClipboardUnsupported):
		return T("Pasting images needs xclip (X11) or wl-clipboard (Wayland)")
	}
	return err.Error()
}

// kindIcon is the icon of an attachment without a preview.
func kindIcon(k conn.AttachmentKind, failed bool) fyne.Resource {
	switch {
	case failed:
		return theme.ErrorIcon()
	case k == conn.AttachmentImage:
		return theme.FileImageIcon()
	case k == conn.AttachmentAudio:
		return theme.FileAudioIcon()
	}
	return theme.FileIcon()
}

// thumbImage shows a preview at most side pixels on its longer side.
func thumbImage(img image.Image, side float32) fyne.CanvasObject {
	b := img.Bounds()
	w, h := float32(b.Dx()), float32(b.Dy())
	if w <= 0 || h <= 0 {
		return widget.NewIcon(theme.FileImageIcon())
	}
	scale := side / max(w, h)
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScaleSmooth
	ci.SetMinSize(fyne.NewSize(w*scale, h*scale))
	return ci
}

// chipFrame draws a thin rounded border around a chip; the card shows
// through, so the chip's text keeps its measured contrast.
type chipFrame struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func newChipFrame(content fyne.CanvasObject) *chipFrame {
	f := &chipFrame{content: content}
	f.ExtendBaseWidget(f)
	return f
}

// CreateRenderer draws the border behind the padded content.
func (f *chipFrame) CreateRenderer() fyne.WidgetRenderer {
	border := canvas.NewRectangle(theme.Color(colorNameCard))
	border.StrokeColor = theme.Color(theme.ColorNameSeparator)
	border.StrokeWidth = 1
	border.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	return widget.NewSimpleRenderer(container.NewStack(border,
		container.New(layout.NewCustomPaddedLayout(2, 2, 6, 2), f.content)))
}

// receivedView lists the images, files and audio of someone else's reply
// on a card answered elsewhere: previews for images; name, type and size
// with a Save button for everything kept; "unreadable attachment" for
// what arrived malformed. Nothing here is ever fetched.
type receivedView struct {
	box  *fyne.Container
	save func(i int)
	sig  string
}

func newReceivedView(save func(i int)) *receivedView {
	v := &receivedView{save: save}
	v.box = container.NewVBox()
	v.box.Hide()
	return v
}

// set shows rs (nil hides the list).
func (v *receivedView) set(rs []model.Received) {
	var sig strings.Builder
	fmt.Fprint(&sig, len(rs))
	for _, r := range rs[:min(len(rs), maxReceivedShown)] {
		sig.WriteString(cut(r.Name, maxLabel) + cut(r.Problem, maxLabel))
		if r.Thumb != nil {
			sig.WriteString("#")
		}
		if r.Data == nil {
			sig.WriteString("-")
		}
		sig.WriteByte('|')
	}
	if sig.String() == v.sig {
		return
	}
	v.sig = sig.String()
	if len(rs) == 0 {
		v.box.Objects = nil
		v.box.Hide()
		return
	}
	head := newFitText(toneMuted)
	head.Set(T("Attached to their reply:"), toneMuted, false)
	objs := []fyne.CanvasObject{head}
	var thumbs []fyne.CanvasObject
	for i, r := range rs {
		if i == maxReceivedShown {
			more := newFitText(toneMuted)
			more.Set(T("and {{.N}} more", map[string]any{"N": len(rs) - maxReceivedShown}), toneMuted, false)
			objs = append(objs, more)
			break
		}
		if r.Thumb != nil {
			thumbs = append(thumbs, thumbImage(r.Thumb, receivedThumb))
		}
		objs = append(objs, v.row(i, r))
	}
	if len(thumbs) > 0 {
		objs = append(objs[:1], append([]fyne.CanvasObject{container.New(layout.NewRowWrapLayout(), thumbs...)}, objs[1:]...)...)
	}
	v.box.Objects = objs
	v.box.Show()
	v.box.Refresh()
}

// row is one received attachment: its icon, what it is, and Save.
func (v *receivedView) row(i int, r model.Received) fyne.CanvasObject {
	text := newToneText(toneNormal, false)
	icon := widget.NewIcon(kindIcon(r.Kind, r.Problem != ""))
	if r.Problem != "" {
		why := strings.TrimPrefix(strings.TrimPrefix(r.Problem, conn.UnreadableAttachment), ": ")
		text.Set(T("Unreadable attachment: {{.Why}}", map[string]any{"Why": oneLine(why, maxLabel)}), toneDanger, false)
		return bordered(nil, nil, icon, nil, text)
	}
	desc := oneLine(r.Name, maxLabel/2) + " · " + oneLine(r.MIME, 60) + " · " + attach.FormatSize(r.Size)
	if r.Data == nil {
		text.Set(T("{{.What}} (not kept in memory)", map[string]any{"What": desc}), toneMuted, false)
		return bordered(nil, nil, icon, nil, text)
	}
	text.Set(desc, toneNormal, false)
	save := widget.NewButtonWithIcon(T("Save…"), theme.DocumentSaveIcon(), func() { v.save(i) })
	return bordered(nil, nil, icon, save, text)
}
