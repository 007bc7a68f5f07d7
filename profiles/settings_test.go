package profiles

import (
	"os"
	"path/filepath"
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
	n := s.Notifications
	if n.Questions != AttentionNotify || n.WorkReports != AttentionNotify || n.Chat != AttentionNotify ||
		!n.Questions.Notifies() || n.Chat.Raises() || s.ReplyAffixes {
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

// TestSchema1NotificationsMigrate: a version 1 file's two switches become
// attention modes; the file is rewritten as version 2.
func TestSchema1NotificationsMigrate(t *testing.T) {
	for _, c := range []struct {
		requests, chat string
		q, w, ch       Attention
	}{
		{"true", "true", AttentionNotify, AttentionNotify, AttentionNotify},
		{"false", "true", AttentionNone, AttentionNone, AttentionNotify},
		{"true", "false", AttentionNotify, AttentionNotify, AttentionNone},
	} {
		dir := t.TempDir()
		raw := `{"schema_version": 1, "profiles": [], "settings": {"nickname": "alice",
			"notifications": {"requests": ` + c.requests + `, "chat": ` + c.chat + `}}}`
		if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir, Options{Secrets: NewMemorySecrets()})
		if err != nil {
			t.Fatal(err)
		}
		n := s.Settings().Notifications
		if n.Questions != c.q || n.WorkReports != c.w || n.Chat != c.ch {
			t.Errorf("requests=%s chat=%s became %+v", c.requests, c.chat, n)
		}
		after, _ := os.ReadFile(filepath.Join(dir, ConfigFileName))
		if !strings.Contains(string(after), `"schema_version": 2`) || strings.Contains(string(after), `"requests"`) {
			t.Errorf("not rewritten as version 2:\n%s", after)
		}
	}
}

func TestBadAttentionAndHistorySettingsAreRefused(t *testing.T) {
	s, _ := newStore(t)
	st := s.Settings()
	st.Notifications.Chat = "shout"
	if err := s.SetSettings(st); err == nil {
		t.Fatal("an unknown attention mode was saved")
	}
	st = s.Settings()
	st.History.RetentionDays = -3
	if err := s.SetSettings(st); err == nil {
		t.Fatal("a negative retention was saved")
	}
	dir := t.TempDir()
	raw := `{"schema_version": 2, "profiles": [], "settings": {"nickname": "alice",
		"notifications": {"questions": "loud"}, "history": {"retention_days": 99999999}}}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(dir, Options{Secrets: NewMemorySecrets()})
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Settings()
	if got.Notifications.Questions != AttentionNotify || got.History.RetentionDays != 0 {
		t.Fatalf("bad values kept: %+v", got)
	}
	if !noticesMention(s2, "attention mode for questions") || !noticesMention(s2, "retention") {
		t.Fatalf("no notice: %q", s2.Notices())
	}
}
