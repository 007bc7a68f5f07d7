package conn

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

func frame(t testing.TB, m *wire.WebsocketMessage) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func askMsg() *wire.WebsocketMessage {
	return &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{
		ID: "q1", UserToken: "tok", Timestamp: 1_700_000_000_123,
		Request: &wire.McpAskQuestionRequest{ProjectDirectory: "/src/app", Question: "Deploy **now**? 你好 🚀", Timeout: 600,
			AgentName: "claude", ReasoningModelName: "sonnet", McpClientName: "Claude Code"}}}
}

func reportMsg() *wire.WebsocketMessage {
	return &wire.WebsocketMessage{Cmd: wire.CmdWorkReport, WorkReportRequest: &wire.WorkReportRequest{
		ID: "r1", UserToken: "tok", Timestamp: 1_700_000_000_456,
		Request: &wire.McpWorkReportRequest{ProjectDirectory: "/src", Summary: "Done ✅", Timeout: 30, AgentName: "codex"}}}
}

func cancelMsg() *wire.WebsocketMessage {
	return &wire.WebsocketMessage{Cmd: wire.CmdRequestCancelled, RequestCancelledNotification: &wire.RequestCancelledNotification{
		RequestId: "q1", Reason: "timeout", MessageType: wire.MessageTypeAskQuestion}}
}

// viaProto is what the general path makes of a request frame, or nil.
func viaProto(data []byte) (*Request, error) {
	var m wire.WebsocketMessage
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	switch {
	case m.GetCmd() == wire.CmdAskQuestion && m.GetAskQuestionRequest().GetRequest() != nil:
		return requestFromAsk("", m.GetAskQuestionRequest(), 0), nil
	case m.GetCmd() == wire.CmdWorkReport && m.GetWorkReportRequest().GetRequest() != nil:
		return requestFromReport("", m.GetWorkReportRequest(), 0), nil
	}
	return nil, nil
}

// sameRequest compares what users see of two requests. Creation times are
// compared only when the frame carried one (otherwise both are "now").
func sameRequest(a, b *Request) bool {
	if a.CreatedAt.Sub(b.CreatedAt).Abs() > time.Minute && a.CreatedAt.Year() > 1970 {
		return false
	}
	return a.ID == b.ID && a.Kind == b.Kind && a.Text == b.Text && a.ProjectDirectory == b.ProjectDirectory &&
		a.AgentName == b.AgentName && a.Model == b.Model && a.MCPClient == b.MCPClient && a.Timeout == b.Timeout &&
		len(a.Choices) == 0 && len(b.Choices) == 0
}

func TestFastPathDecodesLikeProto(t *testing.T) {
	for name, m := range map[string]*wire.WebsocketMessage{"ask": askMsg(), "report": reportMsg()} {
		data := frame(t, m)
		top := scanTop(data)
		if !top.ok {
			t.Fatalf("%s: the fast path refused a plain frame", name)
		}
		got, ok := fastRequest(data, top)
		want, _ := viaProto(data)
		if !ok || !sameRequest(got, want) || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Fatalf("%s: fast %+v, proto %+v", name, got, want)
		}
		// The reply carries the original request back, decoded from raw.
		reply := replyMessage(got, "yes", nil)
		orig := m.GetAskQuestionRequest()
		back := reply.GetAskQuestionRequest()
		if name == "report" {
			if !proto.Equal(reply.GetWorkReportRequest(), m.GetWorkReportRequest()) {
				t.Fatalf("report sent back as %v", reply.GetWorkReportRequest())
			}
		} else if !proto.Equal(back, orig) {
			t.Fatalf("question sent back as %v", back)
		}
	}
	data := frame(t, cancelMsg())
	id, reason, ok := fastCancel(data, scanTop(data))
	if !ok || string(id) != "q1" || string(reason) != "timeout" {
		t.Fatalf("cancel: %q %q %v", id, reason, ok)
	}
}

// Frames the fast path must leave to proto, so that proto's verdict (an
// error, merged messages, choices) stands.
func TestFastPathLeavesUnusualFramesToProto(t *testing.T) {
	withChoices := askMsg()
	withChoices.AskQuestionRequest.Request.Questions = []*wire.Question{{Question: "Which?", Options: []*wire.Option{{Label: "A"}}}}
	withStrParam := askMsg()
	withStrParam.StrParam = "extra"
	both := askMsg()
	both.WorkReportRequest = reportMsg().WorkReportRequest
	noBody := askMsg()
	noBody.AskQuestionRequest.Request = nil
	badUTF8 := frame(t, askMsg())
	i := strings.Index(string(badUTF8), "claude")
	badUTF8[i] = 0xff
	twice := frame(t, askMsg())
	twice = append(twice, frame(t, &wire.WebsocketMessage{AskQuestionRequest: &wire.AskQuestionRequest{ID: "q2"}})...)
	wrongType := protowire.AppendTag(nil, 1, protowire.VarintType)
	wrongType = protowire.AppendVarint(wrongType, 5)
	wrongType = append(wrongType, frame(t, &wire.WebsocketMessage{AskQuestionRequest: askMsg().AskQuestionRequest})...)
	group := protowire.AppendTag(frame(t, askMsg()), 30, protowire.StartGroupType)
	group = protowire.AppendTag(group, 30, protowire.EndGroupType)

	cases := map[string][]byte{
		"choices":        frame(t, withChoices),
		"other field":    frame(t, withStrParam),
		"two requests":   frame(t, both),
		"no body":        frame(t, noBody),
		"invalid UTF-8":  badUTF8,
		"merged request": twice,
		"cmd as varint":  wrongType,
		"group":          group,
		"truncated":      frame(t, askMsg())[:20],
	}
	for name, data := range cases {
		top := scanTop(data)
		if !top.ok {
			continue
		}
		if r, ok := fastRequest(data, top); ok {
			t.Errorf("%s: the fast path decoded %+v", name, r)
		}
	}
}

// Unknown fields, at the top and inside, are skipped as proto skips them.
func TestFastPathSkipsUnknownFields(t *testing.T) {
	data := frame(t, askMsg())
	data = protowire.AppendTag(data, 99, protowire.BytesType)
	data = protowire.AppendString(data, "from a newer server")
	data = protowire.AppendTag(data, 98, protowire.Fixed32Type)
	data = protowire.AppendFixed32(data, 7)
	top := scanTop(data)
	r, ok := fastRequest(data, top)
	if !top.ok || !ok || r.ID != "q1" {
		t.Fatalf("unknown fields stopped the fast path: %v %v", top.ok, ok)
	}
}

// A request holds its own message, not the frame around it: a server that
// pads each request with a large unknown field cannot slip past the
// pending byte cap, which counts what requests hold.
func TestFastPathKeepsOnlyTheRequest(t *testing.T) {
	const pad = 8 << 20
	data := frame(t, askMsg())
	data = protowire.AppendTag(data, 99, protowire.BytesType)
	data = protowire.AppendBytes(data, make([]byte, pad))
	top := scanTop(data)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	r, ok := fastRequest(data, top)
	held := int64(heap()) - int64(before) // what r keeps beyond the frame
	runtime.KeepAlive(data)
	if !top.ok || !ok {
		t.Fatalf("the fast path refused the padded frame: %v %v", top.ok, ok)
	}
	if n := r.retained(); n >= 1<<10 || held >= pad/2 {
		t.Fatalf("the request counts %d bytes but keeps %d alive, of a frame padded by %d", n, held, pad)
	}
	runtime.KeepAlive(r)
}

// Whatever the bytes, when the fast path decodes a frame, proto decodes it
// to the same request; and it never panics.
func FuzzFastPath(f *testing.F) {
	for _, m := range []*wire.WebsocketMessage{askMsg(), reportMsg(), cancelMsg()} {
		f.Add(frame(f, m))
	}
	f.Add([]byte{0x0a, 0x0b})
	f.Fuzz(func(t *testing.T, data []byte) {
		top := scanTop(data)
		if !top.ok {
			return
		}
		if id, reason, ok := fastCancel(data, top); ok {
			var m wire.WebsocketMessage
			if err := proto.Unmarshal(data, &m); err != nil {
				t.Fatalf("fast path read a cancellation proto refuses: %v", err)
			}
			n := m.GetRequestCancelledNotification()
			if n.GetRequestId() != string(id) || n.GetReason() != string(reason) {
				t.Fatalf("cancel %q %q, proto %q %q", id, reason, n.GetRequestId(), n.GetReason())
			}
			return
		}
		got, ok := fastRequest(data, top)
		if !ok {
			return
		}
		want, err := viaProto(data)
		if err != nil || want == nil {
			t.Fatalf("fast path decoded %+v, proto: %v %v", got, want, err)
		}
		if !sameRequest(got, want) {
			t.Fatalf("fast %+v, proto %+v", got, want)
		}
	})
}
