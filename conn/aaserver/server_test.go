package aaserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

func TestLoginAnswerAndStatusNotifications(t *testing.T) {
	s := startServer(t, Config{})
	a, b := dial(t, s), dial(t, s)
	aID := a.login("T", "alice")
	bID := b.login("T", "bob")
	if aID == bID {
		t.Fatalf("two connections share client_id %q", aID)
	}

	st := a.expect(wire.CmdUserConnectionStatusNotification).GetUserConnectionStatusNotification()
	if st.GetStatus() != wire.StatusConnected || st.GetUser().GetClientId() != bID || st.GetUser().GetNickname() != "bob" {
		t.Errorf("alice got %v, want bob connected", st)
	}
	if st.GetTimestamp() < time.Now().Add(-time.Minute).Unix() || st.GetTimestamp() > time.Now().Unix()+1 {
		t.Errorf("timestamp %d is not seconds since the epoch", st.GetTimestamp())
	}

	// A repeated login renames and is announced again.
	b.send(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: "T", Nickname: "bobby"})
	if got := b.expect(wire.CmdUserLogin).GetUserLoginResponse().GetClientId(); got != bID {
		t.Errorf("re-login answered client_id %q, want %q", got, bID)
	}
	st = a.expect(wire.CmdUserConnectionStatusNotification).GetUserConnectionStatusNotification()
	if st.GetStatus() != wire.StatusConnected || st.GetUser().GetNickname() != "bobby" {
		t.Errorf("alice got %v, want bobby connected", st)
	}
	infos := s.Clients()
	i := slices.IndexFunc(infos, func(c ClientInfo) bool { return c.ID == bID })
	if len(infos) != 2 || i < 0 || infos[i].Nickname != "bobby" || infos[i].Token != "T" || !infos[i].LoggedIn {
		t.Errorf("Clients() = %+v", infos)
	}

	// No nickname: the stock server makes one up.
	c := dial(t, s)
	cID := c.login("other", "")
	for _, info := range s.Clients() {
		if info.ID == cID && info.Nickname != "User_"+cID[:8] {
			t.Errorf("default nickname = %q", info.Nickname)
		}
	}

	_ = b.conn.Close()
	st = a.expect(wire.CmdUserConnectionStatusNotification).GetUserConnectionStatusNotification()
	if st.GetStatus() != wire.StatusDisconnected || st.GetUser().GetClientId() != bID {
		t.Errorf("alice got %v, want bob disconnected", st)
	}
	if err := s.WaitClients(waitCtx(t), "T", 1); err != nil {
		t.Fatal(err)
	}
	// Other tokens hear nothing of T's comings and goings.
	assertNone(t, "other-token client", c.barrier(), wire.CmdUserConnectionStatusNotification)
}

func TestVersionInLoginAnswer(t *testing.T) {
	s := startServer(t, Config{Version: "v9.9.9"})
	a := dial(t, s)
	a.send(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: "T", Nickname: "alice"})
	if got := a.expect(wire.CmdUserLogin).GetStrParam(); got != "v9.9.9" {
		t.Errorf("login StrParam = %q, want the version", got)
	}
}

func TestHealth(t *testing.T) {
	get := func(t *testing.T, url string, user, pass string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	t.Run("stock", func(t *testing.T) {
		s := startServer(t, Config{})
		if code, body := get(t, s.BaseURL()+PathHealth, "", ""); code != 200 || body != "OK" {
			t.Errorf("health = %d %q", code, body)
		}
	})
	t.Run("newer build", func(t *testing.T) {
		s := startServer(t, Config{Version: "1.2.3"})
		code, body := get(t, s.BaseURL()+PathHealth, "", "")
		var v struct{ Status, Version string }
		if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil || v.Status != "ok" || v.Version != "1.2.3" {
			t.Errorf("health = %d %q (%v)", code, body, err)
		}
	})
	t.Run("basic auth", func(t *testing.T) {
		s := startServer(t, Config{BasicUser: "u", BasicPassword: "p"})
		if code, _ := get(t, s.BaseURL()+PathHealth, "", ""); code != http.StatusUnauthorized {
			t.Errorf("health without auth = %d", code)
		}
		if code, _ := get(t, s.BaseURL()+PathHealth, "u", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("health with a wrong password = %d", code)
		}
		if code, body := get(t, s.BaseURL()+PathHealth, "u", "p"); code != 200 || body != "OK" {
			t.Errorf("health with auth = %d %q", code, body)
		}
		if _, err := dialHeader(t, s.URL(), nil); err == nil {
			t.Error("upgrade without auth succeeded")
		}
		h := http.Header{}
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth("u", "p")
		h.Set("Authorization", req.Header.Get("Authorization"))
		c, err := dialHeader(t, s.URL(), h)
		if err != nil {
			t.Fatalf("upgrade with auth: %v", err)
		}
		c.login("T", "alice")
	})
}

func TestPendingMessagesRandomOrder(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("T", "alice")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	want := []string{"q1", "q2", "q3", "q4", "q5"}
	for _, id := range want {
		goAsk(ctx, s, question(id, "T", "question "+id, 300))
	}
	reportDone := make(chan *wire.WorkReportResponse, 1)
	go func() {
		reportDone <- s.Report(ctx, &wire.WorkReportRequest{ID: "r1", UserToken: "T", Request: &wire.McpWorkReportRequest{Summary: "done"}})
	}()
	want = append(want, "r1")
	slices.Sort(want)
	if err := s.WaitPending(waitCtx(t), "T", len(want)); err != nil {
		t.Fatal(err)
	}
	if got := s.Pending("T"); !slices.Equal(got, want) {
		t.Fatalf("Pending = %v, want %v", got, want)
	}

	b := dial(t, s) // connected after the fact: recovers them
	b.login("T", "bob")
	orders := map[string]bool{}
	for range 30 {
		b.send(&wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages, GetPendingMessagesRequest: &wire.GetPendingMessagesRequest{UserToken: "T"}})
		r := b.expect(wire.CmdGetPendingMessages).GetGetPendingMessagesResponse()
		if int(r.GetTotalCount()) != len(want) {
			t.Fatalf("total_count = %d", r.GetTotalCount())
		}
		var ids []string
		for _, p := range r.GetPendingMessages() {
			switch p.GetMessageType() {
			case wire.MessageTypeAskQuestion:
				ids = append(ids, p.GetAskQuestionRequest().GetID())
				if p.GetTimeout() != 300 || p.GetAskQuestionRequest().GetRequest().GetQuestion() == "" {
					t.Errorf("pending question %v", p)
				}
			case wire.MessageTypeWorkReport:
				ids = append(ids, p.GetWorkReportRequest().GetID())
				if p.GetTimeout() != 600 { // Timeout 0: the default
					t.Errorf("pending report timeout = %d, want 600", p.GetTimeout())
				}
			default:
				t.Fatalf("message_type %q", p.GetMessageType())
			}
			if ms := p.GetCreatedAt(); ms < time.Now().Add(-time.Minute).UnixMilli() || ms > time.Now().UnixMilli() {
				t.Errorf("created_at %d is not milliseconds since the epoch", ms)
			}
		}
		orders[strings.Join(ids, ",")] = true
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			t.Fatalf("pending ids = %v, want %v", ids, want)
		}
	}
	if len(orders) < 2 {
		t.Errorf("30 answers came in one order: %v", orders)
	}

	// Other tokens see none of them.
	o := dial(t, s)
	o.login("other", "olga")
	o.send(&wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages})
	if r := o.expect(wire.CmdGetPendingMessages).GetGetPendingMessagesResponse(); r.GetTotalCount() != 0 || len(r.GetPendingMessages()) != 0 {
		t.Errorf("other token got %v", r)
	}

	cancel()
	if r := recv(t, reportDone); !r.GetIsError() || r.GetMeta()["error"] != ErrCancelled {
		t.Errorf("report after cancel = %v", r)
	}
}

// Requests added with AddPending are listed, with their created_at, and can
// be answered like any other; nothing is pushed for them.
func TestAddPending(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("T", "alice")
	base := time.UnixMilli(1_700_000_000_000)
	var reqs []*wire.AskQuestionRequest
	for i := range 1000 {
		reqs = append(reqs, question(fmt.Sprintf("s%04d", i), "T", "seeded", 0))
	}
	reqs = append(reqs, &wire.AskQuestionRequest{ID: "no-body", UserToken: "T"})
	s.AddPending(func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }, reqs...)
	if n := len(s.Pending("T")); n != 1000 {
		t.Fatalf("%d pending, want 1000 (the one without a body skipped)", n)
	}
	a.send(&wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages})
	r := a.expect(wire.CmdGetPendingMessages).GetGetPendingMessagesResponse()
	if r.GetTotalCount() != 1000 {
		t.Fatalf("total_count = %d", r.GetTotalCount())
	}
	for _, p := range r.GetPendingMessages() {
		var i int
		fmt.Sscanf(p.GetAskQuestionRequest().GetID(), "s%d", &i)
		if p.GetCreatedAt() != base.Add(time.Duration(i)*time.Second).UnixMilli() || p.GetTimeout() != 600 {
			t.Fatalf("entry %v", p)
		}
	}
	a.send(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply, AskQuestionRequest: &wire.AskQuestionRequest{ID: "s0007"},
		AskQuestionResponse: &wire.AskQuestionResponse{ID: "s0007", Contents: wire.TextContents("ok")}})
	if err := s.WaitPending(waitCtx(t), "T", 999); err != nil {
		t.Fatal(err)
	}
}

func TestGetOnlineUsers(t *testing.T) {
	s := startServer(t, Config{})
	a, b, o := dial(t, s), dial(t, s), dial(t, s)
	a.login("T", "alice")
	bID := b.login("T", "bob")
	o.login("other", "olga")

	a.send(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers, GetOnlineUsersRequest: &wire.GetOnlineUsersRequest{UserToken: "ignored"}})
	r := a.expect(wire.CmdGetOnlineUsers).GetGetOnlineUsersResponse()
	if r.GetTotalCount() != 1 || len(r.GetOnlineUsers()) != 1 || r.GetOnlineUsers()[0].GetClientId() != bID || r.GetOnlineUsers()[0].GetNickname() != "bob" {
		t.Errorf("alice's online users = %v, want only bob", r)
	}
	if ca := r.GetOnlineUsers()[0].GetConnectedAt(); ca > time.Now().Unix() || ca < time.Now().Add(-time.Minute).Unix() {
		t.Errorf("connected_at %d is not seconds since the epoch", ca)
	}

	o.send(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers})
	if r := o.expect(wire.CmdGetOnlineUsers).GetGetOnlineUsersResponse(); r.GetTotalCount() != 0 || len(r.GetOnlineUsers()) != 0 {
		t.Errorf("alone on its token, olga got %v", r)
	}

	// No token, logged in or not: no answer at all.
	n := dial(t, s)
	n.send(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers})
	assertNone(t, "client without login", n.barrier(), wire.CmdGetOnlineUsers)
	n.login("", "nobody")
	n.send(&wire.WebsocketMessage{Cmd: wire.CmdGetOnlineUsers})
	assertNone(t, "client with an empty token", n.barrier(), wire.CmdGetOnlineUsers)
}

func TestReplyResolvesCallAndIsBroadcast(t *testing.T) {
	s := startServer(t, Config{})
	a, b, o, n := dial(t, s), dial(t, s), dial(t, s), dial(t, s)
	a.login("T", "alice")
	b.login("T", "bob")
	o.login("other", "olga")
	// n never logs in: broadcasts without a token filter still reach it.
	waitConnected(t, s, 4)

	call := goPostAsk(context.Background(), s, question("q1", "T", "Deploy now?", 600))
	push := a.expect(wire.CmdAskQuestion).GetAskQuestionRequest()
	if push.GetID() != "q1" || push.GetUserToken() != "T" || push.GetRequest().GetQuestion() != "Deploy now?" || push.GetRequest().GetAgentName() != "claude" {
		t.Errorf("push = %v", push)
	}
	if ms := push.GetTimestamp(); ms < time.Now().Add(-time.Minute).UnixMilli() || ms > time.Now().UnixMilli() {
		t.Errorf("push timestamp %d is not now in milliseconds", ms)
	}
	b.expect(wire.CmdAskQuestion)
	assertNone(t, "other-token client", o.barrier(), wire.CmdAskQuestion)

	a.send(askReply(push, "yes"))
	resp := recvAsk(t, call)
	if resp.GetID() != "q1" || resp.GetIsError() || wire.ContentsText(resp.GetContents()) != "yes" {
		t.Errorf("agent got %v, want yes", resp)
	}

	for name, c := range map[string]*wsClient{"bob": b, "other token": o, "not logged in": n} {
		m := c.expect(wire.CmdAskQuestionReplyNotification)
		if m.GetAskQuestionRequest().GetID() != "q1" || m.GetAskQuestionRequest().GetRequest().GetQuestion() != "Deploy now?" ||
			wire.ContentsText(m.GetAskQuestionResponse().GetContents()) != "yes" ||
			m.GetNickname() != "alice" || m.GetStrParam() != "Response received from alice" {
			t.Errorf("%s got %v", name, m)
		}
	}
	assertNone(t, "the replier", a.barrier(), wire.CmdAskQuestionReplyNotification)

	if p := s.Pending("T"); len(p) != 0 {
		t.Errorf("still pending: %v", p)
	}
	a.send(&wire.WebsocketMessage{Cmd: wire.CmdCheckMessageValidity, CheckMessageValidityRequest: &wire.CheckMessageValidityRequest{RequestIds: []string{"q1"}}})
	if v := a.expect(wire.CmdCheckMessageValidity).GetCheckMessageValidityResponse().GetValidity(); len(v) != 1 || v["q1"] {
		t.Errorf("validity after the reply = %v", v)
	}

	// A late reply changes nothing for the agent but is still broadcast.
	b.send(askReply(push, "no"))
	m := a.expect(wire.CmdAskQuestionReplyNotification)
	if wire.ContentsText(m.GetAskQuestionResponse().GetContents()) != "no" || m.GetNickname() != "bob" {
		t.Errorf("late reply broadcast = %v", m)
	}
}

func TestFirstReplyWins(t *testing.T) {
	s := startServer(t, Config{})
	a, b := dial(t, s), dial(t, s)
	a.login("T", "alice")
	b.login("T", "bob")
	call := goAsk(context.Background(), s, question("q1", "T", "Which?", 0))
	push := a.expect(wire.CmdAskQuestion).GetAskQuestionRequest()
	a.send(&wire.WebsocketMessage{
		Cmd:                         wire.CmdCheckMessageValidity,
		CheckMessageValidityRequest: &wire.CheckMessageValidityRequest{RequestIds: []string{"q1", "nope"}},
	})
	if v := a.expect(wire.CmdCheckMessageValidity).GetCheckMessageValidityResponse().GetValidity(); !v["q1"] || v["nope"] || len(v) != 2 {
		t.Errorf("validity while pending = %v", v)
	}
	a.send(askReply(push, "first"))
	a.barrier() // the first reply is handled before the second is sent
	b.send(askReply(push, "second"))
	if r := recv(t, call); wire.ContentsText(r.GetContents()) != "first" {
		t.Errorf("agent got %q, want the first reply", wire.ContentsText(r.GetContents()))
	}
}

func TestWorkReportReply(t *testing.T) {
	s := startServer(t, Config{})
	a, o := dial(t, s), dial(t, s)
	a.login("T", "alice")
	o.login("other", "olga")

	done := make(chan *wire.WorkReportResponse, 1)
	go func() {
		r, err := PostReport(context.Background(), s.BaseURL()+"/", &wire.WorkReportRequest{
			ID: "r1", UserToken: "T", Timestamp: 42,
			Request: &wire.McpWorkReportRequest{ProjectDirectory: "/src", Summary: "All tests pass", Timeout: 60},
		})
		if err != nil {
			r = &wire.WorkReportResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		done <- r
	}()
	push := a.expect(wire.CmdWorkReport).GetWorkReportRequest()
	if push.GetID() != "r1" || push.GetRequest().GetSummary() != "All tests pass" || push.GetTimestamp() != 42 {
		t.Errorf("push = %v (a given Timestamp is kept)", push)
	}
	a.send(&wire.WebsocketMessage{
		Cmd:                wire.CmdWorkReportReply,
		WorkReportRequest:  push,
		WorkReportResponse: &wire.WorkReportResponse{ID: "r1", Contents: wire.TextContents("thanks")},
	})
	if r := recv(t, done); r.GetIsError() || r.GetID() != "r1" || wire.ContentsText(r.GetContents()) != "thanks" {
		t.Errorf("agent got %v", r)
	}
	m := o.expect(wire.CmdWorkReportReplyNotification)
	if m.GetWorkReportRequest().GetID() != "r1" || wire.ContentsText(m.GetWorkReportResponse().GetContents()) != "thanks" ||
		m.GetNickname() != "alice" || m.GetStrParam() != "Work report confirmed by alice" {
		t.Errorf("other-token client got %v", m)
	}
}

func TestTimeoutCancelsEverywhere(t *testing.T) {
	s := startServer(t, Config{TimeoutUnit: 20 * time.Millisecond})
	a, o := dial(t, s), dial(t, s)
	a.login("T", "alice")
	o.login("other", "olga")

	call := goPostAsk(context.Background(), s, question("q1", "T", "Still there?", 3))
	a.expect(wire.CmdAskQuestion)
	resp := recvAsk(t, call)
	if !resp.GetIsError() || resp.GetMeta()["error"] != ErrTimeout || resp.GetID() != "q1" || len(resp.GetContents()) != 0 {
		t.Errorf("agent got %v, want a timeout", resp)
	}
	for name, c := range map[string]*wsClient{"alice": a, "other token": o} {
		n := c.expect(wire.CmdRequestCancelled).GetRequestCancelledNotification()
		if n.GetRequestId() != "q1" || n.GetReason() != "timeout" || n.GetMessageType() != wire.MessageTypeAskQuestion {
			t.Errorf("%s got %v", name, n)
		}
	}
	if p := s.Pending("T"); len(p) != 0 {
		t.Errorf("still pending: %v", p)
	}
	// Too late: the reply resolves nothing (but is broadcast all the same).
	a.send(askReply(question("q1", "T", "Still there?", 3), "yes"))
	o.expect(wire.CmdAskQuestionReplyNotification)
}

func TestAgentGoingAwayCancels(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("T", "alice")
	ctx, cancel := context.WithCancel(context.Background())
	call := goPostAsk(ctx, s, question("q1", "T", "Deploy?", 600))
	a.expect(wire.CmdAskQuestion)
	cancel()
	if r := <-call; r.err == nil {
		t.Errorf("PostAsk with a cancelled context returned %v", r.resp)
	}
	n := a.expect(wire.CmdRequestCancelled).GetRequestCancelledNotification()
	if n.GetRequestId() != "q1" || n.GetReason() != "cancelled" || n.GetMessageType() != wire.MessageTypeAskQuestion {
		t.Errorf("got %v", n)
	}
	if err := s.WaitPending(waitCtx(t), "T", 0); err != nil {
		t.Error(err)
	}
}

func TestCancel(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("T", "alice")
	if s.Cancel("nope", "x") {
		t.Error("Cancel of an unknown id reported true")
	}
	call := goAsk(context.Background(), s, question("q1", "T", "Deploy?", 0))
	a.expect(wire.CmdAskQuestion)
	if !s.Cancel("q1", "agent gone") {
		t.Fatal("Cancel of a pending id reported false")
	}
	if r := recv(t, call); !r.GetIsError() || r.GetMeta()["error"] != ErrCancelled || r.GetMeta()["message"] != "agent gone" {
		t.Errorf("agent got %v", r)
	}
	if n := a.expect(wire.CmdRequestCancelled).GetRequestCancelledNotification(); n.GetRequestId() != "q1" || n.GetReason() != "agent gone" {
		t.Errorf("got %v", n)
	}
}

func TestNoClients(t *testing.T) {
	s := startServer(t, Config{})
	ctx := waitCtx(t)
	r, err := PostAsk(ctx, s.BaseURL(), question("q1", "T", "Anyone?", 600))
	if err != nil || !r.GetIsError() || r.GetMeta()["error"] != ErrNoClients || r.GetID() != "q1" {
		t.Errorf("with nobody connected: %v, %v", r, err)
	}
	o := dial(t, s)
	o.login("other", "olga")
	r, err = PostAsk(ctx, s.BaseURL(), question("q2", "T", "Anyone?", 600))
	if err != nil || !r.GetIsError() || r.GetMeta()["error"] != ErrNoClients {
		t.Errorf("with only another token connected: %v, %v", r, err)
	}
	assertNone(t, "other-token client", o.barrier(), wire.CmdAskQuestion)
	if p := s.Pending("T"); len(p) != 0 {
		t.Errorf("pending after no_clients: %v", p)
	}
}

func TestEmptyTokenReachesEveryone(t *testing.T) {
	s := startServer(t, Config{})
	a, n := dial(t, s), dial(t, s)
	a.login("T", "alice")
	waitConnected(t, s, 2) // n never logs in
	call := goAsk(context.Background(), s, question("q1", "", "Anyone at all?", 0))
	a.expect(wire.CmdAskQuestion)
	push := n.expect(wire.CmdAskQuestion).GetAskQuestionRequest()
	n.send(askReply(push, "me"))
	if r := recv(t, call); wire.ContentsText(r.GetContents()) != "me" {
		t.Errorf("agent got %v", r)
	}
}

func TestInvalidRequest(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("T", "alice")
	ctx := waitCtx(t)

	r, err := PostAsk(ctx, s.BaseURL(), question("", "T", "No id", 600))
	if err != nil || !r.GetIsError() || r.GetMeta()["error"] != ErrInvalidRequest {
		t.Errorf("missing ID: %v, %v", r, err)
	}
	r, err = PostAsk(ctx, s.BaseURL(), &wire.AskQuestionRequest{ID: "q1", UserToken: "T"})
	if err != nil || !r.GetIsError() || r.GetMeta()["error"] != ErrInvalidRequest {
		t.Errorf("missing Request: %v, %v", r, err)
	}
	rr, err := PostReport(ctx, s.BaseURL(), &wire.WorkReportRequest{UserToken: "T", Request: &wire.McpWorkReportRequest{Summary: "x"}})
	if err != nil || !rr.GetIsError() || rr.GetMeta()["error"] != ErrInvalidRequest {
		t.Errorf("report missing ID: %v, %v", rr, err)
	}

	res, err := http.Post(s.BaseURL()+PathAskQuestion, "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var out struct {
		IsError bool
		Meta    map[string]string
	}
	if err := json.Unmarshal(body, &out); res.StatusCode != 200 || err != nil || !out.IsError || out.Meta["error"] != ErrInvalidRequest {
		t.Errorf("malformed JSON: %d %s", res.StatusCode, body)
	}

	res, err = http.Get(s.BaseURL() + PathAskQuestion)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET = %d", res.StatusCode)
	}
	assertNone(t, "client", a.barrier(), wire.CmdAskQuestion)
}

// TestRPCJSONWireFormat posts the exact JSON of PROTOCOL.md and checks the
// field names of the answer.
func TestRPCJSONWireFormat(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	a.login("TOKEN", "alice")

	type httpResult struct {
		code int
		body []byte
		err  error
	}
	done := make(chan httpResult, 1)
	go func() {
		res, err := http.Post(s.BaseURL()+PathAskQuestion, "application/json", bytes.NewReader([]byte(
			`{"ID":"q1","UserToken":"TOKEN","Request":{"ProjectDirectory":"/src/app","Question":"Deploy now?","Timeout":600,"AgentName":"claude"}}`)))
		if err != nil {
			done <- httpResult{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		done <- httpResult{res.StatusCode, b, err}
	}()
	push := a.expect(wire.CmdAskQuestion).GetAskQuestionRequest()
	if push.GetRequest().GetProjectDirectory() != "/src/app" || push.GetRequest().GetTimeout() != 600 {
		t.Errorf("push = %v", push)
	}
	a.send(askReply(push, "yes"))
	res := recv(t, done)
	if res.err != nil || res.code != 200 {
		t.Fatalf("HTTP %d, %v", res.code, res.err)
	}
	var out map[string]any
	if err := json.Unmarshal(res.body, &out); err != nil {
		t.Fatalf("%s: %v", res.body, err)
	}
	want := `[map[text:map[text:yes type:text] type:1]]`
	if out["ID"] != "q1" || fmt.Sprint(out["contents"]) != want || out["IsError"] != nil {
		t.Errorf("body = %s", res.body)
	}
}

func TestChatSameTokenOnly(t *testing.T) {
	s := startServer(t, Config{})
	a, b, o := dial(t, s), dial(t, s), dial(t, s)
	aID := a.login("T", "alice")
	bID := b.login("T", "bob")
	oID := o.login("other", "olga")

	a.send(&wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage, SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: bID, Content: "hi bob"}})
	cm := b.expect(wire.CmdChatMessageNotification).GetChatMessageNotification().GetChatMessage()
	if cm.GetMessageId() == "" || cm.GetSenderClientId() != aID || cm.GetSenderNickname() != "alice" ||
		cm.GetReceiverClientId() != bID || cm.GetReceiverNickname() != "bob" || cm.GetContent() != "hi bob" ||
		cm.GetSentAt() > time.Now().Unix() || cm.GetSentAt() < time.Now().Add(-time.Minute).Unix() {
		t.Errorf("bob got %v", cm)
	}

	a.send(&wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage, SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: oID, Content: "hi olga"}})
	a.send(&wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage, SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: "nobody", Content: "hi?"}})
	assertNone(t, "the sender", a.barrier(), wire.CmdChatMessageNotification)
	assertNone(t, "the other-token client", o.barrier(), wire.CmdChatMessageNotification)
}

func TestPingTimeoutDropsSilentClient(t *testing.T) {
	s := startServer(t, Config{PingInterval: 30 * time.Millisecond, PongWait: 200 * time.Millisecond})
	r := dial(t, s) // reads, hence answers pings
	r.login("T", "reader")

	// A client that logs in and then never reads never answers a ping.
	silent, _, err := websocket.DefaultDialer.Dial(s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	login, _ := proto.Marshal(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: "T", Nickname: "silent"})
	if err := silent.WriteMessage(websocket.BinaryMessage, login); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitClients(waitCtx(t), "T", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitClients(waitCtx(t), "T", 1); err != nil {
		t.Fatalf("the silent client was not dropped: %v", err)
	}
	st := r.expect(wire.CmdUserConnectionStatusNotification)
	for st.GetUserConnectionStatusNotification().GetStatus() != wire.StatusDisconnected {
		st = r.expect(wire.CmdUserConnectionStatusNotification)
	}
	if st.GetUserConnectionStatusNotification().GetUser().GetNickname() != "silent" {
		t.Errorf("reader got %v", st)
	}
	// The reader has been connected longer than PongWait and is still served.
	if infos := s.Clients(); len(infos) != 1 || infos[0].ID != r.id {
		t.Errorf("Clients() = %+v, want the reader only", infos)
	}
	r.barrier()
	if r.pings.Load() == 0 {
		t.Error("the reader was never pinged")
	}
}

func TestMalformedFrameClosesConnection(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s)
	if err := a.conn.WriteMessage(websocket.TextMessage, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	a.login("T", "alice") // the text frame was ignored

	if err := a.conn.WriteMessage(websocket.BinaryMessage, []byte{0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	if err := a.waitClosed(); err == nil {
		t.Error("read loop ended without an error")
	}
	if err := s.WaitClients(waitCtx(t), "T", 0); err != nil {
		t.Fatal(err)
	}
	dial(t, s).login("T", "alice again") // the server lives on
}

func TestReplyWithoutResponseClosesConnection(t *testing.T) {
	s := startServer(t, Config{})
	a, b := dial(t, s), dial(t, s)
	aID := a.login("T", "alice")
	b.login("T", "bob")
	call := goAsk(context.Background(), s, question("q1", "T", "Deploy?", 0))
	push := a.expect(wire.CmdAskQuestion).GetAskQuestionRequest()
	b.expect(wire.CmdAskQuestion)

	a.send(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply, AskQuestionRequest: push})
	a.waitClosed()
	st := b.expect(wire.CmdUserConnectionStatusNotification).GetUserConnectionStatusNotification()
	if st.GetStatus() != wire.StatusDisconnected || st.GetUser().GetClientId() != aID {
		t.Errorf("bob got %v", st)
	}
	if p := s.Pending("T"); !slices.Equal(p, []string{"q1"}) {
		t.Errorf("Pending = %v: the broken reply must not resolve anything", p)
	}
	// A reply without the request is ignored and does not close.
	b.send(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply, AskQuestionResponse: &wire.AskQuestionResponse{ID: "q1"}})
	b.send(askReply(push, "ok"))
	if r := recv(t, call); wire.ContentsText(r.GetContents()) != "ok" {
		t.Errorf("agent got %v", r)
	}
	// WorkReportReply without its response closes as well.
	b.send(&wire.WebsocketMessage{Cmd: wire.CmdWorkReportReply, WorkReportRequest: &wire.WorkReportRequest{ID: "r1"}})
	b.waitClosed()
}

func TestSendQueueFull(t *testing.T) {
	s := startServer(t, Config{SendQueue: 2})
	a, b := dial(t, s), dial(t, s)
	aID := a.login("T", "alice")
	b.login("T", "bob")
	a.expect(wire.CmdUserConnectionStatusNotification) // bob connected
	if !s.Stall(aID) {
		t.Fatal("Stall of a connected client reported false")
	}
	// Direct messages to a full queue are dropped; alice stays.
	for i := range 5 {
		b.send(&wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage, SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: aID, Content: fmt.Sprint(i)}})
	}
	b.barrier()
	if infos := s.Clients(); len(infos) != 2 {
		t.Fatalf("Clients() = %+v, want alice still connected", infos)
	}
	// A broadcast to a full queue cuts alice off.
	c := dial(t, s)
	c.login("T", "carol")
	if err := s.waitFor(waitCtx(t), "alice to be cut off", func() bool { return s.clients[aID] == nil }); err != nil {
		t.Fatal(err)
	}
	if s.Stall(aID) {
		t.Error("Stall of a dropped client reported true")
	}
}

func TestDisconnect(t *testing.T) {
	s := startServer(t, Config{})
	a, b := dial(t, s), dial(t, s)
	aID := a.login("T", "alice")
	b.login("T", "bob")
	if !s.Disconnect(aID) {
		t.Fatal("Disconnect reported false")
	}
	if err := a.waitClosed(); err == nil || websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
		t.Errorf("read error %v, want an abrupt end without a close frame", err)
	}
	st := b.expect(wire.CmdUserConnectionStatusNotification)
	for st.GetUserConnectionStatusNotification().GetStatus() != wire.StatusDisconnected {
		st = b.expect(wire.CmdUserConnectionStatusNotification)
	}
	if s.Disconnect(aID) {
		t.Error("second Disconnect reported true")
	}
}

func TestCloseFailsCallsAndClosesClients(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := dial(t, s)
	a.login("T", "alice")
	call := goAsk(context.Background(), s, question("q1", "T", "Deploy?", 0))
	a.expect(wire.CmdAskQuestion)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, call); !r.GetIsError() || r.GetMeta()["error"] != ErrCancelled {
		t.Errorf("agent got %v", r)
	}
	if err := a.waitClosed(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("read error %v, want going away", err)
	}
	if _, err := PostAsk(waitCtx(t), s.BaseURL(), question("q2", "T", "?", 0)); err == nil {
		t.Error("PostAsk after Close succeeded")
	}
	if r := s.Ask(context.Background(), question("q3", "T", "?", 0)); r.GetMeta()["error"] != ErrCancelled {
		t.Errorf("Ask after Close = %v", r)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRestartOnSameAddress(t *testing.T) {
	s1, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := dial(t, s1)
	a.login("T", "alice")
	url := s1.URL()
	_ = s1.Close()
	a.waitClosed()

	s2, err := StartOn(Config{}, s1.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.URL() != url {
		t.Errorf("URL %q, want %q", s2.URL(), url)
	}
	b := dial(t, s2)
	if b.login("T", "alice") == a.id {
		t.Error("client_id reused across connections")
	}
}

func TestNewAsHandler(t *testing.T) {
	s := New(Config{})
	if s.URL() != "" || s.BaseURL() != "" || s.Addr() != "" {
		t.Error("a server made with New claims an address")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PathHealth, nil))
	if rec.Code != 200 || rec.Body.String() != "OK" {
		t.Errorf("health = %d %q", rec.Code, rec.Body.String())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PathWebSocket, nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/ws after Close = %d", rec.Code)
	}
}
