package model

import (
	"slices"

	"github.com/agentdesk/agentdesk/conn"
)

// AddHistory puts finished requests read from the history database into
// the timeline, before any server connects. They are marked History, count
// as finished (the cap on finished cards applies), and never replace a card
// the model already holds: the servers stay the truth for what is pending.
// labels names servers the model does not know (deleted ones whose history
// was kept).
func (m *Model) AddHistory(cards []Card, labels map[conn.ServerID]string) {
	m.mu.Lock()
	for id, l := range labels {
		if l != "" {
			m.histLabels[id] = l
		}
	}
	added := false
	for i := range cards {
		c := cards[i]
		if c.Request == nil || m.byKey[c.Key()] != nil || c.State.Open() {
			continue
		}
		c.History = true
		m.touchLocked(&c)
		m.cards = append(m.cards, &c)
		m.byKey[c.Key()] = &c
		m.finished++
		added = true
	}
	if !added {
		m.mu.Unlock()
		return
	}
	slices.SortStableFunc(m.cards, func(a, b *Card) int { return a.Request.CreatedAt.Compare(b.Request.CreatedAt) })
	m.rebuildViewLocked()
	m.trimLocked()
	m.changed()
}

// DropHistory removes the history cards of one server (its history was
// deleted).
func (m *Model) DropHistory(id conn.ServerID) {
	m.mu.Lock()
	n := len(m.cards)
	m.cards = slices.DeleteFunc(m.cards, func(c *Card) bool {
		if c.Request.Server != id || !c.History {
			return false
		}
		m.forgetCardLocked(c)
		return true
	})
	if len(m.cards) == n {
		m.mu.Unlock()
		return
	}
	delete(m.histLabels, id)
	m.rebuildViewLocked()
	m.changed()
}

// PendingIDs lists the open requests the model holds for a server.
func (m *Model) PendingIDs(id conn.ServerID) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.cards {
		if c.Request.Server == id && c.State.Open() {
			out = append(out, c.Request.ID)
		}
	}
	return out
}

// AddChatHistory puts earlier lines of a conversation, read from the
// history database, before the lines the model holds. It does nothing
// when the conversation already shows earlier lines.
func (m *Model) AddChatHistory(k ChatKey, nickname string, lines []Line) {
	if len(lines) == 0 {
		return
	}
	m.mu.Lock()
	c := m.chatLocked(k, nickname)
	if c.historyLoaded {
		m.mu.Unlock()
		return
	}
	c.historyLoaded = true
	old := c.Lines
	c.Lines = make([]Line, 0, len(lines)+len(old))
	for _, l := range lines {
		m.lineN++
		l.ID, l.History = m.lineN, true
		c.Lines = append(c.Lines, l)
	}
	c.Lines = append(c.Lines, old...)
	if len(c.Lines) > maxChatLines {
		c.Lines = slices.Delete(c.Lines, 0, len(c.Lines)-maxChatLines)
	}
	m.changed()
}
