package profiles_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

func TestCompletionAndAttachmentDefaults(t *testing.T) {
	s := profiles.DefaultSettings()
	c := s.Completion
	if !c.Gitignore || c.Show != profiles.ShowCommands || c.CommandTemplate != profiles.DefaultCommandTemplate || c.SkillTemplate != profiles.DefaultSkillTemplate || len(c.IgnorePatterns) != 0 {
		t.Errorf("default completion = %+v", c)
	}
	if s.Attachments.PerFile != 10_000_000 || s.Attachments.PerReply != 24_000_000 || profiles.ValidateAttachmentLimits(s.Attachments) != nil {
		t.Errorf("default limits = %+v", s.Attachments)
	}
}

func TestNormalizeCompletion(t *testing.T) {
	c, err := profiles.NormalizeCompletion(profiles.Completion{IgnorePatterns: []string{"  *.log ", "", "  ", "!dist/"}, CommandTemplate: "  ", SkillTemplate: "use %name%", Show: profiles.ShowBoth})
	if err != nil || !slices.Equal(c.IgnorePatterns, []string{"*.log", "!dist/"}) || c.CommandTemplate != profiles.DefaultCommandTemplate || c.SkillTemplate != "use %name%" {
		t.Errorf("normalized = %+v, %v", c, err)
	}
	bad := []struct {
		c    profiles.Completion
		want string
	}{
		{profiles.Completion{IgnorePatterns: []string{strings.Repeat("a", profiles.MaxIgnorePattern+1)}}, "longer than"},
		{profiles.Completion{IgnorePatterns: slices.Repeat([]string{"x"}, profiles.MaxIgnorePatterns+1)}, "at most 200"},
		{profiles.Completion{IgnorePatterns: []string{"a\x00b"}}, "cannot be in a path pattern"},
		{profiles.Completion{IgnorePatterns: []string{"bad\xff"}}, "cannot be in a path pattern"},
		{profiles.Completion{CommandTemplate: strings.Repeat("é", profiles.MaxTemplateLen+1)}, "longer than 4000"},
		{profiles.Completion{SkillTemplate: "\xff"}, "not valid text"},
		{profiles.Completion{Show: "everything"}, `not "everything"`},
	}
	for _, b := range bad {
		if _, err := profiles.NormalizeCompletion(b.c); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("NormalizeCompletion(%.60v) = %v, want %q", b.c, err, b.want)
		}
	}
}

func TestValidateAttachmentLimits(t *testing.T) {
	ok := []profiles.AttachmentLimits{{100_000, 100_000}, {10_000_000, 30_000_000}, {30_000_000, 30_000_000}}
	for _, l := range ok {
		if err := profiles.ValidateAttachmentLimits(l); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	bad := map[profiles.AttachmentLimits]string{
		{99_999, 1_000_000}:     "at least 100 kB",
		{1_000_000, 0}:          "at least 100 kB",
		{1_000_000, 30_000_001}: "at most 30 MB",
		{-5, 1_000_000}:         "at least",
		{2_000_000, 1_000_000}:  "cannot be larger",
	}
	for l, want := range bad {
		if err := profiles.ValidateAttachmentLimits(l); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", l, err, want)
		}
	}
}

func TestCompletionSettingsPersist(t *testing.T) {
	s, dir := newStore(t)
	in := profiles.DefaultSettings()
	in.Completion = profiles.Completion{Gitignore: false, IgnorePatterns: []string{"vendor/", " *.gen.go"}, CommandTemplate: "run /%name% from %path%", SkillTemplate: "", Show: profiles.ShowSkills}
	in.Attachments = profiles.AttachmentLimits{PerFile: 5_000_000, PerReply: 20_000_000}
	if err := s.SetSettings(in); err != nil {
		t.Fatal(err)
	}
	got := profiles.Reload(t, s, dir).Settings()
	want := profiles.Completion{Gitignore: false, IgnorePatterns: []string{"vendor/", "*.gen.go"}, CommandTemplate: "run /%name% from %path%", SkillTemplate: profiles.DefaultSkillTemplate, Show: profiles.ShowSkills}
	if !slices.Equal(got.Completion.IgnorePatterns, want.IgnorePatterns) || got.Completion.CommandTemplate != want.CommandTemplate ||
		got.Completion.SkillTemplate != want.SkillTemplate || got.Completion.Show != want.Show || got.Completion.Gitignore {
		t.Errorf("completion after reload = %+v", got.Completion)
	}
	if got.Attachments != in.Attachments {
		t.Errorf("limits after reload = %+v", got.Attachments)
	}
	// The returned copy does not share the pattern slice.
	got.Completion.IgnorePatterns[0] = "changed"
	if s.Settings().Completion.IgnorePatterns[0] != "vendor/" {
		t.Error("Settings() shares the ignore patterns")
	}
	// Refusals leave the saved settings alone.
	bad := in
	bad.Attachments.PerFile = 40_000_000
	if err := s.SetSettings(bad); err == nil {
		t.Error("a per-file limit over the ceiling was saved")
	}
	bad = in
	bad.Completion.Show = "all"
	if err := s.SetSettings(bad); err == nil {
		t.Error("an unknown Show was saved")
	}
	if s.Settings().Attachments != in.Attachments || s.Settings().Completion.Show != profiles.ShowSkills {
		t.Error("a refused SetSettings changed the settings")
	}
}

func TestHandEditedCompletionSettings(t *testing.T) {
	good := `{"schema_version":2,"profiles":[],"settings":{"nickname":"alice",
		"completion":{"gitignore":false,"ignore_patterns":["tmp/"],"command_template":"c %name%","skill_template":"s %name%","show":"both"},
		"attachments":{"per_file":2000000,"per_reply":3000000}}}`
	s, _, err := loadFile(t, good)
	if err != nil {
		t.Fatal(err)
	}
	st := s.Settings()
	if st.Completion.Gitignore || st.Completion.Show != profiles.ShowBoth || st.Completion.CommandTemplate != "c %name%" || !slices.Equal(st.Completion.IgnorePatterns, []string{"tmp/"}) ||
		st.Attachments != (profiles.AttachmentLimits{2_000_000, 3_000_000}) || len(s.Notices()) != 0 {
		t.Errorf("settings = %+v, notices %q", st, s.Notices())
	}

	cases := []struct {
		settings string
		notice   string
	}{
		{`"completion":"yes"`, "completion settings had the wrong type"},
		{`"completion":{"gitignore":"maybe"}`, `the .gitignore switch ("gitignore") had the wrong type`},
		{`"completion":{"show":"all"}`, "completion settings were not valid"},
		{`"completion":{"ignore_patterns":[` + strings.Repeat(`"x",`, profiles.MaxIgnorePatterns) + `"y"]}`, "only the first 200 ignore patterns"},
		{`"attachments":{"per_file":50000000,"per_reply":60000000}`, "attachment limits were not valid"},
		{`"attachments":{"per_file":"big"}`, "per-file attachment limit"},
		{`"attachments":[1,2]`, "attachment limits had the wrong type"},
	}
	for _, tc := range cases {
		s, _, err := loadFile(t, `{"schema_version":1,"profiles":[],"settings":{"nickname":"alice",`+tc.settings+`}}`)
		if err != nil {
			t.Fatalf("%s: %v", tc.settings, err)
		}
		if !profiles.NoticesMention(s, tc.notice) {
			t.Errorf("%s: notices %q, want %q", tc.settings, s.Notices(), tc.notice)
		}
		st := s.Settings()
		if completionErr(st.Completion) != nil || profiles.ValidateAttachmentLimits(st.Attachments) != nil {
			t.Errorf("%s: unusable settings kept: %+v", tc.settings, st)
		}
	}
}

// completionErr is the verdict of NormalizeCompletion alone.
func completionErr(c profiles.Completion) error {
	_, err := profiles.NormalizeCompletion(c)
	return err
}
