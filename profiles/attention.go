package profiles

import (
	"encoding/json"
	"fmt"
	"time"
)

// Attention is how agentdesk draws the user's attention to something new.
type Attention string

// The attention modes, from quiet to loud.
const (
	// AttentionNone shows it in the window only.
	AttentionNone Attention = "none"
	// AttentionNotify also sends a desktop notification.
	AttentionNotify Attention = "notify"
	// AttentionRaise also brings the window to the front (where the
	// platform lets an app ask for that).
	AttentionRaise Attention = "raise"
)

// AttentionModes lists the modes, quiet to loud.
var AttentionModes = []Attention{AttentionNone, AttentionNotify, AttentionRaise}

func (a Attention) valid() bool {
	return a == AttentionNone || a == AttentionNotify || a == AttentionRaise
}

// Notifies reports whether the mode sends a desktop notification.
func (a Attention) Notifies() bool { return a == AttentionNotify || a == AttentionRaise }

// Raises reports whether the mode brings the window to the front.
func (a Attention) Raises() bool { return a == AttentionRaise }

// HistorySettings say how long the history database keeps finished
// requests and chat lines, and whether it keeps attachment contents.
type HistorySettings struct {
	// RetentionDays deletes finished requests and chat lines older than
	// this many days; 0 keeps them forever.
	RetentionDays int `json:"retention_days,omitempty"`
	// RetentionPerServer keeps at most this many finished requests (and
	// chat lines) per server, deleting the oldest; 0 means no limit.
	RetentionPerServer int `json:"retention_per_server,omitempty"`
	// KeepAttachmentBytes stores the contents of attachments, not just
	// their names, types and sizes.
	KeepAttachmentBytes bool `json:"keep_attachment_bytes,omitempty"`
}

// Retention limits, so a typo cannot make a policy that means nothing.
const (
	MaxRetentionDays      = 36500
	MaxRetentionPerServer = 10_000_000
)

// ValidateHistory checks the history settings.
func ValidateHistory(h HistorySettings) error {
	if h.RetentionDays < 0 || h.RetentionDays > MaxRetentionDays {
		return fmt.Errorf("the history retention must be 0 (forever) to %d days", MaxRetentionDays)
	}
	if h.RetentionPerServer < 0 || h.RetentionPerServer > MaxRetentionPerServer {
		return fmt.Errorf("the requests kept per server must be 0 (no limit) to %d", MaxRetentionPerServer)
	}
	return nil
}

// MaxAge is RetentionDays as a duration (0: no age limit).
func (h HistorySettings) MaxAge() time.Duration {
	return time.Duration(h.RetentionDays) * 24 * time.Hour
}

// attention decodes one attention mode; bad values keep def with a note.
func (r *reader) attention(obj map[string]json.RawMessage, key, what string, def Attention) Attention {
	var a Attention
	if !r.field(obj, key, what, &a) {
		return def
	}
	if !a.valid() {
		r.notef("%s was not one of none, notify or raise; %s is used", what, def)
		return def
	}
	return a
}

// history decodes the history settings.
func (r *reader) history(raw json.RawMessage) HistorySettings {
	var h HistorySettings
	obj, ok := r.object(raw, "the history settings", "history is kept forever")
	if !ok {
		return h
	}
	r.field(obj, "retention_days", "the history retention", &h.RetentionDays)
	r.field(obj, "retention_per_server", "the requests kept per server", &h.RetentionPerServer)
	r.field(obj, "keep_attachment_bytes", "the attachment contents switch", &h.KeepAttachmentBytes)
	if err := ValidateHistory(h); err != nil {
		r.notef("%v; history is kept forever", err)
		return HistorySettings{KeepAttachmentBytes: h.KeepAttachmentBytes}
	}
	return h
}

// migrateNotifications turns schema 1's two notification switches into
// schema 2's attention modes: requests covered questions and work
// reports, chat covered chat.
func migrateNotifications(top map[string]json.RawMessage) error {
	raw, ok := top["settings"]
	if !ok || isNull(raw) {
		return nil
	}
	var settings map[string]json.RawMessage
	if json.Unmarshal(raw, &settings) != nil {
		return nil // the reader repairs it, with a note
	}
	nraw, ok := settings["notifications"]
	if !ok || isNull(nraw) {
		return nil
	}
	var n map[string]json.RawMessage
	if json.Unmarshal(nraw, &n) != nil {
		return nil
	}
	mode := func(v json.RawMessage) json.RawMessage {
		var on bool
		if json.Unmarshal(v, &on) == nil && !on {
			return json.RawMessage(`"none"`)
		}
		return json.RawMessage(`"notify"`)
	}
	if v, ok := n["requests"]; ok {
		n["questions"], n["work_reports"] = mode(v), mode(v)
		delete(n, "requests")
	}
	if v, ok := n["chat"]; ok {
		n["chat"] = mode(v)
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	settings["notifications"] = b
	if top["settings"], err = json.Marshal(settings); err != nil {
		return err
	}
	return nil
}
