package conn

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// No delay ever exceeds the cap, jitter included; the first is about 1 s;
// they grow; and reset starts over.
func TestReconnectDelaysAreCapped(t *testing.T) {
	d := newReconnectDelays(time.Second, 5*time.Minute)
	first := d.next()
	if first < 500*time.Millisecond || first > 1500*time.Millisecond {
		t.Fatalf("first delay %v, want about 1 s", first)
	}
	var last time.Duration
	for i := 0; i < 10000; i++ {
		last = d.next()
		if last > 5*time.Minute {
			t.Fatalf("delay %d = %v exceeds 5 minutes", i, last)
		}
	}
	if last < 150*time.Second {
		t.Fatalf("after many failures the delay is %v; it should have grown to minutes", last)
	}
	d.reset()
	if again := d.next(); again > 1500*time.Millisecond {
		t.Fatalf("after reset the delay is %v", again)
	}
}

// Events from before an edit that changed the endpoint are dropped, not
// credited to the reconfigured server.
func TestStaleEpochEventsAreDropped(t *testing.T) {
	m := NewManager(Options{})
	defer m.Close()
	m.Put(ServerConfig{ID: "s", URL: "ws://127.0.0.1:1/ws"}) // disabled: no dialling
	waitFor := func(match func(Event) bool) Event {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case e := <-m.Events():
				if match(e) {
					return e
				}
			case <-timeout:
				t.Fatal("timed out")
				return nil
			}
		}
	}
	waitFor(func(e Event) bool { sc, ok := e.(StateChanged); return ok && sc.State.Phase == PhaseDisabled })
	s := m.server("s")
	old := s.origin()

	m.Put(ServerConfig{ID: "s", URL: "ws://127.0.0.1:2/ws"})
	if s.origin().epoch == old.epoch {
		t.Fatal("changing the URL did not start a new epoch")
	}
	// An event the old connection produced late, then one from now.
	m.queue.push(RequestArrived{Origin: old, Request: &Request{Server: "s", ID: "stale"}}, false)
	m.queue.push(RequestArrived{Origin: s.origin(), Request: &Request{Server: "s", ID: "fresh"}}, false)
	got := waitFor(func(e Event) bool { _, ok := e.(RequestArrived); return ok }).(RequestArrived)
	if got.Request.ID != "fresh" {
		t.Fatalf("event from the old endpoint was delivered: %q", got.Request.ID)
	}

	// A rename keeps the epoch: nothing about the endpoint changed.
	epoch := s.origin().epoch
	m.Put(ServerConfig{ID: "s", URL: "ws://127.0.0.1:2/ws", Label: "Renamed"})
	if s.origin().epoch != epoch {
		t.Fatal("a rename started a new epoch")
	}
}

func TestHTTPBase(t *testing.T) {
	cases := map[string]string{
		"ws://h:2000/ws":             "http://h:2000",
		"wss://example.com/proxy/ws": "https://example.com/proxy",
		"ws://h/":                    "http://h",
		"ws://[::1]:2000/ws":         "http://[::1]:2000",
	}
	for in, want := range cases {
		got, err := HTTPBase(in)
		if err != nil || got != want {
			t.Errorf("HTTPBase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := HTTPBase("http://h/ws"); err == nil {
		t.Error("HTTPBase accepted an http URL")
	}
}

// When the consumer falls behind by more than the channel holds, events
// spill into the dispatcher's FIFO: none is lost, and each server's arrive
// in the order they were announced, while two servers announce at once.
func TestSpilledEventsKeepTheirOrder(t *testing.T) {
	defer func(n int) { eventBuffer = n }(eventBuffer)
	eventBuffer = 4
	m := NewManager(Options{})
	defer m.Close()
	const perServer = 3000
	ids := []ServerID{"a", "b"}
	for _, id := range ids {
		m.Put(ServerConfig{ID: id, URL: "ws://127.0.0.1:1/ws"}) // disabled: no dialling
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		s := m.server(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perServer {
				s.mu.Lock()
				s.emit(RequestArrived{Origin: s.origin(), Request: &Request{Server: s.id, ID: strconv.Itoa(i)}})
				s.mu.Unlock()
			}
		}()
	}
	next := map[ServerID]int{}
	timeout := time.After(10 * time.Second)
	for got := 0; got < 2*perServer; {
		select {
		case e := <-m.Events():
			r, ok := e.(RequestArrived)
			if !ok {
				continue
			}
			if want := strconv.Itoa(next[r.Request.Server]); r.Request.ID != want {
				t.Fatalf("server %s: event %s arrived where %s was due", r.Request.Server, r.Request.ID, want)
			}
			next[r.Request.Server]++
			got++
			if got%500 == 0 {
				time.Sleep(10 * time.Millisecond) // fall behind: the producers spill
			}
		case <-timeout:
			t.Fatalf("only %v of %d events each arrived", next, perServer)
		}
	}
	wg.Wait()
	if spilled := m.queue.spilled.Load(); spilled == 0 {
		t.Fatal("no event went through the dispatcher: the test did not test it")
	}
}

// A reply still on its way when its request is cancelled is reported
// undeliverable with everything it carried, attachments included, so the
// card can still list them.
func TestCancelledReplyKeepsItsAttachments(t *testing.T) {
	m := NewManager(Options{})
	defer m.Close()
	m.Put(ServerConfig{ID: "s", URL: "ws://127.0.0.1:1/ws"}) // disabled: no dialling
	s := m.server("s")
	s.mu.Lock()
	s.known["x"] = knownRequest{req: &Request{Server: "s", ID: "x"}}
	s.inflight["x"] = &outgoingReply{id: "x", text: "see the screenshot", atts: []AttachmentInfo{{Name: "shot.png"}}}
	s.cancelledLocked("x", "timeout")
	s.mu.Unlock()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-m.Events():
			u, ok := e.(ReplyUpdate)
			if !ok {
				continue
			}
			if u.Status != ReplyUndeliverable || u.Text != "see the screenshot" || len(u.Attachments) != 1 ||
				u.Attachments[0].Name != "shot.png" || u.Reason != "the request was cancelled (timeout)" {
				t.Fatalf("update = %+v", u)
			}
			return
		case <-timeout:
			t.Fatal("no reply update")
		}
	}
}
