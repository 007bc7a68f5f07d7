package profiles

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Profile is one server the user works with. The password for Basic auth is
// not part of it: it lives in the keyring under the profile's ID (see
// [Secrets]).
type Profile struct {
	// ID is a random UUID given when the profile is created. It never
	// changes, even when the URL does, so events, chats and the keyring
	// entry stay attached to the same server across edits.
	ID string `json:"id"`
	// URL is the normalized WebSocket endpoint (see [NormalizeURL]).
	URL string `json:"url"`
	// Alias is the optional name the user gave the server.
	Alias string `json:"alias,omitempty"`
	// Enabled profiles are kept connected.
	Enabled bool `json:"enabled"`
	// BasicAuth turns HTTP Basic auth on for this server.
	BasicAuth bool `json:"basic_auth,omitempty"`
	// BasicUser is the Basic-auth user name.
	BasicUser string `json:"basic_user,omitempty"`
	// Created and Updated are set by the [Store].
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Label is what users see for the profile: the alias, or else host:port
// taken from the URL (just the host when the URL has no port; IPv6 hosts in
// brackets).
func (p Profile) Label() string {
	if a := strings.TrimSpace(p.Alias); a != "" {
		return a
	}
	return hostLabel(p.URL)
}

// hostLabel returns host:port for a URL, or the input when it has no host.
func hostLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	host := u.Hostname()
	if port := u.Port(); port != "" {
		return net.JoinHostPort(host, port)
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// ErrInvalidURL is wrapped by every error [NormalizeURL] returns.
var ErrInvalidURL = errors.New("invalid server address")

// urlError builds an ErrInvalidURL with a reason a user can act on. It never
// echoes the input, which may hold a password.
func urlError(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidURL, reason)
}

// NormalizeURL turns what a user typed into the canonical WebSocket URL that
// profiles store and compare. It trims the input, adds ws:// when there is no
// scheme, maps http to ws and https to wss, lowercases scheme and host, uses
// the path /ws when the path is empty, and otherwise strips trailing slashes
// while keeping a reverse-proxy prefix. A fragment is dropped (WebSocket URLs
// cannot carry one). It rejects empty hosts, spaces, other schemes, bad ports,
// user:pass@ in the URL, URLs over [limits.URLBytes] and host names over
// [limits.HostBytes]; errors wrap [ErrInvalidURL]. An over-long input is
// refused before it is scanned, never cut: a cut address points elsewhere.
func NormalizeURL(raw string) (string, error) {
	if len(raw) > 2*limits.URLBytes {
		// Surrounding spaces are trimmed below; anything this long is not
		// an address, and is not worth scanning.
		return "", urlError(fmt.Sprintf("the address is longer than %d bytes", limits.URLBytes))
	}
	s := strings.TrimSpace(raw)
	if len(s) > limits.URLBytes {
		return "", urlError(fmt.Sprintf("the address is longer than %d bytes", limits.URLBytes))
	}
	if s == "" {
		return "", urlError("enter the server address, for example ws://localhost:2000/ws")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", urlError("the address must not contain spaces")
	}
	if !strings.Contains(s, "://") {
		s = "ws://" + s
	}
	scheme, rest, _ := strings.Cut(s, "://")

	// Check for credentials before parsing, so no parse error can carry them.
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.Contains(authority, "@") {
		return "", urlError("remove user:password@ from the address and use the Basic auth fields instead")
	}

	switch strings.ToLower(scheme) {
	case "ws", "http":
		scheme = "ws"
	case "wss", "https":
		scheme = "wss"
	case "":
		return "", urlError("the address has no scheme before ://; use ws://, wss://, http:// or https://")
	default:
		if !validScheme(scheme) {
			return "", urlError("the address is not a valid URL")
		}
		return "", urlError(fmt.Sprintf("the scheme %q is not supported; use ws://, wss://, http:// or https://", strings.ToLower(scheme)))
	}

	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		if strings.Contains(err.Error(), "port") {
			return "", urlError("the port must be a number from 1 to 65535")
		}
		return "", urlError("the address is not a valid URL")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", urlError("the address has no host name")
	}
	if len(host) > limits.HostBytes {
		return "", urlError(fmt.Sprintf("the host name is longer than %d characters", limits.HostBytes))
	}
	hostport := host
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", urlError("the port must be a number from 1 to 65535")
		}
		hostport = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}

	path := strings.TrimRight(u.EscapedPath(), "/")
	if path == "" {
		path = "/ws"
	}
	out := scheme + "://" + hostport + path
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out, nil
}

// validScheme reports whether s is syntactically a URL scheme (RFC 3986).
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// cleanProfile validates and normalizes the user-editable fields of p.
func cleanProfile(p Profile) (Profile, error) {
	u, err := NormalizeURL(p.URL)
	if err != nil {
		return p, err
	}
	p.URL = u
	p.Alias = strings.TrimSpace(p.Alias)
	if !limits.Fits(p.Alias, limits.AliasChars) {
		return p, fmt.Errorf("the name is too long (at most %d characters)", limits.AliasChars)
	}
	if hasControl(p.Alias) {
		return p, errors.New("the name must not contain control characters")
	}
	p.BasicUser = strings.TrimSpace(p.BasicUser)
	if p.BasicAuth {
		switch {
		case p.BasicUser == "":
			return p, errors.New("enter a user name for Basic auth, or turn Basic auth off")
		case strings.Contains(p.BasicUser, ":"):
			// RFC 7617: the user-id cannot contain a colon.
			return p, errors.New("the Basic auth user name must not contain a colon")
		case !limits.Fits(p.BasicUser, limits.BasicUserChars):
			return p, fmt.Errorf("the Basic auth user name is too long (at most %d characters)", limits.BasicUserChars)
		case hasControl(p.BasicUser):
			return p, errors.New("the Basic auth user name is not valid")
		}
	}
	return p, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
