package profiles_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/zalando/go-keyring"
)

// TestSecretsNeverLeak drives every path that handles a secret, with a
// working and then a failing keyring, and checks that no secret value
// reaches the config dir, the log or any error text.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		token    = "TOKEN-d3adb33f"
		password = "PASSWORD-c0ffee"
		newPass  = "PASSWORD2-f00d"
		imported = "FLUTTERTOKEN-beef"
		urlPass  = "URLPASS-cafe"
	)
	secrets := []string{token, password, newPass, imported, urlPass}

	var logs logBuffer
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	dir := t.TempDir()
	keyring.MockInit()
	sec := profiles.NewSecrets(profiles.SecretsOptions{Logger: newLogger(&logs), Getenv: profiles.NoEnv})
	s, err := profiles.Load(dir, profiles.Options{Secrets: sec, Logger: newLogger(&logs)})
	note(err)

	flutter := flutterFile(t, []any{
		map[string]any{"name": "F", "url": "ws://f:1"},
		map[string]any{"name": "Creds", "url": "ws://bob:" + urlPass + "@creds:1"},
	}, map[string]any{"flutter.user_token": imported})
	res, err := s.FirstRunImport(profiles.Bg, flutter)
	note(err)
	summary := res.Summary()

	note(sec.SetToken(profiles.Bg, token))
	p, err := s.Add(profiles.Bg, profiles.Profile{URL: "ws://a:1", BasicAuth: true, BasicUser: "bob"}, password)
	note(err)
	_, err = s.Add(profiles.Bg, profiles.Profile{URL: "ws://bob:" + urlPass + "@b:1"}, "")
	note(err)
	_, err = s.Add(profiles.Bg, profiles.Profile{URL: "ws://a:1/ws/", BasicAuth: true, BasicUser: "x"}, password) // duplicate
	note(err)
	p.Alias = "renamed"
	pw := newPass
	_, err = s.Update(profiles.Bg, p, &pw)
	note(err)
	_, err = s.BasicPassword(profiles.Bg, p)
	note(err)

	// Now the keyring fails: secrets fall back to memory.
	keyring.MockInitWithError(errNoSecretService)
	sec2 := profiles.NewSecrets(profiles.SecretsOptions{Logger: newLogger(&logs), Getenv: profiles.NoEnv})
	s2, err := profiles.Load(dir, profiles.Options{Secrets: sec2, Logger: newLogger(&logs)})
	note(err)
	note(sec2.SetToken(profiles.Bg, token))
	q, err := s2.Add(profiles.Bg, profiles.Profile{URL: "ws://c:1", BasicAuth: true, BasicUser: "bob"}, password)
	note(err)
	_, err = s2.Update(profiles.Bg, q, &pw)
	note(err)
	_, err = s2.BasicPassword(profiles.Bg, q)
	note(err)
	note(s2.Delete(profiles.Bg, q.ID))
	note(s2.Delete(profiles.Bg, p.ID))
	_, err = s2.ImportFlutterFile(profiles.Bg, flutter)
	note(err)

	if len(errs) < 5 {
		t.Fatalf("expected several errors to inspect, got %d", len(errs))
	}
	texts := map[string]string{"log": logs.String(), "import summary": summary}
	for i, e := range errs {
		texts[fmt.Sprintf("error %d", i)] = e.Error()
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			texts[path] = string(b)
		}
		return nil
	})
	for where, text := range texts {
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				t.Errorf("%s contains a secret (%s):\n%s", where, sec[:6], text)
			}
		}
	}
	if !strings.Contains(logs.String(), "kept in memory") {
		t.Error("the log does not show the fallback; the test did not exercise it")
	}
}
