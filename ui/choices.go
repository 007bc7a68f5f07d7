package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
)

// Bounds on structured choices as shown.
const (
	// maxChoicesShown bounds the questions of one request shown.
	maxChoicesShown = 10
	// maxOptionsShown bounds the options of one question shown.
	maxOptionsShown = 26
	// maxOptionLabel bounds an option's label and description.
	maxOptionLabel = 160
	// maxCustomChars bounds the user's own words for one question.
	maxCustomChars = 4000
)

// choicesInput is what the choices of a card do: pick an option, and keep
// the user's own words. The model holds both.
type choicesInput struct {
	selectOption func(ch, opt int, on bool)
	setCustom    func(ch int, text string)
}

// choicesView shows a request's structured choices (newer servers) as
// one-click options: radio buttons, check boxes when several answers are
// allowed, and a field for the user's own words when the question allows
// them. Options are numbered through all questions; Alt+1…9 in the reply
// pick them. What is picked lives in the model; set shows it.
type choicesView struct {
	in  choicesInput
	box *fyne.Container
	// shape says which request and choices the widgets were built for.
	shape   string
	radios  []*widget.RadioGroup
	labels  [][]string // per choice, the option labels as shown
	checks  [][]*widget.Check
	customs []*customEntry
	// picked is each single-answer question's option as last set (-1:
	// none), so un-picking the radio can tell the model which.
	picked  []int
	setting bool
}

func newChoicesView(in choicesInput) *choicesView {
	v := &choicesView{in: in}
	v.box = container.NewVBox()
	v.box.Hide()
	return v
}

// set shows choices with answers; fresh says the card is another request
// (the custom fields then take the model's text).
func (v *choicesView) set(key conn.RequestKey, choices []conn.Choice, answers []conn.ChoiceAnswer, enabled, fresh bool) {
	if len(choices) == 0 {
		v.shape = ""
		v.box.Objects = nil
		v.box.Hide()
		return
	}
	shape := fmt.Sprintf("%s/%s/%d", key.Server, key.ID, len(choices))
	if shape != v.shape {
		v.build(choices)
		v.shape = shape
		fresh = true
	}
	v.setting = true
	defer func() { v.setting = false }()
	for i := range v.labels {
		var a conn.ChoiceAnswer
		if i < len(answers) {
			a = answers[i]
		}
		if r := v.radios[i]; r != nil {
			sel := ""
			v.picked[i] = -1
			if len(a.Selected) > 0 && a.Selected[0] < len(v.labels[i]) {
				sel = v.labels[i][a.Selected[0]]
				v.picked[i] = a.Selected[0]
			}
			if r.Selected != sel {
				r.SetSelected(sel)
			}
			setEnabled(r, enabled)
		}
		for j, c := range v.checks[i] {
			on := slices.Contains(a.Selected, j)
			if c.Checked != on {
				c.SetChecked(on)
			}
			setEnabled(c, enabled)
		}
		if e := v.customs[i]; e != nil {
			if fresh && e.Text != a.Custom {
				e.SetText(a.Custom)
			}
			setEnabled(e, enabled)
		}
	}
	v.box.Show()
}

func setEnabled(w fyne.Disableable, on bool) {
	if on && w.Disabled() {
		w.Enable()
	} else if !on && !w.Disabled() {
		w.Disable()
	}
}

// build makes the widgets for choices.
func (v *choicesView) build(choices []conn.Choice) {
	n := min(len(choices), maxChoicesShown)
	v.radios = make([]*widget.RadioGroup, n)
	v.labels = make([][]string, n)
	v.checks = make([][]*widget.Check, n)
	v.customs = make([]*customEntry, n)
	v.picked = make([]int, n)
	var objs []fyne.CanvasObject
	number := 0
	for i, ch := range choices[:n] {
		title := ch.Header
		if title == "" {
			title = ch.Question
		} else if ch.Question != "" && ch.Question != ch.Header {
			title += ": " + ch.Question
		}
		head := newToneText(toneNormal, true)
		head.Set(oneLine(title, maxLine), toneNormal, true)
		objs = append(objs, head)
		opts := ch.Options[:min(len(ch.Options), maxOptionsShown)]
		labels := make([]string, len(opts))
		for j, o := range opts {
			number++
			label := oneLine(o.Label, maxOptionLabel)
			if o.Description != "" {
				label += " — " + oneLine(o.Description, maxOptionLabel)
			}
			// The number is the key that picks it, and tells two
			// options with the same label apart.
			if number <= 9 {
				label = fmt.Sprintf("%d. %s", number, label)
			} else {
				label = "   " + label
			}
			labels[j] = label
		}
		v.labels[i] = labels
		if ch.Multiple {
			for j, l := range labels {
				c := widget.NewCheck(l, func(on bool) {
					if !v.setting {
						v.in.selectOption(i, j, on)
					}
				})
				v.checks[i] = append(v.checks[i], c)
				objs = append(objs, c)
			}
		} else if len(labels) > 0 {
			r := widget.NewRadioGroup(labels, func(s string) {
				if v.setting {
					return
				}
				if j := slices.Index(labels, s); j >= 0 {
					v.in.selectOption(i, j, true)
				} else if sel := v.selectedIndex(i); sel >= 0 {
					v.in.selectOption(i, sel, false)
				}
			})
			v.radios[i] = r
			objs = append(objs, r)
		}
		if ch.Custom || len(ch.Options) == 0 {
			e := newCustomEntry(func(s string) { v.in.setCustom(i, s) })
			v.customs[i] = e
			objs = append(objs, e)
		}
	}
	if len(choices) > n {
		more := newFitText(toneMuted)
		more.Set(T("and {{.N}} more questions; answer them in the reply", map[string]any{"N": len(choices) - n}), toneMuted, false)
		objs = append(objs, more)
	}
	hint := newFitText(toneMuted)
	hint.Set(T("Alt+1…9 picks an option while you type the reply"), toneMuted, false)
	objs = append(objs, hint)
	v.box.Objects = objs
	v.box.Refresh()
}

// selectedIndex is the option of a single-answer question that the model
// had picked when the view was last set.
func (v *choicesView) selectedIndex(ch int) int {
	if ch < len(v.picked) {
		return v.picked[ch]
	}
	return -1
}

// customEntry is the field for the user's own answer to one question.
type customEntry struct {
	widget.Entry
}

func newCustomEntry(changed func(string)) *customEntry {
	e := &customEntry{}
	e.SetPlaceHolder(T("Your own answer"))
	e.OnChanged = func(s string) {
		if len([]rune(s)) > maxCustomChars {
			head, _ := cutRunes(s, maxCustomChars)
			e.SetText(head)
			return
		}
		changed(s)
	}
	e.ExtendBaseWidget(e)
	return e
}
