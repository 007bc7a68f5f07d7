package profiles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

func TestNormalizeURL(t *testing.T) {
	ok := []struct{ in, want string }{
		{"localhost:2000", "ws://localhost:2000/ws"},
		{"  localhost:2000  ", "ws://localhost:2000/ws"},
		{"example.com", "ws://example.com/ws"},
		{"http://Example.COM:8080", "ws://example.com:8080/ws"},
		{"HTTPS://Example.com", "wss://example.com/ws"},
		{"WS://HOST:2000/ws", "ws://host:2000/ws"},
		{"wss://host/", "wss://host/ws"},
		{"wss://host//", "wss://host/ws"},
		{"wss://host/agent/ws/", "wss://host/agent/ws"},
		{"https://proxy.example.com/prefix/agentassist/", "wss://proxy.example.com/prefix/agentassist"},
		{"ws://host:2000/Path/Keeps/Case", "ws://host:2000/Path/Keeps/Case"},
		{"ws://[::1]:2000", "ws://[::1]:2000/ws"},
		{"[FE80::1]", "ws://[fe80::1]/ws"},
		{"ws://host:2000/ws?x=1", "ws://host:2000/ws?x=1"},
		{"ws://host:2000/ws#frag", "ws://host:2000/ws"},
		{"ws://host:2000/a%20b", "ws://host:2000/a%20b"},
		{"192.168.1.5:2000", "ws://192.168.1.5:2000/ws"},
	}
	for _, c := range ok {
		got, err := profiles.NormalizeURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		// Normalizing is idempotent, so stored URLs compare reliably.
		if again, err := profiles.NormalizeURL(got); err != nil || again != got {
			t.Errorf("NormalizeURL(%q) again = %q, %v", got, again, err)
		}
	}

	bad := []struct{ in, mention string }{
		{"", "enter the server address"},
		{"   ", "enter the server address"},
		{"ws://", "no host"},
		{"ws:///ws", "no host"},
		{"http://:2000", "no host"},
		{"ws://my host:2000", "spaces"},
		{"my\thost", "spaces"},
		{"ftp://host", `"ftp" is not supported`},
		{"file:///etc/passwd", `"file" is not supported`},
		{"://host", "no scheme"},
		{"ws://bob:hunter2@host:2000", "Basic auth"},
		{"bob@host", "Basic auth"},
		{"https://bob:hunter2@host/ws", "Basic auth"},
		{"ws://host:99999", "port"},
		{"ws://host:0", "port"},
		{"ws://host:abc", "port"},
		{"ws://[::1", "not a valid URL"},
	}
	for _, c := range bad {
		got, err := profiles.NormalizeURL(c.in)
		if err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want error", c.in, got)
			continue
		}
		if !errors.Is(err, profiles.ErrInvalidURL) {
			t.Errorf("NormalizeURL(%q) error %v does not wrap ErrInvalidURL", c.in, err)
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("NormalizeURL(%q) error %q does not mention %q", c.in, err, c.mention)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NormalizeURL(%q) error leaks the password: %q", c.in, err)
		}
	}
}

func TestLabel(t *testing.T) {
	cases := []struct {
		p    profiles.Profile
		want string
	}{
		{profiles.Profile{URL: "ws://host:2000/ws", Alias: "Home"}, "Home"},
		{profiles.Profile{URL: "ws://host:2000/ws", Alias: "   "}, "host:2000"},
		{profiles.Profile{URL: "ws://host:2000/ws"}, "host:2000"},
		{profiles.Profile{URL: "wss://example.com/ws"}, "example.com"},
		{profiles.Profile{URL: "ws://[::1]:2000/ws"}, "[::1]:2000"},
		{profiles.Profile{URL: "wss://[fe80::1]/ws"}, "[fe80::1]"},
		{profiles.Profile{URL: "wss://proxy/prefix"}, "proxy"},
	}
	for _, c := range cases {
		if got := c.p.Label(); got != c.want {
			t.Errorf("%+v.Label() = %q, want %q", c.p, got, c.want)
		}
	}
}
