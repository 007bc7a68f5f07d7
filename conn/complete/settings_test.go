package complete_test

import (
	"testing"

	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/profiles"
)

// profiles cannot import conn, so it keeps its own copy of the defaults;
// they must agree.
func TestDefaultsAgreeWithProfiles(t *testing.T) {
	if profiles.DefaultCommandTemplate != complete.DefaultCommandTemplate || profiles.DefaultSkillTemplate != complete.DefaultSkillTemplate {
		t.Error("the default templates differ between profiles and complete")
	}
	for _, s := range []string{profiles.ShowCommands, profiles.ShowSkills, profiles.ShowBoth} {
		if !complete.Show(s).Valid() {
			t.Errorf("profiles' Show %q is not a complete.Show", s)
		}
	}
	if profiles.MaxIgnorePattern != complete.MaxPatternLen {
		t.Error("the pattern length bounds differ")
	}
}
