package profiles

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveConfigDir(t *testing.T) {
	userDir := func() (string, error) { return "/home/u/.config", nil }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == ConfigDirEnv {
				return v
			}
			return ""
		}
	}
	cases := []struct {
		flag, env, want string
	}{
		{"", "", "/home/u/.config/agentdesk"},
		{"", "/tmp/envdir", "/tmp/envdir"},
		{"/tmp/flagdir", "/tmp/envdir", "/tmp/flagdir"},
		{"/tmp/flagdir", "", "/tmp/flagdir"},
	}
	for _, c := range cases {
		got, err := resolveConfigDir(c.flag, env(c.env), userDir)
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("resolveConfigDir(%q, env %q) = %q, %v; want %q", c.flag, c.env, got, err, c.want)
		}
	}

	// Relative values become absolute.
	got, err := resolveConfigDir("rel", env(""), userDir)
	if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "rel" {
		t.Errorf("relative flag: %q, %v", got, err)
	}

	// Without a user config dir, the error says how to choose one.
	_, err = resolveConfigDir("", env(""), func() (string, error) { return "", errors.New("$HOME is not defined") })
	if err == nil {
		t.Fatal("want error without a user config dir")
	}
	if want := "--config-dir"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not mention %s", err, want)
	}
}
