package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// The shared_preferences keys the import reads.
const (
	flutterKeyServers  = "flutter.server_configs"
	flutterKeyURL      = "flutter.server_url"
	flutterKeyToken    = "flutter.user_token"
	flutterKeyNickname = "flutter.user_nickname"
)

// ImportResult reports what an import from the Flutter client did.
type ImportResult struct {
	// Source is the file that was read. It is never modified.
	Source string
	// Imported are the profiles that were added.
	Imported []Profile
	// Skipped explains each entry that was not imported.
	Skipped []string
	// Token is set when a token was found and saved (see Warnings for
	// whether the keyring kept it).
	Token bool
	// Nickname is the nickname that was taken over, or "".
	Nickname string
	// Warnings are problems the user should hear about, such as a token
	// kept in memory only because the keyring could not be reached.
	Warnings []string
}

// Summary describes the import in a few lines for the user.
func (r *ImportResult) Summary() string {
	var b strings.Builder
	labels := make([]string, len(r.Imported))
	for i, p := range r.Imported {
		labels[i] = fmt.Sprintf("%q", p.Label())
	}
	switch len(r.Imported) {
	case 0:
		fmt.Fprintf(&b, "No servers were imported from %s.", r.Source)
	case 1:
		fmt.Fprintf(&b, "Imported 1 server from %s: %s.", r.Source, labels[0])
	default:
		fmt.Fprintf(&b, "Imported %d servers from %s: %s.", len(r.Imported), r.Source, strings.Join(labels, ", "))
	}
	if r.Token {
		b.WriteString("\nImported the token.")
	}
	if r.Nickname != "" {
		fmt.Fprintf(&b, "\nImported the nickname %q.", r.Nickname)
	}
	for _, s := range r.Skipped {
		b.WriteString("\nSkipped " + s)
	}
	for _, w := range r.Warnings {
		b.WriteString("\nWarning: " + w)
	}
	return b.String()
}

// flutterServer is one server entry of the Flutter client.
type flutterServer struct {
	where   string // how notes name the entry
	problem string // why the entry cannot be used, or ""
	name    string
	url     string
	enabled bool
}

// flutterPrefs is what the import takes from shared_preferences.json.
type flutterPrefs struct {
	servers  []flutterServer
	legacy   string // flutter.server_url
	token    string
	nickname string
	skipped  []string
}

// parseFlutterPrefs reads shared_preferences.json. Only a file that is not
// a JSON object is an error; bad entries are skipped with a note.
func parseFlutterPrefs(raw []byte) (flutterPrefs, error) {
	var out flutterPrefs
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return out, errors.New("it is not a shared_preferences.json file (not a JSON object)")
	}
	str := func(key string) string {
		var s string
		if v, ok := top[key]; ok && json.Unmarshal(v, &s) != nil {
			out.skipped = append(out.skipped, fmt.Sprintf("%s: not a text value", key))
		}
		return s
	}
	out.legacy = strings.TrimSpace(str(flutterKeyURL))
	out.token = strings.TrimSpace(str(flutterKeyToken))
	out.nickname = str(flutterKeyNickname)

	v, ok := top[flutterKeyServers]
	if !ok || isNull(v) {
		return out, nil
	}
	// The list is stored as a JSON string holding JSON; accept a plain
	// list too.
	var list []json.RawMessage
	var encoded string
	if json.Unmarshal(v, &encoded) == nil {
		v = json.RawMessage(encoded)
	}
	if err := json.Unmarshal(v, &list); err != nil {
		out.skipped = append(out.skipped, "the server list: it could not be read")
		return out, nil
	}
	for i, e := range list {
		where := fmt.Sprintf("server #%d", i+1)
		var obj struct {
			Name      *string `json:"name"`
			URL       *string `json:"url"`
			IsEnabled *bool   `json:"isEnabled"`
		}
		if err := json.Unmarshal(e, &obj); err != nil {
			out.servers = append(out.servers, flutterServer{where: where, problem: "not a valid server entry"})
			continue
		}
		s := flutterServer{where: where, enabled: true}
		if obj.Name != nil {
			s.name = *obj.Name
			if name := limits.Label(strings.TrimSpace(s.name), limits.AliasChars); name != "" {
				s.where = fmt.Sprintf("%s (%q)", where, name)
			}
		}
		if obj.URL != nil {
			s.url = *obj.URL
		}
		if obj.IsEnabled != nil {
			s.enabled = *obj.IsEnabled
		}
		out.servers = append(out.servers, s)
	}
	return out, nil
}

// importAlias turns a Flutter name into an alias: a name that is just the
// default host:port label is dropped, so the label follows later URL
// edits; control characters are removed and a name over
// [limits.AliasChars] is cut (cut reports it). Only what can be kept is
// scanned.
func importAlias(name, url string) (alias string, cut bool) {
	// Removing control characters shortens the name: look at a little more
	// than will be kept.
	head := limits.Cut(name, 4*limits.AliasChars)
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, head))
	if name == hostLabel(url) {
		return "", false
	}
	if !limits.Fits(name, limits.AliasChars) {
		return strings.TrimSpace(limits.Cut(name, limits.AliasChars)), true
	}
	return name, false
}

// FirstRunImport imports the Flutter client's servers, token and nickname
// from path ("" for [FlutterPrefsPath]) when this store has no profiles
// and has never imported. It returns nil and no error when there is
// nothing to do: profiles exist, the import already ran, the store is
// read-only or the file does not exist. The Flutter file is only read.
func (s *Store) FirstRunImport(ctx context.Context, path string) (*ImportResult, error) {
	if s.skipFirstRun() {
		return nil, nil
	}
	if path == "" {
		var err error
		if path, err = FlutterPrefsPath(); err != nil {
			return nil, nil // no Flutter client here: nothing to import
		}
	}
	raw, err := s.fs.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the Agent Assistant Flutter client's settings at %s: %w", path, err)
	}
	return s.importPrefs(ctx, path, raw, true)
}

// ImportFlutterFile imports servers, token and nickname from a
// shared_preferences.json the user picked. Servers whose address is
// already configured are skipped, and a token already stored is kept. The
// file is only read.
func (s *Store) ImportFlutterFile(ctx context.Context, path string) (*ImportResult, error) {
	raw, err := s.fs.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return s.importPrefs(ctx, path, raw, false)
}

func (s *Store) skipFirstRun() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.readOnly != nil || len(s.data.Profiles) > 0 || !s.data.FlutterImport.IsZero()
}

func (s *Store) importPrefs(ctx context.Context, path string, raw []byte, firstRun bool) (*ImportResult, error) {
	prefs, err := parseFlutterPrefs(raw)
	if err != nil {
		return nil, fmt.Errorf("cannot import from %s: %v", path, err)
	}
	res := &ImportResult{Source: path, Skipped: prefs.skipped}

	s.opMu.Lock()
	// Checked again under the lock: another goroutine may have won.
	if firstRun && s.skipFirstRun() {
		s.opMu.Unlock()
		return nil, nil
	}
	entries := prefs.servers
	if len(entries) == 0 && prefs.legacy != "" {
		// Only clients from before multi-server support have just this
		// key; newer ones may keep it stale beside the list.
		entries = []flutterServer{{where: "the single server address", url: prefs.legacy, enabled: true}}
	}
	err = s.commit(func(d *fileData) error {
		now := s.now()
		for _, e := range entries {
			switch {
			case e.problem != "":
				res.Skipped = append(res.Skipped, e.where+": "+e.problem)
				continue
			case strings.TrimSpace(e.url) == "":
				res.Skipped = append(res.Skipped, e.where+": it has no address")
				continue
			}
			p := Profile{URL: e.url, Enabled: e.enabled}
			if u, err := NormalizeURL(e.url); err == nil {
				var cut bool
				if p.Alias, cut = importAlias(e.name, u); cut {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s: the name was longer than %d characters and was cut", e.where, limits.AliasChars))
				}
			}
			p, err := cleanProfile(p)
			if err != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %v", e.where, err))
				continue
			}
			p.ID = newID()
			if err := checkDuplicate(d, p); err != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %v", e.where, err))
				continue
			}
			p.Created, p.Updated = now, now
			d.Profiles = append(d.Profiles, p)
			res.Imported = append(res.Imported, p)
		}
		if strings.TrimSpace(prefs.nickname) != "" {
			if nick, err := ValidateNickname(prefs.nickname); err != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("the nickname: %v", err))
			} else {
				d.Settings.Nickname = nick
				res.Nickname = nick
			}
		}
		if d.FlutterImport.IsZero() {
			d.FlutterImport = now
		}
		return nil
	})
	if err != nil {
		s.opMu.Unlock()
		return nil, err
	}

	switch {
	case len(prefs.token) > limits.TokenBytes:
		res.Skipped = append(res.Skipped, fmt.Sprintf("the token: it is longer than %d bytes", limits.TokenBytes))
	case prefs.token != "":
		s.importToken(ctx, prefs.token, firstRun, res)
	}
	s.opMu.Unlock()

	s.log.Info("imported from the Flutter client", "source", path, "servers", len(res.Imported),
		"skipped", len(res.Skipped), "token", res.Token)
	var changes []Change
	for _, p := range res.Imported {
		changes = append(changes, Change{Kind: ProfileAdded, ID: p.ID, Profile: p})
	}
	if res.Nickname != "" {
		changes = append(changes, Change{Kind: SettingsChanged})
	}
	s.notify(changes)
	return res, nil
}

// importToken saves the imported token. An explicit import never replaces
// a token that is already stored.
func (s *Store) importToken(ctx context.Context, token string, firstRun bool, res *ImportResult) {
	if !firstRun {
		cur, err := s.sec.get(ctx, tokenUser, "the token")
		if err != nil {
			res.Warnings = append(res.Warnings, "the token was not imported: "+err.Error())
			return
		}
		if cur == token {
			return
		}
		if cur != "" {
			res.Skipped = append(res.Skipped, "the token: a different token is already stored; it was kept")
			return
		}
	}
	res.Token = true
	if err := s.sec.SetToken(ctx, token); err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
}
