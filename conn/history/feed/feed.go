// Package feed records conn events in the history: the one place that
// knows which event becomes which history record. The app's core calls
// Recorder.Event for every event it applies to its model, and the Own*
// methods for what the user does (chat lines sent, notices shown).
//
// It lives apart from package history so that history stays free of the
// conn types.
package feed

import (
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/history"
)

// GoneReason is stored for requests answered or cancelled while agentdesk
// was away (conn.RequestGone).
const GoneReason = "answered or cancelled elsewhere while agentdesk was not connected"

// Recorder writes events to a history store. Its methods only queue: they
// never block on disk, and may be called from any goroutine.
type Recorder struct {
	Store *history.Store
	// Label returns a server's current label (alias or host:port), kept
	// with its requests; nil stores none.
	Label func(conn.ServerID) string
}

func (r Recorder) label(id conn.ServerID) string {
	if r.Label == nil {
		return ""
	}
	return r.Label(id)
}

// Event records what e says about a request or a chat. Events that say
// nothing the history keeps (connection states, presence, warnings, and
// replies not yet delivered) are ignored. The error is only for input the
// history refuses (an empty or oversized id).
func (r Recorder) Event(e conn.Event) error {
	server := string(e.ServerID())
	switch ev := e.(type) {
	case conn.RequestArrived:
		if ev.Request == nil {
			return nil
		}
		return r.Store.RecordRequest(Request(ev.Request, r.label(e.ServerID())))
	case conn.RequestAnswered:
		atts := make([]history.Attachment, 0, len(ev.Attachments))
		for _, a := range ev.Attachments {
			if a.Problem != "" {
				continue // nothing usable to keep
			}
			atts = append(atts, history.Attachment{Name: a.Name, MIME: a.MIME, Size: a.Size, Data: a.Data})
		}
		return r.Store.RecordOutcome(history.Key{Server: server, ID: ev.ID},
			history.Outcome{State: history.StateAnsweredElsewhere, By: ev.By, Text: ev.Text, Attachments: atts})
	case conn.RequestCancelled:
		return r.Store.RecordOutcome(history.Key{Server: server, ID: ev.ID},
			history.Outcome{State: history.StateCancelled, Reason: ev.Reason})
	case conn.RequestGone:
		return r.Store.RecordOutcome(history.Key{Server: server, ID: ev.ID},
			history.Outcome{State: history.StateGone, Reason: GoneReason})
	case conn.ReplyUpdate:
		switch ev.Status {
		case conn.ReplyDelivered:
			return r.Store.RecordOutcome(history.Key{Server: server, ID: ev.ID},
				history.Outcome{State: history.StateAnswered, Text: ev.Text, Attachments: attachmentInfos(ev.Attachments)})
		case conn.ReplyUndeliverable:
			return r.Store.RecordOutcome(history.Key{Server: server, ID: ev.ID},
				history.Outcome{State: history.StateUndeliverable, Text: ev.Text, Reason: ev.Reason, Attachments: attachmentInfos(ev.Attachments)})
		}
	case conn.ChatReceived:
		m := ev.Message
		return r.Store.RecordChat(history.ChatLine{Server: server, Peer: m.SenderNickname,
			ClientID: m.SenderClientID, From: history.FromPeer, Text: m.Content, At: m.SentAt})
	}
	return nil
}

// Reconciled records a server's complete pending list after a (re)connect
// (on conn.Reconciled): requests stored as pending that it no longer lists
// become gone, including ones left pending by an earlier run.
func (r Recorder) Reconciled(server conn.ServerID, pendingIDs []string) error {
	return r.Store.Reconcile(string(server), pendingIDs)
}

// OwnChat records a chat line the user sent to peer (a nickname) on server.
func (r Recorder) OwnChat(server conn.ServerID, peer, peerClientID, text string) error {
	return r.Store.RecordChat(history.ChatLine{Server: string(server), Peer: peer, ClientID: peerClientID,
		From: history.FromMe, Text: text, At: time.Now()})
}

// ChatNotice records a notice shown in a conversation ("not sent: …",
// "alex went offline").
func (r Recorder) ChatNotice(server conn.ServerID, peer, text string) error {
	return r.Store.RecordChat(history.ChatLine{Server: string(server), Peer: peer,
		From: history.FromSystem, Text: text, At: time.Now()})
}

// Request converts a conn request for the history.
func Request(q *conn.Request, label string) history.Request {
	kind := history.KindQuestion
	if q.Kind == conn.KindWorkReport {
		kind = history.KindWorkReport
	}
	return history.Request{
		Server: string(q.Server), ID: q.ID, ServerLabel: label, Kind: kind,
		Agent: q.AgentName, Model: q.Model, MCPClient: q.MCPClient, Project: q.ProjectDirectory,
		Text: q.Text, Created: q.CreatedAt, Timeout: q.Timeout,
	}
}

// attachmentInfos keeps the names, types and sizes of our own reply's
// attachments (their bytes are not in the event).
func attachmentInfos(in []conn.AttachmentInfo) []history.Attachment {
	if len(in) == 0 {
		return nil
	}
	out := make([]history.Attachment, len(in))
	for i, a := range in {
		out[i] = history.Attachment{Name: a.Name, MIME: a.MIME, Size: a.Size}
	}
	return out
}
