package conn

import (
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// The fast path: the frames a busy server sends most (AskQuestion,
// WorkReport, RequestCancelled) are decoded straight into what we keep,
// without proto reflection. A pushed request costs one copy of the frame,
// which every string of the Request shares, instead of one allocation per
// field; a cancellation costs nothing unless the request is ours. Anything
// unusual (choices, repeated sub-messages, other known fields, mismatched
// wire types, groups) is left to proto.Unmarshal, so the fast path never
// decides a case differently: fuzzing checks that it agrees with proto.

// Wire types (protobuf encoding spec).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Top-level field numbers of WebsocketMessage the fast path reads.
const (
	fieldCmd               = 1
	fieldAskQuestion       = 2
	fieldWorkReport        = 3
	fieldRequestCancelled  = 17
	lastKnownTopLevelField = 24
)

// raw is frame data: a string when fields are kept, bytes when only looked at.
type raw interface{ ~string | ~[]byte }

// varint reads a base-128 varint; n is 0 when it is malformed.
func varint[T raw](b T) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0 // more than 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// field is one field read from a message: its number and wire type, the
// value of a varint, and the start and end of a length-delimited payload.
type field struct {
	num        uint64
	typ        int
	val        uint64
	start, end int
}

// nextField reads the field at b[at:]. ok is false when the field is
// malformed or a group: the caller then leaves the frame to proto.
func nextField[T raw](b T, at int) (f field, next int, ok bool) {
	tag, n := varint(b[at:])
	if n == 0 {
		return f, 0, false
	}
	at += n
	f.num, f.typ = tag>>3, int(tag&7)
	if f.num == 0 || f.num > 1<<29-1 {
		return f, 0, false
	}
	switch f.typ {
	case wireVarint:
		if f.val, n = varint(b[at:]); n == 0 {
			return f, 0, false
		}
		return f, at + n, true
	case wireFixed64:
		return f, at + 8, at+8 <= len(b)
	case wireFixed32:
		return f, at + 4, at+4 <= len(b)
	case wireBytes:
		l, n := varint(b[at:])
		if n == 0 || l > uint64(len(b)-at-n) {
			return f, 0, false
		}
		f.start, f.end = at+n, at+n+int(l)
		return f, f.end, true
	}
	return f, 0, false // groups (3, 4) and invalid types
}

// topLevel is what a scan of a frame's top-level fields found.
type topLevel struct {
	cmd        field
	sub        field // the one sub-message the command carries
	subs       int   // how many sub-message fields were seen
	hasCmd, ok bool
}

// scanTop reads the top-level fields of a frame. ok is false when the frame
// holds anything but a Cmd, one sub-message and unknown fields.
func scanTop(b []byte) (t topLevel) {
	for at := 0; at < len(b); {
		f, next, ok := nextField(b, at)
		if !ok {
			return t
		}
		at = next
		switch {
		case f.num == fieldCmd:
			if f.typ != wireBytes {
				return t
			}
			t.cmd, t.hasCmd = f, true
		case f.num == fieldAskQuestion || f.num == fieldWorkReport || f.num == fieldRequestCancelled:
			if f.typ != wireBytes {
				return t
			}
			t.sub = f
			t.subs++
		case f.num <= lastKnownTopLevelField:
			return t // another known field: proto decodes the frame
		}
	}
	t.ok = t.hasCmd && t.subs == 1
	return t
}

// is reports whether b[f.start:f.end] equals s, without allocating.
func (f field) is(b []byte, s string) bool { return string(b[f.start:f.end]) == s }

// fastRequest decodes an AskQuestion or WorkReport frame whose top level
// scanTop found usable. It copies only the request's own message, which
// every string of the Request shares: a request never keeps the rest of
// its frame (fields a server may add) alive, and retained counts all it
// holds. ok is false when proto must decide.
func fastRequest(data []byte, t topLevel) (r *Request, ok bool) {
	var kind RequestKind
	switch {
	case t.sub.num == fieldAskQuestion && t.cmd.is(data, wire.CmdAskQuestion):
		kind = KindQuestion
	case t.sub.num == fieldWorkReport && t.cmd.is(data, wire.CmdWorkReport):
		kind = KindWorkReport
	default:
		return nil, false
	}
	msg := string(data[t.sub.start:t.sub.end])
	r = &Request{Kind: kind, raw: msg}
	var body field
	bodies := 0
	var ts uint64
	for at := 0; at < len(msg); {
		f, next, ok := nextField(msg, at)
		if !ok {
			return nil, false
		}
		at = next
		switch f.num {
		case 1, 2: // ID, UserToken
			if f.typ != wireBytes || !utf8.ValidString(msg[f.start:f.end]) {
				return nil, false
			}
			if f.num == 1 {
				r.ID = msg[f.start:f.end]
			}
		case 3: // Request
			if f.typ != wireBytes {
				return nil, false
			}
			body = f
			bodies++
		case 4: // Timestamp
			if f.typ != wireVarint {
				return nil, false
			}
			ts = f.val
		}
	}
	if bodies != 1 {
		return nil, false // no body is a protocol error proto reports; two merge
	}
	if !fastBody(r, msg[body.start:body.end]) {
		return nil, false
	}
	r.CreatedAt = timestamp(0, int64(ts))
	return r, true
}

// fastBody decodes McpAskQuestionRequest or McpWorkReportRequest, which
// share field numbers 1–6. Choices (field 7) are left to proto.
func fastBody(r *Request, b string) bool {
	for at := 0; at < len(b); {
		f, next, ok := nextField(b, at)
		if !ok {
			return false
		}
		at = next
		if f.num == 3 { // Timeout
			if f.typ != wireVarint {
				return false
			}
			r.Timeout = timeoutSeconds(int32(f.val))
			continue
		}
		if f.num > 7 {
			continue
		}
		if f.typ != wireBytes || f.num == 7 {
			return false
		}
		v := b[f.start:f.end]
		if !utf8.ValidString(v) {
			return false
		}
		switch f.num {
		case 1:
			r.ProjectDirectory = v
		case 2:
			r.Text = v
		case 4:
			r.AgentName = v
		case 5:
			r.Model = v
		case 6:
			r.MCPClient = v
		}
	}
	return true
}

// fastCancel reads a RequestCancelled frame's request id and reason as
// slices of b, valid until b is reused. ok is false when proto must decide.
func fastCancel(b []byte, t topLevel) (id, reason []byte, ok bool) {
	if t.sub.num != fieldRequestCancelled || !t.cmd.is(b, wire.CmdRequestCancelled) {
		return nil, nil, false
	}
	msg := b[t.sub.start:t.sub.end]
	for at := 0; at < len(msg); {
		f, next, ok := nextField(msg, at)
		if !ok {
			return nil, nil, false
		}
		at = next
		if f.num > 3 {
			continue
		}
		if f.typ != wireBytes || !utf8.Valid(msg[f.start:f.end]) {
			return nil, nil, false
		}
		switch f.num {
		case 1:
			id = msg[f.start:f.end]
		case 2:
			reason = msg[f.start:f.end]
		}
	}
	return id, reason, true
}
