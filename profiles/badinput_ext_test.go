package profiles_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

// loadFile writes content as the config file of a new dir and loads it.
func loadFile(t *testing.T, content string) (*profiles.Store, string, error) {
	t.Helper()
	dir := t.TempDir()
	profiles.WriteFile(t, filepath.Join(dir, profiles.ConfigFileName), content)
	s, err := profiles.Load(dir, profiles.Options{Secrets: profiles.MockSecrets(t)})
	return s, dir, err
}

// backups returns the .bak copies in dir.
func backups(t *testing.T, dir string) []string {
	var out []string
	for _, n := range profiles.DirFiles(t, dir) {
		if strings.Contains(n, ".bak-") {
			out = append(out, n)
		}
	}
	return out
}

func TestHandEditedMissingFields(t *testing.T) {
	orig := `{"schema_version": 1, "profiles": [
		{"url": "home:2000"},
		{"id": "b", "alias": "No address"},
		{"id": "c", "url": "wss://c.example.com", "alias": "C"}
	]}`
	s, dir, err := loadFile(t, orig)
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Profiles()
	if len(ps) != 2 {
		t.Fatalf("profiles = %+v", ps)
	}
	// Missing id: a new UUID; missing enabled: on; missing times: now.
	if len(ps[0].ID) != 36 || ps[0].URL != "ws://home:2000/ws" || !ps[0].Enabled || ps[0].Created.IsZero() {
		t.Errorf("repaired entry = %+v", ps[0])
	}
	if ps[1].ID != "c" || ps[1].Alias != "C" {
		t.Errorf("entry c = %+v", ps[1])
	}
	if !profiles.NoticesMention(s, "had no id") || !profiles.NoticesMention(s, "has no address") {
		t.Errorf("notices = %q", s.Notices())
	}
	// Missing settings: defaults with a generated nickname.
	if n := s.Settings().Nickname; !strings.HasPrefix(n, "desk-") {
		t.Errorf("nickname = %q", n)
	}
	// The original is kept, and the repaired file is written back.
	baks := backups(t, dir)
	if len(baks) != 1 || profiles.ReadFile(t, filepath.Join(dir, baks[0])) != orig {
		t.Fatalf("backups = %q", baks)
	}
	if !profiles.NoticesMention(s, baks[0]) {
		t.Errorf("notices do not name the copy: %q", s.Notices())
	}
	s2 := profiles.Reload(t, s, dir)
	if len(s2.Notices()) != 0 || !slices.Equal(s2.Profiles(), ps) {
		t.Errorf("second load: notices %q, profiles %+v", s2.Notices(), s2.Profiles())
	}
	if len(backups(t, dir)) != 1 {
		t.Error("a clean second load made another copy")
	}
}

func TestHandEditedWrongTypes(t *testing.T) {
	s, _, err := loadFile(t, `{"schema_version": 1,
		"default_server": 42,
		"profiles": [
			"not an object",
			{"id": 7, "url": "ws://a", "alias": ["x"], "enabled": "yes", "basic_auth": 1, "created": "yesterday"},
			{"id": "b", "url": 12},
			{"id": "c", "url": "ftp://c"}
		],
		"settings": {"nickname": 5, "reply_prefix": true, "reply_affixes": "on",
			"notifications": {"requests": "loud", "chat": false, "muted_servers": "all"}}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Profiles()
	if len(ps) != 1 {
		t.Fatalf("profiles = %+v", ps)
	}
	p := ps[0]
	if p.URL != "ws://a/ws" || p.Alias != "" || !p.Enabled || p.BasicAuth || len(p.ID) != 36 || p.Created.IsZero() {
		t.Errorf("profile = %+v", p)
	}
	st := s.Settings()
	if !strings.HasPrefix(st.Nickname, "desk-") || st.ReplyPrefix != "" || st.ReplyAffixes ||
		st.Notifications.Questions != profiles.AttentionNotify || st.Notifications.WorkReports != profiles.AttentionNotify ||
		st.Notifications.Chat != profiles.AttentionNone || st.Notifications.MutedServers != nil {
		t.Errorf("settings = %+v", st)
	}
	for _, want := range []string{"server #1 is not a server entry", `"enabled"`, `"nickname"`, `"default_server"`, `"muted_servers"`, "server #3 has no address", `"ftp" is not supported`} {
		if !profiles.NoticesMention(s, want) {
			t.Errorf("no notice mentions %s: %q", want, s.Notices())
		}
	}

	// A settings value of the wrong kind costs only the settings.
	s, _, err = loadFile(t, `{"schema_version":1,"profiles":[{"id":"a","url":"ws://a"}],"settings":"x"}`)
	if err != nil || len(s.Profiles()) != 1 || !profiles.NoticesMention(s, "settings had the wrong type") {
		t.Errorf("settings string: %v, %+v, %q", err, s.Profiles(), s.Notices())
	}
}

func TestHandEditedDuplicates(t *testing.T) {
	s, _, err := loadFile(t, `{"schema_version": 1, "default_server": "same",
		"profiles": [
			{"id": "same", "url": "ws://a:1/ws", "alias": "A"},
			{"id": "same", "url": "ws://b:1/ws", "alias": "B"},
			{"id": "other", "url": "HTTP://A:1", "alias": "A again"}
		],
		"settings": {"nickname": "bob", "notifications": {"muted_servers": ["same", "ghost", "same"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Profiles()
	if len(ps) != 2 || ps[0].ID != "same" || ps[1].Alias != "B" || ps[1].ID == "same" || len(ps[1].ID) != 36 {
		t.Fatalf("profiles = %+v", ps)
	}
	// The default and the mute still point at the first "same".
	if s.DefaultID() != "same" || !slices.Equal(s.Settings().Notifications.MutedServers, []string{"same"}) {
		t.Errorf("default %q, muted %q", s.DefaultID(), s.Settings().Notifications.MutedServers)
	}
	for _, want := range []string{`("B") had the same id`, `("A again") has the same address as "A"`, "1 muted server"} {
		if !profiles.NoticesMention(s, want) {
			t.Errorf("no notice mentions %s: %q", want, s.Notices())
		}
	}
}

func TestDanglingReferencesDropped(t *testing.T) {
	s, dir, err := loadFile(t, `{"schema_version":1,"default_server":"ghost",
		"profiles":[{"id":"a","url":"ws://a/ws","enabled":true,"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}],
		"settings":{"nickname":"bob","notifications":{"muted_servers":["ghost"]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultID() != "" || len(s.Settings().Notifications.MutedServers) != 0 {
		t.Errorf("dangling references kept: %q %q", s.DefaultID(), s.Settings().Notifications.MutedServers)
	}
	if !profiles.NoticesMention(s, "default server") {
		t.Errorf("notices = %q", s.Notices())
	}
	if got := profiles.Reload(t, s, dir); got.DefaultID() != "" || len(got.Notices()) != 0 {
		t.Errorf("after reload: %q %q", got.DefaultID(), got.Notices())
	}
}

func TestMigrationFromUnversionedFile(t *testing.T) {
	orig := `{"profiles":[{"id":"a","url":"ws://a/ws","enabled":true,"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}],"settings":{"nickname":"bob"}}`
	s, dir, err := loadFile(t, orig)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles()) != 1 || s.Settings().Nickname != "bob" {
		t.Errorf("migrated store: %+v %+v", s.Profiles(), s.Settings())
	}
	if !strings.Contains(profiles.ReadFile(t, s.Path()), fmt.Sprintf(`"schema_version": %d`, profiles.SchemaVersion)) {
		t.Errorf("file not rewritten at the current version:\n%s", profiles.ReadFile(t, s.Path()))
	}
	if baks := backups(t, dir); len(baks) != 1 || profiles.ReadFile(t, filepath.Join(dir, baks[0])) != orig {
		t.Errorf("old version not kept: %q", baks)
	}
}

func TestNewerSchemaIsReadOnly(t *testing.T) {
	orig := `{"schema_version": 99, "profiles": [{"id":"a","url":"ws://a/ws","enabled":true}], "settings": {"nickname":"bob"}, "shiny": true}`
	s, dir, err := loadFile(t, orig)
	var nerr *profiles.NewerSchemaError
	if !errors.As(err, &nerr) || !errors.Is(err, profiles.ErrNewerSchema) || s == nil {
		t.Fatalf("Load = %v, %v", s, err)
	}
	if nerr.Version != 99 || !strings.Contains(err.Error(), "newer version of agentdesk") || !strings.Contains(err.Error(), "will not be overwritten") {
		t.Errorf("error = %q", err)
	}
	// What can be understood is usable, read-only.
	if len(s.Profiles()) != 1 || s.Settings().Nickname != "bob" || s.ReadOnly() == nil {
		t.Errorf("read-only store: %+v %+v", s.Profiles(), s.Settings())
	}
	if _, err := s.Add(profiles.Bg, profiles.Profile{URL: "ws://b"}, ""); !errors.Is(err, profiles.ErrNewerSchema) {
		t.Errorf("Add = %v", err)
	}
	if err := s.SetDefault("a"); !errors.Is(err, profiles.ErrNewerSchema) {
		t.Errorf("SetDefault = %v", err)
	}
	if err := s.SetSettings(profiles.DefaultSettings()); !errors.Is(err, profiles.ErrNewerSchema) {
		t.Errorf("SetSettings = %v", err)
	}
	if err := s.Delete(profiles.Bg, "a"); !errors.Is(err, profiles.ErrNewerSchema) {
		t.Errorf("Delete = %v", err)
	}
	if r, err := s.FirstRunImport(profiles.Bg, filepath.Join(dir, "none.json")); r != nil || err != nil {
		t.Errorf("FirstRunImport = %v, %v", r, err)
	}
	if got := profiles.ReadFile(t, s.Path()); got != orig {
		t.Errorf("newer file was modified:\n%s", got)
	}
	if names := profiles.DirFiles(t, dir); len(names) != 1 {
		t.Errorf("files = %q", names)
	}

	// Even a newer file we cannot parse is neither moved nor touched.
	orig = `{"schema_version": 3, "profiles": {"by_id": {}}}`
	s, dir, err = loadFile(t, orig)
	if !errors.Is(err, profiles.ErrNewerSchema) || s == nil || len(s.Profiles()) != 0 || profiles.ReadFile(t, s.Path()) != orig || len(profiles.DirFiles(t, dir)) != 1 {
		t.Errorf("unparsable newer file: %v", err)
	}
	if _, err := profiles.ValidateNickname(s.Settings().Nickname); err != nil {
		t.Errorf("read-only store without a usable nickname: %v", err)
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":   `{"schema_version": 1, "profiles": [{"id": "a", "url"`,
		"empty":       ``,
		"not object":  `[1, 2, 3]`,
		"null":        `null`,
		"bad version": `{"schema_version": "one"}`,
		"profiles":    `{"schema_version": 1, "profiles": {"a": "ws://a"}}`,
		"binary":      "\x00\x01\x02",
	} {
		t.Run(name, func(t *testing.T) {
			s, dir, err := loadFile(t, content)
			var cerr *profiles.CorruptFileError
			if !errors.As(err, &cerr) || s == nil {
				t.Fatalf("Load = %v, %v", s, err)
			}
			if profiles.ReadFile(t, cerr.MovedTo) != content || filepath.Dir(cerr.MovedTo) != dir {
				t.Errorf("old file not kept at %s", cerr.MovedTo)
			}
			if !strings.Contains(err.Error(), cerr.MovedTo) || !strings.Contains(err.Error(), "starts with no servers") {
				t.Errorf("error = %q", err)
			}
			// The app works from a fresh file.
			if len(s.Profiles()) != 0 {
				t.Errorf("profiles = %+v", s.Profiles())
			}
			profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a"}, "")
			if got := profiles.Reload(t, s, dir).Profiles(); len(got) != 1 {
				t.Errorf("after reload: %+v", got)
			}
			if profiles.ReadFile(t, cerr.MovedTo) != content {
				t.Error("moved-aside file changed")
			}
		})
	}
}
