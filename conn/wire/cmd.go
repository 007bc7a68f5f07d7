package wire

import (
	"math"
	"strings"
)

// Values of WebsocketMessage.Cmd, exactly as agentassistant-srv spells them.
const (
	// CmdUserLogin logs in (client → server) and carries the login answer
	// (server → client).
	CmdUserLogin = "UserLogin"
	// CmdGetPendingMessages asks for, and answers with, the requests still
	// waiting for a human.
	CmdGetPendingMessages = "GetPendingMessages"
	// CmdGetOnlineUsers asks for, and answers with, the same-token users.
	CmdGetOnlineUsers = "GetOnlineUsers"
	// CmdCheckMessageValidity asks which request ids are still pending.
	CmdCheckMessageValidity = "CheckMessageValidity"
	// CmdAskQuestionReply answers a question.
	CmdAskQuestionReply = "AskQuestionReply"
	// CmdWorkReportReply confirms a work report.
	CmdWorkReportReply = "WorkReportReply"
	// CmdSendChatMessage sends a chat message to another client.
	CmdSendChatMessage = "SendChatMessage"

	// CmdAskQuestion pushes a question from an agent.
	CmdAskQuestion = "AskQuestion"
	// CmdWorkReport pushes a work report from an agent.
	CmdWorkReport = "WorkReport"
	// CmdAskQuestionReplyNotification says another client answered a question.
	CmdAskQuestionReplyNotification = "AskQuestionReplyNotification"
	// CmdWorkReportReplyNotification says another client confirmed a report.
	CmdWorkReportReplyNotification = "WorkReportReplyNotification"
	// CmdRequestCancelled says a request timed out or was cancelled.
	CmdRequestCancelled = "RequestCancelled"
	// CmdChatMessageNotification delivers a chat message.
	CmdChatMessageNotification = "ChatMessageNotification"
	// CmdUserConnectionStatusNotification says a same-token user came or went.
	CmdUserConnectionStatusNotification = "UserConnectionStatusNotification"
)

// Values of McpResultContent.type.
const (
	ContentText     int32 = 1
	ContentImage    int32 = 2
	ContentAudio    int32 = 3
	ContentResource int32 = 4
)

// Values of PendingMessage.message_type and RequestCancelledNotification.message_type.
const (
	MessageTypeAskQuestion = "AskQuestion"
	MessageTypeWorkReport  = "WorkReport"
)

// Values of UserConnectionStatusNotification.status.
const (
	StatusConnected    = "connected"
	StatusDisconnected = "disconnected"
)

// TextContents wraps plain text as the single-item content list that replies carry.
func TextContents(text string) []*McpResultContent {
	return []*McpResultContent{{Type: ContentText, Text: &TextContent{Type: "text", Text: text}}}
}

// ContentsText joins the text items of content lists with newlines; other
// kinds are skipped. Its cost is linear in the text, however many items.
func ContentsText(lists ...[]*McpResultContent) string {
	return ContentsTextUpTo(math.MaxInt, lists...)
}

// ContentsTextUpTo is ContentsText that stops once the text is longer than
// max bytes: it returns at most max+1 bytes, so that the caller can tell a
// cut and mark it, and a reply of a million parts costs no more than the
// part kept.
func ContentsTextUpTo(max int, lists ...[]*McpResultContent) string {
	var b strings.Builder
	for _, list := range lists {
		for _, c := range list {
			t := c.GetText()
			if t == nil {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			if b.Len()+len(t.GetText()) > max {
				b.WriteString(t.GetText()[:min(len(t.GetText()), max+1-b.Len())])
				return b.String()
			}
			b.WriteString(t.GetText())
		}
	}
	return b.String()
}
