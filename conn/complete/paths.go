package complete

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// PathsOptions tune a Paths cache. Zero values take the defaults noted.
type PathsOptions struct {
	// Index says what is left out of every index.
	Index IndexOptions
	// TTL rebuilds an index older than this on its next use (default 10
	// minutes); it is the only refresh where watching is not possible.
	TTL time.Duration
	// Idle drops a folder's index after this long unused (default 30
	// minutes), and stops watching it.
	Idle time.Duration
	// MaxRoots bounds how many folders are cached at once (default 8); the
	// least recently used goes first.
	MaxRoots int
	// MaxWatches bounds the folders watched for changes per project
	// (default 4096, inotify watches being a per-user budget); a larger
	// project is refreshed by TTL only.
	MaxWatches int
	// Debounce waits for a burst of changes to settle before rebuilding
	// (default 1 s).
	Debounce time.Duration
}

func (o PathsOptions) withDefaults() PathsOptions {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Minute
	}
	if o.Idle <= 0 {
		o.Idle = 30 * time.Minute
	}
	if o.MaxRoots <= 0 {
		o.MaxRoots = 8
	}
	if o.MaxWatches <= 0 {
		o.MaxWatches = 4096
	}
	if o.Debounce <= 0 {
		o.Debounce = time.Second
	}
	return o
}

// Lookup is the state of one folder's index.
type Lookup struct {
	// Index is the latest built index; nil until the first build ends.
	Index *Index
	// Building is set while a (re)build runs in the background.
	Building bool
	// Watching is set when changes under the folder trigger a rebuild.
	Watching bool
	// Err says why "@" completion is unavailable for this folder (it does
	// not exist here, …); it wraps ErrUnavailable.
	Err error
}

// Paths caches one index per project folder, builds them in the
// background and keeps them fresh: watched folders are rebuilt shortly
// after files are created, removed or renamed, others after TTL.
// All methods are safe for concurrent use and never block on disk
// walks.
type Paths struct {
	onUpdate func(root string)

	mu     sync.Mutex
	opts   PathsOptions
	roots  map[string]*rootState
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	now    func() time.Time
}

type rootState struct {
	index    *Index
	err      error
	building bool
	stale    bool // changed on disk, or options changed, since index was built
	gen      uint64
	lastUsed time.Time
	watcher  *fsnotify.Watcher
	debounce *time.Timer
}

// NewPaths returns an empty cache. onUpdate, when not nil, is called on a
// background goroutine after an index for root was (re)built, so an open
// suggestion list can refresh (wrap it in fyne.Do).
func NewPaths(opts PathsOptions, onUpdate func(root string)) *Paths {
	ctx, cancel := context.WithCancel(context.Background())
	return &Paths{onUpdate: onUpdate, opts: opts.withDefaults(), roots: map[string]*rootState{},
		ctx: ctx, cancel: cancel, now: time.Now}
}

// Lookup returns the cached index of root, starting a build when there is
// none or it is stale. It never waits for a build.
func (p *Paths) Lookup(root string) Lookup {
	if err := CheckRoot(root); err != nil {
		p.forget(root)
		return Lookup{Err: err}
	}
	root = filepath.Clean(root)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx.Err() != nil {
		return Lookup{Err: ErrUnavailable}
	}
	now := p.now()
	r := p.roots[root]
	if r == nil {
		r = &rootState{}
		p.roots[root] = r
		p.evictLocked(now)
	}
	r.lastUsed = now
	if r.index == nil || r.stale || (r.watcher == nil && now.Sub(r.index.Built) > p.opts.TTL) {
		p.buildLocked(root, r)
	}
	return Lookup{Index: r.index, Building: r.building, Watching: r.watcher != nil, Err: r.err}
}

// Query is Lookup followed by a query on the index it has (none while the
// first build runs).
func (p *Paths) Query(root, q string, n int) ([]Match, Lookup) {
	l := p.Lookup(root)
	if l.Index == nil {
		return nil, l
	}
	return l.Index.Query(q, n), l
}

// Wait returns root's index once one is built and not stale, starting a
// build if needed.
func (p *Paths) Wait(ctx context.Context, root string) (*Index, error) {
	for {
		l := p.Lookup(root)
		switch {
		case l.Err != nil && l.Index == nil:
			return nil, l.Err
		case l.Index != nil && !l.Building:
			return l.Index, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// SetIndexOptions changes what indexes leave out; cached ones are rebuilt
// on their next use.
func (p *Paths) SetIndexOptions(o IndexOptions) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts.Index = o
	for _, r := range p.roots {
		r.stale = true
	}
}

// Close stops every watcher and background build.
func (p *Paths) Close() {
	p.mu.Lock()
	p.cancel()
	for root, r := range p.roots {
		p.dropLocked(root, r)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Paths) forget(root string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r := p.roots[filepath.Clean(root)]; r != nil {
		p.dropLocked(filepath.Clean(root), r)
	}
}

// dropLocked forgets a folder and stops watching it.
func (p *Paths) dropLocked(root string, r *rootState) {
	delete(p.roots, root)
	r.gen++ // a build still running will not store its result
	if r.watcher != nil {
		r.watcher.Close()
		r.watcher = nil
	}
	if r.debounce != nil {
		r.debounce.Stop()
	}
}

// evictLocked drops idle folders and, past MaxRoots, the least recently
// used.
func (p *Paths) evictLocked(now time.Time) {
	for root, r := range p.roots {
		if now.Sub(r.lastUsed) > p.opts.Idle && !r.lastUsed.IsZero() {
			p.dropLocked(root, r)
		}
	}
	for len(p.roots) > p.opts.MaxRoots {
		var oldest string
		var at time.Time
		for root, r := range p.roots {
			if !r.lastUsed.IsZero() && (oldest == "" || r.lastUsed.Before(at)) {
				oldest, at = root, r.lastUsed
			}
		}
		if oldest == "" {
			return
		}
		p.dropLocked(oldest, p.roots[oldest])
	}
}

// buildLocked starts a background build of root unless one runs.
func (p *Paths) buildLocked(root string, r *rootState) {
	if r.building {
		return
	}
	r.building, r.stale = true, false
	r.gen++
	gen, opts := r.gen, p.opts
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ix, err := Build(p.ctx, root, opts.Index)
		var w *fsnotify.Watcher
		if err == nil {
			w = p.watch(root, ix, opts.MaxWatches)
		}
		p.mu.Lock()
		if p.roots[root] != r || r.gen != gen {
			p.mu.Unlock()
			if w != nil {
				w.Close()
			}
			return
		}
		r.building = false
		if err != nil {
			r.err = err
		} else {
			r.index, r.err = ix, nil
			if r.watcher != nil {
				r.watcher.Close()
			}
			r.watcher = w
			if w != nil {
				p.wg.Add(1)
				go p.follow(root, r, w)
			}
		}
		p.mu.Unlock()
		if p.onUpdate != nil && err == nil {
			p.onUpdate(root)
		}
	}()
}

// watch watches root and the indexed folders, or returns nil when there
// are more than max of them or the system refuses.
func (p *Paths) watch(root string, ix *Index, max int) *fsnotify.Watcher {
	dirs := []string{root}
	for _, e := range ix.entries {
		if e.dir {
			if len(dirs) >= max {
				return nil
			}
			dirs = append(dirs, filepath.Join(root, filepath.FromSlash(e.path)))
		}
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil
	}
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return nil
		}
	}
	return w
}

// follow turns changes under root into a debounced rebuild.
func (p *Paths) follow(root string, r *rootState, w *fsnotify.Watcher) {
	defer p.wg.Done()
	for {
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			// Writes and mode changes leave the set of paths as it is.
			if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
				continue
			}
			p.mu.Lock()
			if p.roots[root] == r && r.watcher == w {
				r.stale = true
				if r.debounce == nil {
					r.debounce = time.AfterFunc(p.opts.Debounce, func() { p.refresh(root, r) })
				} else {
					r.debounce.Reset(p.opts.Debounce)
				}
			}
			p.mu.Unlock()
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflowed queue lost events: rebuild to be sure.
			p.mu.Lock()
			if p.roots[root] == r {
				r.stale = true
			}
			p.mu.Unlock()
		}
	}
}

// refresh rebuilds a changed folder that is still in use.
func (p *Paths) refresh(root string, r *rootState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.roots[root] != r || !r.stale || p.ctx.Err() != nil {
		return
	}
	if p.now().Sub(r.lastUsed) > p.opts.Idle {
		return // rebuilt on its next use
	}
	p.buildLocked(root, r)
}
