package profiles_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

const mega = 1 << 20

// notesBounded fails when a notice echoes an oversized value: every notice
// must stay short enough for a dialog.
func notesBounded(t *testing.T, notes []string) {
	t.Helper()
	for _, n := range notes {
		if len(n) > 1000 {
			t.Errorf("a notice of %d bytes: %.120q…", len(n), n)
		}
	}
}

func TestNormalizeURLLimits(t *testing.T) {
	host253 := strings.Repeat("a", 61) + "." + strings.Repeat("b", 61) + "." + strings.Repeat("c", 61) + "." + strings.Repeat("d", 61) + ".efghi"
	if len(host253) != limits.HostBytes {
		t.Fatalf("test host is %d bytes", len(host253))
	}
	if u, err := profiles.NormalizeURL(host253 + ":2000"); err != nil || u != "ws://"+host253+":2000/ws" {
		t.Fatalf("a 253-character host: %q, %v", u, err)
	}
	cases := map[string]string{
		"host of 254":      "x" + host253 + ":2000",
		"1 MB host":        strings.Repeat("h", mega) + ":2000",
		"URL over 2048":    "ws://h:2000/" + strings.Repeat("p", limits.URLBytes),
		"1 MB of spaces":   strings.Repeat(" ", mega) + "h:2000",
		"1 MB query":       "ws://h/ws?" + strings.Repeat("q", mega),
		"IPv6 within host": "ws://[" + strings.Repeat("1", 300) + "]/ws",
	}
	want := map[string]string{
		"host of 254":      "host name is longer than 253",
		"1 MB host":        "longer than 2048 bytes",
		"URL over 2048":    "longer than 2048 bytes",
		"1 MB of spaces":   "longer than 2048 bytes",
		"1 MB query":       "longer than 2048 bytes",
		"IPv6 within host": "",
	}
	for name, in := range cases {
		_, err := profiles.NormalizeURL(in)
		if !errors.Is(err, profiles.ErrInvalidURL) || !strings.Contains(err.Error(), want[name]) || len(err.Error()) > 200 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Values a user types are refused over their limit, with a message that
// names it; nothing is saved.
func TestStoreRefusesOverlongInput(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		p        profiles.Profile
		password string
		want     string
	}{
		{"URL", profiles.Profile{URL: "ws://h/" + strings.Repeat("p", limits.URLBytes)}, "", "longer than 2048 bytes"},
		{"host", profiles.Profile{URL: strings.Repeat("h", 254) + ":1"}, "", "longer than 253"},
		{"alias", profiles.Profile{URL: "h:1", Alias: strings.Repeat("名", limits.AliasChars+1)}, "", "at most 64 characters"},
		{"1 MB alias", profiles.Profile{URL: "h:1", Alias: strings.Repeat("a", mega)}, "", "at most 64 characters"},
		{"user", profiles.Profile{URL: "h:1", BasicAuth: true, BasicUser: strings.Repeat("u", limits.BasicUserChars+1)}, "", "at most 256 characters"},
		{"password", profiles.Profile{URL: "h:1", BasicAuth: true, BasicUser: "u"}, strings.Repeat("p", limits.BasicPasswordBytes+1), "longer than 4096 bytes"},
	}
	for _, tc := range cases {
		if _, err := s.Add(ctx, tc.p, tc.password); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Add: %v", tc.name, err)
		}
	}
	if n := len(s.Profiles()); n != 0 {
		t.Fatalf("%d profiles saved", n)
	}
	p := profiles.MustAdd(t, s, profiles.Profile{URL: "h:1", BasicAuth: true, BasicUser: "u"}, "pw")
	long := strings.Repeat("p", limits.BasicPasswordBytes+1)
	if _, err := s.Update(ctx, p, &long); !errors.Is(err, profiles.ErrTooLong) {
		t.Errorf("Update with a long password: %v", err)
	}
	if pw, _ := s.Secrets().Password(ctx, p.ID); pw != "pw" {
		t.Errorf("the password became %d bytes", len(pw))
	}
	if err := s.Secrets().SetToken(ctx, strings.Repeat("t", limits.TokenBytes+1)); !errors.Is(err, profiles.ErrTooLong) {
		t.Errorf("SetToken: %v", err)
	}
	if tok, _ := s.Secrets().Token(ctx); tok != "" {
		t.Errorf("an over-long token was kept (%d bytes)", len(tok))
	}
}

// A config.json with oversized values loads: a 1 MB host name drops its
// server (and is not written back), a huge alias is cut, and so on, each
// with a short notice naming the limit.
func TestConfigFileWithOversizedValues(t *testing.T) {
	hugeHost := strings.Repeat("h", mega)
	file := map[string]any{
		"schema_version": 1,
		"profiles": []map[string]any{
			{"id": "a", "url": "ws://" + hugeHost + ":2000/ws", "alias": "Huge host"},
			{"id": "b", "url": "ws://ok:2000/ws", "alias": strings.Repeat("名", 200_000)},
			{"id": strings.Repeat("i", mega), "url": "ws://c:2000/ws", "alias": "line\nbreak"},
			{"id": "d", "url": "ws://d:2000/ws", "basic_auth": true, "basic_user": strings.Repeat("u", mega)},
		},
		"settings": map[string]any{
			"nickname":     strings.Repeat("n", 5000),
			"reply_prefix": strings.Repeat("p", mega),
		},
	}
	raw, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	s, dir, err := loadFile(t, string(raw))
	if err != nil {
		t.Fatal(err)
	}
	notesBounded(t, s.Notices())
	for _, want := range []string{
		"server #1 was dropped: invalid server address: the address is longer than 2048 bytes",
		"its name was longer than 64 characters and was cut",
		"had an id longer than 64 bytes",
		"control characters in its name became spaces",
		"Basic auth user name was longer than 256 characters and was removed",
		"the nickname", "the reply prefix was longer than 1000 characters",
	} {
		if !profiles.NoticesMention(s, want) {
			t.Errorf("no notice says %q: %q", want, s.Notices())
		}
	}
	ps := s.Profiles()
	if len(ps) != 3 {
		t.Fatalf("%d profiles", len(ps))
	}
	if utf8.RuneCountInString(ps[0].Alias) != limits.AliasChars || ps[1].Alias != "line break" || len(ps[1].ID) != 36 || ps[2].BasicUser != "" {
		t.Errorf("profiles: %d-character alias, %q, id %q, user of %d bytes", utf8.RuneCountInString(ps[0].Alias), ps[1].Alias, ps[1].ID[:min(40, len(ps[1].ID))], len(ps[2].BasicUser))
	}
	if st := s.Settings(); !strings.HasPrefix(st.Nickname, "desk-") || utf8.RuneCountInString(st.ReplyPrefix) != limits.ReplyAffixChars {
		t.Errorf("settings: nickname %q, prefix of %d characters", st.Nickname, utf8.RuneCountInString(st.ReplyPrefix))
	}
	saved := profiles.ReadFile(t, filepath.Join(dir, profiles.ConfigFileName))
	if strings.Contains(saved, hugeHost[:300]) || len(saved) > 64<<10 {
		t.Errorf("the repaired file is %d bytes and may hold the huge host", len(saved))
	}
}

// The Flutter client's file with oversized values: a 1 MB URL is skipped,
// a 200,000-character name is cut with a warning, an over-long token and
// nickname are not imported; every message stays short.
func TestFlutterImportWithOversizedValues(t *testing.T) {
	path := flutterFile(t, []map[string]any{
		{"name": "Huge", "url": "ws://" + strings.Repeat("h", mega) + ":2000/ws", "isEnabled": true},
		{"name": strings.Repeat("名", 200_000), "url": "ws://ok:2000/ws", "isEnabled": true},
	}, map[string]any{
		"flutter.user_token":    strings.Repeat("t", limits.TokenBytes+1),
		"flutter.user_nickname": strings.Repeat("n", 5000),
	})
	s, _ := newStore(t)
	res, err := s.FirstRunImport(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary()
	notesBounded(t, append(append(res.Skipped, res.Warnings...), sum))
	if len(res.Imported) != 1 || utf8.RuneCountInString(res.Imported[0].Alias) != limits.AliasChars || res.Token || res.Nickname != "" {
		t.Fatalf("imported %+v, token %v, nickname %q", res.Imported, res.Token, res.Nickname)
	}
	for _, want := range []string{"longer than 2048 bytes", "the name was longer than 64 characters and was cut",
		fmt.Sprintf("the token: it is longer than %d bytes", limits.TokenBytes), "the nickname must be 2 to 32 characters"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary does not say %q:\n%s", want, sum)
		}
	}
	if tok, _ := s.Secrets().Token(context.Background()); tok != "" {
		t.Errorf("the token was stored (%d bytes)", len(tok))
	}
}
