package profiles_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

func TestGenerateNickname(t *testing.T) {
	re := regexp.MustCompile(`^desk-[0-9a-f]{4}$`)
	for range 100 {
		n := profiles.GenerateNickname()
		if !re.MatchString(n) {
			t.Fatalf("GenerateNickname() = %q", n)
		}
		if _, err := profiles.ValidateNickname(n); err != nil {
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
		got, err := profiles.ValidateNickname(in)
		if err != nil || got != want {
			t.Errorf("ValidateNickname(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "a", "  b  ", "123456789012345678901234567890123", "тридцать два символа и ещё немного",
		strings.Repeat("n", 1<<20), "a\nb", "bad\x00", "\xff\xfe"} {
		if got, err := profiles.ValidateNickname(in); err == nil {
			t.Errorf("ValidateNickname(%q) = %q, want error", in, got)
		}
	}
}

func TestDefaultSettingsAndWrapReply(t *testing.T) {
	s := profiles.DefaultSettings()
	n := s.Notifications
	if n.Questions != profiles.AttentionNotify || n.WorkReports != profiles.AttentionNotify || n.Chat != profiles.AttentionNotify ||
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
		q, w, ch       profiles.Attention
	}{
		{"true", "true", profiles.AttentionNotify, profiles.AttentionNotify, profiles.AttentionNotify},
		{"false", "true", profiles.AttentionNone, profiles.AttentionNone, profiles.AttentionNotify},
		{"true", "false", profiles.AttentionNotify, profiles.AttentionNotify, profiles.AttentionNone},
	} {
		dir := t.TempDir()
		raw := `{"schema_version": 1, "profiles": [], "settings": {"nickname": "alice",
			"notifications": {"requests": ` + c.requests + `, "chat": ` + c.chat + `}}}`
		if err := os.WriteFile(filepath.Join(dir, profiles.ConfigFileName), []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := profiles.Load(dir, profiles.Options{Secrets: profiles.NewMemorySecrets()})
		if err != nil {
			t.Fatal(err)
		}
		n := s.Settings().Notifications
		if n.Questions != c.q || n.WorkReports != c.w || n.Chat != c.ch {
			t.Errorf("requests=%s chat=%s became %+v", c.requests, c.chat, n)
		}
		after, _ := os.ReadFile(filepath.Join(dir, profiles.ConfigFileName))
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
	if err := os.WriteFile(filepath.Join(dir, profiles.ConfigFileName), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := profiles.Load(dir, profiles.Options{Secrets: profiles.NewMemorySecrets()})
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Settings()
	if got.Notifications.Questions != profiles.AttentionNotify || got.History.RetentionDays != 0 {
		t.Fatalf("bad values kept: %+v", got)
	}
	if !profiles.NoticesMention(s2, "attention mode for questions") || !profiles.NoticesMention(s2, "retention") {
		t.Fatalf("no notice: %q", s2.Notices())
	}
}
