package conn_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

const mega = 1 << 20

// chars counts characters, for checks against ...Chars limits.
func chars(s string) int { return utf8.RuneCountInString(s) }

// cutTo reports whether s was cut to exactly max characters with the mark.
func cutTo(s string, max int) bool {
	return chars(s) == max && strings.HasSuffix(s, limits.Ellipsis) && utf8.ValidString(s)
}

// scripted runs a server that logs us in and sends frames, then a good
// question "after"; it returns the manager's event log once "after" (or,
// when wantAfter is false, the pending list) arrived.
func scripted(t *testing.T, frames ...*wire.WebsocketMessage) (*conn.Manager, *eventLog) {
	t.Helper()
	srv, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		loginOK(ws)
		for _, f := range frames {
			sendFrame(ws, f)
		}
		sendFrame(ws, askFrame("after"))
		holdOpen(ws)
	})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", wsURL(srv.URL)))
	return m, log
}

func warningMentions(t *testing.T, log *eventLog, text string) {
	t.Helper()
	w := waitEvent(log, "S", func(conn.Warning) bool { return true })
	if !strings.Contains(w.Err.Error(), text) {
		t.Fatalf("warning %q does not mention %q", w.Err, text)
	}
}

// A request id over the limit cannot be cut (the reply is routed by it):
// the request is skipped with a warning, on the fast path and on proto's,
// and the connection goes on.
func TestOverlongRequestIDIsSkipped(t *testing.T) {
	long := strings.Repeat("i", limits.RequestIDBytes+1)
	withChoices := askFrame(long) // choices send it down proto's path
	withChoices.AskQuestionRequest.Request.Questions = []*wire.Question{{Question: "?"}}
	for name, f := range map[string]*wire.WebsocketMessage{"fast path": askFrame(long), "proto path": withChoices} {
		t.Run(name, func(t *testing.T) {
			_, log := scripted(t, f)
			warningMentions(t, log, fmt.Sprintf("request id is %d bytes long", len(long)))
			if r := waitEvent(log, "S", func(conn.RequestArrived) bool { return true }); r.Request.ID != "after" {
				t.Fatalf("arrived %q", r.Request.ID[:10])
			}
		})
	}
}

// Names, the project directory and choices from a request are cut to
// their limits; the text is kept whole.
func TestRequestFieldsAreCut(t *testing.T) {
	huge := strings.Repeat("名", mega/3)
	q := &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{ID: "q",
		Request: &wire.McpAskQuestionRequest{Question: huge, ProjectDirectory: "/" + huge, AgentName: huge + "\n",
			ReasoningModelName: "model\nwith\nlines", McpClientName: huge}}}
	// Long enough for every choice limit, short enough that 21 × 37 of them
	// fit one frame.
	long := strings.Repeat("選", limits.ChoiceQuestionBytes/3+1)
	var choices []*wire.Question
	for range limits.Choices + 5 {
		c := &wire.Question{Question: long, Header: long}
		for range limits.ChoiceOptions + 5 {
			c.Options = append(c.Options, &wire.Option{Label: long[:3*limits.ChoiceDescriptionChars+3], Description: long[:3*limits.ChoiceDescriptionChars+3]})
		}
		choices = append(choices, c)
	}
	withChoices := &wire.WebsocketMessage{Cmd: wire.CmdAskQuestion, AskQuestionRequest: &wire.AskQuestionRequest{ID: "c",
		Request: &wire.McpAskQuestionRequest{Question: "pick", Questions: choices}}}
	_, log := scripted(t, q, withChoices)

	r := waitEvent(log, "S", func(e conn.RequestArrived) bool { return e.Request.ID == "q" }).Request
	if r.Text != huge {
		t.Errorf("the question was changed: %d bytes", len(r.Text))
	}
	if !cutTo(r.AgentName, limits.AgentNameChars) || !cutTo(r.MCPClient, limits.AgentNameChars) || r.Model != "model with lines" {
		t.Errorf("names: %d, %d characters, model %q", chars(r.AgentName), chars(r.MCPClient), r.Model)
	}
	if len(r.ProjectDirectory) > limits.ProjectDirBytes || len(r.ProjectDirectory) < limits.ProjectDirBytes-6 ||
		!strings.HasSuffix(r.ProjectDirectory, limits.Ellipsis) {
		t.Errorf("project directory: %d bytes", len(r.ProjectDirectory))
	}

	c := waitEvent(log, "S", func(e conn.RequestArrived) bool { return e.Request.ID == "c" }).Request
	if len(c.Choices) != limits.Choices {
		t.Fatalf("%d choices kept, want %d", len(c.Choices), limits.Choices)
	}
	for _, ch := range c.Choices {
		if len(ch.Options) != limits.ChoiceOptions || len(ch.Question) > limits.ChoiceQuestionBytes || !cutTo(ch.Header, limits.ChoiceHeaderChars) {
			t.Fatalf("choice: %d options, question %d bytes, header %d characters", len(ch.Options), len(ch.Question), chars(ch.Header))
		}
		for _, o := range ch.Options {
			if !cutTo(o.Label, limits.ChoiceLabelChars) || !cutTo(o.Description, limits.ChoiceDescriptionChars) {
				t.Fatalf("option: label %d, description %d characters", chars(o.Label), chars(o.Description))
			}
		}
	}
}

// What other clients and the server say about a request we hold is cut:
// the replier's nickname and text, and a cancel reason. A reply made of
// 200,000 parts costs no more than the part kept.
func TestReplyAndCancelTextsAreCut(t *testing.T) {
	huge := strings.Repeat("x", 4*mega)
	const many = 200_000 // joined naively (s += part) this would copy 200 GB
	parts := make([]*wire.McpResultContent, 0, many)
	for range many {
		parts = append(parts, wire.TextContents("0123456789")...)
	}
	answered := &wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReplyNotification,
		AskQuestionRequest:  &wire.AskQuestionRequest{ID: "a"},
		AskQuestionResponse: &wire.AskQuestionResponse{ID: "a", Contents: parts}, Nickname: huge}
	fallback := &wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReplyNotification,
		AskQuestionRequest: &wire.AskQuestionRequest{ID: "b"}, StrParam: huge, Nickname: "bob"}
	cancelled := &wire.WebsocketMessage{Cmd: wire.CmdRequestCancelled,
		RequestCancelledNotification: &wire.RequestCancelledNotification{RequestId: "c", Reason: huge + "\n"}}
	_, log := scripted(t, askFrame("a"), askFrame("b"), askFrame("c"), answered, fallback, cancelled)

	a := waitEvent(log, "S", func(e conn.RequestAnswered) bool { return e.ID == "a" })
	if !cutTo(a.By, limits.NicknameChars) || len(a.Text) > limits.ReplyTextBytes || len(a.Text) < limits.ReplyTextBytes-16 {
		t.Errorf("answered by %d characters, text %d bytes", chars(a.By), len(a.Text))
	}
	b := waitEvent(log, "S", func(e conn.RequestAnswered) bool { return e.ID == "b" })
	if len(b.Text) > limits.ReplyTextBytes || !strings.HasSuffix(b.Text, limits.Ellipsis) || b.By != "bob" {
		t.Errorf("fallback text %d bytes by %q", len(b.Text), b.By)
	}
	c := waitEvent(log, "S", func(e conn.RequestCancelled) bool { return e.ID == "c" })
	if !cutTo(c.Reason, limits.CancelReasonChars) {
		t.Errorf("reason %d characters", chars(c.Reason))
	}
}

// Peers: nicknames are cut everywhere they appear; a client id too long to
// route a chat to is skipped with a warning; the online list is capped;
// chat content is cut.
func TestPeerValuesAreCut(t *testing.T) {
	huge := strings.Repeat("n", mega)
	longID := strings.Repeat("c", limits.ClientIDBytes+1)
	users := []*wire.OnlineUser{{ClientId: longID, Nickname: "skipped"}}
	for i := range limits.OnlineUsers + 10 {
		users = append(users, &wire.OnlineUser{ClientId: fmt.Sprint("u", i), Nickname: huge[:4096]})
	}
	frames := []*wire.WebsocketMessage{
		{Cmd: wire.CmdUserConnectionStatusNotification, UserConnectionStatusNotification: &wire.UserConnectionStatusNotification{
			User: &wire.OnlineUser{ClientId: "p1", Nickname: huge}, Status: wire.StatusConnected}},
		{Cmd: wire.CmdUserConnectionStatusNotification, UserConnectionStatusNotification: &wire.UserConnectionStatusNotification{
			User: &wire.OnlineUser{ClientId: longID, Nickname: "x"}, Status: wire.StatusConnected}},
		{Cmd: wire.CmdGetOnlineUsers, GetOnlineUsersResponse: &wire.GetOnlineUsersResponse{OnlineUsers: users}},
		{Cmd: wire.CmdChatMessageNotification, ChatMessageNotification: &wire.ChatMessageNotification{ChatMessage: &wire.ChatMessage{
			MessageId: huge, SenderClientId: "p1", SenderNickname: huge, ReceiverClientId: "c1", Content: huge}}},
		{Cmd: wire.CmdChatMessageNotification, ChatMessageNotification: &wire.ChatMessageNotification{ChatMessage: &wire.ChatMessage{
			SenderClientId: longID, Content: "from nowhere"}}},
	}
	_, log := scripted(t, frames...)

	if u := waitEvent(log, "S", func(conn.UserStatus) bool { return true }); !cutTo(u.User.Nickname, limits.NicknameChars) {
		t.Errorf("status nickname %d characters", chars(u.User.Nickname))
	}
	warningMentions(t, log, "user status notification whose client id is")
	list := waitEvent(log, "S", func(conn.OnlineUsers) bool { return true })
	if len(list.Users) != limits.OnlineUsers || !cutTo(list.Users[0].Nickname, limits.NicknameChars) {
		t.Errorf("%d online users, first nickname %d characters", len(list.Users), chars(list.Users[0].Nickname))
	}
	warningMentions(t, log, fmt.Sprintf("only the first %d are shown", limits.OnlineUsers))
	warningMentions(t, log, "ignored 1 online users whose client id")
	chat := waitEvent(log, "S", func(conn.ChatReceived) bool { return true }).Message
	if len(chat.Content) > limits.ChatMessageBytes || !cutTo(chat.SenderNickname, limits.NicknameChars) || len(chat.ID) > limits.ClientIDBytes {
		t.Errorf("chat: %d bytes from %d characters, id %d bytes", len(chat.Content), chars(chat.SenderNickname), len(chat.ID))
	}
	warningMentions(t, log, "chat message whose sender's client id")
	if r := waitEvent(log, "S", func(conn.RequestArrived) bool { return true }); r.Request.ID != "after" {
		t.Fatalf("arrived %q", r.Request.ID)
	}
}

// The reason a server gives for refusing a login, and the client id it
// gives us, are cut.
func TestLoginValuesAreCut(t *testing.T) {
	refused, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdUserLogin,
			UserLoginResponse: &wire.UserLoginResponse{ErrorMessage: strings.Repeat("no ", mega)}})
		holdOpen(ws)
	})
	longID, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdUserLogin,
			UserLoginResponse: &wire.UserLoginResponse{ClientId: strings.Repeat("c", mega), Success: true}})
		holdOpen(ws)
	})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("refused", wsURL(refused.URL)))
	m.Put(serverCfg("long", wsURL(longID.URL)))
	st := waitPhase(log, "refused", conn.PhaseAuthFailed)
	if len(st.LastError) > limits.LoginErrorChars+200 || !strings.Contains(st.LastError, limits.Ellipsis) {
		t.Errorf("login error of %d bytes: %.80q", len(st.LastError), st.LastError)
	}
	st = waitPhase(log, "long", conn.PhaseConnected)
	if chars(st.ClientID) != limits.ClientIDBytes {
		t.Errorf("client id of %d characters", chars(st.ClientID))
	}
}

// Users coming online one by one are capped like the online list: past
// the limit they are skipped, with one warning, and leaving still counts.
func TestUserStatusFloodIsCapped(t *testing.T) {
	var frames []*wire.WebsocketMessage
	status := func(id, st string) *wire.WebsocketMessage {
		return &wire.WebsocketMessage{Cmd: wire.CmdUserConnectionStatusNotification, UserConnectionStatusNotification: &wire.UserConnectionStatusNotification{
			User: &wire.OnlineUser{ClientId: id, Nickname: "n"}, Status: st}}
	}
	for i := range limits.OnlineUsers + 50 {
		frames = append(frames, status(fmt.Sprint("u", i), wire.StatusConnected))
	}
	frames = append(frames, status("u0", wire.StatusDisconnected), status("late", wire.StatusConnected))
	_, log := scripted(t, frames...)
	warningMentions(t, log, fmt.Sprintf("beyond %d at once", limits.OnlineUsers))
	waitEvent(log, "S", func(conn.RequestArrived) bool { return true })
	seen := map[string]bool{}
	var late bool
	for _, e := range log.backlog {
		if u, ok := e.(conn.UserStatus); ok {
			if u.User.ClientID == "late" {
				late = true
			} else if u.Online {
				seen[u.User.ClientID] = true
			}
		}
		if w, ok := e.(conn.Warning); ok {
			t.Errorf("a second warning: %v", w.Err)
		}
	}
	if len(seen) != limits.OnlineUsers || !late {
		t.Fatalf("%d users announced online; the one after a departure arrived: %v", len(seen), late)
	}
}

// A chat message over the limit is refused with a message, not sent.
func TestSendChatRefusesOverlongText(t *testing.T) {
	m, _ := newManager(t, fastOptions())
	m.Put(serverCfg("S", "ws://127.0.0.1:1/ws"))
	err := m.SendChat("S", "c2", strings.Repeat("x", limits.ChatMessageBytes+1))
	if !errors.Is(err, conn.ErrTooLong) || !strings.Contains(err.Error(), "at most 16 KB") {
		t.Fatalf("err = %v", err)
	}
}

// A pending list whose entries carry over-long ids skips them with one
// warning, and holds the rest.
func TestPendingListSkipsOverlongIDs(t *testing.T) {
	long := strings.Repeat("i", limits.RequestIDBytes+1)
	list := &wire.GetPendingMessagesResponse{}
	for _, id := range []string{long, "ok", long} {
		list.PendingMessages = append(list.PendingMessages, &wire.PendingMessage{MessageType: wire.MessageTypeAskQuestion,
			AskQuestionRequest: &wire.AskQuestionRequest{ID: id, Request: &wire.McpAskQuestionRequest{Question: "?"}}})
	}
	srv, _ := hostileServer(t, func(ws *websocket.Conn, _ *wire.WebsocketMessage) {
		loginOK(ws)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if strings.Contains(string(data), wire.CmdGetPendingMessages) {
				sendFrame(ws, &wire.WebsocketMessage{Cmd: wire.CmdGetPendingMessages, GetPendingMessagesResponse: list})
			}
		}
	})
	m, log := newManager(t, fastOptions())
	m.Put(serverCfg("S", wsURL(srv.URL)))
	warningMentions(t, log, "ignored 2 pending requests whose id is longer than 1024 bytes")
	if r := waitEvent(log, "S", func(conn.Reconciled) bool { return true }); r.Pending != 1 {
		t.Fatalf("Reconciled.Pending = %d", r.Pending)
	}
	if r := waitEvent(log, "S", func(conn.RequestArrived) bool { return true }); r.Request.ID != "ok" {
		t.Fatalf("arrived %q", r.Request.ID)
	}
}
