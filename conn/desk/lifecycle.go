package desk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/conn/history/feed"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// Titles of the notices a start can leave in the model. They are English
// templates the UI translates (with the notice's Args).
const (
	NoticeImported     = "Imported {{.N}} server(s) from the Agent Assistant app"
	NoticeImportFailed = "Could not import from the Agent Assistant app"
	NoticeConfig       = "Your settings file needed attention"
	NoticeKeyring      = "Secrets are kept for this session only"
	NoticeStartProblem = "agentdesk started with a problem"
)

// StartResult is what Start found. Everything in it is also left in the
// model as notices; it is returned for callers that want it directly.
type StartResult struct {
	// Err is a problem the user should see. With a *profiles.CorruptFileError
	// or *profiles.NewerSchemaError the core still runs.
	Err error
	// Notices are repairs made to the config file, and keyring warnings.
	Notices []string
	// Imported is the first-run import from the Flutter client, or nil.
	Imported *profiles.ImportResult
}

// engine is one configuration the core runs: the store, the manager and,
// in demo mode, the demo servers and their temporary folder.
type engine struct {
	store  *profiles.Store
	mgr    *conn.Manager
	hist   *history.Store
	rec    feed.Recorder
	unsub  func()
	demo   DemoBackend
	tmpDir string
	stop   context.CancelFunc
	loops  sync.WaitGroup // the health prober and the retention loop
	pumped chan struct{}  // every event has been applied
	demoOn bool
}

// Start loads the config, runs the first-run import when there are no
// profiles, reads the token and passwords and connects every enabled
// server. It does file and keyring I/O: call it off the UI goroutine.
func (c *Core) Start(ctx context.Context) StartResult {
	if c.opts.Demo {
		return c.StartDemoMode(ctx)
	}
	sec := c.opts.Secrets
	if sec == nil {
		sec = profiles.NewSecrets(profiles.SecretsOptions{Logger: c.log})
	}
	var res StartResult
	if err := os.MkdirAll(c.opts.ConfigDir, 0o700); err != nil {
		res.Err = fmt.Errorf("cannot create the config folder %s: %w", c.opts.ConfigDir, err)
		c.report(&res, nil)
		return res
	}
	store, err := profiles.Load(c.opts.ConfigDir, profiles.Options{Secrets: sec, Logger: c.log})
	if store == nil {
		res.Err = err
		c.report(&res, nil)
		return res
	}
	res.Err = err
	res.Notices = store.Notices()
	if !c.opts.SkipFirstRunImport {
		imp, ierr := store.FirstRunImport(ctx, c.opts.FlutterPrefs)
		if ierr != nil {
			c.model.AddNotice(model.Notice{ID: "import", Level: model.NoticeWarning, Title: NoticeImportFailed, Details: ierr.Error()})
		}
		res.Imported = imp
	}
	e := &engine{store: store}
	e.hist = c.openHistory(ctx, c.opts.DataDir, store.Settings().History)
	c.report(&res, c.run(ctx, e))
	return res
}

// report leaves what a start found in the model, as banners, and adds the
// problems of running it (probs) to res.Notices.
func (c *Core) report(res *StartResult, probs []error) {
	if res.Err != nil {
		c.model.AddNotice(model.Notice{ID: "start", Level: model.NoticeError, Title: NoticeStartProblem, Details: res.Err.Error()})
	}
	other := slices.Clone(res.Notices)
	var keyring []string
	for _, err := range probs {
		res.Notices = append(res.Notices, err.Error())
		if errors.Is(err, profiles.ErrKeyringUnavailable) || errors.Is(err, profiles.ErrNotRemembered) {
			keyring = append(keyring, err.Error())
		} else {
			other = append(other, err.Error())
		}
	}
	if len(keyring) > 0 {
		c.model.AddNotice(model.Notice{ID: "keyring", Level: model.NoticeWarning, Title: NoticeKeyring, Details: joinLines(keyring)})
	}
	if len(other) > 0 {
		c.model.AddNotice(model.Notice{ID: "config", Level: model.NoticeWarning, Title: NoticeConfig, Details: joinLines(other)})
	}
	if imp := res.Imported; imp != nil && len(imp.Imported) > 0 {
		c.model.AddNotice(model.Notice{ID: "import", Level: model.NoticeInfo, Title: NoticeImported,
			Args: map[string]any{"N": len(imp.Imported)}, Details: imp.Summary()})
	}
}

// StartDemoMode switches to demo mode: any running configuration is
// stopped, demo servers are started, and a temporary config folder with
// in-memory secrets is used. The user's own profiles and keyring are
// never touched.
func (c *Core) StartDemoMode(ctx context.Context) StartResult {
	var res StartResult
	d, err := c.opts.StartDemo()
	if err != nil {
		res.Err = fmt.Errorf("cannot start the demo: %w", err)
		c.report(&res, nil)
		return res
	}
	dir, err := os.MkdirTemp("", "agentdesk-demo-")
	if err != nil {
		d.Close()
		res.Err = fmt.Errorf("cannot start the demo: %w", err)
		c.report(&res, nil)
		return res
	}
	sec := profiles.NewMemorySecrets()
	var probs []error
	store, err := profiles.Load(dir, profiles.Options{Secrets: sec, Logger: c.log})
	if store == nil {
		d.Close()
		os.RemoveAll(dir)
		res.Err = err
		c.report(&res, nil)
		return res
	}
	_ = sec.SetToken(ctx, d.Token())
	st := store.Settings()
	if nick := d.Nickname(); nick != "" {
		st.Nickname = nick
	}
	_ = store.SetSettings(st)
	for _, s := range d.Servers() {
		p := profiles.Profile{URL: s.URL, Alias: s.Label, Enabled: true}
		if s.BasicUser != "" {
			p.BasicAuth, p.BasicUser = true, s.BasicUser
		}
		if _, err := store.Add(ctx, p, s.BasicPassword); err != nil && !errors.Is(err, profiles.ErrNotRemembered) {
			probs = append(probs, err)
		}
	}
	e := &engine{store: store, demo: d, tmpDir: dir, demoOn: true}
	// The demo's history is as temporary as its config.
	e.hist = c.openHistory(ctx, filepath.Join(dir, "data"), store.Settings().History)
	probs = append(probs, c.run(ctx, e)...)
	c.report(&res, probs)
	return res
}

// run makes e the running configuration, stopping the previous one. It
// returns the problems met reading secrets; the engine runs regardless.
func (c *Core) run(ctx context.Context, e *engine) (probs []error) {
	tok, err := e.store.Secrets().Token(ctx)
	if err != nil {
		probs = append(probs, err)
	}
	cfgs, err := ServerConfigs(ctx, e.store)
	if err != nil {
		probs = append(probs, err)
	}
	opts := c.opts.Conn
	opts.Token = tok
	opts.Nickname = e.store.Settings().Nickname
	if opts.Logger == nil {
		opts.Logger = c.log
	}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		e.close(nil)
		return probs
	}
	old := c.eng
	c.eng = nil
	c.mu.Unlock()
	if old != nil {
		old.shutdown()
	}

	c.model.SetServers(modelServers(e.store))
	e.mgr = conn.NewManager(opts)
	e.mgr.Set(cfgs)
	e.rec = feed.Recorder{Store: e.hist, Label: c.model.Label}
	loopCtx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.pumped = make(chan struct{})
	e.unsub = e.store.Subscribe(func(ch profiles.Change) { c.onProfileChange(e, ch) })

	c.mu.Lock()
	c.eng = e
	c.token = tok
	c.mu.Unlock()

	go c.pump(e)
	if c.opts.HealthInterval > 0 {
		e.loops.Go(func() { c.probeLoop(loopCtx, e) })
	}
	e.loops.Go(func() { c.retainLoop(loopCtx, e) })
	c.statusChanged()
	return probs
}

// shutdown stops the manager and the demo, saves what the history still
// has queued, and removes the demo folder. It returns once no event of this
// engine can reach the model any more.
func (e *engine) shutdown() {
	e.unsub()
	e.stop()
	e.loops.Wait()
	e.close(e.pumped)
}

// close stops what the engine runs; pumped, when not nil, is waited for
// between the connections going and the history closing, so every event
// is recorded.
func (e *engine) close(pumped chan struct{}) {
	if e.mgr != nil {
		e.mgr.Close()
	}
	if e.demo != nil {
		e.demo.Close()
	}
	if pumped != nil {
		<-pumped
	}
	e.hist.Close()
	if e.tmpDir != "" {
		os.RemoveAll(e.tmpDir)
	}
}

// pump applies every connection event to the model, then tells listeners.
func (c *Core) pump(e *engine) {
	defer close(e.pumped)
	for ev := range e.mgr.Events() {
		c.model.Apply(ev)
		c.record(e, ev)
		c.receivedThumbnails(ev)
		c.mu.Lock()
		fs := slices.Clone(c.onEvent)
		c.mu.Unlock()
		for _, f := range fs {
			f(ev)
		}
	}
}

// onProfileChange reconfigures exactly the server that changed.
func (c *Core) onProfileChange(e *engine, ch profiles.Change) {
	switch ch.Kind {
	case profiles.ProfileAdded, profiles.ProfileUpdated:
		p, ok := e.store.Profile(ch.ID)
		if !ok {
			return
		}
		pw, err := e.store.BasicPassword(context.Background(), p)
		if err != nil && !errors.Is(err, profiles.ErrKeyringUnavailable) {
			c.log.Warn("reconfigure server", "id", ch.ID, "err", err)
			return
		}
		cfg := ServerConfig(p, pw)
		c.model.SetServers(modelServers(e.store))
		if ch.Kind == profiles.ProfileUpdated {
			// Stats and exports show the stored label; without this a
			// renamed server keeps its old name there until its next
			// request arrives.
			if err := e.hist.SetServerLabel(ch.ID, p.Label()); err != nil {
				c.log.Warn("history refused a server label", "id", ch.ID, "err", err)
			}
		}
		e.mgr.Put(cfg)
		if ch.Kind == profiles.ProfileAdded || ch.PasswordChanged {
			go c.probe(cfg)
		}
	case profiles.ProfileDeleted:
		e.mgr.Remove(conn.ServerID(ch.ID))
		c.model.SetServers(modelServers(e.store))
	}
	c.statusChanged()
}

// Close stops everything. The core cannot be started again.
func (c *Core) Close() {
	c.mu.Lock()
	c.closed = true
	e := c.eng
	c.eng = nil
	c.mu.Unlock()
	if e != nil {
		e.shutdown()
	}
	// A reply blocked on a full send queue returns once its session ended.
	c.replies.Wait()
	c.background.Wait()
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
