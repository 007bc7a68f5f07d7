package model

import (
	"slices"
	"sort"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// CardState is what became of a request.
type CardState int

const (
	// Pending: waiting for the user.
	Pending CardState = iota
	// Sending: our reply is written, delivery not confirmed yet.
	Sending
	// Queued: our reply waits for the server to come back.
	Queued
	// AnsweredByMe: the server confirmed our reply.
	AnsweredByMe
	// AnsweredElsewhere: another client answered first.
	AnsweredElsewhere
	// Cancelled: the agent's call timed out or was cancelled.
	Cancelled
	// Gone: answered or cancelled while we were disconnected.
	Gone
	// Undeliverable: our reply could not reach the agent.
	Undeliverable
)

// String names the state for logs and tests.
func (s CardState) String() string {
	return [...]string{"pending", "sending", "queued", "answered", "answered elsewhere",
		"cancelled", "gone", "undeliverable"}[s]
}

// Open reports whether the request still waits for an answer from us.
func (s CardState) Open() bool { return s == Pending }

// Submit is the progress of a reply the user asked to send before the
// connection took it: the step between pressing Send and the card becoming
// Sending or Queued.
type Submit int

const (
	// SubmitNone: nothing asked, or the connection has taken the reply.
	SubmitNone Submit = iota
	// Submitting: handed to the connection, no answer yet.
	Submitting
	// SubmitFailed: the connection refused the reply; SubmitErr says why.
	SubmitFailed
)

// Card is one request in the timeline and what became of it.
type Card struct {
	Request *conn.Request
	State   CardState
	// Reply is our reply text (Sending, Queued, AnsweredByMe, Undeliverable).
	Reply string
	// By and ByText: who answered elsewhere, and what they said.
	By     string
	ByText string
	// Received are the images, files and audio their reply carried
	// (AnsweredElsewhere); shared with other copies of the card, so never
	// changed in place.
	Received []Received
	// ReplyAttachments describe the files our reply carries.
	ReplyAttachments []conn.AttachmentInfo
	// Reason explains Cancelled and Undeliverable.
	Reason string
	// Updated is when State last changed.
	Updated time.Time
	// Submit and SubmitErr track a reply on its way to the connection.
	Submit    Submit
	SubmitErr error
	// Rev changes whenever anything on the card changes, so a view can
	// skip cards it already shows as they are.
	Rev uint64
	// History marks a card read from the history database at start-up
	// (or kept from a deleted server) rather than seen live this run.
	History bool
	// Preview marks a card whose texts are cut to a preview; the full
	// texts are in the history database.
	Preview bool
}

// Key identifies the card's request.
func (c Card) Key() conn.RequestKey { return c.Request.Key() }

// Answerable reports whether the user can reply now: the request is open
// and no reply of ours is on its way.
func (c Card) Answerable() bool { return c.State.Open() && c.Submit != Submitting }

// Filter selects which cards the timeline shows.
type Filter struct {
	// Server limits the view to one server; empty shows all.
	Server conn.ServerID
	// PendingOnly hides finished cards.
	PendingOnly bool
}

func (f Filter) match(c *Card) bool {
	return (f.Server == "" || c.Request.Server == f.Server) && (!f.PendingOnly || c.State.Open())
}

// touchLocked gives a card a new revision after a change.
func (m *Model) touchLocked(c *Card) {
	m.rev++
	c.Rev = m.rev
}

func (m *Model) arriveLocked(r *conn.Request) {
	if old := m.byKey[r.Key()]; old != nil {
		if old.State.Open() {
			return
		}
		// The same id came back (a reconnect to a server that still holds
		// it after we thought it gone): it is open again.
		m.finished--
		old.State, old.Updated = Pending, time.Now()
		old.Submit, old.SubmitErr = SubmitNone, nil
		m.touchLocked(old)
		m.placeInViewLocked(old)
		m.pendingLocked(r.Server, +1)
		return
	}
	c := &Card{Request: r, State: Pending, Updated: time.Now()}
	m.touchLocked(c)
	m.byKey[r.Key()] = c
	i := sort.Search(len(m.cards), func(i int) bool { return r.CreatedAt.Before(m.cards[i].Request.CreatedAt) })
	m.cards = slices.Insert(m.cards, i, c)
	if m.filter.match(c) {
		j := sort.Search(len(m.view), func(i int) bool { return r.CreatedAt.Before(m.view[i].Request.CreatedAt) })
		m.viewInsertLocked(j, c)
	}
	m.pendingLocked(r.Server, +1)
}

// finishLocked closes a card; events for cards we never had are ignored.
func (m *Model) finishLocked(k conn.RequestKey, apply func(*Card)) {
	c := m.byKey[k]
	if c == nil {
		return
	}
	wasOpen := c.State.Open()
	apply(c)
	c.Updated = time.Now()
	if !c.State.Open() {
		c.Submit, c.SubmitErr = SubmitNone, nil
	}
	m.touchLocked(c)
	if wasOpen && !c.State.Open() {
		m.closedLocked(c)
	}
}

// closedLocked accounts for a card that just left Pending.
func (m *Model) closedLocked(c *Card) {
	m.finished++
	m.closeDraftLocked(c.Key())
	if m.filter.PendingOnly {
		if j := slices.Index(m.view, c); j >= 0 {
			m.view = slices.Delete(m.view, j, j+1)
			m.viewKeys = slices.Delete(m.viewKeys, j, j+1)
			m.viewVersion++
		}
	}
	m.pendingLocked(c.Request.Server, -1)
	m.trimLocked()
}

// pendingLocked adds d to a server's count of open requests.
func (m *Model) pendingLocked(id conn.ServerID, d int) {
	if s := m.servers[id]; s != nil {
		s.Pending += d
	}
}

func (m *Model) applyReplyLocked(v conn.ReplyUpdate) {
	c := m.byKey[conn.RequestKey{Server: v.Server, ID: v.ID}]
	if c == nil {
		return
	}
	wasOpen := c.State.Open()
	c.Reply = v.Text
	c.ReplyAttachments = v.Attachments
	c.Updated = time.Now()
	c.Submit, c.SubmitErr = SubmitNone, nil
	switch v.Status {
	case conn.ReplyQueued:
		c.State = Queued
	case conn.ReplySent:
		c.State = Sending
	case conn.ReplyDelivered:
		c.State = AnsweredByMe
	case conn.ReplyUndeliverable:
		c.State, c.Reason = Undeliverable, v.Reason
	}
	m.touchLocked(c)
	// The reply carries the draft's attachments: none is left unsent.
	m.rich.release(c.Key())
	if wasOpen {
		m.closedLocked(c)
	}
}

// BeginReply marks an open card as having a reply on its way to the
// connection. It reports false when the card cannot be answered now
// (unknown, closed, or a reply already on its way).
func (m *Model) BeginReply(k conn.RequestKey) bool {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil || !c.Answerable() {
		m.mu.Unlock()
		return false
	}
	c.Submit, c.SubmitErr = Submitting, nil
	m.touchLocked(c)
	m.changed()
	return true
}

// ReplyFailed records why the connection refused a reply; the card stays
// open so the user can try again.
func (m *Model) ReplyFailed(k conn.RequestKey, err error) {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil || c.Submit != Submitting {
		m.mu.Unlock()
		return
	}
	c.Submit, c.SubmitErr = SubmitFailed, err
	m.touchLocked(c)
	m.changed()
}

// countLocked recomputes per-server pending counts from scratch (after a
// server was added or removed; arrivals and closes count incrementally).
func (m *Model) countLocked() {
	for _, s := range m.servers {
		s.Pending = 0
	}
	for _, c := range m.cards {
		if c.State.Open() {
			if s := m.servers[c.Request.Server]; s != nil {
				s.Pending++
			}
		}
	}
}

// forgetCardLocked drops what is kept beside a card that leaves the model.
func (m *Model) forgetCardLocked(c *Card) {
	delete(m.byKey, c.Key())
	if !c.State.Open() {
		m.finished--
	}
	m.compose.forget(c.Key())
	m.rich.forget(c.Key())
}

// trimLocked drops the oldest finished cards beyond the cap.
func (m *Model) trimLocked() {
	if m.finished <= m.maxFinished {
		return
	}
	drop := m.finished - m.maxFinished
	// The oldest finished cards are near the front: find them there, and
	// shift each slice once.
	var gone []*Card
	last := -1
	for i, c := range m.cards {
		if len(gone) == drop {
			break
		}
		if !c.State.Open() && c.State != Sending && c.State != Queued {
			gone = append(gone, c)
			last = i
		}
	}
	if len(gone) == 0 {
		return
	}
	isGone := func(c *Card) bool { return slices.Contains(gone, c) }
	head := slices.DeleteFunc(m.cards[:last+1], isGone)
	m.cards = append(head, m.cards[last+1:]...)
	for _, c := range gone {
		m.forgetCardLocked(c)
	}
	if j := slices.IndexFunc(m.view, isGone); j >= 0 {
		// Walk the view and its keys together, dropping the gone cards.
		w := j
		for k, n := j, 0; k < len(m.view); k++ {
			if n < len(gone) && isGone(m.view[k]) {
				n++
				continue
			}
			m.view[w], m.viewKeys[w] = m.view[k], m.viewKeys[k]
			w++
		}
		clear(m.view[w:])
		m.view, m.viewKeys = m.view[:w], m.viewKeys[:w]
		m.viewVersion++
	}
}

// placeInViewLocked re-adds a card that became visible under the filter.
func (m *Model) placeInViewLocked(c *Card) {
	if !m.filter.match(c) || slices.Contains(m.view, c) {
		return
	}
	j := sort.Search(len(m.view), func(i int) bool { return c.Request.CreatedAt.Before(m.view[i].Request.CreatedAt) })
	m.viewInsertLocked(j, c)
}

// viewInsertLocked puts c at position j of the view. The view's keys are
// kept beside it, so ViewKeys copies them without visiting every card.
func (m *Model) viewInsertLocked(j int, c *Card) {
	m.view = slices.Insert(m.view, j, c)
	m.viewKeys = slices.Insert(m.viewKeys, j, c.Key())
	m.viewVersion++
}

func (m *Model) rebuildViewLocked() {
	clear(m.view)
	m.view, m.viewKeys = m.view[:0], m.viewKeys[:0]
	for _, c := range m.cards {
		if m.filter.match(c) {
			m.view = append(m.view, c)
			m.viewKeys = append(m.viewKeys, c.Key())
		}
	}
	m.viewVersion++
	m.countLocked()
}

// SetFilter changes what the timeline shows.
func (m *Model) SetFilter(f Filter) {
	m.mu.Lock()
	if m.filter == f {
		m.mu.Unlock()
		return
	}
	m.filter = f
	m.rebuildViewLocked()
	m.changed()
}

// Filter returns the current filter.
func (m *Model) Filter() Filter {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.filter
}

// Len is the number of cards in the current view.
func (m *Model) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.view)
}

// ViewKeys appends the keys of the current view, oldest first, to buf and
// returns them with the view's version, which changes whenever cards enter,
// leave or move in the view (not when a card's content changes: see
// Card.Rev).
func (m *Model) ViewKeys(buf []conn.RequestKey) ([]conn.RequestKey, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(buf[:0], m.viewKeys...), m.viewVersion
}

// ViewVersion returns the version ViewKeys would return now.
func (m *Model) ViewVersion() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.viewVersion
}

// At returns a copy of the i-th card of the current view, oldest first.
func (m *Model) At(i int) (Card, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i < 0 || i >= len(m.view) {
		return Card{}, false
	}
	return *m.view[i], true
}

// Card returns a copy of one card.
func (m *Model) Card(k conn.RequestKey) (Card, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byKey[k]
	if c == nil {
		return Card{}, false
	}
	return *c, true
}

// IndexOf returns the view position of a card, or -1.
func (m *Model) IndexOf(k conn.RequestKey) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.IndexFunc(m.view, func(c *Card) bool { return c.Key() == k })
}

// OldestPending returns the oldest card in the current view that the user
// can answer now.
func (m *Model) OldestPending() (conn.RequestKey, int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, c := range m.view {
		if c.Answerable() {
			return c.Key(), i, true
		}
	}
	return conn.RequestKey{}, -1, false
}

// PendingTotal counts open requests on every server.
func (m *Model) PendingTotal() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.servers {
		n += s.Pending
	}
	return n
}
