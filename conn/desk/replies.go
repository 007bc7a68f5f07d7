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

// Reply answers a request on its own server. Empty text confirms with a
// default text; the reply prefix and suffix are applied. While the server
// is offline the reply is queued.
//
// It returns at once, so the UI may call it on its own goroutine: the card
// is marked Submitting before Reply returns (a second Reply, or Ctrl+J
// looking for the oldest pending request, already sees it), and the
// connection takes the reply in the background. Its progress lands in the
// model: Sending or Queued as the connection takes it, or SubmitFailed with
// the connection's error. On success the draft is dropped and the typed
// text joins the reply history. The error returned is only for a reply
// that was not even started (not ready, or not answerable now).
func (c *Core) Reply(key conn.RequestKey, typed string) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	if !c.model.BeginReply(key) {
		return ErrNotAnswerable
	}
	kind := conn.KindQuestion
	if card, ok := c.model.Card(key); ok {
		kind = card.Request.Kind
	}
	text := c.ReplyText(kind, typed)
	c.replies.Add(1)
	go func() {
		defer c.replies.Done()
		if err := e.mgr.Reply(key, text); err != nil {
			c.model.ReplyFailed(key, err)
			return
		}
		c.model.SetDraft(key, "")
		c.model.RememberReply(typed)
	}()
	return nil
}
