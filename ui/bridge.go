package ui

import "sync"

// Bridge is the only way goroutines reach widgets. Changes are marked from
// any goroutine; the bridge schedules one call of the injected dispatcher
// (fyne.Do in the app, a queue drained by the test in tests) and, when it
// runs, performs the queued jobs and one refresh. Bursts of changes between
// two frames therefore cost a single refresh.
type Bridge struct {
	dispatch func(func())

	mu        sync.Mutex
	stopped   bool
	dirty     bool
	scheduled bool
	jobs      []func()
	refresh   func()
}

// NewBridge returns a bridge that runs its work through dispatch.
func NewBridge(dispatch func(func())) *Bridge {
	return &Bridge{dispatch: dispatch, refresh: func() {}}
}

// onRefresh sets what a refresh does; it runs on the UI goroutine.
func (b *Bridge) onRefresh(f func()) {
	b.mu.Lock()
	b.refresh = f
	b.mu.Unlock()
}

// Changed marks the UI as out of date; safe from any goroutine.
func (b *Bridge) Changed() {
	b.mu.Lock()
	b.dirty = true
	b.scheduleLocked()
}

// Do runs f on the UI goroutine with the next flush; safe from any
// goroutine. Jobs run in the order given, before the refresh.
func (b *Bridge) Do(f func()) {
	b.mu.Lock()
	if !b.stopped {
		b.jobs = append(b.jobs, f)
	}
	b.scheduleLocked()
}

// Stop drops all later work: after the app quit, nothing may touch
// widgets any more.
func (b *Bridge) Stop() {
	b.mu.Lock()
	b.stopped = true
	b.jobs = nil
	b.mu.Unlock()
}

// scheduleLocked asks for one flush unless one is pending; it unlocks.
func (b *Bridge) scheduleLocked() {
	if b.scheduled || b.stopped {
		b.mu.Unlock()
		return
	}
	b.scheduled = true
	b.mu.Unlock()
	b.dispatch(b.flush)
}

// flush runs on the UI goroutine.
func (b *Bridge) flush() {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	jobs := b.jobs
	b.jobs = nil
	dirty := b.dirty
	b.dirty = false
	b.scheduled = false
	refresh := b.refresh
	b.mu.Unlock()
	for _, j := range jobs {
		j()
	}
	if dirty {
		refresh()
	}
}
