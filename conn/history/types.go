package history

import (
	"fmt"
	"time"
)

// Kind says whether a request is a question or a work report.
type Kind int

const (
	// KindQuestion is an agent's ask_question call.
	KindQuestion Kind = iota + 1
	// KindWorkReport is an agent's work_report call.
	KindWorkReport
)

// String returns the name used in exports: "question" or "work_report".
func (k Kind) String() string {
	switch k {
	case KindQuestion:
		return "question"
	case KindWorkReport:
		return "work_report"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// State is what became of a request. The values are stored in the database:
// never renumber them.
type State int

const (
	// StatePending: no outcome yet (or none was recorded before a crash).
	StatePending State = 0
	// StateAnswered: the server confirmed our reply.
	StateAnswered State = 1
	// StateAnsweredElsewhere: another client answered first.
	StateAnsweredElsewhere State = 2
	// StateCancelled: the agent's call was cancelled or timed out.
	StateCancelled State = 3
	// StateGone: it expired, or was answered or cancelled while we were away.
	StateGone State = 4
	// StateUndeliverable: our reply could not reach the agent.
	StateUndeliverable State = 5
)

var stateNames = [...]string{"pending", "answered", "answered_elsewhere", "cancelled", "gone", "undeliverable"}

// String returns the name used in exports, such as "answered_elsewhere".
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Finished reports whether the request is over (anything but pending).
func (s State) Finished() bool { return s != StatePending }

func (s State) valid() bool { return s >= 0 && int(s) < len(stateNames) }

// Request is one question or work report as an agent sent it.
type Request struct {
	// Server is the server profile id; ID is the request id on that server.
	Server string
	ID     string
	// ServerLabel is the server's label when the request arrived, so the
	// history still reads well after the server is deleted.
	ServerLabel string
	Kind        Kind
	Agent       string
	Model       string
	MCPClient   string
	Project     string
	// Text is the question, or the work report's summary (Markdown).
	Text string
	// Created is when the agent made the call.
	Created time.Time
	// Timeout is how long the agent waits (0: unknown).
	Timeout time.Duration
}

// Outcome is what became of a request.
type Outcome struct {
	State State
	// Text is the reply: ours for StateAnswered and StateUndeliverable,
	// the other client's for StateAnsweredElsewhere.
	Text string
	// By is who answered elsewhere (their nickname); empty for our replies.
	By string
	// Attachments belong to the reply in Text. Their bytes are kept only
	// when Options.KeepAttachmentBytes is on.
	Attachments []Attachment
	// Reason explains StateCancelled, StateGone and StateUndeliverable.
	Reason string
	// At is when the state changed; zero means when it was recorded.
	At time.Time
}

// Attachment is a file sent with a reply.
type Attachment struct {
	Name string
	MIME string
	// Size is the size in bytes, as sent.
	Size int64
	// Data is the content. It is stored only when the store keeps
	// attachment bytes, and read back only by [Store.Attachments].
	Data []byte
}

// Entry is a stored request with its outcome, as read back.
type Entry struct {
	// Seq is the row's number: unique in the database, and growing in the
	// order requests were first recorded. Lists are ordered by it, newest
	// first, and it is the cursor for the next page.
	Seq     int64
	Request Request
	Outcome Outcome
	// Preview is true when Request.Text or Outcome.Text was cut to a
	// preview (lists only); [Store.Get] returns the full texts.
	Preview bool
}

// Key identifies the latest request with an id on a server.
type Key struct {
	Server string
	ID     string
}

// Key returns the request's key.
func (r Request) Key() Key { return Key{Server: r.Server, ID: r.ID} }

// Sender says who wrote a chat line.
type Sender int

// Who wrote a chat line. Stored in the database: never renumber.
const (
	// FromMe is a line we sent.
	FromMe Sender = 0
	// FromPeer is a line the other user sent.
	FromPeer Sender = 1
	// FromSystem is a notice, such as "alex went offline".
	FromSystem Sender = 2
)

// String returns "me", "peer" or "system".
func (s Sender) String() string {
	switch s {
	case FromMe:
		return "me"
	case FromPeer:
		return "peer"
	case FromSystem:
		return "system"
	}
	return fmt.Sprintf("Sender(%d)", int(s))
}

// ChatLine is one line of a user@server conversation. A conversation is
// identified by (Server, Peer): the server hands out a new client id on every
// connection, so the nickname is what survives a restart.
type ChatLine struct {
	// Seq is set on lines read back; it orders lines as recorded.
	Seq    int64
	Server string
	// Peer is the other user's nickname.
	Peer string
	// ClientID is the peer's client id on that connection, kept for
	// reference only.
	ClientID string
	From     Sender
	Text     string
	At       time.Time
}

// Query selects stored requests for [Store.Search] and [Store.Count].
type Query struct {
	// Text is what the user typed: words that must all appear in the
	// request, our reply or the other replier's text. The last word
	// matches as a prefix unless followed by a space. Any input is safe.
	Text string
	// Servers limits results to these server ids; empty means all.
	Servers []string
	// Agent and Project, when set, must match exactly.
	Agent   string
	Project string
	// States limits results to these states; empty means any state.
	States []State
	// Before, when > 0, returns only entries with Seq < Before: pass the
	// previous page's Next to get the next page.
	Before int64
	// Limit is the page size: 0 means DefaultPageSize, at most MaxPageSize.
	Limit int
}

// Page sizes for [Store.Search].
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Page is one page of search results, newest first.
type Page struct {
	Entries []Entry
	// Next is the cursor for the following page (Query.Before); 0 when
	// this page is the last. A page can be short (even empty) while Next
	// is not 0: see [Store.Search].
	Next int64
}

// ServerStats is how much history one server has.
type ServerStats struct {
	Server string
	// Label is the server's most recent label.
	Label    string
	Requests int
	// Pending counts requests with no outcome yet.
	Pending   int
	ChatLines int
	// Bytes approximates the space the server's rows take in the file,
	// indexes included.
	Bytes int64
	// Oldest and Newest are the creation times of its first and last
	// request (zero when it has none).
	Oldest time.Time
	Newest time.Time
}

// RetentionPolicy says which finished requests and chat lines
// [Store.Prune] deletes. The zero value keeps everything forever.
type RetentionPolicy struct {
	// MaxAge deletes finished requests created, and chat lines written,
	// longer ago than this (0: no age limit).
	MaxAge time.Duration
	// MaxPerServer keeps at most this many finished requests, and this many
	// chat lines, per server, deleting the oldest (0: no count limit).
	MaxPerServer int
}

// Forever reports whether the policy keeps everything.
func (p RetentionPolicy) Forever() bool { return p.MaxAge <= 0 && p.MaxPerServer <= 0 }

// PruneResult counts what [Store.Prune] deleted.
type PruneResult struct {
	Requests  int
	ChatLines int
}
