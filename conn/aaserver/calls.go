package aaserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// pending is an agent call waiting for a human.
type pending struct {
	id        string
	token     string
	kind      string                 // wire.MessageTypeAskQuestion or wire.MessageTypeWorkReport
	msg       *wire.WebsocketMessage // the push; read-only once queued
	createdAt time.Time
	timeout   int32       // seconds, as reported in PendingMessage
	done      chan result // buffered 1; written once, under Server.mu, by settleLocked
}

func (p *pending) pendingMessage() *wire.PendingMessage {
	return &wire.PendingMessage{
		MessageType:        p.kind,
		AskQuestionRequest: p.msg.GetAskQuestionRequest(),
		WorkReportRequest:  p.msg.GetWorkReportRequest(),
		CreatedAt:          p.createdAt.UnixMilli(),
		Timeout:            p.timeout,
	}
}

// result is how an agent call ends, whichever of the two kinds it is.
type result struct {
	isError  bool
	meta     map[string]string
	contents []*wire.McpResultContent
}

func errResult(code, message string) result {
	return result{isError: true, meta: map[string]string{"error": code, "message": message}}
}

// replyResult is what the agent gets from a human's reply. Like the stock
// server it passes no contents along with an error.
func replyResult(isError bool, meta map[string]string, contents []*wire.McpResultContent) result {
	if isError {
		contents = nil
	}
	return result{isError: isError, meta: meta, contents: contents}
}

// Ask is an agent's AskQuestion call made in process, with the same
// semantics as the RPC: it pushes the question to every client holding
// req.UserToken (every client at all when the token is empty, as on the
// stock server) and blocks until one answers, the request's Timeout passes,
// ctx is done, Cancel is called or the server closes. It never returns nil;
// failures come back as IsError with Meta["error"] set to one of the Err
// constants. req is not modified.
func (s *Server) Ask(ctx context.Context, req *wire.AskQuestionRequest) *wire.AskQuestionResponse {
	if req.GetID() == "" || req.GetRequest() == nil {
		r := errResult(ErrInvalidRequest, "ID and Request are required")
		return &wire.AskQuestionResponse{IsError: true, Meta: r.meta}
	}
	q := proto.Clone(req).(*wire.AskQuestionRequest)
	if q.Timestamp == 0 {
		q.Timestamp = time.Now().UnixMilli()
	}
	r := s.call(ctx, wire.MessageTypeAskQuestion, q.ID, q.UserToken, q.Request.Timeout,
		&wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: q})
	return &wire.AskQuestionResponse{ID: q.ID, IsError: r.isError, Meta: r.meta, Contents: r.contents}
}

// Report is an agent's WorkReport call made in process; see Ask.
func (s *Server) Report(ctx context.Context, req *wire.WorkReportRequest) *wire.WorkReportResponse {
	if req.GetID() == "" || req.GetRequest() == nil {
		r := errResult(ErrInvalidRequest, "ID and Request are required")
		return &wire.WorkReportResponse{IsError: true, Meta: r.meta}
	}
	q := proto.Clone(req).(*wire.WorkReportRequest)
	if q.Timestamp == 0 {
		q.Timestamp = time.Now().UnixMilli()
	}
	r := s.call(ctx, wire.MessageTypeWorkReport, q.ID, q.UserToken, q.Request.Timeout,
		&wire.WebsocketMessage{Cmd: wire.CmdWorkReport, WorkReportRequest: q})
	return &wire.WorkReportResponse{ID: q.ID, IsError: r.isError, Meta: r.meta, Contents: r.contents}
}

// call registers a request, pushes it and waits for its end.
func (s *Server) call(ctx context.Context, kind, id, token string, timeout int32, msg *wire.WebsocketMessage) result {
	wait, secs := s.cfg.DefaultTimeout, int32((s.cfg.DefaultTimeout+time.Second-1)/time.Second)
	if timeout > 0 {
		wait, secs = time.Duration(timeout)*s.cfg.TimeoutUnit, timeout
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errResult(ErrCancelled, "Server is shutting down")
	}
	var targets []*client
	for _, c := range s.clients {
		if token == "" || c.token == token {
			targets = append(targets, c)
		}
	}
	if len(targets) == 0 {
		s.mu.Unlock()
		return errResult(ErrNoClients, "No web clients available to handle the request")
	}
	p := &pending{id: id, token: token, kind: kind, msg: msg, createdAt: time.Now(), timeout: secs, done: make(chan result, 1)}
	// A second call with the same ID replaces the first in the pending map,
	// as on the stock server; the first then only ends by timing out.
	s.pending[id] = p
	s.notifyLocked()
	for _, c := range targets {
		s.broadcastLocked(c, msg)
	}
	s.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-p.done:
		return r
	case <-timer.C:
		return s.expire(p, ErrTimeout, errResult(ErrTimeout, fmt.Sprintf("Request timed out after %d seconds", secs)))
	case <-ctx.Done():
		return s.expire(p, ErrCancelled, errResult(ErrCancelled, "Request was cancelled"))
	}
}

// expire ends a call the agent side gave up on: it takes the request off
// the pending list and tells every client, whatever its token. If a reply,
// Cancel or Close settled the request first, that verdict stands.
func (s *Server) expire(p *pending, reason string, r result) result {
	s.mu.Lock()
	if s.pending[p.id] == p {
		delete(s.pending, p.id)
		s.notifyLocked()
		s.allExceptLocked("", cancelledMsg(p, reason))
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	select {
	case settled := <-p.done:
		return settled
	default:
		return r // replaced by a later call with the same ID
	}
}

func cancelledMsg(p *pending, reason string) *wire.WebsocketMessage {
	return &wire.WebsocketMessage{
		Cmd:                          wire.CmdRequestCancelled,
		RequestCancelledNotification: &wire.RequestCancelledNotification{RequestId: p.id, Reason: reason, MessageType: p.kind},
	}
}

// settleLocked ends a pending request with r. It reports whether id was
// pending; first settle wins.
func (s *Server) settleLocked(id string, r result) bool {
	p := s.pending[id]
	if p == nil {
		return false
	}
	delete(s.pending, id)
	p.done <- r
	s.notifyLocked()
	return true
}

// AddPending puts questions on the pending list as if their agents had
// asked while no client listened: nothing is pushed, no agent call waits,
// and clients find them only with GetPendingMessages (after a reconnect,
// say). Each gets createdAt(i) as its created_at. They stay pending until a
// client answers, Cancel is called or the server closes. Tests use it to
// give a server 100,000 pending requests without 100,000 agent calls. A
// request without an ID or Request is skipped; an ID that is already
// pending is replaced, as a second agent call with it would.
func (s *Server) AddPending(createdAt func(i int) time.Time, reqs ...*wire.AskQuestionRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, req := range reqs {
		if req.GetID() == "" || req.GetRequest() == nil {
			continue
		}
		at := createdAt(i)
		q := proto.Clone(req).(*wire.AskQuestionRequest)
		if q.Timestamp == 0 {
			q.Timestamp = at.UnixMilli()
		}
		secs := q.Request.Timeout
		if secs <= 0 {
			secs = int32((s.cfg.DefaultTimeout + time.Second - 1) / time.Second)
		}
		s.pending[q.ID] = &pending{id: q.ID, token: q.UserToken, kind: wire.MessageTypeAskQuestion,
			msg:       &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: q},
			createdAt: at, timeout: secs, done: make(chan result, 1)}
	}
	s.notifyLocked()
}

// Cancel ends a pending request as if the agent had gone away: the blocked
// call returns IsError "cancelled" with reason as its message, and every
// client gets RequestCancelled with reason. It reports whether id was
// pending.
func (s *Server) Cancel(id, reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending[id]
	if p == nil {
		return false
	}
	s.settleLocked(id, errResult(ErrCancelled, reason))
	s.allExceptLocked("", cancelledMsg(p, reason))
	return true
}

// Proto JSON as Connect speaks it: proto names on output, both names and
// unknown fields accepted on input.
var (
	jsonOut = protojson.MarshalOptions{UseProtoNames: true}
	jsonIn  = protojson.UnmarshalOptions{DiscardUnknown: true}
)

// serveRPC answers an agent's Connect JSON call. The HTTP status is always
// 200: failures are reported in the body, as the stock server does.
func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request, kind string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	var out proto.Message
	if kind == wire.MessageTypeAskQuestion {
		var req wire.AskQuestionRequest
		if err == nil {
			err = jsonIn.Unmarshal(body, &req)
		}
		if err != nil {
			out = &wire.AskQuestionResponse{IsError: true, Meta: errResult(ErrInvalidRequest, err.Error()).meta}
		} else {
			out = s.Ask(r.Context(), &req)
		}
	} else {
		var req wire.WorkReportRequest
		if err == nil {
			err = jsonIn.Unmarshal(body, &req)
		}
		if err != nil {
			out = &wire.WorkReportResponse{IsError: true, Meta: errResult(ErrInvalidRequest, err.Error()).meta}
		} else {
			out = s.Report(r.Context(), &req)
		}
	}
	b, err := jsonOut.Marshal(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
