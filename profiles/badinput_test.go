package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// loadFile writes content as the config file of a new dir and loads it.
func loadFile(t *testing.T, content string) (*Store, string, error) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ConfigFileName), content)
	s, err := Load(dir, Options{Secrets: mockSecrets(t)})
	return s, dir, err
}

func noticesMention(s *Store, sub string) bool {
	return slices.ContainsFunc(s.Notices(), func(n string) bool { return strings.Contains(n, sub) })
}

// backups returns the .bak copies in dir.
func backups(t *testing.T, dir string) []string {
	var out []string
	for _, n := range dirFiles(t, dir) {
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
	if !noticesMention(s, "had no id") || !noticesMention(s, "has no address") {
		t.Errorf("notices = %q", s.Notices())
	}
	// Missing settings: defaults with a generated nickname.
	if n := s.Settings().Nickname; !strings.HasPrefix(n, "desk-") {
		t.Errorf("nickname = %q", n)
	}
	// The original is kept, and the repaired file is written back.
	baks := backups(t, dir)
	if len(baks) != 1 || readFile(t, filepath.Join(dir, baks[0])) != orig {
		t.Fatalf("backups = %q", baks)
	}
	if !noticesMention(s, baks[0]) {
		t.Errorf("notices do not name the copy: %q", s.Notices())
	}
	s2 := reload(t, s, dir)
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
		st.Notifications.Questions != AttentionNotify || st.Notifications.WorkReports != AttentionNotify ||
		st.Notifications.Chat != AttentionNone || st.Notifications.MutedServers != nil {
		t.Errorf("settings = %+v", st)
	}
	for _, want := range []string{"server #1 is not a server entry", `"enabled"`, `"nickname"`, `"default_server"`, `"muted_servers"`, "server #3 has no address", `"ftp" is not supported`} {
		if !noticesMention(s, want) {
			t.Errorf("no notice mentions %s: %q", want, s.Notices())
		}
	}

	// A settings value of the wrong kind costs only the settings.
	s, _, err = loadFile(t, `{"schema_version":1,"profiles":[{"id":"a","url":"ws://a"}],"settings":"x"}`)
	if err != nil || len(s.Profiles()) != 1 || !noticesMention(s, "settings had the wrong type") {
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
		if !noticesMention(s, want) {
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
	if !noticesMention(s, "default server") {
		t.Errorf("notices = %q", s.Notices())
	}
	if got := reload(t, s, dir); got.DefaultID() != "" || len(got.Notices()) != 0 {
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
	if !strings.Contains(readFile(t, s.Path()), fmt.Sprintf(`"schema_version": %d`, SchemaVersion)) {
		t.Errorf("file not rewritten at the current version:\n%s", readFile(t, s.Path()))
	}
	if baks := backups(t, dir); len(baks) != 1 || readFile(t, filepath.Join(dir, baks[0])) != orig {
		t.Errorf("old version not kept: %q", baks)
	}
}

func TestNewerSchemaIsReadOnly(t *testing.T) {
	orig := `{"schema_version": 99, "profiles": [{"id":"a","url":"ws://a/ws","enabled":true}], "settings": {"nickname":"bob"}, "shiny": true}`
	s, dir, err := loadFile(t, orig)
	var nerr *NewerSchemaError
	if !errors.As(err, &nerr) || !errors.Is(err, ErrNewerSchema) || s == nil {
		t.Fatalf("Load = %v, %v", s, err)
	}
	if nerr.Version != 99 || !strings.Contains(err.Error(), "newer version of agentdesk") || !strings.Contains(err.Error(), "will not be overwritten") {
		t.Errorf("error = %q", err)
	}
	// What can be understood is usable, read-only.
	if len(s.Profiles()) != 1 || s.Settings().Nickname != "bob" || s.ReadOnly() == nil {
		t.Errorf("read-only store: %+v %+v", s.Profiles(), s.Settings())
	}
	if _, err := s.Add(bg, Profile{URL: "ws://b"}, ""); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Add = %v", err)
	}
	if err := s.SetDefault("a"); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("SetDefault = %v", err)
	}
	if err := s.SetSettings(DefaultSettings()); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("SetSettings = %v", err)
	}
	if err := s.Delete(bg, "a"); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Delete = %v", err)
	}
	if r, err := s.FirstRunImport(bg, filepath.Join(dir, "none.json")); r != nil || err != nil {
		t.Errorf("FirstRunImport = %v, %v", r, err)
	}
	if got := readFile(t, s.Path()); got != orig {
		t.Errorf("newer file was modified:\n%s", got)
	}
	if names := dirFiles(t, dir); len(names) != 1 {
		t.Errorf("files = %q", names)
	}

	// Even a newer file we cannot parse is neither moved nor touched.
	orig = `{"schema_version": 3, "profiles": {"by_id": {}}}`
	s, dir, err = loadFile(t, orig)
	if !errors.Is(err, ErrNewerSchema) || s == nil || len(s.Profiles()) != 0 || readFile(t, s.Path()) != orig || len(dirFiles(t, dir)) != 1 {
		t.Errorf("unparsable newer file: %v", err)
	}
	if _, err := ValidateNickname(s.Settings().Nickname); err != nil {
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
			var cerr *CorruptFileError
			if !errors.As(err, &cerr) || s == nil {
				t.Fatalf("Load = %v, %v", s, err)
			}
			if readFile(t, cerr.MovedTo) != content || filepath.Dir(cerr.MovedTo) != dir {
				t.Errorf("old file not kept at %s", cerr.MovedTo)
			}
			if !strings.Contains(err.Error(), cerr.MovedTo) || !strings.Contains(err.Error(), "starts with no servers") {
				t.Errorf("error = %q", err)
			}
			// The app works from a fresh file.
			if len(s.Profiles()) != 0 {
				t.Errorf("profiles = %+v", s.Profiles())
			}
			mustAdd(t, s, Profile{URL: "ws://a"}, "")
			if got := reload(t, s, dir).Profiles(); len(got) != 1 {
				t.Errorf("after reload: %+v", got)
			}
			if readFile(t, cerr.MovedTo) != content {
				t.Error("moved-aside file changed")
			}
		})
	}
}

func TestUnreadableFileMovedAside(t *testing.T) {
	// A directory where the file should be cannot be read, even by root.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ConfigFileName, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir, Options{Secrets: mockSecrets(t)})
	var cerr *CorruptFileError
	if !errors.As(err, &cerr) || s == nil {
		t.Fatalf("Load = %v, %v", s, err)
	}
	if fi, err := os.Stat(filepath.Join(cerr.MovedTo, "x")); err != nil || !fi.IsDir() {
		t.Errorf("moved-aside content lost: %v", err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Errorf("fresh file not created: %v", err)
	}

	// When it cannot even be moved aside, Load fails and touches nothing.
	dir = t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	writeFile(t, path, "garbage")
	ffs := &faultFS{renameErr: errDenied}
	s, err = load(dir, Options{Secrets: mockSecrets(t)}, ffs)
	if s != nil || err == nil || !strings.Contains(err.Error(), "could not be moved aside") || !strings.Contains(err.Error(), "--config-dir") {
		t.Errorf("Load = %v, %v", s, err)
	}
	if readFile(t, path) != "garbage" {
		t.Error("file changed")
	}
}

func TestConfigDirNotWritable(t *testing.T) {
	// Real: the config dir's parent is a file, so the dir cannot be made
	// (this holds even for root).
	parent := filepath.Join(t.TempDir(), "file")
	writeFile(t, parent, "x")
	dir := filepath.Join(parent, "agentdesk")
	s, err := Load(dir, Options{Secrets: mockSecrets(t)})
	if err != nil {
		t.Fatalf("Load should still start: %v", err)
	}
	if !noticesMention(s, "could not save") {
		t.Errorf("notices = %q", s.Notices())
	}
	_, err = s.Add(bg, Profile{URL: "ws://a"}, "")
	var serr *SaveError
	if !errors.As(err, &serr) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "Nothing was changed") {
		t.Errorf("Add = %v", err)
	}
	if len(s.Profiles()) != 0 {
		t.Error("failed add changed the store")
	}

	// Injected: permission denied on an existing config.
	dir = t.TempDir()
	s, _ = Load(dir, Options{Secrets: mockSecrets(t)})
	before := readFile(t, s.Path())
	ffs := &faultFS{}
	s, err = load(dir, Options{Secrets: s.Secrets()}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	ffs.set(func(f *faultFS) { f.createErr = errDenied })
	_, err = s.Add(bg, Profile{URL: "ws://a"}, "")
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "writable") || !strings.Contains(err.Error(), "--config-dir") {
		t.Errorf("Add = %v", err)
	}
	if err := s.SetSettings(Settings{Nickname: "zed"}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("SetSettings = %v", err)
	}
	if readFile(t, s.Path()) != before || len(s.Profiles()) != 0 || s.Settings().Nickname == "zed" {
		t.Error("a failed save changed something")
	}
}

func TestDiskFullKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	ffs := &faultFS{}
	s, err := load(dir, Options{Secrets: mockSecrets(t)}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, s, Profile{URL: "ws://a", Alias: "A"}, "")
	before := readFile(t, s.Path())

	ffs.set(func(f *faultFS) { f.writeErr = errNoSpace })
	_, err = s.Add(bg, Profile{URL: "ws://b"}, "")
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("Add on a full disk = %v", err)
	}
	a.Alias = "changed"
	if _, err := s.Update(bg, a, nil); err == nil {
		t.Fatal("Update on a full disk succeeded")
	}
	if err := s.Delete(bg, a.ID); err == nil {
		t.Fatal("Delete on a full disk succeeded")
	}
	// The file, the store and the directory are as before.
	if readFile(t, s.Path()) != before {
		t.Error("old file damaged")
	}
	if ps := s.Profiles(); len(ps) != 1 || ps[0].Alias != "A" {
		t.Errorf("store changed: %+v", ps)
	}
	if names := dirFiles(t, dir); len(names) != 1 {
		t.Errorf("temp files left: %q", names)
	}
	// Once there is space again, saving works.
	ffs.set(func(f *faultFS) { f.writeErr = nil })
	mustAdd(t, s, Profile{URL: "ws://b"}, "")
	if n := len(reload(t, s, dir).Profiles()); n != 2 {
		t.Errorf("%d profiles", n)
	}
}

func TestRepairNotSavedWithoutBackup(t *testing.T) {
	// If the original of a repaired file cannot be copied, it is not
	// overwritten either.
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	orig := `{"schema_version":1,"profiles":[{"url":"ws://a"},{"id":"x"}]}`
	writeFile(t, path, orig)
	ffs := &faultFS{writeErr: errNoSpace}
	s, err := load(dir, Options{Secrets: mockSecrets(t), Now: func() time.Time { return time.Unix(0, 0) }}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles()) != 1 || !noticesMention(s, "copy of the original file could not be kept") {
		t.Errorf("profiles %+v, notices %q", s.Profiles(), s.Notices())
	}
	if readFile(t, path) != orig {
		t.Error("original overwritten without a copy")
	}
}
