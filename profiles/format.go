package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// SchemaVersion is the config file layout this build reads and writes.
// Older files are migrated on load; newer ones are opened read-only.
const SchemaVersion = 2

// ConfigFileName is the name of the config file inside the config dir.
const ConfigFileName = "config.json"

// fileData is the config file, and the store's state in memory.
type fileData struct {
	SchemaVersion int       `json:"schema_version"`
	DefaultServer string    `json:"default_server,omitempty"`
	Profiles      []Profile `json:"profiles"`
	Settings      Settings  `json:"settings"`
	// FlutterImport records when the first-run import read the Flutter
	// client's file, so deleting every server later does not re-import.
	FlutterImport time.Time `json:"flutter_import,omitzero"`
}

func (d fileData) clone() fileData {
	d.Profiles = append([]Profile(nil), d.Profiles...)
	d.Settings = d.Settings.clone()
	return d
}

func (d fileData) find(id string) int {
	for i, p := range d.Profiles {
		if p.ID == id {
			return i
		}
	}
	return -1
}

func (d fileData) encode() ([]byte, error) {
	d.SchemaVersion = SchemaVersion
	if d.Profiles == nil {
		d.Profiles = []Profile{} // "profiles": [] reads better than null
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// migrations[v] turns a version v file into a version v+1 file. They work
// on the raw top-level object so that old layouts need no Go types.
var migrations = map[int]func(top map[string]json.RawMessage) error{
	// Version 0 is a file without schema_version, as written by hand
	// before any release; it already has the version 1 layout.
	0: func(map[string]json.RawMessage) error { return nil },
	// Version 2 replaced the two notification switches with attention
	// modes per kind, and added history settings.
	1: migrateNotifications,
}

// corruptError means the file is not a config file this build can use at
// all: it is moved aside rather than repaired.
type corruptError struct{ reason string }

// Error returns the reason.
func (e *corruptError) Error() string { return e.reason }

// decoded is what decode makes of a file.
type decoded struct {
	data    fileData
	version int      // as found on disk
	notes   []string // repairs the user should hear about
	resave  bool     // the file should be rewritten (migrated or repaired)
}

// decode reads a config file tolerantly: a hand-edited file with missing
// fields, wrong types, duplicate ids or dangling references is repaired
// entry by entry, with a note for each repair. Only a file that is not a
// JSON object, or whose version or profile list is unusable, is corrupt.
func decode(raw []byte, now time.Time) (decoded, error) {
	var out decoded
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return out, &corruptError{"it is not valid JSON (" + err.Error() + ")"}
	}
	if top == nil {
		return out, &corruptError{"it does not hold a JSON object"}
	}
	if v, ok := top["schema_version"]; ok {
		if err := json.Unmarshal(v, &out.version); err != nil || out.version < 0 {
			return out, &corruptError{"its schema_version is not a version number"}
		}
	}
	for v := out.version; v < SchemaVersion; v++ {
		if err := migrations[v](top); err != nil {
			return out, &corruptError{fmt.Sprintf("it could not be migrated from schema %d: %v", v, err)}
		}
		out.resave = true
	}

	r := &reader{now: now}
	d := fileData{SchemaVersion: SchemaVersion}
	var entries []json.RawMessage
	if v, ok := top["profiles"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &entries); err != nil {
			return out, &corruptError{`its "profiles" is not a list`}
		}
	}
	ids := map[string]bool{}
	byURL := map[string]Profile{}
	for i, e := range entries {
		p, ok := r.profile(e, fmt.Sprintf("server #%d", i+1))
		if !ok {
			continue
		}
		if other, dup := byURL[p.URL]; dup {
			r.notef("server #%d (%q) has the same address as %q; it was dropped", i+1, p.Label(), other.Label())
			continue
		}
		if ids[p.ID] {
			r.notef("server #%d (%q) had the same id as another server; it was given a new one", i+1, p.Label())
			p.ID = newID()
		}
		ids[p.ID] = true
		byURL[p.URL] = p
		d.Profiles = append(d.Profiles, p)
	}

	var def string
	if r.field(top, "default_server", "the default server", &def) && def != "" {
		if ids[def] {
			d.DefaultServer = def
		} else {
			r.notef("the default server named a server that does not exist; no server is default now")
		}
	}
	d.Settings = r.settings(top["settings"], ids)
	r.field(top, "flutter_import", "the import date", &d.FlutterImport)

	out.data = d
	out.notes = r.notes
	out.resave = out.resave || r.resave || len(r.notes) > 0
	return out, nil
}

// reader collects notes while decoding one file.
type reader struct {
	now    time.Time
	notes  []string
	resave bool
}

func (r *reader) notef(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// field decodes obj[key] into dst. It reports whether the key held a value
// of the right type; a wrong type leaves dst alone and adds a note.
func (r *reader) field(obj map[string]json.RawMessage, key, what string, dst any) bool {
	v, ok := obj[key]
	if !ok || isNull(v) {
		return false
	}
	if err := json.Unmarshal(v, dst); err != nil {
		r.notef("%s (%q) had the wrong type and was ignored", what, key)
		return false
	}
	return true
}

// object decodes a block of the settings (raw, absent when nil) as an
// object, so that its fields can be read one by one with field. ok is
// false when the block is absent or null, or when it is not an object,
// which adds the note "<what> had the wrong type; <fallback>".
func (r *reader) object(raw json.RawMessage, what, fallback string) (obj map[string]json.RawMessage, ok bool) {
	if raw == nil || isNull(raw) {
		return nil, false
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		r.notef("%s had the wrong type; %s", what, fallback)
		return nil, false
	}
	return obj, true
}

// profile decodes one entry of the profile list; ok is false when the
// entry had to be dropped.
func (r *reader) profile(raw json.RawMessage, where string) (p Profile, ok bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		r.notef("%s is not a server entry; it was dropped", where)
		return p, false
	}
	var rawURL string
	if !r.field(obj, "url", where+": the address", &rawURL) || strings.TrimSpace(rawURL) == "" {
		r.notef("%s has no address; it was dropped", where)
		return p, false
	}
	u, err := NormalizeURL(rawURL)
	if err != nil {
		r.notef("%s was dropped: %v", where, err)
		return p, false
	}
	if u != rawURL {
		r.resave = true
	}
	p.URL = u
	r.field(obj, "alias", where+": the name", &p.Alias)
	p.Alias = strings.TrimSpace(p.Alias)
	if !limits.Fits(p.Alias, limits.AliasChars) {
		p.Alias = strings.TrimSpace(limits.Label(p.Alias, limits.AliasChars))
		r.notef("%s: its name was longer than %d characters and was cut to %q", where, limits.AliasChars, p.Alias)
	} else if hasControl(p.Alias) {
		p.Alias = strings.TrimSpace(limits.Label(p.Alias, limits.AliasChars))
		r.notef("%s: control characters in its name became spaces", where)
	}
	where = fmt.Sprintf("%s (%q)", where, p.Label())

	r.field(obj, "id", where+": the id", &p.ID)
	p.ID = strings.TrimSpace(p.ID)
	switch {
	case p.ID == "":
		r.notef("%s had no id; it was given a new one", where)
		p.ID = newID()
	case len(p.ID) > limits.ProfileIDBytes:
		r.notef("%s had an id longer than %d bytes; it was given a new one", where, limits.ProfileIDBytes)
		p.ID = newID()
	}
	p.Enabled = true // a server written by hand is meant to be used
	r.field(obj, "enabled", where+": enabled", &p.Enabled)
	r.field(obj, "basic_auth", where+": Basic auth", &p.BasicAuth)
	r.field(obj, "basic_user", where+": the Basic auth user", &p.BasicUser)
	p.BasicUser = strings.TrimSpace(p.BasicUser)
	if !limits.Fits(p.BasicUser, limits.BasicUserChars) {
		// A user name cut short would be another user: drop it.
		p.BasicUser = ""
		r.notef("%s: its Basic auth user name was longer than %d characters and was removed; enter it again in its settings",
			where, limits.BasicUserChars)
	}
	if !r.field(obj, "created", where+": the creation time", &p.Created) {
		p.Created = r.now
		r.resave = true
	}
	if !r.field(obj, "updated", where+": the update time", &p.Updated) {
		p.Updated = p.Created
		r.resave = true
	}
	return p, true
}

// settings decodes the settings object field by field, so one bad value
// costs only that value. ids are the profiles that exist.
func (r *reader) settings(raw json.RawMessage, ids map[string]bool) Settings {
	s := Settings{Notifications: DefaultNotifications()}
	obj, _ := r.object(raw, "the settings", "defaults are used") // nil obj: every field keeps its default
	var nick string
	if r.field(obj, "nickname", "the nickname", &nick) {
		if v, err := ValidateNickname(nick); err != nil {
			r.notef("the nickname %q was not valid (%v); a new one was chosen", limits.Label(nick, 2*limits.NicknameChars), err)
		} else {
			s.Nickname = v
		}
	}
	if s.Nickname == "" {
		s.Nickname = GenerateNickname()
		r.resave = true // keep the generated one from now on
	}
	r.field(obj, "reply_prefix", "the reply prefix", &s.ReplyPrefix)
	r.field(obj, "reply_suffix", "the reply suffix", &s.ReplySuffix)
	for _, a := range []struct {
		what string
		v    *string
	}{{"reply prefix", &s.ReplyPrefix}, {"reply suffix", &s.ReplySuffix}} {
		if !limits.Fits(*a.v, limits.ReplyAffixChars) {
			*a.v = limits.Cut(*a.v, limits.ReplyAffixChars)
			r.notef("the %s was longer than %d characters and was cut", a.what, limits.ReplyAffixChars)
		}
	}
	r.field(obj, "reply_affixes", "the reply prefix/suffix switch", &s.ReplyAffixes)

	var nobj map[string]json.RawMessage
	if r.field(obj, "notifications", "the notification settings", &nobj) {
		n := &s.Notifications
		n.Questions = r.attention(nobj, "questions", "the attention mode for questions", n.Questions)
		n.WorkReports = r.attention(nobj, "work_reports", "the attention mode for work reports", n.WorkReports)
		n.Chat = r.attention(nobj, "chat", "the attention mode for chat", n.Chat)
		var muted []string
		r.field(nobj, "muted_servers", "the muted servers", &muted)
		kept, dropped := keepKnown(muted, ids)
		if dropped > 0 {
			r.notef("%d muted server(s) did not exist and were dropped", dropped)
		}
		n.MutedServers = kept
	}
	s.Completion = r.completion(obj["completion"])
	s.Attachments = r.attachmentLimits(obj["attachments"])
	s.History = r.history(obj["history"])
	return s
}

// keepKnown returns the ids present in known, without duplicates, and how
// many were dropped.
func keepKnown(ids []string, known map[string]bool) (kept []string, dropped int) {
	seen := map[string]bool{}
	for _, id := range ids {
		switch {
		case !known[id]:
			dropped++
		case !seen[id]:
			seen[id] = true
			kept = append(kept, id)
		}
	}
	return kept, dropped
}
