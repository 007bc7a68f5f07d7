package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakePlatform is a machine of the given GOOS with exactly env set and
// home as its home directory ("" for none).
func fakePlatform(goos, home string, env map[string]string) platform {
	return platform{
		goos:   goos,
		getenv: func(k string) string { return env[k] },
		home: func() (string, error) {
			if home == "" {
				return "", errors.New("$HOME is not defined")
			}
			return home, nil
		},
	}
}

const (
	linuxHome = "/home/u"
	macHome   = "/Users/u"
	winHome   = `C:\Users\u`
	winRoam   = `C:\Users\u\AppData\Roaming`
	winLocal  = `C:\Users\u\AppData\Local`
)

// winEnv is the environment of a Windows session.
var winEnv = map[string]string{"AppData": winRoam, "LocalAppData": winLocal}

// pathCase is one platform rule checked with a fake environment: want is
// the path, or wantErr a part of the error.
type pathCase struct {
	name          string
	p             platform
	want, wantErr string
}

func checkPaths(t *testing.T, rule string, f func(platform) (string, error), cases []pathCase) {
	t.Helper()
	for _, c := range cases {
		got, err := f(c.p)
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s, %s: got %q, %v; want an error mentioning %q", rule, c.name, got, err, c.wantErr)
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("%s, %s: got %q, %v; want %q", rule, c.name, got, err, c.want)
		}
	}
}

func TestConfigDirPerPlatform(t *testing.T) {
	configDir := func(p platform) (string, error) {
		return p.resolve("", ConfigDirEnv, "--config-dir", "config", platform.configBase)
	}
	checkPaths(t, "config dir", configDir, []pathCase{
		{"linux", fakePlatform("linux", linuxHome, nil), "/home/u/.config/agentdesk", ""},
		{"linux XDG", fakePlatform("linux", linuxHome, map[string]string{"XDG_CONFIG_HOME": "/cfg"}), "/cfg/agentdesk", ""},
		{"linux relative XDG", fakePlatform("linux", linuxHome, map[string]string{"XDG_CONFIG_HOME": "cfg"}), "", "not an absolute path"},
		{"linux no home", fakePlatform("linux", "", nil), "", "--config-dir or AGENTDESK_CONFIG_DIR"},
		{"freebsd", fakePlatform("freebsd", linuxHome, nil), "/home/u/.config/agentdesk", ""},
		{"windows", fakePlatform("windows", winHome, winEnv), `C:\Users\u\AppData\Roaming\agentdesk`, ""},
		{"windows trailing slash", fakePlatform("windows", winHome, map[string]string{"AppData": winRoam + `\`}), `C:\Users\u\AppData\Roaming\agentdesk`, ""},
		{"windows UNC", fakePlatform("windows", winHome, map[string]string{"AppData": `\\srv\profiles\u`}), `\\srv\profiles\u\agentdesk`, ""},
		{"windows no AppData", fakePlatform("windows", winHome, nil), "", "%AppData% is not set"},
		{"windows relative AppData", fakePlatform("windows", winHome, map[string]string{"AppData": `Roaming`}), "", "not an absolute path"},
		{"windows ignores XDG", fakePlatform("windows", winHome, map[string]string{"AppData": winRoam, "XDG_CONFIG_HOME": "/cfg"}), `C:\Users\u\AppData\Roaming\agentdesk`, ""},
		{"macos", fakePlatform("darwin", macHome, nil), "/Users/u/Library/Application Support/agentdesk", ""},
		{"macos ignores XDG", fakePlatform("darwin", macHome, map[string]string{"XDG_CONFIG_HOME": "/cfg"}), "/Users/u/Library/Application Support/agentdesk", ""},
		{"macos no home", fakePlatform("darwin", "", nil), "", "home folder"},
	})
}

func TestDataDirPerPlatform(t *testing.T) {
	dataDir := func(p platform) (string, error) {
		return p.resolve("", DataDirEnv, "--data-dir", "data", platform.dataBase)
	}
	checkPaths(t, "data dir", dataDir, []pathCase{
		{"linux", fakePlatform("linux", linuxHome, nil), "/home/u/.local/share/agentdesk", ""},
		{"linux XDG", fakePlatform("linux", linuxHome, map[string]string{"XDG_DATA_HOME": "/data"}), "/data/agentdesk", ""},
		{"linux relative XDG is ignored", fakePlatform("linux", linuxHome, map[string]string{"XDG_DATA_HOME": "data"}), "/home/u/.local/share/agentdesk", ""},
		{"linux no home", fakePlatform("linux", "", nil), "", "--data-dir or AGENTDESK_DATA_DIR"},
		{"linux relative home", fakePlatform("linux", "home", nil), "", "not an absolute path"},
		{"openbsd", fakePlatform("openbsd", linuxHome, map[string]string{"XDG_DATA_HOME": "/data"}), "/data/agentdesk", ""},
		{"windows", fakePlatform("windows", winHome, winEnv), `C:\Users\u\AppData\Local\agentdesk`, ""},
		{"windows no LocalAppData", fakePlatform("windows", winHome, map[string]string{"AppData": winRoam}), "", "%LocalAppData% is not set"},
		{"macos", fakePlatform("darwin", macHome, map[string]string{"XDG_DATA_HOME": "/data"}), "/Users/u/Library/Application Support/agentdesk", ""},
	})
}

func TestFlutterPrefsPerPlatform(t *testing.T) {
	first := func(p platform) (string, error) {
		c, err := p.flutterPrefs()
		if err != nil {
			return "", err
		}
		return c[0], nil
	}
	checkPaths(t, "Flutter prefs", first, []pathCase{
		{"linux", fakePlatform("linux", linuxHome, nil), "/home/u/.local/share/code.agentassistant.flutter.agentassistant-flutter/shared_preferences.json", ""},
		{"linux XDG", fakePlatform("linux", linuxHome, map[string]string{"XDG_DATA_HOME": "/data"}), "/data/code.agentassistant.flutter.agentassistant-flutter/shared_preferences.json", ""},
		{"linux relative XDG", fakePlatform("linux", linuxHome, map[string]string{"XDG_DATA_HOME": "rel"}), "/home/u/.local/share/code.agentassistant.flutter.agentassistant-flutter/shared_preferences.json", ""},
		{"windows", fakePlatform("windows", winHome, winEnv), `C:\Users\u\AppData\Roaming\code.agentassistant.flutter\flutterclient\shared_preferences.json`, ""},
		{"windows no AppData", fakePlatform("windows", winHome, nil), "", "%AppData% is not set"},
		{"macos", fakePlatform("darwin", macHome, nil), "", "NSUserDefaults"},
	})

	// Linux also looks under the GTK application ID the client's sources set.
	c, err := fakePlatform("linux", linuxHome, nil).flutterPrefs()
	if err != nil || len(c) != 2 || c[1] != "/home/u/.local/share/code.agentassistant.flutter.flutterclient/shared_preferences.json" {
		t.Errorf("linux candidates = %q, %v", c, err)
	}
	// macOS says plainly what cannot be imported, and is still recognisable.
	_, err = fakePlatform("darwin", macHome, nil).flutterPrefs()
	if !errors.Is(err, ErrNoFlutterLocation) || !strings.Contains(err.Error(), "Settings") || !strings.Contains(err.Error(), ".plist") {
		t.Errorf("macos: %v", err)
	}
}

// TestFlutterPrefsPathPicksExisting: of the candidates, the one that
// exists wins; with none, the first is returned.
func TestFlutterPrefsPathPicksExisting(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_DATA_HOME", base)
	t.Setenv("AppData", base)
	candidates, err := hostPlatform().flutterPrefs()
	if runtime.GOOS == "darwin" {
		if !errors.Is(err, ErrNoFlutterLocation) {
			t.Errorf("macOS: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, err := FlutterPrefsPath(); err != nil || got != candidates[0] || !strings.HasPrefix(got, base) {
		t.Errorf("none exists: %q, %v; want %q", got, err, candidates[0])
	}
	last := candidates[len(candidates)-1]
	writeFile(t, last, "{}")
	if got, err := FlutterPrefsPath(); err != nil || got != last {
		t.Errorf("%q exists: got %q, %v", last, got, err)
	}
}

// TestOverrides: the flag beats the environment, which beats the default;
// relative values become absolute; bad values are refused with a message.
func TestOverrides(t *testing.T) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	flagDir, envDir := abs("flag-dir"), abs("env-dir")
	for _, d := range []struct {
		env     string
		resolve func(string) (string, error)
	}{{ConfigDirEnv, ResolveConfigDir}, {DataDirEnv, ResolveDataDir}} {
		t.Setenv(d.env, envDir)
		if got, err := d.resolve(flagDir); err != nil || got != flagDir {
			t.Errorf("%s: flag: %q, %v", d.env, got, err)
		}
		if got, err := d.resolve(""); err != nil || got != envDir {
			t.Errorf("%s: env: %q, %v", d.env, got, err)
		}
		if got, err := d.resolve("rel"); err != nil || got != abs("rel") || !filepath.IsAbs(got) {
			t.Errorf("%s: relative: %q, %v", d.env, got, err)
		}
		if _, err := d.resolve(strings.Repeat("x", maxPathLen+1)); err == nil || !strings.Contains(err.Error(), "at most") {
			t.Errorf("%s: overlong: %v", d.env, err)
		}
		if _, err := d.resolve("a\x00b"); err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s: NUL: %v", d.env, err)
		}
		t.Setenv(d.env, "")
		got, err := d.resolve("")
		if err != nil || filepath.Base(got) != appDirName || !filepath.IsAbs(got) {
			t.Errorf("%s: default: %q, %v", d.env, got, err)
		}
	}
}

// TestConfigRulesMatchGo: on the machine running the test, our config
// rule gives what os.UserConfigDir gives, so the fake-environment tables
// above describe the real behaviour.
func TestConfigRulesMatchGo(t *testing.T) {
	want, wantErr := os.UserConfigDir()
	got, err := hostPlatform().configBase()
	if (err != nil) != (wantErr != nil) || got != want {
		t.Errorf("configBase() = %q, %v; os.UserConfigDir() = %q, %v", got, err, want, wantErr)
	}
}

// TestKeyringNamesSamePerPlatform: secrets are stored under the same
// service and user names on every platform, so documentation and other
// tools can find them. Nothing in their construction depends on GOOS; the
// test runs on Linux and under Wine.
func TestKeyringNamesSamePerPlatform(t *testing.T) {
	if KeyringService != "agentdesk" || tokenUser != "token" || passwordUser("abc") != "server:abc" {
		t.Errorf("keyring names on %s: service %q, token user %q, password user %q",
			runtime.GOOS, KeyringService, tokenUser, passwordUser("abc"))
	}
}
