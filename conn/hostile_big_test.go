package conn_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// hostileHeapBudget is what holding the capped pending list of a server
// listing 100,000 requests may add to the live heap: 2000 held requests of
// a few hundred bytes each come to about 2 MB, and the budget leaves room
// for the event queue and the maps around them. Holding all 100,000 would
// take about 60 MB.
const hostileHeapBudget = 8 << 20

// watcher consumes a manager's events the way the app does, but keeps only
// what the hostile test checks, so the test itself holds no requests.
type watcher struct {
	mu       sync.Mutex
	changed  chan struct{}
	state    conn.State
	drops    int // times the connection went down
	arrived  map[string]bool
	big      *conn.Request
	seededHi int // highest index of a seeded request that arrived
	recon    []conn.Reconciled
	status   []conn.UserStatus
	online   []conn.OnlineUser
	chat     []conn.ChatMessage
}

func watch(m *conn.Manager) *watcher {
	w := &watcher{changed: make(chan struct{}), arrived: map[string]bool{}, seededHi: -1}
	go func() {
		for e := range m.Events() {
			w.mu.Lock()
			switch e := e.(type) {
			case conn.StateChanged:
				if w.state.Phase == conn.PhaseConnected && e.State.Phase != conn.PhaseConnected {
					w.drops++
				}
				w.state = e.State
			case conn.RequestArrived:
				w.arrived[e.Request.ID] = true
				var i int
				if _, err := fmt.Sscanf(e.Request.ID, "seed-%d", &i); err == nil {
					w.seededHi = max(w.seededHi, i)
				}
				if e.Request.ID == "big" {
					w.big = e.Request
				}
			case conn.RequestCancelled:
				delete(w.arrived, e.ID)
			case conn.Reconciled:
				w.recon = append(w.recon, e)
			case conn.UserStatus:
				w.status = append(w.status, e)
			case conn.OnlineUsers:
				w.online = append(w.online, e.Users...)
			case conn.ChatReceived:
				w.chat = append(w.chat, e.Message)
			}
			close(w.changed)
			w.changed = make(chan struct{})
			w.mu.Unlock()
		}
	}()
	return w
}

// until waits for cond, checked under the watcher's lock after every event.
func (w *watcher) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		w.mu.Lock()
		ok, changed := cond(), w.changed
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the second cycle frees what finalizers of the first let go
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A server and a peer doing their worst at once: a peer with a 1 MB
// nickname who sends a 1 MB chat message, a 10 MB question, 100,000 pending
// requests and pushes beyond the cap. The connection stays up; names and
// chat are cut to their limits; the question arrives whole; the oldest
// 2000 requests are held and the rest counted; answering one brings the
// next-oldest; and the heap stays within hostileHeapBudget.
func TestHostileServer(t *testing.T) {
	const seeded = 100_000
	srv := aatest.Start(t, aaserver.Config{})
	opts := fastOptions()
	opts.RefetchDelay = 50 * time.Millisecond
	m := conn.NewManager(opts)
	t.Cleanup(m.Close)
	w := watch(m)
	m.Put(serverCfg("H", srv.URL()))
	w.until(t, "the first pending list", func() bool { return len(w.recon) == 1 })

	// The peer: a 1 MB nickname, and a 1 MB chat message to us.
	hugeNick := strings.Repeat("界", 1<<20/3)
	peer, _, err := websocket.DefaultDialer.Dial(srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	go holdOpen(peer)
	sendFrame(peer, &wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: testToken, Nickname: hugeNick})
	w.until(t, "the peer's status", func() bool { return len(w.status) == 1 })
	w.mu.Lock()
	me := w.state.ClientID
	nick := w.status[0].User.Nickname
	w.mu.Unlock()
	if utf8.RuneCountInString(nick) != limits.NicknameChars || !strings.HasSuffix(nick, limits.Ellipsis) {
		t.Fatalf("peer nickname arrived as %d characters", utf8.RuneCountInString(nick))
	}
	sendFrame(peer, &wire.WebsocketMessage{Cmd: wire.CmdSendChatMessage,
		SendChatMessageRequest: &wire.SendChatMessageRequest{ReceiverClientId: me, Content: strings.Repeat("x", 1<<20)}})
	w.until(t, "the peer's chat", func() bool { return len(w.chat) == 1 })
	if c := w.chat[0]; len(c.Content) > limits.ChatMessageBytes || len(c.SenderNickname) > limits.NicknameChars*utf8.UTFMax {
		t.Fatalf("chat arrived with %d bytes from a %d-byte nickname", len(c.Content), len(c.SenderNickname))
	}

	// The 10 MB question, asked live: it is held whole.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	bigText := strings.Repeat("Is this too long? ", 10<<20/18)
	go srv.Ask(ctx, &wire.AskQuestionRequest{ID: "big", UserToken: testToken,
		Request: &wire.McpAskQuestionRequest{Question: bigText, AgentName: strings.Repeat("a", 1<<20)}})
	w.until(t, "the 10 MB question", func() bool { return w.big != nil })
	if w.big.Text != bigText || utf8.RuneCountInString(w.big.AgentName) != limits.AgentNameChars {
		t.Fatalf("the big question arrived with %d bytes of text and a %d-character agent name",
			len(w.big.Text), utf8.RuneCountInString(w.big.AgentName))
	}

	// 100,000 requests, older than the big one, listed after a reconnect.
	base := time.Now().Add(-time.Hour)
	seeds := make([]*wire.AskQuestionRequest, seeded)
	for i := range seeds {
		seeds[i] = &wire.AskQuestionRequest{ID: fmt.Sprintf("seed-%06d", i), UserToken: testToken,
			Request: &wire.McpAskQuestionRequest{Question: "Deploy?", ProjectDirectory: "/src/app", AgentName: "claude"}}
	}
	srv.AddPending(func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond) }, seeds...)
	seeds = nil
	before := liveHeap()
	if !srv.Disconnect(me) {
		t.Fatal("we were not connected")
	}
	w.until(t, "the long pending list", func() bool { return len(w.recon) == 2 })
	held := opts.MaxPending
	if held == 0 {
		held = conn.DefaultMaxPending
	}
	w.mu.Lock()
	if got := w.recon[1].Pending; got != seeded+1 {
		t.Errorf("Reconciled.Pending = %d, want %d", got, seeded+1)
	}
	// The big question stays (it was shown already); the oldest seeds fill
	// the rest of the cap.
	if len(w.arrived) != held || w.seededHi != held-2 || !w.arrived["big"] {
		t.Errorf("%d requests held, newest seed %d; want %d, the oldest", len(w.arrived), w.seededHi, held)
	}
	if w.state.PendingOverflow != seeded+1-held {
		t.Errorf("PendingOverflow = %d, want %d", w.state.PendingOverflow, seeded+1-held)
	}
	w.mu.Unlock()
	grown := int64(liveHeap()) - int64(before)
	t.Logf("live heap grew %.1f MB holding %d of %d pending requests (budget %d MB)",
		float64(grown)/(1<<20), held, seeded+1, hostileHeapBudget>>20)
	if grown > hostileHeapBudget {
		t.Errorf("live heap grew %d bytes, over the %d-byte budget", grown, hostileHeapBudget)
	}
	w.until(t, "the peer in the online list", func() bool { return len(w.online) > 0 })
	if n := w.online[0].Nickname; utf8.RuneCountInString(n) != limits.NicknameChars {
		t.Errorf("online user nickname is %d characters", utf8.RuneCountInString(n))
	}

	// A live push over the cap is counted, not held.
	go srv.Ask(ctx, &wire.AskQuestionRequest{ID: "over", UserToken: testToken, Request: &wire.McpAskQuestionRequest{Question: "one more"}})
	w.until(t, "the push over the cap counted", func() bool { return w.state.PendingOverflow == seeded+2-held })
	// A held request goes: the list is fetched again and the next-oldest
	// arrives in its place.
	srv.Cancel("seed-000000", "timeout")
	w.until(t, "the next-oldest request", func() bool { return w.arrived[fmt.Sprintf("seed-%06d", held-1)] })
	w.until(t, "the count after the refetch", func() bool { return w.state.PendingOverflow == seeded+1-held })
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.arrived["over"] || len(w.arrived) != held {
		t.Errorf("after the refetch %d are held (over the cap arrived: %v)", len(w.arrived), w.arrived["over"])
	}
	if w.drops != 1 || w.state.Phase != conn.PhaseConnected {
		t.Errorf("the connection dropped %d times (1 was ours) and is %v", w.drops, w.state.Phase)
	}
}
