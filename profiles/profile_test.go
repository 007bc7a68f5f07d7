package profiles

import (
	"regexp"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// These tests check the unexported newID and cleanProfile, so they stay in
// package profiles; the tests of the public profile API are in
// profile_ext_test.go.

func TestNewIDIsUUIDv4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		if !re.MatchString(id) {
			t.Fatalf("newID() = %q, not a v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("newID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestCleanProfile(t *testing.T) {
	bad := []Profile{
		{URL: "ws://h", BasicAuth: true},
		{URL: "ws://h", BasicAuth: true, BasicUser: "a:b"},
		{URL: "ws://h", Alias: strings.Repeat("x", limits.AliasChars+1)},
		{URL: "ws://h", Alias: "a\x00b"},
		{URL: "gopher://h"},
	}
	for _, p := range bad {
		if _, err := cleanProfile(p); err == nil {
			t.Errorf("cleanProfile(%+v) accepted", p)
		}
	}
	p, err := cleanProfile(Profile{URL: " HTTP://H:1 ", Alias: "  Home ", BasicUser: " bob "})
	if err != nil || p.URL != "ws://h:1/ws" || p.Alias != "Home" || p.BasicUser != "bob" {
		t.Errorf("cleanProfile = %+v, %v", p, err)
	}
}
