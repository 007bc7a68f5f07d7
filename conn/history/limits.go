package history

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Limits on what enters the database. Keys that are too long are refused
// (cutting them could merge two requests); longer texts are cut with a
// visible note, so one runaway agent cannot fill the disk.
const (
	// MaxKeyBytes bounds server ids, request ids and chat nicknames: the
	// longest request id a server may push, so that every request shown
	// can be kept (server ids and nicknames are far shorter).
	MaxKeyBytes = limits.RequestIDBytes
	// MaxTextBytes bounds a request's text and a reply.
	MaxTextBytes = 8 << 20
	// MaxChatBytes bounds one chat line.
	MaxChatBytes = 1 << 20
	// MaxLabelBytes bounds short fields: labels, agent, model, client,
	// nickname, client id, MIME type, attachment name.
	MaxLabelBytes = 1024
	// MaxProjectBytes bounds a project directory.
	MaxProjectBytes = limits.ProjectDirBytes
	// MaxReasonBytes bounds a cancel or failure reason.
	MaxReasonBytes = 16 << 10
	// MaxAttachments bounds the attachments kept per reply.
	MaxAttachments = 64
	// MaxAttachmentBytes bounds one attachment's stored content (when
	// bytes are kept at all); larger ones keep their metadata only.
	MaxAttachmentBytes = 32 << 20
	// MaxQueryBytes bounds a search text; MaxQueryTerms its words.
	MaxQueryBytes = 1024
	MaxQueryTerms = 32
	// MaxFilterValues bounds the servers or states in one query.
	MaxFilterValues = 256
)

// previewRunes is how much of a long text a list entry carries;
// previewBytes always holds that many characters.
const (
	previewRunes = 400
	previewBytes = previewRunes * utf8.UTFMax
)

// cutNote is appended to a text cut at its limit.
const cutNote = "\n\n[… cut by agentdesk history: %d more bytes]"

// limitText cuts s to max bytes and says so in the text itself.
func limitText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	note := fmt.Sprintf(cutNote, len(s)-max)
	return limits.Prefix(s, max-len(note)) + note
}

// previewOf cuts a text read as its first previewBytes bytes to
// previewRunes characters; fullLen is the stored text's length in bytes.
// It reports whether the result is shorter than the stored text.
func previewOf(prefix string, fullLen int64) (string, bool) {
	n := 0
	for i := range prefix {
		if n == previewRunes {
			return prefix[:i], true
		}
		n++
	}
	if int64(len(prefix)) < fullLen {
		// The prefix held exactly previewRunes characters, so all of
		// four bytes: it ends on a character boundary, the text goes on.
		return prefix, true
	}
	return prefix, false
}

// checkKey refuses an empty or oversized key part.
func checkKey(what, v string) error {
	if v == "" {
		return fmt.Errorf("history: the %s is empty", what)
	}
	if len(v) > MaxKeyBytes {
		return fmt.Errorf("history: the %s is %d bytes long; at most %d are allowed", what, len(v), MaxKeyBytes)
	}
	return nil
}

// cutForMessage shortens an outside value quoted in an error message.
func cutForMessage(s string) string {
	if len(s) > 64 {
		return limits.Prefix(s, 64) + "…"
	}
	return s
}

// millis stores a time as Unix milliseconds; the zero time stays 0.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis reads a stored time back; 0 is the zero time.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// sanitizeRequest applies the limits to a request about to be queued.
func sanitizeRequest(r Request) (Request, error) {
	if err := checkKey("server id", r.Server); err != nil {
		return r, err
	}
	if err := checkKey("request id", r.ID); err != nil {
		return r, err
	}
	if r.Kind != KindQuestion && r.Kind != KindWorkReport {
		return r, fmt.Errorf("history: request %q has no valid kind (%d)", cutForMessage(r.ID), int(r.Kind))
	}
	r.ServerLabel = limitText(r.ServerLabel, MaxLabelBytes)
	r.Agent = limitText(r.Agent, MaxLabelBytes)
	r.Model = limitText(r.Model, MaxLabelBytes)
	r.MCPClient = limitText(r.MCPClient, MaxLabelBytes)
	r.Project = limitText(r.Project, MaxProjectBytes)
	r.Text = limitText(r.Text, MaxTextBytes)
	if r.Timeout < 0 {
		r.Timeout = 0
	}
	return r, nil
}

// sanitizeOutcome applies the limits to an outcome; keepBytes says whether
// attachment contents are kept at all.
func sanitizeOutcome(o Outcome, keepBytes bool) (Outcome, error) {
	if !o.State.valid() {
		return o, fmt.Errorf("history: unknown outcome state %d", int(o.State))
	}
	o.Text = limitText(o.Text, MaxTextBytes)
	o.By = limitText(o.By, MaxLabelBytes)
	o.Reason = limitText(o.Reason, MaxReasonBytes)
	if len(o.Attachments) > MaxAttachments {
		o.Attachments = o.Attachments[:MaxAttachments]
	}
	atts := make([]Attachment, len(o.Attachments))
	for i, a := range o.Attachments {
		a.Name = limitText(a.Name, MaxLabelBytes)
		a.MIME = limitText(a.MIME, MaxLabelBytes)
		if a.Size < 0 {
			a.Size = 0
		}
		if !keepBytes || len(a.Data) > MaxAttachmentBytes {
			a.Data = nil
		}
		atts[i] = a
	}
	o.Attachments = atts
	return o, nil
}

// sanitizeChat applies the limits to a chat line.
func sanitizeChat(l ChatLine) (ChatLine, error) {
	if err := checkKey("server id", l.Server); err != nil {
		return l, err
	}
	if err := checkKey("chat nickname", l.Peer); err != nil {
		return l, err
	}
	if l.From != FromMe && l.From != FromPeer && l.From != FromSystem {
		return l, fmt.Errorf("history: unknown chat sender %d", int(l.From))
	}
	l.ClientID = limitText(l.ClientID, MaxLabelBytes)
	l.Text = limitText(l.Text, MaxChatBytes)
	return l, nil
}
