package profiles

import (
	"slices"
	"strings"
	"testing"
)

func TestCompletionAndAttachmentDefaults(t *testing.T) {
	s := DefaultSettings()
	c := s.Completion
	if !c.Gitignore || c.Show != ShowCommands || c.CommandTemplate != DefaultCommandTemplate || c.SkillTemplate != DefaultSkillTemplate || len(c.IgnorePatterns) != 0 {
		t.Errorf("default completion = %+v", c)
	}
	if s.Attachments.PerFile != 10_000_000 || s.Attachments.PerReply != 24_000_000 || ValidateAttachmentLimits(s.Attachments) != nil {
		t.Errorf("default limits = %+v", s.Attachments)
	}
}

func TestNormalizeCompletion(t *testing.T) {
	c, err := NormalizeCompletion(Completion{IgnorePatterns: []string{"  *.log ", "", "  ", "!dist/"}, CommandTemplate: "  ", SkillTemplate: "use %name%", Show: ShowBoth})
	if err != nil || !slices.Equal(c.IgnorePatterns, []string{"*.log", "!dist/"}) || c.CommandTemplate != DefaultCommandTemplate || c.SkillTemplate != "use %name%" {
		t.Errorf("normalized = %+v, %v", c, err)
	}
	bad := []struct {
		c    Completion
		want string
	}{
		{Completion{IgnorePatterns: []string{strings.Repeat("a", MaxIgnorePattern+1)}}, "longer than"},
		{Completion{IgnorePatterns: slices.Repeat([]string{"x"}, MaxIgnorePatterns+1)}, "at most 200"},
		{Completion{IgnorePatterns: []string{"a\x00b"}}, "cannot be in a path pattern"},
		{Completion{IgnorePatterns: []string{"bad\xff"}}, "cannot be in a path pattern"},
		{Completion{CommandTemplate: strings.Repeat("é", MaxTemplateLen+1)}, "longer than 4000"},
		{Completion{SkillTemplate: "\xff"}, "not valid text"},
		{Completion{Show: "everything"}, `not "everything"`},
	}
	for _, b := range bad {
		if _, err := NormalizeCompletion(b.c); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("NormalizeCompletion(%.60v) = %v, want %q", b.c, err, b.want)
		}
	}
}

func TestValidateAttachmentLimits(t *testing.T) {
	ok := []AttachmentLimits{{100_000, 100_000}, {10_000_000, 30_000_000}, {30_000_000, 30_000_000}}
	for _, l := range ok {
		if err := ValidateAttachmentLimits(l); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	bad := map[AttachmentLimits]string{
		{99_999, 1_000_000}:     "at least 100 kB",
		{1_000_000, 0}:          "at least 100 kB",
		{1_000_000, 30_000_001}: "at most 30 MB",
		{-5, 1_000_000}:         "at least",
		{2_000_000, 1_000_000}:  "cannot be larger",
	}
	for l, want := range bad {
		if err := ValidateAttachmentLimits(l); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", l, err, want)
		}
	}
}

func TestCompletionSettingsPersist(t *testing.T) {
	s, dir := newStore(t)
	in := DefaultSettings()
	in.Completion = Completion{Gitignore: false, IgnorePatterns: []string{"vendor/", " *.gen.go"}, CommandTemplate: "run /%name% from %path%", SkillTemplate: "", Show: ShowSkills}
	in.Attachments = AttachmentLimits{PerFile: 5_000_000, PerReply: 20_000_000}
	if err := s.SetSettings(in); err != nil {
		t.Fatal(err)
	}
	got := reload(t, s, dir).Settings()
	want := Completion{Gitignore: false, IgnorePatterns: []string{"vendor/", "*.gen.go"}, CommandTemplate: "run /%name% from %path%", SkillTemplate: DefaultSkillTemplate, Show: ShowSkills}
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
	if s.Settings().Attachments != in.Attachments || s.Settings().Completion.Show != ShowSkills {
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
	if st.Completion.Gitignore || st.Completion.Show != ShowBoth || st.Completion.CommandTemplate != "c %name%" || !slices.Equal(st.Completion.IgnorePatterns, []string{"tmp/"}) ||
		st.Attachments != (AttachmentLimits{2_000_000, 3_000_000}) || len(s.Notices()) != 0 {
		t.Errorf("settings = %+v, notices %q", st, s.Notices())
	}

	cases := []struct {
		settings string
		notice   string
	}{
		{`"completion":"yes"`, "completion settings had the wrong type"},
		{`"completion":{"gitignore":"maybe"}`, `the .gitignore switch ("gitignore") had the wrong type`},
		{`"completion":{"show":"all"}`, "completion settings were not valid"},
		{`"completion":{"ignore_patterns":[` + strings.Repeat(`"x",`, MaxIgnorePatterns) + `"y"]}`, "only the first 200 ignore patterns"},
		{`"attachments":{"per_file":50000000,"per_reply":60000000}`, "attachment limits were not valid"},
		{`"attachments":{"per_file":"big"}`, "per-file attachment limit"},
		{`"attachments":[1,2]`, "attachment limits had the wrong type"},
	}
	for _, tc := range cases {
		s, _, err := loadFile(t, `{"schema_version":1,"profiles":[],"settings":{"nickname":"alice",`+tc.settings+`}}`)
		if err != nil {
			t.Fatalf("%s: %v", tc.settings, err)
		}
		if !noticesMention(s, tc.notice) {
			t.Errorf("%s: notices %q, want %q", tc.settings, s.Notices(), tc.notice)
		}
		st := s.Settings()
		if completionErr(st.Completion) != nil || ValidateAttachmentLimits(st.Attachments) != nil {
			t.Errorf("%s: unusable settings kept: %+v", tc.settings, st)
		}
	}
}

// completionErr is the verdict of NormalizeCompletion alone.
func completionErr(c Completion) error {
	_, err := NormalizeCompletion(c)
	return err
}
