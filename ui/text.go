package ui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Display limits (see package limits): every label showing a value from
// outside is cut before Fyne shapes it.
const (
	maxLabel = limits.LabelChars
	maxLine  = limits.LineChars
)

// cut returns s cut to at most n characters on a character boundary, with
// an ellipsis when it was cut.
func cut(s string, n int) string { return limits.Cut(s, n) }

// oneLine cuts s for a one-line label: newlines and other control
// characters become spaces.
func oneLine(s string, n int) string { return limits.Label(s, n) }

// cutRunes returns the first n characters of s, and whether that is less
// than all of s. It reads at most n+1 characters of s.
func cutRunes(s string, n int) (string, bool) {
	i, count := 0, 0
	for i < len(s) {
		if count == n {
			return s[:i], true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s, false
}

// tone is the role of a text, which picks its measured colour.
type tone int

const (
	toneNormal tone = iota
	toneMuted
	toneOK
	toneWarn
	toneDanger
	toneInfo
)

func (t tone) colorName() fyne.ThemeColorName {
	switch t {
	case toneMuted:
		return colorNameMuted
	case toneOK:
		return colorNameOK
	case toneWarn:
		return colorNameWarn
	case toneDanger:
		return colorNameDanger
	case toneInfo:
		return colorNameInfo
	}
	return theme.ColorNameForeground
}

// toneText is a text in one of agentdesk's measured colours: what a Label
// with an Importance would be, but readable in both themes. (It wraps a
// RichText rather than extending it: an extended RichText draws as an
// input box.)
type toneText struct {
	widget.BaseWidget
	rich *widget.RichText
	seg  *widget.TextSegment
}

// newToneText returns an empty text; wrap makes it wrap at word
// boundaries, otherwise it is one line cut with an ellipsis where space
// runs out.
func newToneText(t tone, wrap bool) *toneText {
	x := newFitText(t)
	if wrap {
		x.rich.Wrapping = fyne.TextWrapWord
	} else {
		x.rich.Truncation = fyne.TextTruncateEllipsis
	}
	return x
}

// newFitText returns an empty one-line text that always takes the room
// it needs (for short labels, already cut by the caller).
func newFitText(t tone) *toneText {
	x := &toneText{seg: &widget.TextSegment{Style: widget.RichTextStyleInline}}
	x.seg.Style.ColorName = t.colorName()
	x.rich = widget.NewRichText(x.seg)
	x.ExtendBaseWidget(x)
	return x
}

// CreateRenderer shows the rich text.
func (x *toneText) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(x.rich) }

// Set shows text in tone t, bold or not; it refreshes only on a change.
// An empty text hides the widget, so it takes no room.
func (x *toneText) Set(text string, t tone, bold bool) {
	if text == "" {
		x.Hide()
	} else if !x.Visible() {
		x.Show()
	}
	if x.seg.Text == text && x.seg.Style.ColorName == t.colorName() && x.seg.Style.TextStyle.Bold == bold {
		return
	}
	x.seg.Text = text
	x.seg.Style.ColorName = t.colorName()
	x.seg.Style.TextStyle.Bold = bold
	x.rich.Refresh()
	x.Refresh()
}

// SetItalic switches italics on or off.
func (x *toneText) SetItalic(on bool) {
	if x.seg.Style.TextStyle.Italic == on {
		return
	}
	x.seg.Style.TextStyle.Italic = on
	x.rich.Refresh()
	x.Refresh()
}

// Text returns what is shown.
func (x *toneText) Text() string { return x.seg.Text }

// String returns what is shown (as RichText does).
func (x *toneText) String() string { return x.seg.Text }
