package profiles_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/agentdesk/agentdesk/profiles/limits"
	"github.com/zalando/go-keyring"
)

func TestFreshLoadCreatesPrivateFile(t *testing.T) {
	s, dir := newStore(t)
	path := filepath.Join(dir, profiles.ConfigFileName)
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("config file not created: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", fi.Mode().Perm())
	}
	if len(s.Profiles()) != 0 || s.DefaultID() != "" || len(s.Notices()) != 0 {
		t.Errorf("fresh store not empty: %+v %q %q", s.Profiles(), s.DefaultID(), s.Notices())
	}
	nick := s.Settings().Nickname
	if _, err := profiles.ValidateNickname(nick); err != nil || !strings.HasPrefix(nick, "desk-") {
		t.Errorf("generated nickname %q: %v", nick, err)
	}
	// The generated nickname survives a restart.
	if got := profiles.Reload(t, s, dir).Settings().Nickname; got != nick {
		t.Errorf("nickname after reload = %q, want %q", got, nick)
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(profiles.ReadFile(t, path)), &f); err != nil {
		t.Fatal(err)
	}
	if f["schema_version"] != float64(profiles.SchemaVersion) {
		t.Errorf("schema_version = %v", f["schema_version"])
	}
}

func TestAddUpdateDeletePersist(t *testing.T) {
	s, dir := newStore(t)
	home := profiles.MustAdd(t, s, profiles.Profile{URL: "http://Home:2000", Alias: "Home", Enabled: true}, "")
	work := profiles.MustAdd(t, s, profiles.Profile{URL: "wss://work.example.com/agent/"}, "")

	if home.ID == "" || home.ID == work.ID || home.Created.IsZero() || home.Updated != home.Created {
		t.Errorf("Add did not set id/timestamps: %+v", home)
	}
	if home.URL != "ws://home:2000/ws" || work.URL != "wss://work.example.com/agent" {
		t.Errorf("URLs not normalized: %q %q", home.URL, work.URL)
	}

	// Editing the URL keeps the id.
	work.URL = "wss://work.example.com/agent2"
	work.Alias = "Work"
	work.Enabled = true
	upd, err := s.Update(profiles.Bg, work, nil)
	if err != nil {
		t.Fatal(err)
	}
	if upd.ID != work.ID || upd.Created != work.Created {
		t.Errorf("Update changed identity: %+v", upd)
	}

	s2 := profiles.Reload(t, s, dir)
	got := s2.Profiles()
	if len(got) != 2 || got[0] != home || got[1] != upd {
		t.Errorf("after reload: %+v\nwant %+v, %+v", got, home, upd)
	}

	if err := s2.Delete(profiles.Bg, home.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Profile(home.ID); ok {
		t.Error("deleted profile still there")
	}
	if got := profiles.Reload(t, s2, dir).Profiles(); len(got) != 1 || got[0].ID != work.ID {
		t.Errorf("after delete and reload: %+v", got)
	}

	if err := s2.Delete(profiles.Bg, "nope"); !errors.Is(err, profiles.ErrNoSuchProfile) {
		t.Errorf("Delete(unknown) = %v", err)
	}
	if _, err := s2.Update(profiles.Bg, profiles.Profile{ID: "nope", URL: "ws://x"}, nil); !errors.Is(err, profiles.ErrNoSuchProfile) {
		t.Errorf("Update(unknown) = %v", err)
	}
}

func TestDuplicatesRejectedOnAddAndEdit(t *testing.T) {
	s, _ := newStore(t)
	home := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://home:2000/ws", Alias: "Home"}, "")
	other := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://other:2000"}, "")

	// Same server, written differently.
	for _, u := range []string{"home:2000", "HTTP://HOME:2000/", "ws://home:2000/ws/"} {
		_, err := s.Add(profiles.Bg, profiles.Profile{URL: u}, "")
		var dup *profiles.DuplicateError
		if !errors.As(err, &dup) || !errors.Is(err, profiles.ErrDuplicate) {
			t.Fatalf("Add(%q) = %v, want DuplicateError", u, err)
		}
		if dup.Existing.ID != home.ID || !strings.Contains(err.Error(), `"Home"`) {
			t.Errorf("Add(%q) error %q does not name the clashing server", u, err)
		}
	}

	// Editing another profile onto home's address clashes too.
	other.URL = "http://home:2000"
	if _, err := s.Update(profiles.Bg, other, nil); !errors.Is(err, profiles.ErrDuplicate) || !strings.Contains(err.Error(), "Home") {
		t.Errorf("Update onto a taken address = %v", err)
	}
	// Saving a profile with its own address is not a clash.
	home.Alias = "Home sweet home"
	if _, err := s.Update(profiles.Bg, home, nil); err != nil {
		t.Errorf("Update keeping its own address: %v", err)
	}
	if len(s.Profiles()) != 2 {
		t.Errorf("profiles: %+v", s.Profiles())
	}
	// Invalid input is rejected without saving.
	if _, err := s.Add(profiles.Bg, profiles.Profile{URL: "ftp://x"}, ""); !errors.Is(err, profiles.ErrInvalidURL) {
		t.Errorf("Add(ftp) = %v", err)
	}
}

func TestDefaultServer(t *testing.T) {
	s, dir := newStore(t)
	a := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a"}, "")
	b := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://b"}, "")
	if err := s.SetDefault("unknown"); !errors.Is(err, profiles.ErrNoSuchProfile) {
		t.Errorf("SetDefault(unknown) = %v", err)
	}
	if err := s.SetDefault(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDefault(b.ID); err != nil { // only one default at a time
		t.Fatal(err)
	}
	s = profiles.Reload(t, s, dir)
	if s.DefaultID() != b.ID {
		t.Errorf("default after restart = %q, want %q", s.DefaultID(), b.ID)
	}
	// Deleting another server keeps the mark; deleting the default clears it.
	if err := s.Delete(profiles.Bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if s.DefaultID() != b.ID {
		t.Errorf("default changed by deleting another server")
	}
	if err := s.Delete(profiles.Bg, b.ID); err != nil {
		t.Fatal(err)
	}
	if s.DefaultID() != "" {
		t.Errorf("default still %q after deleting it", s.DefaultID())
	}
	if got := profiles.Reload(t, s, dir).DefaultID(); got != "" {
		t.Errorf("default after restart = %q", got)
	}
	if err := s.SetDefault(""); err != nil {
		t.Errorf("clearing the default: %v", err)
	}
}

func TestSettingsPersistAndValidate(t *testing.T) {
	s, dir := newStore(t)
	a := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a"}, "")
	in := profiles.Settings{
		Nickname:     "  alice  ",
		ReplyPrefix:  "> ",
		ReplySuffix:  "\n-- alice",
		ReplyAffixes: true,
		Notifications: profiles.Notifications{
			Questions:    profiles.AttentionRaise,
			WorkReports:  profiles.AttentionNone,
			Chat:         profiles.AttentionNotify,
			MutedServers: []string{a.ID, "ghost", a.ID},
		},
		History: profiles.HistorySettings{RetentionDays: 30, KeepAttachmentBytes: true},
	}
	if err := s.SetSettings(in); err != nil {
		t.Fatal(err)
	}
	got := profiles.Reload(t, s, dir).Settings()
	want := in
	want.Nickname = "alice"
	want.Notifications.MutedServers = []string{a.ID}
	// Settings that leave completion and attachments unset get defaults.
	want.Completion, want.Attachments = profiles.DefaultCompletion(), profiles.DefaultAttachmentLimits()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("settings after reload = %+v\nwant %+v", got, want)
	}
	// The caller's slice is not shared with the store.
	got.Notifications.MutedServers[0] = "changed"
	if s.Settings().Notifications.MutedServers[0] != a.ID {
		t.Error("Settings() shares its slice")
	}

	for _, nick := range []string{"", "x", strings.Repeat("n", limits.NicknameChars+1)} {
		bad := want
		bad.Nickname = nick
		if err := s.SetSettings(bad); err == nil {
			t.Errorf("SetSettings accepted nickname %q", nick)
		}
	}
	bad := want
	bad.ReplyPrefix = strings.Repeat("p", limits.ReplyAffixChars+1)
	if err := s.SetSettings(bad); err == nil {
		t.Error("SetSettings accepted an overlong prefix")
	}

	// Deleting a muted server drops it from the list.
	if err := s.Delete(profiles.Bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if m := s.Settings().Notifications.MutedServers; len(m) != 0 {
		t.Errorf("muted list keeps a deleted server: %q", m)
	}
}

func TestSubscribe(t *testing.T) {
	s, _ := newStore(t)
	var mu sync.Mutex
	var got []string
	unsub := s.Subscribe(func(c profiles.Change) {
		// Reading the store from a callback must not deadlock.
		_ = s.Profiles()
		mu.Lock()
		got = append(got, fmt.Sprintf("%v %s", c.Kind, c.Profile.Label()))
		mu.Unlock()
	})
	a := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a:1", Alias: "A"}, "")
	a.Alias = "A2"
	pw := "pw"
	a.BasicAuth, a.BasicUser = true, "u"
	if _, err := s.Update(profiles.Bg, a, &pw); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDefault(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSettings(s.Settings()); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(profiles.Bg, a.ID); err != nil {
		t.Fatal(err)
	}
	// Failed changes are not reported.
	s.Add(profiles.Bg, profiles.Profile{URL: "bad url"}, "")
	unsub()
	profiles.MustAdd(t, s, profiles.Profile{URL: "ws://b"}, "")

	want := []string{"added A", "updated A2", "default changed A2", "settings changed ", "deleted A2", "default changed "}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q\nwant %q", got, want)
	}
}

func TestSubscriberMayChangeStore(t *testing.T) {
	s, _ := newStore(t)
	s.Subscribe(func(c profiles.Change) {
		if c.Kind == profiles.ProfileAdded && s.DefaultID() == "" {
			if err := s.SetDefault(c.ID); err != nil {
				t.Error(err)
			}
		}
	})
	a := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a"}, "")
	if s.DefaultID() != a.ID {
		t.Errorf("default = %q", s.DefaultID())
	}
}

func TestPasswordsFollowProfiles(t *testing.T) {
	s, dir := newStore(t)
	p := profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a", BasicAuth: true, BasicUser: "bob"}, "s3cret-pw")

	// Stored under service "agentdesk", user "server:<id>".
	if v, err := keyring.Get("agentdesk", "server:"+p.ID); err != nil || v != "s3cret-pw" {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	// Renaming and editing keep it.
	p.Alias = "renamed"
	p.URL = "ws://a-new"
	if _, err := s.Update(profiles.Bg, p, nil); err != nil {
		t.Fatal(err)
	}
	// A new run (no in-memory cache) reads it back from the keyring.
	fresh := profiles.NewSecrets(profiles.SecretsOptions{Getenv: profiles.NoEnv})
	s2, err := profiles.Load(dir, profiles.Options{Secrets: fresh})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s2.Profile(p.ID)
	pw, err := s2.BasicPassword(profiles.Bg, got)
	if err != nil || pw != "s3cret-pw" || got.Label() != "renamed" || got.URL != "ws://a-new/ws" || got.BasicUser != "bob" {
		t.Errorf("after reload: %+v, password %q, %v", got, pw, err)
	}
	// Changing it replaces it; "" removes it.
	np := "n3w"
	if _, err := s2.Update(profiles.Bg, p, &np); err != nil {
		t.Fatal(err)
	}
	if v, _ := keyring.Get("agentdesk", "server:"+p.ID); v != "n3w" {
		t.Errorf("keyring after change = %q", v)
	}
	// Deleting the profile deletes its password.
	if err := s2.Delete(profiles.Bg, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("agentdesk", "server:"+p.ID); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("password still in keyring after delete: %v", err)
	}
	if v, _ := fresh.Password(profiles.Bg, p.ID); v != "" {
		t.Errorf("password still in memory after delete")
	}
	// Without Basic auth, a password passed to Add is not stored.
	q := profiles.MustAdd(t, s2, profiles.Profile{URL: "ws://q"}, "ignored")
	if _, err := keyring.Get("agentdesk", "server:"+q.ID); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("password stored without Basic auth: %v", err)
	}
}

func TestBasicPassword(t *testing.T) {
	kr := profiles.NewFakeKeyring()
	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Getenv: profiles.NoEnv})
	s, err := profiles.Load(t.TempDir(), profiles.Options{Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Add(profiles.Bg, profiles.Profile{URL: "ws://a", Enabled: true, BasicAuth: true, BasicUser: "u"}, "pa")
	b, _ := s.Add(profiles.Bg, profiles.Profile{URL: "ws://b", Alias: "B"}, "ignored")
	if pw, err := s.BasicPassword(profiles.Bg, a); err != nil || pw != "pa" {
		t.Fatalf("BasicPassword(a) = %q, %v", pw, err)
	}
	// Without Basic auth there is no password, whatever was passed.
	if pw, err := s.BasicPassword(profiles.Bg, b); err != nil || pw != "" {
		t.Fatalf("BasicPassword(b) = %q, %v", pw, err)
	}

	// With a failing keyring the error names the server.
	kr.Fail(errNoSecretService)
	cold := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Getenv: profiles.NoEnv})
	s2, _ := profiles.Load(filepath.Dir(s.Path()), profiles.Options{Secrets: cold})
	pw, err := s2.BasicPassword(profiles.Bg, a)
	if !errors.Is(err, profiles.ErrKeyringUnavailable) || !strings.Contains(err.Error(), `"a"`) || pw != "" {
		t.Errorf("BasicPassword with a failing keyring = %q, %v", pw, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s, dir := newStore(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			p, err := s.Add(profiles.Bg, profiles.Profile{URL: fmt.Sprintf("ws://h%d", i), BasicAuth: true, BasicUser: "u"}, "pw")
			if err != nil {
				t.Error(err)
				return
			}
			p.Alias = fmt.Sprint("n", i)
			if _, err := s.Update(profiles.Bg, p, nil); err != nil {
				t.Error(err)
			}
			_ = s.Profiles()
			_ = s.Settings()
		})
	}
	wg.Wait()
	if n := len(profiles.Reload(t, s, dir).Profiles()); n != 20 {
		t.Errorf("%d profiles after concurrent adds", n)
	}
	// No temp files are left behind.
	if names := profiles.DirFiles(t, dir); len(names) != 1 {
		t.Errorf("files in config dir: %q", names)
	}
}
