package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/profiles"
)

// TestRichSettingsSaveAndRefuseBadInput: the completion and attachment
// sections show the saved values, refuse what cannot work with a plain
// message (nothing saved), and save what can; the "@" index and new
// attachment drafts follow at once.
func TestRichSettingsSaveAndRefuseBadInput(t *testing.T) {
	h := newHarness(t, "Home")
	h.u.showSettings()
	h.q.drain()
	r := h.u.settings.rich
	if !r.gitignore.Checked || r.perFile.Text != "10" || r.perReply.Text != "24" || r.cmdTpl.Text != profiles.DefaultCommandTemplate ||
		!r.commands.Checked || r.skills.Checked {
		t.Fatalf("defaults shown: gitignore %v, %q MB / %q MB, commands %v skills %v", r.gitignore.Checked, r.perFile.Text, r.perReply.Text, r.commands.Checked, r.skills.Checked)
	}
	save := func() string {
		test.Tap(h.u.settings.save)
		h.waitFor("save result", func() bool { return h.u.settings.saveMsg.Text() != "Saving…" })
		return h.u.settings.saveMsg.Text()
	}
	for _, bad := range []struct{ perFile, perReply, want string }{
		{"ten", "24", "Type a number of megabytes for the largest file"},
		{"20", "10", "the per-file limit cannot be larger than the per-reply limit"},
		{"10", "64", "attachment limits can be at most 30 MB"},
		{"0.01", "24", "attachment limits must be at least 100 kB"},
	} {
		r.perFile.SetText(bad.perFile)
		r.perReply.SetText(bad.perReply)
		if got := save(); !strings.Contains(got, bad.want) {
			t.Errorf("%s / %s MB: message %q, want %q", bad.perFile, bad.perReply, got, bad.want)
		}
	}
	if got := h.core.Settings().Attachments; got != profiles.DefaultAttachmentLimits() {
		t.Fatalf("bad limits were saved: %+v", got)
	}
	r.perFile.SetText("2,5")
	r.perReply.SetText("5")
	r.gitignore.SetChecked(false)
	r.patterns.SetText("dist/\n\n  *.log  \n")
	r.skills.SetChecked(true)
	r.cmdTpl.SetText("  ")
	r.skillTpl.SetText("Run %name%")
	test.Type(r.perReply, strings.Repeat("9", 100)) // the field cuts what it takes
	if len(r.perReply.Text) > maxLimitText {
		t.Fatalf("the size field took %d characters", len(r.perReply.Text))
	}
	r.perReply.SetText("5")
	if got := save(); got != "Saved." {
		t.Fatalf("save: %q", got)
	}
	st := h.core.Settings()
	c := st.Completion
	if st.Attachments.PerFile != 2_500_000 || st.Attachments.PerReply != 5_000_000 || c.Gitignore ||
		!slices.Equal(c.IgnorePatterns, []string{"dist/", "*.log"}) || c.Show != profiles.ShowBoth ||
		c.CommandTemplate != profiles.DefaultCommandTemplate || c.SkillTemplate != "Run %name%" {
		t.Fatalf("saved %+v / %+v", st.Attachments, c)
	}
	if got := h.core.AttachmentLimits(); got.PerFile != 2_500_000 {
		t.Fatalf("new drafts get %+v", got)
	}
	h.u.comp.syncSettings()
	if o := h.u.comp.indexOpts; o.Gitignore || !slices.Equal(o.Ignore, c.IgnorePatterns) {
		t.Fatalf("the @ index still uses %+v", o)
	}
	// No field keeps Tab for itself: the keyboard goes on through the
	// screen (the window hands Tab to a field that accepts it).
	walkVisible(h.u.settings.root, func(o fyne.CanvasObject) {
		if tb, ok := o.(fyne.Tabbable); ok && tb.AcceptsTab() {
			t.Errorf("%T keeps Tab: a keyboard trap", o)
		}
	})
	// Opening the screen again shows what was saved.
	h.u.hideSettings()
	h.u.showSettings()
	if r.perFile.Text != "2.5" || r.patterns.Text != "dist/\n*.log" || !r.skills.Checked || !r.commands.Checked {
		t.Fatalf("shown again: %q, %q", r.perFile.Text, r.patterns.Text)
	}
}
