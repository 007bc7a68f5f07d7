package conn

import (
	"sync"
	"sync/atomic"
)

// eventQueue carries events from socket readers to the consumer. It never
// blocks a reader (which would stop pongs) and never drops an event: while
// the consumer keeps up, an event goes straight into the consumer's
// channel; otherwise it waits in an unbounded FIFO that the dispatcher
// drains in order.
type eventQueue struct {
	out  chan Event
	wake chan struct{}
	// waiting counts events in the FIFO or in the dispatcher's hands, not
	// yet sent. Only while it is zero may an event skip the FIFO, so none
	// overtakes an earlier one. It is written only when events wait, so
	// readers share it cheaply.
	waiting atomic.Int64
	// spilled counts events that went through the FIFO, so a test can
	// tell that it reached that path.
	spilled atomic.Int64

	mu     sync.Mutex
	items  []Event
	spare  []Event
	closed bool
}

func newEventQueue(out chan Event) *eventQueue {
	return &eventQueue{out: out, wake: make(chan struct{}, 1)}
}

// push adds e. With direct set, and nothing waiting before it, e goes
// straight to the consumer when its channel has room: that saves a lock and
// a hop through the dispatcher for almost every event. Direct pushes are
// only for events known to be current (see Manager.current), made while the
// channel is open: servers make them under their lock until they are
// fenced, and Close fences every server before closing the channel.
func (q *eventQueue) push(e Event, direct bool) {
	if direct && q.waiting.Load() == 0 {
		select {
		case q.out <- e:
			return
		default:
		}
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, e)
	q.waiting.Add(1)
	q.spilled.Add(1)
	first := len(q.items) == 1
	q.mu.Unlock()
	// Only the first event of a batch needs to wake the dispatcher: it
	// takes the whole batch.
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// take returns everything queued so far, oldest first. The returned slice is
// valid until the next call. The caller calls sent once per event.
func (q *eventQueue) take() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	clear(q.spare)
	q.items = q.spare[:0]
	q.spare = out
	return out
}

// sent says that one taken event was sent or dropped.
func (q *eventQueue) sent() { q.waiting.Add(-1) }

// close closes the consumer's channel. Every server must be fenced first.
func (q *eventQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	close(q.out)
}
