package profiles

import (
	"regexp"
	"strings"
	"testing"
)

func TestGenerateNickname(t *testing.T) {
	re := regexp.MustCompile(`^desk-[0-9a-f]{4}$`)
	for range 100 {
		n := GenerateNickname()
		if !re.MatchString(n) {
			t.Fatalf("GenerateNickname() = %q", n)
		}
		if _, err := ValidateNickname(n); err != nil {
			t.Fatalf("generated nickname %q is invalid: %v", n, err)
		}
	}
}

func TestValidateNickname(t *testing.T) {
	ok := map[string]string{
		"ab":                               "ab",
		"  alice ":                         "alice",
		"12345678901234567890123456789012": "12345678901234567890123456789012",
		"三十二个字符的名字三十二个字符的名字三十二个字符的名字三十二个字": "三十二个字符的名字三十二个字符的名字三十二个字符的名字三十二个字",
		"ünïcødé名前":   "ünïcødé名前",
		"Jean Dupont": "Jean Dupont",
		"Émilie-Zoë":  "Émilie-Zoë",
	}
	for in, want := range ok {
		got, err := ValidateNickname(in)
		if err != nil || got != want {
			t.Errorf("ValidateNickname(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "a", "  b  ", "123456789012345678901234567890123", "тридцать два символа и ещё немного",
		strings.Repeat("n", 1<<20), "a\nb", "bad\x00", "\xff\xfe"} {
		if got, err := ValidateNickname(in); err == nil {
			t.Errorf("ValidateNickname(%q) = %q, want error", in, got)
		}
	}
}

func TestDefaultSettingsAndWrapReply(t *testing.T) {
	s := DefaultSettings()
	if !s.Notifications.Requests || !s.Notifications.Chat || s.ReplyAffixes {
		t.Errorf("DefaultSettings = %+v", s)
	}
	if got := s.WrapReply("yes"); got != "yes" {
		t.Errorf("WrapReply with affixes off = %q", got)
	}
	s.ReplyPrefix, s.ReplySuffix = "[", "] -- sent from agentdesk"
	if got := s.WrapReply("yes"); got != "yes" {
		t.Errorf("WrapReply with the toggle off = %q", got)
	}
	s.ReplyAffixes = true
	if got := s.WrapReply("yes"); got != "[yes] -- sent from agentdesk" {
		t.Errorf("WrapReply = %q", got)
	}
}
