// Package model is agentdesk's UI-free state: the timeline of requests from
// every server, what became of each, who is online where, and the chat
// conversations. It is fed conn events and read by the ui package; nothing
// here imports Fyne, so all of it is tested without a display.
//
// Everything is keyed by server: request ids (chosen by agents), users and
// chats are only unique within one server.
package model

import (
	"slices"
	"sort"
	"strings"
	"sync"
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

// Open reports whether the user can still reply.
func (s CardState) Open() bool { return s == Pending }

// Card is one request in the timeline and what became of it.
type Card struct {
	Request *conn.Request
	State   CardState
	// Reply is our reply text (Sending, Queued, AnsweredByMe, Undeliverable).
	Reply string
	// By and ByText: who answered elsewhere, and what they said.
	By     string
	ByText string
	// Reason explains Cancelled and Undeliverable.
	Reason string
	// Updated is when State last changed.
	Updated time.Time
}

// Key identifies the card's request.
func (c Card) Key() conn.RequestKey { return c.Request.Key() }

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

// Server is one configured server as the UI shows it.
type Server struct {
	ID    conn.ServerID
	Label string
	URL   string
	State conn.State
	// Pending counts its open requests.
	Pending int
}

// Model holds the state. All methods are safe for concurrent use.
type Model struct {
	mu          sync.Mutex
	maxFinished int
	onChange    func()

	servers map[conn.ServerID]*Server
	order   []conn.ServerID // display order, set by SetServers

	cards    []*Card // every card, oldest first
	byKey    map[conn.RequestKey]*Card
	finished int

	filter Filter
	view   []*Card // cards matching filter, oldest first

	users map[conn.ServerID]map[string]conn.OnlineUser
	chats map[ChatKey]*Chat
}

// DefaultMaxFinished is how many finished cards are kept by default.
const DefaultMaxFinished = 1000

// New returns an empty model that keeps at most maxFinished finished cards
// (pending ones are always kept); 0 means DefaultMaxFinished.
func New(maxFinished int) *Model {
	if maxFinished <= 0 {
		maxFinished = DefaultMaxFinished
	}
	return &Model{
		maxFinished: maxFinished,
		onChange:    func() {},
		servers:     map[conn.ServerID]*Server{},
		byKey:       map[conn.RequestKey]*Card{},
		users:       map[conn.ServerID]map[string]conn.OnlineUser{},
		chats:       map[ChatKey]*Chat{},
	}
}

// OnChange sets the function called after every change, on the goroutine
// that made it. The ui package coalesces these into one refresh per frame.
func (m *Model) OnChange(f func()) {
	m.mu.Lock()
	m.onChange = f
	m.mu.Unlock()
}

func (m *Model) changed() {
	f := m.onChange
	m.mu.Unlock()
	f()
}

// SetServers declares the configured servers in display order. Unknown
// servers are added, missing ones (and their cards, users and chats) removed.
func (m *Model) SetServers(list []conn.ServerConfig) {
	m.mu.Lock()
	keep := map[conn.ServerID]bool{}
	m.order = m.order[:0]
	for _, c := range list {
		keep[c.ID] = true
		m.order = append(m.order, c.ID)
		s := m.servers[c.ID]
		if s == nil {
			s = &Server{ID: c.ID, State: conn.State{Phase: conn.PhaseConnecting}}
			if !c.Enabled {
				s.State.Phase = conn.PhaseDisabled
			}
			m.servers[c.ID] = s
		}
		s.Label, s.URL = c.Label, c.URL
	}
	for id := range m.servers {
		if !keep[id] {
			m.dropServerLocked(id)
		}
	}
	m.changed()
}

func (m *Model) dropServerLocked(id conn.ServerID) {
	delete(m.servers, id)
	delete(m.users, id)
	for k := range m.chats {
		if k.Server == id {
			delete(m.chats, k)
		}
	}
	m.cards = slices.DeleteFunc(m.cards, func(c *Card) bool {
		if c.Request.Server != id {
			return false
		}
		delete(m.byKey, c.Key())
		if !c.State.Open() {
			m.finished--
		}
		return true
	})
	if m.filter.Server == id {
		m.filter.Server = ""
	}
	m.rebuildViewLocked()
}

// Apply folds one conn event into the model.
func (m *Model) Apply(e conn.Event) {
	m.mu.Lock()
	srv := m.servers[e.ServerID()]
	if srv == nil {
		if _, removed := e.(conn.ServerRemoved); !removed {
			// Events for servers the UI does not know yet still count.
			srv = &Server{ID: e.ServerID(), Label: string(e.ServerID())}
			m.servers[srv.ID] = srv
			m.order = append(m.order, srv.ID)
		}
	}
	switch v := e.(type) {
	case conn.StateChanged:
		m.applyStateLocked(srv, v.State)
	case conn.RequestArrived:
		m.arriveLocked(v.Request)
	case conn.RequestAnswered:
		m.finishLocked(conn.RequestKey{Server: v.Server, ID: v.ID}, func(c *Card) {
			c.State, c.By, c.ByText = AnsweredElsewhere, v.By, v.Text
		})
	case conn.RequestCancelled:
		m.finishLocked(conn.RequestKey{Server: v.Server, ID: v.ID}, func(c *Card) {
			c.State, c.Reason = Cancelled, v.Reason
		})
	case conn.RequestGone:
		m.finishLocked(conn.RequestKey{Server: v.Server, ID: v.ID}, func(c *Card) {
			if c.State == Pending {
				c.State = Gone
			}
		})
	case conn.ReplyUpdate:
		m.applyReplyLocked(v)
	case conn.OnlineUsers:
		users := map[string]conn.OnlineUser{}
		for _, u := range v.Users {
			users[u.ClientID] = u
		}
		m.users[v.Server] = users
	case conn.UserStatus:
		m.applyUserLocked(v)
	case conn.ChatReceived:
		m.receiveChatLocked(v.Message)
	case conn.ServerRemoved:
		m.order = slices.DeleteFunc(m.order, func(id conn.ServerID) bool { return id == v.Server })
		m.dropServerLocked(v.Server)
	}
	m.changed()
}

func (m *Model) applyStateLocked(srv *Server, st conn.State) {
	wasUp := srv.State.Phase == conn.PhaseConnected
	srv.State = st
	if st.Label != "" {
		srv.Label = st.Label
	}
	if st.URL != "" {
		srv.URL = st.URL
	}
	if wasUp && st.Phase != conn.PhaseConnected {
		// Whoever was online there is unknown until we are back.
		delete(m.users, srv.ID)
		for k, c := range m.chats {
			if k.Server == srv.ID {
				c.addLocked(Line{System: true, Text: "server offline", At: time.Now()})
			}
		}
	}
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
		m.placeInViewLocked(old)
		m.countLocked()
		return
	}
	c := &Card{Request: r, State: Pending, Updated: time.Now()}
	m.byKey[r.Key()] = c
	i := sort.Search(len(m.cards), func(i int) bool { return r.CreatedAt.Before(m.cards[i].Request.CreatedAt) })
	m.cards = slices.Insert(m.cards, i, c)
	if m.filter.match(c) {
		j := sort.Search(len(m.view), func(i int) bool { return r.CreatedAt.Before(m.view[i].Request.CreatedAt) })
		m.view = slices.Insert(m.view, j, c)
	}
	m.countLocked()
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
	if wasOpen && !c.State.Open() {
		m.closedLocked(c)
	}
}

// closedLocked accounts for a card that just left Pending.
func (m *Model) closedLocked(c *Card) {
	m.finished++
	if m.filter.PendingOnly {
		m.view = slices.DeleteFunc(m.view, func(x *Card) bool { return x == c })
	}
	m.countLocked()
	m.trimLocked()
}

func (m *Model) applyReplyLocked(v conn.ReplyUpdate) {
	c := m.byKey[conn.RequestKey{Server: v.Server, ID: v.ID}]
	if c == nil {
		return
	}
	wasOpen := c.State.Open()
	c.Reply = v.Text
	c.Updated = time.Now()
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
	if wasOpen {
		m.closedLocked(c)
	}
}

// countLocked recomputes per-server pending counts.
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

// trimLocked drops the oldest finished cards beyond the cap.
func (m *Model) trimLocked() {
	if m.finished <= m.maxFinished {
		return
	}
	drop := m.finished - m.maxFinished
	gone := map[*Card]bool{}
	m.cards = slices.DeleteFunc(m.cards, func(c *Card) bool {
		if drop == 0 || c.State.Open() || c.State == Sending || c.State == Queued {
			return false
		}
		drop--
		gone[c] = true
		delete(m.byKey, c.Key())
		return true
	})
	m.finished -= len(gone)
	m.view = slices.DeleteFunc(m.view, func(c *Card) bool { return gone[c] })
}

// placeInViewLocked re-adds a card that became visible under the filter.
func (m *Model) placeInViewLocked(c *Card) {
	if !m.filter.match(c) || slices.Contains(m.view, c) {
		return
	}
	j := sort.Search(len(m.view), func(i int) bool { return c.Request.CreatedAt.Before(m.view[i].Request.CreatedAt) })
	m.view = slices.Insert(m.view, j, c)
}

func (m *Model) rebuildViewLocked() {
	m.view = m.view[:0]
	for _, c := range m.cards {
		if m.filter.match(c) {
			m.view = append(m.view, c)
		}
	}
	m.countLocked()
}

// SetFilter changes what the timeline shows.
func (m *Model) SetFilter(f Filter) {
	m.mu.Lock()
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

// OldestPending returns the oldest open card in the current view.
func (m *Model) OldestPending() (conn.RequestKey, int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, c := range m.view {
		if c.State.Open() {
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

// Servers returns every server in display order.
func (m *Model) Servers() []Server {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Server, 0, len(m.order))
	for _, id := range m.order {
		if s := m.servers[id]; s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// Label returns a server's display label.
func (m *Model) Label(id conn.ServerID) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.servers[id]; s != nil && s.Label != "" {
		return s.Label
	}
	return string(id)
}

// Connectivity counts enabled and connected servers, for the status badge.
func (m *Model) Connectivity() (connected, enabled int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.servers {
		if s.State.Phase != conn.PhaseDisabled {
			enabled++
		}
		if s.State.Phase == conn.PhaseConnected {
			connected++
		}
	}
	return connected, enabled
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
				c.addLocked(Line{System: true, Text: v.User.Nickname + " is online", At: time.Now()})
			}
		}
		return
	}
	delete(users, v.User.ClientID)
	if c := m.chats[key]; c != nil && wasOnline {
		c.addLocked(Line{System: true, Text: c.Nickname + " went offline", At: time.Now()})
	}
}
