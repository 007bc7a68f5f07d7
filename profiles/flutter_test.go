package profiles_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/zalando/go-keyring"
)

// flutterFile writes a shared_preferences.json the way the Flutter client
// does: the server list is a JSON string holding JSON.
func flutterFile(t *testing.T, servers any, extra map[string]any) string {
	t.Helper()
	top := map[string]any{}
	if servers != nil {
		b, err := json.Marshal(servers)
		if err != nil {
			t.Fatal(err)
		}
		top["flutter.server_configs"] = string(b)
	}
	for k, v := range extra {
		top[k] = v
	}
	b, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), profiles.FlutterLinuxAppID, "shared_preferences.json")
	profiles.WriteFile(t, path, string(b))
	return path
}

func TestFirstRunImport(t *testing.T) {
	servers := []any{
		map[string]any{"id": "1", "name": "Home", "url": "ws://home:2000", "isEnabled": true},
		map[string]any{"id": "2", "name": "work.example.com:8080", "url": "ws://work.example.com:8080/ws", "isEnabled": false},
		map[string]any{"id": "3", "name": "Dup", "url": "ws://HOME:2000/ws/", "isEnabled": true},
		map[string]any{"id": "4", "name": "Creds", "url": "ws://bob:hunter2@creds:2000"},
		map[string]any{"id": "5", "name": "No URL"},
		"garbage",
		map[string]any{"id": "7", "url": 12},
		map[string]any{"id": "8", "url": "https://proxy.example.com/agent/"},
	}
	path := flutterFile(t, servers, map[string]any{
		"flutter.user_token":    "tok-from-flutter",
		"flutter.user_nickname": "alice",
		"flutter.server_url":    "ws://legacy:2000",
		"flutter.theme":         "dark",
	})
	orig := profiles.ReadFile(t, path)
	fi0, _ := os.Stat(path)

	s, dir := newStore(t)
	var added int
	s.Subscribe(func(c profiles.Change) {
		if c.Kind == profiles.ProfileAdded {
			added++
		}
	})
	res, err := s.FirstRunImport(profiles.Bg, path)
	if err != nil || res == nil {
		t.Fatalf("FirstRunImport = %v, %v", res, err)
	}
	labels := func(ps []profiles.Profile) (out []string) {
		for _, p := range ps {
			out = append(out, p.Label())
		}
		return out
	}
	if got := strings.Join(labels(res.Imported), ","); got != "Home,work.example.com:8080,proxy.example.com" {
		t.Errorf("imported %q", got)
	}
	ps := s.Profiles()
	if len(ps) != 3 || added != 3 {
		t.Fatalf("profiles = %+v (%d notifications)", ps, added)
	}
	if ps[0].URL != "ws://home:2000/ws" || !ps[0].Enabled || ps[0].Alias != "Home" {
		t.Errorf("home = %+v", ps[0])
	}
	// A name that is just host:port is not kept as an alias.
	if ps[1].Enabled || ps[1].Alias != "" {
		t.Errorf("work = %+v", ps[1])
	}
	if ps[2].URL != "wss://proxy.example.com/agent" || !ps[2].Enabled {
		t.Errorf("proxy = %+v", ps[2])
	}
	if ps[0].ID == "1" || len(ps[0].ID) != 36 {
		t.Errorf("id not a fresh UUID: %q", ps[0].ID)
	}
	if len(res.Skipped) != 5 {
		t.Errorf("skipped = %q", res.Skipped)
	}
	sum := res.Summary()
	t.Log(sum)
	for _, want := range []string{"Imported 3 servers from " + path, `"Home"`, "token", `nickname "alice"`, `server #3 ("Dup")`, `already uses the address`, "Basic auth", "server #5", "server #6", "server #7"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary does not mention %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "hunter2") || strings.Contains(sum, "tok-from-flutter") {
		t.Errorf("summary leaks a secret:\n%s", sum)
	}
	if v, _ := keyring.Get("agentdesk", "token"); v != "tok-from-flutter" || !res.Token {
		t.Errorf("token in keyring = %q", v)
	}
	if s.Settings().Nickname != "alice" {
		t.Errorf("nickname = %q", s.Settings().Nickname)
	}
	// The Flutter file is untouched.
	if fi, _ := os.Stat(path); profiles.ReadFile(t, path) != orig || !fi.ModTime().Equal(fi0.ModTime()) {
		t.Error("Flutter file modified")
	}
	// Persisted, and never run again, not even after deleting everything.
	s = profiles.Reload(t, s, dir)
	if len(s.Profiles()) != 3 {
		t.Errorf("after reload: %+v", s.Profiles())
	}
	for _, p := range s.Profiles() {
		if err := s.Delete(profiles.Bg, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := s.FirstRunImport(profiles.Bg, path); res != nil || err != nil {
		t.Errorf("second FirstRunImport = %v, %v", res, err)
	}
}

func TestFirstRunImportLegacyURL(t *testing.T) {
	path := flutterFile(t, nil, map[string]any{"flutter.server_url": "ws://10.0.0.2:2000"})
	s, _ := newStore(t)
	res, err := s.FirstRunImport(profiles.Bg, path)
	if err != nil || res == nil || len(res.Imported) != 1 {
		t.Fatalf("FirstRunImport = %+v, %v", res, err)
	}
	p := s.Profiles()[0]
	if p.URL != "ws://10.0.0.2:2000/ws" || !p.Enabled || p.Label() != "10.0.0.2:2000" || p.Alias != "" {
		t.Errorf("profile = %+v", p)
	}
	if res.Token || res.Nickname != "" {
		t.Errorf("result = %+v", res)
	}

	// Beside a server list, the stale legacy key is not used.
	path = flutterFile(t, []any{map[string]any{"name": "A", "url": "ws://a:1"}}, map[string]any{"flutter.server_url": "ws://old:2000"})
	s, _ = newStore(t)
	res, err = s.FirstRunImport(profiles.Bg, path)
	if err != nil || len(res.Imported) != 1 || res.Imported[0].Label() != "A" {
		t.Errorf("FirstRunImport = %+v, %v", res, err)
	}
}

func TestFirstRunImportSkips(t *testing.T) {
	path := flutterFile(t, []any{map[string]any{"name": "A", "url": "ws://a:1"}}, nil)

	// Not when agentdesk already has profiles.
	s, _ := newStore(t)
	profiles.MustAdd(t, s, profiles.Profile{URL: "ws://mine"}, "")
	if res, err := s.FirstRunImport(profiles.Bg, path); res != nil || err != nil {
		t.Errorf("with profiles: %v, %v", res, err)
	}
	// Not when there is no Flutter file.
	s, _ = newStore(t)
	if res, err := s.FirstRunImport(profiles.Bg, filepath.Join(t.TempDir(), "missing.json")); res != nil || err != nil {
		t.Errorf("missing file: %v, %v", res, err)
	}
	// A broken Flutter file is an error, and not modified.
	bad := filepath.Join(t.TempDir(), "shared_preferences.json")
	profiles.WriteFile(t, bad, "{not json")
	if _, err := s.FirstRunImport(profiles.Bg, bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken file: %v", err)
	}
	if profiles.ReadFile(t, bad) != "{not json" {
		t.Error("broken Flutter file modified")
	}
	// The default location is used when no path is given.
	useFlutterDefault(t, profiles.ReadFile(t, path))
	if res, err := s.FirstRunImport(profiles.Bg, ""); err != nil || res == nil || len(res.Imported) != 1 {
		t.Errorf("default location: %+v, %v", res, err)
	}
}

func TestFirstRunImportBadNicknameAndList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shared_preferences.json")
	profiles.WriteFile(t, path, `{"flutter.server_configs": "not a list", "flutter.user_nickname": "x", "flutter.user_token": 5, "flutter.server_url": "ws://legacy"}`)
	s, _ := newStore(t)
	nick := s.Settings().Nickname
	res, err := s.FirstRunImport(profiles.Bg, path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Settings().Nickname != nick || res.Nickname != "" || res.Token {
		t.Errorf("result %+v, nickname %q", res, s.Settings().Nickname)
	}
	sum := res.Summary()
	for _, want := range []string{"the server list", "the nickname", "flutter.user_token", `"legacy"`} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

func TestImportTokenKeyringFailure(t *testing.T) {
	path := flutterFile(t, []any{map[string]any{"url": "ws://a:1"}}, map[string]any{"flutter.user_token": "tok"})
	kr := profiles.NewFakeKeyring()
	kr.Fail(errNoSecretService)
	s, err := profiles.Load(t.TempDir(), profiles.Options{Secrets: profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Getenv: profiles.NoEnv})})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.FirstRunImport(profiles.Bg, path)
	if err != nil || len(res.Imported) != 1 || !res.Token || len(res.Warnings) != 1 {
		t.Fatalf("FirstRunImport = %+v, %v", res, err)
	}
	if !strings.Contains(res.Summary(), "will not be remembered") {
		t.Errorf("summary:\n%s", res.Summary())
	}
	if tok, _ := s.Secrets().Token(profiles.Bg); tok != "tok" {
		t.Errorf("token for this run = %q", tok)
	}
}

func TestImportFlutterFileMerges(t *testing.T) {
	s, _ := newStore(t)
	profiles.MustAdd(t, s, profiles.Profile{URL: "ws://a:1", Alias: "Mine"}, "")
	if err := s.Secrets().SetToken(profiles.Bg, "my-token"); err != nil {
		t.Fatal(err)
	}
	path := flutterFile(t, []any{
		map[string]any{"name": "A", "url": "ws://a:1"},
		map[string]any{"name": "B", "url": "ws://b:1", "isEnabled": true},
	}, map[string]any{"flutter.user_token": "their-token", "flutter.user_nickname": "bobby"})

	res, err := s.ImportFlutterFile(profiles.Bg, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 1 || res.Imported[0].Alias != "B" || len(s.Profiles()) != 2 {
		t.Errorf("imported %+v", res.Imported)
	}
	if !strings.Contains(res.Summary(), `the server "Mine" already uses the address`) {
		t.Errorf("summary:\n%s", res.Summary())
	}
	// An existing token is kept.
	if tok, _ := s.Secrets().Token(profiles.Bg); tok != "my-token" || res.Token {
		t.Errorf("token = %q", tok)
	}
	if !strings.Contains(res.Summary(), "already stored") || s.Settings().Nickname != "bobby" {
		t.Errorf("summary:\n%s", res.Summary())
	}
	if _, err := s.ImportFlutterFile(profiles.Bg, filepath.Join(t.TempDir(), "nope.json")); err == nil {
		t.Error("importing a missing file: no error")
	}
}

// useFlutterDefault points this platform's Flutter folder variable
// ($XDG_DATA_HOME, %AppData%) at a temp dir and writes prefs where
// [FlutterPrefsPath] looks.
func useFlutterDefault(t *testing.T, prefs string) {
	t.Helper()
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", base)
	t.Setenv("AppData", base)
	def, err := profiles.FlutterPrefsPath()
	if err != nil {
		t.Fatalf("FlutterPrefsPath: %v", err)
	}
	if !strings.HasPrefix(def, base) {
		t.Fatalf("FlutterPrefsPath = %q, not under %q", def, base)
	}
	profiles.WriteFile(t, def, prefs)
}
