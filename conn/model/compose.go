package model

import (
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/conn"
)

// maxHistory bounds the reply history.
const maxHistory = 50

// composeState is what the person at the keyboard is doing: unsent drafts
// per request, which request the reply focus belongs to, and what they
// replied before (for Up/Down in a reply field). Widgets hold none of it,
// so recycling a row or rebuilding a window loses nothing.
type composeState struct {
	drafts  map[conn.RequestKey]string
	focus   conn.RequestKey
	history []string
}

func newComposeState() composeState {
	return composeState{drafts: map[conn.RequestKey]string{}}
}

// forget drops the draft of a card that left the model.
func (c *composeState) forget(k conn.RequestKey) {
	delete(c.drafts, k)
	if c.focus == k {
		c.focus = conn.RequestKey{}
	}
}

// SetDraft keeps what the user typed for a request and not sent yet; ""
// drops it. Drafts of requests the model does not hold are ignored. It does
// not notify: the widget that typed it already shows it.
func (m *Model) SetDraft(k conn.RequestKey, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byKey[k] == nil {
		return
	}
	if text == "" {
		delete(m.compose.drafts, k)
		return
	}
	m.compose.drafts[k] = text
}

// Draft returns the unsent draft for a request.
func (m *Model) Draft(k conn.RequestKey) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.compose.drafts[k]
}

// SetReplyFocus records which request's reply field should have the
// keyboard focus; the zero key means none. The timeline restores it after
// every refresh, whichever row shows the card.
func (m *Model) SetReplyFocus(k conn.RequestKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k.ID != "" && m.byKey[k] == nil {
		return
	}
	m.compose.focus = k
}

// ReplyFocus returns the request whose reply field has the focus, if any.
func (m *Model) ReplyFocus() (conn.RequestKey, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.compose.focus, m.compose.focus.ID != ""
}

// NextAnswerable returns the oldest card in the current view, other than
// skip, that the user can answer now: where the focus goes after a send.
func (m *Model) NextAnswerable(skip conn.RequestKey) (conn.RequestKey, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.view {
		if c.Answerable() && c.Key() != skip {
			return c.Key(), true
		}
	}
	return conn.RequestKey{}, false
}

// RememberReply adds what the user typed in a reply to the history: most
// recent last, without repeats, bounded.
func (m *Model) RememberReply(typed string) {
	t := strings.TrimSpace(typed)
	if t == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := slices.DeleteFunc(m.compose.history, func(s string) bool { return s == t })
	h = append(h, t)
	if len(h) > maxHistory {
		h = slices.Delete(h, 0, len(h)-maxHistory)
	}
	m.compose.history = h
}

// ReplyHistory returns what the user typed in earlier replies, oldest
// first, without repeats.
func (m *Model) ReplyHistory() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.compose.history)
}
