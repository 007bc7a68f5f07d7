package conn

import "sync"

// eventQueue carries events from socket readers to the consumer. It never
// blocks a reader (which would stop pongs) and never drops an event: while
// the consumer keeps up, an event goes straight into the consumer's
// channel; otherwise it waits in an unbounded FIFO that the dispatcher
// drains in order.
type eventQueue struct {
	out  chan Event
	wake chan struct{}

	mu    sync.Mutex
	items []Event
	spare []Event
	// busy is set while the dispatcher holds events it has taken but not
	// yet sent: nothing may overtake them.
	busy   bool
	closed bool
}

func newEventQueue(out chan Event) *eventQueue {
	return &eventQueue{out: out, wake: make(chan struct{}, 1)}
}

// push adds e. With direct set, and nothing waiting before it, e goes
// straight to the consumer when its channel has room: that saves a hop
// through the dispatcher for almost every event. Direct is only for events
// known to be current (see Manager.current); the dispatcher checks the rest.
func (q *eventQueue) push(e Event, direct bool) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	if direct && len(q.items) == 0 && !q.busy {
		select {
		case q.out <- e:
			q.mu.Unlock()
			return
		default:
		}
	}
	q.items = append(q.items, e)
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

// take returns everything queued so far, oldest first, and marks the
// dispatcher busy until a take finds nothing. The returned slice is valid
// until the next call.
func (q *eventQueue) take() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	clear(q.spare)
	q.items = q.spare[:0]
	q.spare = out
	q.busy = len(out) > 0
	return out
}

// close closes the consumer's channel once no push can reach it.
func (q *eventQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	close(q.out)
}
