package ui

import (
	"context"
	"sync"
)

// worker is the one way screens run slow work (config, keyring, network)
// off the UI goroutine: the work gets a context that quitting cancels, and
// its result is applied on the UI goroutine through the bridge. After the
// app quit, results are dropped instead of touching widgets that are gone.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	bridge *Bridge
	wg     sync.WaitGroup
}

func newWorker(b *Bridge) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &worker{ctx: ctx, cancel: cancel, bridge: b}
}

// run does work off the UI goroutine, then calls then (when not nil) on
// the UI goroutine with its error.
func (w *worker) run(work func(ctx context.Context) error, then func(error)) {
	runFor(w, func(ctx context.Context) (struct{}, error) { return struct{}{}, work(ctx) },
		func(_ struct{}, err error) {
			if then != nil {
				then(err)
			}
		})
}

// runFor is run for work that returns a value.
func runFor[T any](w *worker, work func(ctx context.Context) (T, error), then func(T, error)) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		v, err := work(w.ctx)
		if w.ctx.Err() != nil {
			return
		}
		w.bridge.Do(func() {
			if w.ctx.Err() == nil {
				then(v, err)
			}
		})
	}()
}

// stop cancels running work and drops every result still to come.
func (w *worker) stop() { w.cancel() }

// wait blocks until every piece of work has returned (tests).
func (w *worker) wait() { w.wg.Wait() }
