package conn

import "sync"

// eventQueue is an unbounded FIFO between socket readers and the consumer,
// so a slow consumer never stalls a reader (which would stop pongs) and no
// event is dropped.
type eventQueue struct {
	mu    sync.Mutex
	items []Event
	spare []Event
	wake  chan struct{}
}

func newEventQueue() *eventQueue {
	return &eventQueue{wake: make(chan struct{}, 1)}
}

func (q *eventQueue) push(e Event) {
	q.mu.Lock()
	q.items = append(q.items, e)
	first := len(q.items) == 1
	q.mu.Unlock()
	// Only the first event of a batch needs to wake the dispatcher: it
	// takes the whole batch. This keeps readers off the channel's lock.
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// take returns everything queued so far, oldest first. The returned slice is
// valid until the next call.
func (q *eventQueue) take() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	clear(q.spare)
	q.items = q.spare[:0]
	q.spare = out
	return out
}
