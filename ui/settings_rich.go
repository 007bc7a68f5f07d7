package ui

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/profiles"
)

// Bounds on what the rich-reply settings fields take as typed.
const (
	// maxPatternsText bounds the ignore patterns field.
	maxPatternsText = profiles.MaxIgnorePatterns * 80
	// maxLimitText bounds a size field ("10", "2.5").
	maxLimitText = 12
)

// richSettings are the settings sections of rich replies: "@" and "/"
// completion (ignore patterns, .gitignore, the two templates, what "/"
// lists) and the attachment limits.
type richSettings struct {
	gitignore *scopedCheck
	patterns  *multiField
	cmdTpl    *multiField
	skillTpl  *multiField
	commands  *scopedCheck
	skills    *scopedCheck
	perFile   *scopedEntry
	perReply  *scopedEntry
}

func newRichSettings(scope *keyScope) *richSettings {
	r := &richSettings{}
	r.gitignore = newScopedCheck(T("Leave out what the project's .gitignore files ignore"), nil, scope)
	r.patterns = newMultiField(scope)
	r.patterns.SetPlaceHolder(T("One pattern per line, as in .gitignore (for example dist/ or *.log)"))
	r.patterns.OnChanged = limitTo(&r.patterns.Entry, maxPatternsText)
	r.cmdTpl = newMultiField(scope)
	r.cmdTpl.Wrapping = fyne.TextWrapWord
	r.cmdTpl.OnChanged = limitTo(&r.cmdTpl.Entry, profiles.MaxTemplateLen)
	r.skillTpl = newMultiField(scope)
	r.skillTpl.Wrapping = fyne.TextWrapWord
	r.skillTpl.OnChanged = limitTo(&r.skillTpl.Entry, profiles.MaxTemplateLen)
	r.commands = newScopedCheck(T("Commands"), nil, scope)
	r.skills = newScopedCheck(T("Skills"), nil, scope)
	r.perFile = newScopedEntry(scope)
	r.perFile.OnChanged = limitTo(&r.perFile.Entry, maxLimitText)
	r.perReply = newScopedEntry(scope)
	r.perReply.OnChanged = limitTo(&r.perReply.Entry, maxLimitText)
	return r
}

// multiField is a multi-line settings field that Tab leaves (rather than
// typing a tab into it), so the keyboard can go on through the screen.
type multiField struct {
	scopedEntry
}

func newMultiField(scope *keyScope) *multiField {
	f := &multiField{}
	f.scope = scope
	f.MultiLine = true
	f.SetMinRowsVisible(3)
	f.ExtendBaseWidget(f)
	return f
}

// AcceptsTab lets Tab move the focus on.
func (f *multiField) AcceptsTab() bool { return false }

// limitTo returns an OnChanged that cuts e's text at n characters.
func limitTo(e *widget.Entry, n int) func(string) {
	return func(s string) {
		if len(s) > n {
			if head, cutOff := cutRunes(s, n); cutOff {
				e.SetText(head)
			}
		}
	}
}

// items are the form rows of both sections.
func (r *richSettings) items() []*widget.FormItem {
	hint := func(text string) *toneText {
		t := newToneText(toneMuted, true)
		t.Set(text, toneMuted, false)
		return t
	}
	completion := widget.NewFormItem(T("@ and / completion"), container.NewVBox(
		r.gitignore,
		widget.NewLabel(T("Also leave out")), r.patterns,
		widget.NewLabel(T("The / list shows")), container.NewHBox(r.commands, r.skills),
		widget.NewLabel(T("Inserted for a command")), r.cmdTpl,
		widget.NewLabel(T("Inserted for a skill")), r.skillTpl,
		hint(T("%name% is the command or skill, %path% its file, %type% command or skill. An empty template goes back to the default.")),
	))
	limits := widget.NewFormItem(T("Attachments"), container.NewVBox(
		container.NewGridWithColumns(2,
			container.NewVBox(widget.NewLabel(T("Largest file (MB)")), r.perFile),
			container.NewVBox(widget.NewLabel(T("All files of one reply (MB)")), r.perReply)),
		hint(T("One reply travels as one message; other clients refuse messages over 32 MiB, so a reply carries at most 30 MB.")),
	))
	return []*widget.FormItem{completion, limits}
}

// load fills the fields from saved settings.
func (r *richSettings) load(st profiles.Settings) {
	c := st.Completion
	r.gitignore.SetChecked(c.Gitignore)
	r.patterns.SetText(strings.Join(c.IgnorePatterns, "\n"))
	r.cmdTpl.SetText(c.CommandTemplate)
	r.skillTpl.SetText(c.SkillTemplate)
	r.commands.SetChecked(c.Show != profiles.ShowSkills)
	r.skills.SetChecked(c.Show == profiles.ShowSkills || c.Show == profiles.ShowBoth)
	r.perFile.SetText(formatMB(st.Attachments.PerFile))
	r.perReply.SetText(formatMB(st.Attachments.PerReply))
}

// apply puts the fields into st, or says what is wrong with them.
func (r *richSettings) apply(st *profiles.Settings) error {
	c := profiles.Completion{Gitignore: r.gitignore.Checked, CommandTemplate: r.cmdTpl.Text, SkillTemplate: r.skillTpl.Text}
	c.IgnorePatterns = strings.Split(r.patterns.Text, "\n")
	switch {
	case r.commands.Checked && r.skills.Checked:
		c.Show = profiles.ShowBoth
	case r.skills.Checked:
		c.Show = profiles.ShowSkills
	default:
		c.Show = profiles.ShowCommands
	}
	c, err := profiles.NormalizeCompletion(c)
	if err != nil {
		return err
	}
	perFile, err := parseMB(r.perFile.Text, T("the largest file"))
	if err != nil {
		return err
	}
	perReply, err := parseMB(r.perReply.Text, T("all files of one reply"))
	if err != nil {
		return err
	}
	l := profiles.AttachmentLimits{PerFile: perFile, PerReply: perReply}
	if err := profiles.ValidateAttachmentLimits(l); err != nil {
		return err
	}
	st.Completion, st.Attachments = c, l
	return nil
}

// formatMB shows a byte count in decimal megabytes, as typed.
func formatMB(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64)
}

// parseMB reads a size in megabytes ("10", "2.5", "2,5").
func parseMB(s, what string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New(T("Type a number of megabytes for {{.What}}", map[string]any{"What": what}))
	}
	if v < 0 || v > 1e6 {
		return 0, fmt.Errorf("%s: %s", what, T("out of range"))
	}
	return int64(math.Round(v * 1e6)), nil
}

// completionSettings are st's completion settings, or the defaults when
// st has none yet (before the core started).
func completionSettings(st profiles.Settings) profiles.Completion {
	if st.Completion.CommandTemplate == "" {
		return profiles.DefaultCompletion()
	}
	return st.Completion
}
