package model

import (
	"slices"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// ChatKey identifies a conversation: one user on one server.
type ChatKey struct {
	Server   conn.ServerID
	ClientID string
}

// Line is one line of a conversation.
type Line struct {
	// FromMe marks our own messages; System marks notices (went offline…).
	FromMe bool
	System bool
	Text   string
	At     time.Time
}

// maxChatLines bounds one conversation's memory.
const maxChatLines = 500

// Chat is a conversation with one user on one server.
type Chat struct {
	Key      ChatKey
	Nickname string
	Lines    []Line
	// Unread counts lines received since MarkRead.
	Unread int
}

func (c *Chat) addLocked(l Line) {
	c.Lines = append(c.Lines, l)
	if len(c.Lines) > maxChatLines {
		c.Lines = slices.Delete(c.Lines, 0, len(c.Lines)-maxChatLines)
	}
	if !l.FromMe && !l.System {
		c.Unread++
	}
}

func (m *Model) chatLocked(k ChatKey, nickname string) *Chat {
	c := m.chats[k]
	if c == nil {
		c = &Chat{Key: k, Nickname: nickname}
		m.chats[k] = c
	}
	if nickname != "" {
		c.Nickname = nickname
	}
	return c
}

func (m *Model) receiveChatLocked(msg conn.ChatMessage) {
	k := ChatKey{Server: msg.Server, ClientID: msg.SenderClientID}
	m.chatLocked(k, msg.SenderNickname).addLocked(Line{Text: msg.Content, At: msg.SentAt})
}

// AddOwnChat records a message we sent.
func (m *Model) AddOwnChat(k ChatKey, nickname, text string) {
	m.mu.Lock()
	m.chatLocked(k, nickname).addLocked(Line{FromMe: true, Text: text, At: time.Now()})
	m.changed()
}

// AddChatNotice records a system line, such as a failed send.
func (m *Model) AddChatNotice(k ChatKey, text string) {
	m.mu.Lock()
	m.chatLocked(k, "").addLocked(Line{System: true, Text: text, At: time.Now()})
	m.changed()
}

// Chat returns a copy of one conversation.
func (m *Model) Chat(k ChatKey) (Chat, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.chats[k]
	if c == nil {
		return Chat{}, false
	}
	out := *c
	out.Lines = slices.Clone(c.Lines)
	return out, true
}

// Chats lists conversations with their unread counts (lines omitted).
func (m *Model) Chats() []Chat {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Chat, 0, len(m.chats))
	for _, c := range m.chats {
		out = append(out, Chat{Key: c.Key, Nickname: c.Nickname, Unread: c.Unread})
	}
	slices.SortFunc(out, func(a, b Chat) int {
		if a.Key.Server != b.Key.Server {
			if a.Key.Server < b.Key.Server {
				return -1
			}
			return 1
		}
		if a.Key.ClientID < b.Key.ClientID {
			return -1
		}
		if a.Key.ClientID > b.Key.ClientID {
			return 1
		}
		return 0
	})
	return out
}

// MarkRead clears a conversation's unread count.
func (m *Model) MarkRead(k ChatKey) {
	m.mu.Lock()
	if c := m.chats[k]; c != nil {
		c.Unread = 0
	}
	m.changed()
}

// Online reports whether a user is online on its server right now.
func (m *Model) Online(k ChatKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.users[k.Server][k.ClientID]
	return ok
}
