// Package model is agentdesk's UI-free state, and its one home: the
// timeline of requests from every server and what became of each (including
// the progress of our own replies), the servers with their connection state
// and health, who is online where, the chat conversations, the drafts and
// reply focus of the person at the keyboard, and the notices waiting to be
// read. It is changed by the application core (conn/desk) and read by the ui
// package; nothing here imports Fyne, so all of it is tested without a
// display.
//
// Everything is keyed by server: request ids (chosen by agents), users and
// chats are only unique within one server.
package model

import (
	"slices"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// Server is one configured server as the UI shows it.
type Server struct {
	ID    conn.ServerID
	Label string
	URL   string
	State conn.State
	// Pending counts its open requests held here.
	Pending int
	// Health is the latest probe of its health endpoint.
	Health Health
}

// Health is the outcome of one probe of a server's health endpoint.
type Health struct {
	// Checked is false until the first probe finished.
	Checked bool
	OK      bool
	// Version is what newer servers report, if anything.
	Version string
	// Err says why the probe failed, in plain words.
	Err string
	// At is when the probe finished.
	At time.Time
}

// Model holds the state. All methods are safe for concurrent use.
type Model struct {
	mu          sync.Mutex
	maxFinished int
	onChange    func()
	rev         uint64 // last revision given to a card

	servers map[conn.ServerID]*Server
	order   []conn.ServerID // display order, set by SetServers

	cards    []*Card // every card, oldest first
	byKey    map[conn.RequestKey]*Card
	finished int

	filter      Filter
	view        []*Card           // cards matching filter, oldest first
	viewKeys    []conn.RequestKey // the keys of view, in step with it
	viewVersion uint64            // changes whenever view changes shape

	compose composeState
	rich    richState

	users map[conn.ServerID]map[string]conn.OnlineUser
	chats map[ChatKey]*Chat
	lineN uint64 // last chat line id

	notices []Notice

	// histLabels names servers known only from the history.
	histLabels map[conn.ServerID]string
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
		compose:     newComposeState(),
		histLabels:  map[conn.ServerID]string{},
		rich:        newRichState(),
	}
}

// OnChange sets the function called after every change that the UI shows,
// on the goroutine that made it. The ui package coalesces these into one
// refresh per frame.
func (m *Model) OnChange(f func()) {
	m.mu.Lock()
	m.onChange = f
	m.mu.Unlock()
}

// changed unlocks and reports a change.
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
	label := ""
	if s := m.servers[id]; s != nil {
		label = s.Label
	}
	delete(m.servers, id)
	delete(m.users, id)
	for k := range m.chats {
		if k.Server == id {
			delete(m.chats, k)
		}
	}
	kept := false
	m.cards = slices.DeleteFunc(m.cards, func(c *Card) bool {
		if c.Request.Server != id {
			return false
		}
		if c.History || (!c.State.Open() && c.State != Sending && c.State != Queued) {
			// What is over stays, as history: deleting a server asks
			// separately whether its history goes too.
			c.History = true
			m.touchLocked(c)
			kept = true
			return false
		}
		m.forgetCardLocked(c)
		return true
	})
	if kept && label != "" {
		m.histLabels[id] = label
	}
	if m.filter.Server == id {
		m.filter.Server = ""
	}
	m.rebuildViewLocked()
}

// SetHealth records the latest health probe of a server.
func (m *Model) SetHealth(id conn.ServerID, h Health) {
	m.mu.Lock()
	s := m.servers[id]
	if s == nil || s.Health == h {
		m.mu.Unlock()
		return
	}
	s.Health = h
	m.changed()
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
			c.Received = receivedFrom(v.Attachments)
		})
		if len(v.Attachments) > 0 {
			m.budgetReceivedLocked()
		}
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
				m.addLineLocked(c, Line{System: true, Text: "server offline", At: time.Now()})
			}
		}
	}
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

// Server returns one server.
func (m *Model) Server(id conn.ServerID) (Server, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.servers[id]; s != nil {
		return *s, true
	}
	return Server{}, false
}

// Label returns a server's display label.
func (m *Model) Label(id conn.ServerID) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.servers[id]; s != nil && s.Label != "" {
		return s.Label
	}
	if l := m.histLabels[id]; l != "" {
		return l
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
