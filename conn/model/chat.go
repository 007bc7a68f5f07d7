package model

import (
	"slices"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// ChatKey identifies a conversation: one user on one server.
type ChatKey struct {
	Server   conn.ServerID
	ClientID string
}

// LineStatus is the progress of one of our own chat lines, following the
// same pattern as replies: on its way, then sent or failed.
type LineStatus int

const (
	// LineSent: delivered to our server (or a line we did not write).
	LineSent LineStatus = iota
	// LineSending: handed to the connection, no answer yet.
	LineSending
	// LineFailed: could not be sent; Err says why.
	LineFailed
)

// Line is one line of a conversation.
type Line struct {
	// ID identifies the line within the model.
	ID uint64
	// FromMe marks our own messages; System marks notices (went offline…).
	FromMe bool
	System bool
	Text   string
	At     time.Time
	// Status and Err track our own lines.
	Status LineStatus
	Err    error
	// History marks a line read from the history database.
	History bool
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

	historyLoaded bool
}

func (m *Model) addLineLocked(c *Chat, l Line) uint64 {
	m.lineN++
	l.ID = m.lineN
	c.Lines = append(c.Lines, l)
	if len(c.Lines) > maxChatLines {
		c.Lines = slices.Delete(c.Lines, 0, len(c.Lines)-maxChatLines)
	}
	if !l.FromMe && !l.System {
		c.Unread++
	}
	return l.ID
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
	m.addLineLocked(m.chatLocked(k, msg.SenderNickname), Line{Text: msg.Content, At: msg.SentAt})
}

// AddOwnChat records a message we are sending, as LineSending, and returns
// its line id for SetChatStatus.
func (m *Model) AddOwnChat(k ChatKey, nickname, text string) uint64 {
	m.mu.Lock()
	id := m.addLineLocked(m.chatLocked(k, nickname), Line{FromMe: true, Text: text, At: time.Now(), Status: LineSending})
	m.changed()
	return id
}

// SetChatStatus records what became of one of our lines.
func (m *Model) SetChatStatus(k ChatKey, line uint64, st LineStatus, err error) {
	m.mu.Lock()
	c := m.chats[k]
	if c == nil {
		m.mu.Unlock()
		return
	}
	i := slices.IndexFunc(c.Lines, func(l Line) bool { return l.ID == line })
	if i < 0 {
		m.mu.Unlock()
		return
	}
	c.Lines[i].Status, c.Lines[i].Err = st, err
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

// Chats lists conversations with their unread counts (lines omitted),
// sorted by server and client id.
func (m *Model) Chats() []Chat {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Chat, 0, len(m.chats))
	for _, c := range m.chats {
		out = append(out, Chat{Key: c.Key, Nickname: c.Nickname, Unread: c.Unread})
	}
	slices.SortFunc(out, func(a, b Chat) int {
		if c := strings.Compare(string(a.Key.Server), string(b.Key.Server)); c != 0 {
			return c
		}
		return strings.Compare(a.Key.ClientID, b.Key.ClientID)
	})
	return out
}

// MarkRead clears a conversation's unread count.
func (m *Model) MarkRead(k ChatKey) {
	m.mu.Lock()
	c := m.chats[k]
	if c == nil || c.Unread == 0 {
		m.mu.Unlock()
		return
	}
	c.Unread = 0
	m.changed()
}

// Online reports whether a user is online on its server right now.
func (m *Model) Online(k ChatKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.users[k.Server][k.ClientID]
	return ok
}

// Users lists everyone online, per server in display order, then by nickname.
// The same nickname on two servers is two entries.
func (m *Model) Users() []conn.OnlineUser {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []conn.OnlineUser
	for _, id := range m.order {
		start := len(out)
		for _, u := range m.users[id] {
			out = append(out, u)
		}
		part := out[start:]
		slices.SortFunc(part, func(a, b conn.OnlineUser) int {
			if c := strings.Compare(strings.ToLower(a.Nickname), strings.ToLower(b.Nickname)); c != 0 {
				return c
			}
			return strings.Compare(a.ClientID, b.ClientID)
		})
	}
	return out
}

func (m *Model) applyUserLocked(v conn.UserStatus) {
	users := m.users[v.Server]
	if users == nil {
		users = map[string]conn.OnlineUser{}
		m.users[v.Server] = users
	}
	key := ChatKey{Server: v.Server, ClientID: v.User.ClientID}
	_, wasOnline := users[v.User.ClientID]
	if v.Online {
		users[v.User.ClientID] = v.User
		if c := m.chats[key]; c != nil {
			c.Nickname = v.User.Nickname
			if !wasOnline {
				m.addLineLocked(c, Line{System: true, Text: v.User.Nickname + " is online", At: time.Now()})
			}
		}
		return
	}
	delete(users, v.User.ClientID)
	if c := m.chats[key]; c != nil && wasOnline {
		m.addLineLocked(c, Line{System: true, Text: c.Nickname + " went offline", At: time.Now()})
	}
}
