package desk

import (
	"strings"

	"github.com/agentdesk/agentdesk/conn/model"
)

// SendChat sends a chat message to one user on that user's server. Like a
// reply, its progress lands in the model: the line is recorded at once as
// sending, then marked sent or failed (the error is also returned). Chat is
// not queued while the server is offline.
func (c *Core) SendChat(k model.ChatKey, nickname, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyMessage
	}
	line := c.model.AddOwnChat(k, nickname, text)
	e, err := c.engine()
	if err == nil {
		err = e.mgr.SendChat(k.Server, k.ClientID, text)
	}
	if err != nil {
		c.model.SetChatStatus(k, line, model.LineFailed, err)
		return err
	}
	c.model.SetChatStatus(k, line, model.LineSent, nil)
	_ = e.rec.OwnChat(k.Server, nickname, k.ClientID, text)
	return nil
}
