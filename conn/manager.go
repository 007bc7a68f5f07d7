package conn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Errors returned by Manager actions.
var (
	// ErrUnknownServer: no server with that id is configured.
	ErrUnknownServer = errors.New("unknown server")
	// ErrNotPending: the request is not waiting for an answer on that server.
	ErrNotPending = errors.New("request is not pending")
	// ErrAlreadyReplied: a reply to that request is already on its way.
	ErrAlreadyReplied = errors.New("a reply is already on its way")
	// ErrOffline: the server is not connected right now.
	ErrOffline = errors.New("server is not connected")
	// ErrTooLong: the text is over its limit (see package limits).
	ErrTooLong = errors.New("too long")
)

// Manager keeps every enabled server connected, each independently, and
// merges their events into one ordered-per-server stream.
type Manager struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	queue  *eventQueue
	out    chan Event
	wg     sync.WaitGroup

	mu       sync.RWMutex
	servers  map[ServerID]*server
	token    string
	nickname string
	closed   bool
}

// eventBuffer is how many events wait in the consumer's channel before
// readers hand them to the dispatcher. A variable so that a test can make
// the dispatcher's path easy to reach.
var eventBuffer = 1 << 16

// NewManager starts a manager with no servers; add them with Put or Set.
func NewManager(opts Options) *Manager {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	// A roomy channel lets readers hand events straight to a consumer that
	// is a little behind (a UI frame, a descheduled goroutine), instead of
	// spilling into the dispatcher's FIFO, which handles each event twice.
	// At 4096 a 10-server burst spilled every few milliseconds and fan-in
	// lost about 5% of its throughput. The 1 MB buffer is address space;
	// the OS backs its pages only once a burst has reached them.
	out := make(chan Event, eventBuffer)
	m := &Manager{
		opts: opts, ctx: ctx, cancel: cancel,
		queue:    newEventQueue(out),
		out:      out,
		servers:  map[ServerID]*server{},
		token:    opts.Token,
		nickname: opts.Nickname,
	}
	m.wg.Add(1)
	go m.dispatch()
	return m
}

// Events is the stream of everything that happens on every server. It is
// closed by Close. Read it promptly; events queue without limit meanwhile.
func (m *Manager) Events() <-chan Event { return m.out }

func (m *Manager) dispatch() {
	defer m.wg.Done()
	for {
		batch := m.queue.take()
		if len(batch) == 0 {
			select {
			case <-m.queue.wake:
				continue
			case <-m.ctx.Done():
				return
			}
		}
		// Consecutive events mostly come from one server: its check is
		// reused within the batch.
		var last Origin
		lastOK, checked := false, false
		for _, e := range batch {
			ok := true
			if _, removed := e.(ServerRemoved); removed {
				checked = false // what follows it is checked afresh
			} else {
				if o := e.origin(); !checked || o != last {
					last, lastOK, checked = o, m.current(e), true
				}
				ok = lastOK
			}
			if ok {
				select {
				case m.out <- e:
				case <-m.ctx.Done():
					return
				}
			}
			m.queue.sent()
		}
	}
}

// current reports whether e belongs to the server as configured now. The
// dispatcher passes ServerRemoved on without asking.
func (m *Manager) current(e Event) bool {
	o := e.origin()
	m.mu.RLock()
	s := m.servers[o.Server]
	m.mu.RUnlock()
	return s != nil && s.epoch.Load() == o.epoch
}

// ServerRemoved: the server was removed from the manager.
type ServerRemoved struct{ Origin }

func (m *Manager) identity() (token, nickname string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token, m.nickname
}

// Put adds a server, or applies new settings to an existing one. Only that
// server is touched; a changed URL or credentials reconnect it at once.
func (m *Manager) Put(cfg ServerConfig) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	if s := m.servers[cfg.ID]; s != nil {
		s.update(cfg)
		return
	}
	s := newServer(m, cfg)
	m.servers[cfg.ID] = s
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		s.run()
	}()
}

// Set makes the configured servers exactly cfgs: new ones are added, changed
// ones updated, missing ones removed.
func (m *Manager) Set(cfgs []ServerConfig) {
	keep := map[ServerID]bool{}
	for _, c := range cfgs {
		keep[c.ID] = true
		m.Put(c)
	}
	for _, id := range m.ServerIDs() {
		if !keep[id] {
			m.Remove(id)
		}
	}
}

// Remove disconnects and forgets a server.
func (m *Manager) Remove(id ServerID) {
	m.mu.Lock()
	s := m.servers[id]
	if m.closed || s == nil {
		m.mu.Unlock()
		return // Close takes care of every server it finds
	}
	delete(m.servers, id)
	m.wg.Add(1) // Close waits for this before closing Events
	m.mu.Unlock()
	defer m.wg.Done()
	s.cancel()
	<-s.done
	s.fence()
	m.queue.push(ServerRemoved{Origin{Server: id}}, false)
}

// ServerIDs lists the configured servers, sorted.
func (m *Manager) ServerIDs() []ServerID {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]ServerID, 0, len(m.servers))
	for id := range m.servers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// State returns a server's current state.
func (m *Manager) State(id ServerID) (State, bool) {
	s := m.server(id)
	if s == nil {
		return State{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, true
}

func (m *Manager) server(id ServerID) *server {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.servers[id]
}

// RetryNow skips the wait before the next connection attempt, and retries a
// server whose credentials were refused.
func (m *Manager) RetryNow(id ServerID) error {
	s := m.server(id)
	if s == nil {
		return fmt.Errorf("%w: %s", ErrUnknownServer, id)
	}
	s.poke()
	return nil
}

// Reply answers a question or confirms a work report with text, on the
// server the request came from. While that server is offline the reply waits
// in its outbox; progress arrives as ReplyUpdate events.
func (m *Manager) Reply(key RequestKey, text string) error {
	return m.ReplyWith(key, text, nil)
}

// ReplyWith is Reply with attachments, sent in the same message as the
// text, as the Flutter client sends them. The whole reply is checked first
// (ErrReplyTooLarge, empty attachments): nothing is queued half-way. The
// outbox, resend and delivery rules of text replies apply unchanged.
func (m *Manager) ReplyWith(key RequestKey, text string, atts []Attachment) error {
	s := m.server(key.Server)
	if s == nil {
		return fmt.Errorf("%w: %s", ErrUnknownServer, key.Server)
	}
	atts, err := checkAttachments(atts)
	if err != nil {
		return err
	}
	return s.reply(key.ID, text, atts)
}

// SendChat sends a chat message to another user on one server. Chat is not
// queued: it fails with ErrOffline while that server is down, and with
// ErrTooLong when text is over limits.ChatMessageBytes.
func (m *Manager) SendChat(id ServerID, receiverClientID, text string) error {
	s := m.server(id)
	if s == nil {
		return fmt.Errorf("%w: %s", ErrUnknownServer, id)
	}
	if len(text) > limits.ChatMessageBytes {
		return fmt.Errorf("%w: a chat message can be at most %d KB (this one is %d KB)",
			ErrTooLong, limits.ChatMessageBytes>>10, (len(text)+1023)>>10)
	}
	return s.write(&wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage,
		SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: receiverClientID, Content: text}})
}

// SetNickname announces a new nickname on every connected server (a repeated
// UserLogin) and uses it for future connections.
func (m *Manager) SetNickname(nickname string) {
	m.mu.Lock()
	m.nickname = nickname
	token := m.token
	servers := m.serverList()
	m.mu.Unlock()
	for _, s := range servers {
		_ = s.write(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: token, Nickname: nickname})
	}
}

// SetToken changes the user token and reconnects every server with it.
func (m *Manager) SetToken(token string) {
	m.mu.Lock()
	if m.token == token {
		m.mu.Unlock()
		return
	}
	m.token = token
	servers := m.serverList()
	m.mu.Unlock()
	for _, s := range servers {
		s.mu.Lock()
		s.epoch.Add(1) // another token sees other requests
		s.restartLocked()
		s.mu.Unlock()
	}
}

// serverList snapshots the servers; the caller holds m.mu.
func (m *Manager) serverList() []*server {
	out := make([]*server, 0, len(m.servers))
	for _, s := range m.servers {
		out = append(out, s)
	}
	return out
}

// Close disconnects every server and closes the Events channel.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	servers := m.serverList()
	m.mu.Unlock()
	for _, s := range servers {
		s.cancel()
	}
	for _, s := range servers {
		<-s.done
		s.fence() // a reader that is still finishing a frame emits no more
	}
	m.cancel()
	m.wg.Wait()
	m.queue.close()
}
