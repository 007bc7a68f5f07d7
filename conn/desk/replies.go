package desk

import (
	"strings"

	"github.com/agentdesk/agentdesk/conn"
)

// Default confirmation texts, sent when the user replies with nothing.
const (
	DefaultQuestionReply = "OK"
	DefaultReportReply   = "Confirmed"
)

// ReplyText is the text Reply would send for what the user typed: a
// default confirmation when it is blank, wrapped as the settings say.
func (c *Core) ReplyText(kind conn.RequestKind, typed string) string {
	text := strings.TrimSpace(typed)
	if text == "" {
		if kind == conn.KindWorkReport {
			text = DefaultReportReply
		} else {
			text = DefaultQuestionReply
		}
	}
	return c.Settings().WrapReply(text)
}

// ReplyBody is the text Reply sends for request r: the structured choices
// answered (see conn.ChoiceReplyText), then what the user typed, a blank
// line between them, wrapped as the settings say. When both are blank it
// is a default confirmation, unless attachments go with it: then the text
// is left out, as the Flutter client leaves it out.
func (c *Core) ReplyBody(r *conn.Request, typed string, answers []conn.ChoiceAnswer, withAttachments bool) string {
	var parts []string
	if r != nil {
		if choice := conn.ChoiceReplyText(r.Choices, answers); choice != "" {
			parts = append(parts, choice)
		}
	}
	if t := strings.TrimSpace(typed); t != "" {
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		if withAttachments {
			return ""
		}
		kind := conn.KindQuestion
		if r != nil {
			kind = r.Kind
		}
		return c.ReplyText(kind, "")
	}
	return c.Settings().WrapReply(strings.Join(parts, "\n\n"))
}

// Reply answers a request on its own server with what the user typed, the
// structured choices they picked and the attachments of the card's draft,
// in one message. Blank text with nothing else confirms with a default
// text; the reply prefix and suffix are applied. While the server is
// offline the reply is queued.
//
// It returns at once, so the UI may call it on its own goroutine: the card
// is marked Submitting before Reply returns (a second Reply, or Ctrl+J
// looking for the oldest pending request, already sees it), and the
// connection takes the reply in the background. Its progress lands in the
// model: Sending or Queued as the connection takes it, or SubmitFailed with
// the connection's error. An attachment still loading or refused (over a
// limit, unreadable) stops the whole reply with SubmitFailed saying which:
// nothing is sent half-way. On success the draft, its attachments and the
// choices are dropped and the typed text joins the reply history. The
// error returned is only for a reply that was not sent at all.
func (c *Core) Reply(key conn.RequestKey, typed string) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	if !c.model.BeginReply(key) {
		return ErrNotAnswerable
	}
	atts, err := c.replyAttachments(key)
	if err != nil {
		c.model.ReplyFailed(key, err)
		return err
	}
	var req *conn.Request
	if card, ok := c.model.Card(key); ok {
		req = card.Request
	}
	text := c.ReplyBody(req, typed, c.model.ChoiceAnswers(key), len(atts) > 0)
	c.replies.Add(1)
	go func() {
		defer c.replies.Done()
		if err := e.mgr.ReplyWith(key, text, atts); err != nil {
			c.model.ReplyFailed(key, err)
			return
		}
		c.model.SetDraft(key, "")
		c.model.ReleaseAttachments(key)
		c.model.ClearChoices(key)
		c.model.RememberReply(typed)
	}()
	return nil
}
