package conn

import (
	"fmt"
	"time"

	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
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
// Values from the server are bounded as package limits says: the names are
// cut to one-line labels, the project directory and choices are cut, and
// a request whose ID is over limits.RequestIDBytes is skipped with a
// Warning, since a cut ID could not route the reply.
type Request struct {
	Server ServerID
	ID     string
	Kind   RequestKind
	// Text is the question, or the work report's summary (Markdown), in
	// full: the UI cuts it for display (limits.DisplayTextBytes), copy and
	// history keep all of it. Only the frame limit bounds it
	// (Options.ReadLimit, by default limits.FrameBytes = 32 MiB).
	Text string
	// ProjectDirectory is cut to limits.ProjectDirBytes.
	ProjectDirectory string
	// AgentName, Model and MCPClient are one-line labels of at most
	// limits.AgentNameChars characters.
	AgentName string
	Model     string
	MCPClient string
	// Timeout is how long the agent waits, as the agent asked (0: unknown).
	Timeout time.Duration
	// CreatedAt is when the agent made the call.
	CreatedAt time.Time
	// Choices are structured options, when the server sends them: at most
	// limits.Choices of them with at most limits.ChoiceOptions answers
	// each, their texts cut to the Choice* limits.
	Choices []Choice

	// ask or report hold the original message, sent back with the reply.
	// A request decoded on the fast path keeps raw instead: the encoded
	// message, decoded again only when the user replies.
	ask    *wire.AskQuestionRequest
	report *wire.WorkReportRequest
	raw    string
}

// retained estimates the bytes a held request keeps alive, for the
// per-server budget (Options.MaxPendingBytes).
func (r *Request) retained() int {
	if r.raw != "" {
		return len(r.raw) // every string of the request shares it
	}
	n := len(r.ID) + len(r.Text) + len(r.ProjectDirectory) + len(r.AgentName) + len(r.Model) + len(r.MCPClient)
	for _, c := range r.Choices {
		n += len(c.Question) + len(c.Header)
		for _, o := range c.Options {
			n += len(o.Label) + len(o.Description)
		}
	}
	return n
}

// bound cuts what the server sent to the limits of package limits. Text is
// kept whole. It allocates only for values it cuts. How many choices and
// options there are was already bounded when they were converted
// (requestFromAsk), so that a million of them cost nothing.
func (r *Request) bound() {
	r.ProjectDirectory = limits.CutBytes(r.ProjectDirectory, limits.ProjectDirBytes)
	r.AgentName = limits.Label(r.AgentName, limits.AgentNameChars)
	r.Model = limits.Label(r.Model, limits.AgentNameChars)
	r.MCPClient = limits.Label(r.MCPClient, limits.AgentNameChars)
	for i := range r.Choices {
		c := &r.Choices[i]
		c.Question = limits.CutBytes(c.Question, limits.ChoiceQuestionBytes)
		c.Header = limits.Label(c.Header, limits.ChoiceHeaderChars)
		for j := range c.Options {
			o := &c.Options[j]
			o.Label = limits.Label(o.Label, limits.ChoiceLabelChars)
			o.Description = limits.Cut(o.Description, limits.ChoiceDescriptionChars)
		}
	}
}

// timeoutSeconds converts the protocol's timeout in seconds.
func timeoutSeconds(s int32) time.Duration { return time.Duration(s) * time.Second }

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
		Timeout: timeoutSeconds(q.GetTimeout()),
		ask:     a,
	}
	r.CreatedAt = timestamp(createdAt, a.GetTimestamp())
	// Only as many choices as will be kept are converted.
	for _, c := range q.GetQuestions()[:min(len(q.GetQuestions()), limits.Choices)] {
		ch := Choice{Question: c.GetQuestion(), Header: c.GetHeader(), Multiple: c.GetMultiple(), Custom: c.GetCustom()}
		for _, o := range c.GetOptions()[:min(len(c.GetOptions()), limits.ChoiceOptions)] {
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
		Timeout: timeoutSeconds(q.GetTimeout()),
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
	Server   ServerID
	ClientID string
	// Nickname is a one-line label of at most limits.NicknameChars.
	Nickname    string
	ConnectedAt time.Time
}

// ChatMessage is one chat message received on a server.
type ChatMessage struct {
	Server           ServerID
	ID               string
	SenderClientID   string
	SenderNickname   string // a label of at most limits.NicknameChars
	ReceiverClientID string
	// Content is cut to limits.ChatMessageBytes as the frame is decoded.
	Content string
	SentAt  time.Time
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
	// By is the nickname of whoever answered (limits.NicknameChars).
	By string
	// Text is their reply, cut to limits.ReplyTextBytes.
	Text string
	// Attachments are the images, files and audio their reply carried,
	// decoded; malformed ones are flagged, never dropped.
	Attachments []ReceivedAttachment
}

// RequestCancelled: the agent's call timed out or was cancelled.
type RequestCancelled struct {
	Origin
	ID string
	// Reason is a one-line label of at most limits.CancelReasonChars.
	Reason string
}

// RequestGone: after a reconnect, the server no longer lists a request we
// held; it was answered or cancelled while we were away.
type RequestGone struct {
	Origin
	ID string
}

// Reconciled: the pending list has been applied, after a (re)connect or
// when it was fetched again to fill the pending cap (see State.PendingOverflow).
type Reconciled struct {
	Origin
	// Pending is how many requests the server listed as waiting for us. At
	// most Options.MaxPending of them are held (arrive as events); the
	// rest are counted in State.PendingOverflow.
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
