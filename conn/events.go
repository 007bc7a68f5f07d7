package conn

import (
	"fmt"
	"time"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// RequestKind says whether a request is a question or a work report.
type RequestKind int

const (
	// KindQuestion is an agent's ask_question call.
	KindQuestion RequestKind = iota + 1
	// KindWorkReport is an agent's work_report call.
	KindWorkReport
)

// String returns the protocol's message type name.
func (k RequestKind) String() string {
	switch k {
	case KindQuestion:
		return wire.MessageTypeAskQuestion
	case KindWorkReport:
		return wire.MessageTypeWorkReport
	}
	return fmt.Sprintf("RequestKind(%d)", int(k))
}

// Choice is one structured question with offered answers (newer servers).
type Choice struct {
	Question string
	Header   string
	Options  []ChoiceOption
	Multiple bool
	Custom   bool
}

// ChoiceOption is one offered answer of a Choice.
type ChoiceOption struct {
	Label       string
	Description string
}

// Request is a question or work report waiting for a human, as it arrived.
type Request struct {
	Server ServerID
	ID     string
	Kind   RequestKind
	// Text is the question, or the work report's summary (Markdown).
	Text             string
	ProjectDirectory string
	AgentName        string
	Model            string
	MCPClient        string
	// Timeout is how long the agent waits, as the agent asked (0: unknown).
	Timeout time.Duration
	// CreatedAt is when the agent made the call.
	CreatedAt time.Time
	// Choices are structured options, when the server sends them.
	Choices []Choice

	// ask or report hold the original message, sent back with the reply.
	ask    *wire.AskQuestionRequest
	report *wire.WorkReportRequest
}

// Key is the request's identity: ids are chosen by agents, so two servers can
// carry the same one.
func (r *Request) Key() RequestKey { return RequestKey{Server: r.Server, ID: r.ID} }

// RequestKey identifies a request across servers.
type RequestKey struct {
	Server ServerID
	ID     string
}

func requestFromAsk(server ServerID, a *wire.AskQuestionRequest, createdAt int64) *Request {
	q := a.GetRequest()
	r := &Request{
		Server: server, ID: a.GetID(), Kind: KindQuestion,
		Text: q.GetQuestion(), ProjectDirectory: q.GetProjectDirectory(),
		AgentName: q.GetAgentName(), Model: q.GetReasoningModelName(), MCPClient: q.GetMcpClientName(),
		Timeout: time.Duration(q.GetTimeout()) * time.Second,
		ask:     a,
	}
	r.CreatedAt = timestamp(createdAt, a.GetTimestamp())
	for _, c := range q.GetQuestions() {
		ch := Choice{Question: c.GetQuestion(), Header: c.GetHeader(), Multiple: c.GetMultiple(), Custom: c.GetCustom()}
		for _, o := range c.GetOptions() {
			ch.Options = append(ch.Options, ChoiceOption{Label: o.GetLabel(), Description: o.GetDescription()})
		}
		r.Choices = append(r.Choices, ch)
	}
	return r
}

func requestFromReport(server ServerID, w *wire.WorkReportRequest, createdAt int64) *Request {
	q := w.GetRequest()
	r := &Request{
		Server: server, ID: w.GetID(), Kind: KindWorkReport,
		Text: q.GetSummary(), ProjectDirectory: q.GetProjectDirectory(),
		AgentName: q.GetAgentName(), Model: q.GetReasoningModelName(), MCPClient: q.GetMcpClientName(),
		Timeout: time.Duration(q.GetTimeout()) * time.Second,
		report:  w,
	}
	r.CreatedAt = timestamp(createdAt, w.GetTimestamp())
	return r
}

// timestamp picks the first non-zero millisecond time, or now.
func timestamp(ms ...int64) time.Time {
	for _, v := range ms {
		if v > 0 {
			return time.UnixMilli(v)
		}
	}
	return time.Now()
}

// OnlineUser is another client logged in with the same token on one server.
type OnlineUser struct {
	Server      ServerID
	ClientID    string
	Nickname    string
	ConnectedAt time.Time
}

// ChatMessage is one chat message received on a server.
type ChatMessage struct {
	Server           ServerID
	ID               string
	SenderClientID   string
	SenderNickname   string
	ReceiverClientID string
	Content          string
	SentAt           time.Time
}

// ReplyStatus tracks a reply from the user to the agent.
type ReplyStatus int

const (
	// ReplyQueued: the server is offline; the reply waits in its outbox.
	ReplyQueued ReplyStatus = iota + 1
	// ReplySent: written to the socket; delivery not yet confirmed.
	ReplySent
	// ReplyDelivered: the server no longer lists the request as pending.
	ReplyDelivered
	// ReplyUndeliverable: the request was answered, cancelled or timed out
	// before the reply could reach it.
	ReplyUndeliverable
)

// String names the status.
func (s ReplyStatus) String() string {
	switch s {
	case ReplyQueued:
		return "queued"
	case ReplySent:
		return "sent"
	case ReplyDelivered:
		return "delivered"
	case ReplyUndeliverable:
		return "undeliverable"
	}
	return fmt.Sprintf("ReplyStatus(%d)", int(s))
}

// Event is something that happened on one server. Every event names its
// server; events from one server arrive in the order they happened.
type Event interface {
	ServerID() ServerID
	origin() Origin
}

// Origin tags an event with its server.
type Origin struct {
	Server ServerID
	// epoch is the server's settings generation when the event happened;
	// events from before an edit are dropped rather than credited to the
	// reconfigured server.
	epoch uint64
}

// ServerID returns the server the event came from.
func (o Origin) ServerID() ServerID { return o.Server }

func (o Origin) origin() Origin { return o }

// StateChanged reports a server's new connection state.
type StateChanged struct {
	Origin
	State State
}

// RequestArrived: a request is waiting for the user.
type RequestArrived struct {
	Origin
	Request *Request
	// Recovered is true when it came from the pending list after a
	// (re)connect rather than being pushed live.
	Recovered bool
}

// RequestAnswered: another client answered a request we hold.
type RequestAnswered struct {
	Origin
	ID string
	// By is the nickname of whoever answered.
	By string
	// Text is their reply.
	Text string
	// Attachments are the images, files and audio their reply carried,
	// decoded; malformed ones are flagged, never dropped.
	Attachments []ReceivedAttachment
}

// RequestCancelled: the agent's call timed out or was cancelled.
type RequestCancelled struct {
	Origin
	ID     string
	Reason string
}

// RequestGone: after a reconnect, the server no longer lists a request we
// held; it was answered or cancelled while we were away.
type RequestGone struct {
	Origin
	ID string
}

// Reconciled: the pending list after a (re)connect has been applied.
type Reconciled struct {
	Origin
	// Pending is how many requests the server has waiting for us.
	Pending int
}

// ReplyUpdate reports progress of one of our replies.
type ReplyUpdate struct {
	Origin
	ID     string
	Status ReplyStatus
	// Text is the reply as sent.
	Text string
	// Attachments describe the files the reply carries (no bytes).
	Attachments []AttachmentInfo
	// Reason explains ReplyUndeliverable.
	Reason string
}

// ChatReceived: a chat message for us.
type ChatReceived struct {
	Origin
	Message ChatMessage
}

// OnlineUsers is the full list of other same-token users on a server.
type OnlineUsers struct {
	Origin
	Users []OnlineUser
}

// UserStatus: one user connected (again, possibly with a new nickname) or left.
type UserStatus struct {
	Origin
	User   OnlineUser
	Online bool
}

// Warning: the server sent something we skipped; the connection goes on.
type Warning struct {
	Origin
	Err error
}
