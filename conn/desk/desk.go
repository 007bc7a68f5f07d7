// Package desk is agentdesk's application core: it glues the saved profiles
// to the connection manager and the UI-free model. It loads the config
// store, reads secrets off the UI goroutine, keeps one conn.Manager running,
// pumps its events into a model.Model, and offers the actions the UI needs
// (add or edit servers, reply, chat, save settings, test a connection).
//
// Nothing here imports Fyne, so all of it is tested without a display.
// Methods that do file, keyring or network I/O say so and belong off the UI
// goroutine; the read-only accessors only look at memory.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// Errors returned by Core actions.
var (
	// ErrNotReady: Start has not finished yet.
	ErrNotReady = errors.New("agentdesk is still starting")
	// ErrEmptyMessage: a chat message without text.
	ErrEmptyMessage = errors.New("the message is empty")
)

// Default confirmation texts, sent when the user replies with nothing.
const (
	DefaultQuestionReply = "OK"
	DefaultReportReply   = "Confirmed"
)

// maxHistory bounds the reply history.
const maxHistory = 50

// Options configure a Core. Zero values take the defaults.
type Options struct {
	// ConfigDir holds the config file (see profiles.ResolveConfigDir).
	ConfigDir string
	// Demo starts in demo mode: a temporary config dir, secrets kept in
	// memory, and the demo servers; the user's profiles and keyring are
	// never touched.
	Demo bool
	// StartDemo starts the demo servers (default: StartDemo in this
	// package, backed by conn/demo).
	StartDemo func() (DemoBackend, error)
	// Secrets overrides the secrets store (tests); default: the OS keyring.
	Secrets *profiles.Secrets
	// FlutterPrefs is the Flutter client's settings file for the first-run
	// import; "" uses the platform's location.
	FlutterPrefs string
	// SkipFirstRunImport turns the first-run import off (tests).
	SkipFirstRunImport bool
	// Conn tunes the connection manager; Token and Nickname are filled in.
	Conn conn.Options
	// MaxFinished caps the finished cards kept (default model default).
	MaxFinished int
	// HealthInterval is how often servers' health endpoints are probed
	// (default 30 s; negative turns probing off).
	HealthInterval time.Duration
	// Logger receives diagnostics (default: discard).
	Logger *slog.Logger
}

// DemoBackend is a running set of demo servers.
type DemoBackend interface {
	Servers() []conn.ServerConfig
	Token() string
	Nickname() string
	Close()
}

// StartResult is what Start found, for the UI to show.
type StartResult struct {
	// Err is a problem the user should see. With a *profiles.CorruptFileError
	// or *profiles.NewerSchemaError the core still runs.
	Err error
	// Notices are repairs made to the config file, and keyring warnings.
	Notices []string
	// Imported is the first-run import from the Flutter client, or nil.
	Imported *profiles.ImportResult
}

// Core is the running application core. All methods are safe for
// concurrent use.
type Core struct {
	opts  Options
	model *model.Model
	log   *slog.Logger

	mu       sync.Mutex
	rt       *runtime // nil until Start finished
	token    string
	history  []string
	health   map[conn.ServerID]conn.Health
	onEvent  []func(conn.Event)
	onStatus []func()
	closed   bool
}

// runtime is one configuration the core runs: the store, the manager and,
// in demo mode, the demo servers and their temporary folder.
type runtime struct {
	store  *profiles.Store
	mgr    *conn.Manager
	unsub  func()
	demo   DemoBackend
	tmpDir string
	stop   context.CancelFunc
	done   chan struct{} // the health prober has stopped
	pumped chan struct{} // every event has been applied
	demoOn bool
}

// New returns a core that has not started: it does no I/O, so the UI can
// show its window first and call Start from a goroutine.
func New(opts Options) *Core {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StartDemo == nil {
		opts.StartDemo = StartDemo
	}
	if opts.HealthInterval == 0 {
		opts.HealthInterval = 30 * time.Second
	}
	return &Core{
		opts:   opts,
		model:  model.New(opts.MaxFinished),
		log:    opts.Logger,
		health: map[conn.ServerID]conn.Health{},
	}
}

// Model returns the UI-free state the core keeps up to date.
func (c *Core) Model() *model.Model { return c.model }

// OnEvent adds a function called with every connection event after the
// model applied it, on the core's pump goroutine.
func (c *Core) OnEvent(f func(conn.Event)) {
	c.mu.Lock()
	c.onEvent = append(c.onEvent, f)
	c.mu.Unlock()
}

// OnStatus adds a function called, on whatever goroutine made the change,
// when something outside the model changed: profiles, settings, health,
// demo mode or readiness.
func (c *Core) OnStatus(f func()) {
	c.mu.Lock()
	c.onStatus = append(c.onStatus, f)
	c.mu.Unlock()
}

func (c *Core) statusChanged() {
	c.mu.Lock()
	fs := slices.Clone(c.onStatus)
	c.mu.Unlock()
	for _, f := range fs {
		f()
	}
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
		return res
	}
	store, err := profiles.Load(c.opts.ConfigDir, profiles.Options{Secrets: sec, Logger: c.log})
	if store == nil {
		res.Err = err
		return res
	}
	res.Err = err
	res.Notices = store.Notices()
	if !c.opts.SkipFirstRunImport {
		imp, ierr := store.FirstRunImport(ctx, c.opts.FlutterPrefs)
		if ierr != nil {
			res.Notices = append(res.Notices, ierr.Error())
		}
		res.Imported = imp
	}
	res.Notices = append(res.Notices, c.run(ctx, &runtime{store: store})...)
	return res
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
		return res
	}
	dir, err := os.MkdirTemp("", "agentdesk-demo-")
	if err != nil {
		d.Close()
		res.Err = fmt.Errorf("cannot start the demo: %w", err)
		return res
	}
	sec := profiles.NewMemorySecrets()
	store, err := profiles.Load(dir, profiles.Options{Secrets: sec, Logger: c.log})
	if store == nil {
		d.Close()
		os.RemoveAll(dir)
		res.Err = err
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
			res.Notices = append(res.Notices, err.Error())
		}
	}
	res.Notices = append(res.Notices, c.run(ctx, &runtime{store: store, demo: d, tmpDir: dir, demoOn: true})...)
	return res
}

// run makes rt the running configuration, stopping the previous one.
func (c *Core) run(ctx context.Context, rt *runtime) (notices []string) {
	tok, err := rt.store.Secrets().Token(ctx)
	if err != nil {
		notices = append(notices, err.Error())
	}
	cfgs, err := rt.store.ServerConfigs(ctx)
	if err != nil {
		notices = append(notices, err.Error())
	}
	opts := c.opts.Conn
	opts.Token = tok
	opts.Nickname = rt.store.Settings().Nickname
	if opts.Logger == nil {
		opts.Logger = c.log
	}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		rt.close()
		return notices
	}
	old := c.rt
	c.rt = nil
	c.mu.Unlock()
	if old != nil {
		old.shutdown()
	}

	c.model.SetServers(modelServers(rt.store))
	rt.mgr = conn.NewManager(opts)
	rt.mgr.Set(cfgs)
	pumpCtx, stop := context.WithCancel(context.Background())
	rt.stop = stop
	rt.done = make(chan struct{})
	rt.pumped = make(chan struct{})
	rt.unsub = rt.store.Subscribe(func(ch profiles.Change) { c.onProfileChange(rt, ch) })

	c.mu.Lock()
	c.rt = rt
	c.token = tok
	c.health = map[conn.ServerID]conn.Health{}
	c.mu.Unlock()

	go c.pump(rt)
	if c.opts.HealthInterval > 0 {
		go c.probeLoop(pumpCtx, rt)
	} else {
		close(rt.done)
	}
	c.statusChanged()
	return notices
}

// shutdown stops the manager and the demo, and removes the demo folder.
// It returns once no event of this runtime can reach the model any more.
func (rt *runtime) shutdown() {
	rt.unsub()
	rt.stop()
	<-rt.done
	rt.close()
	<-rt.pumped
}

func (rt *runtime) close() {
	if rt.mgr != nil {
		rt.mgr.Close()
	}
	if rt.demo != nil {
		rt.demo.Close()
	}
	if rt.tmpDir != "" {
		os.RemoveAll(rt.tmpDir)
	}
}

// modelServers lists the profiles as the model shows them.
func modelServers(s *profiles.Store) []conn.ServerConfig {
	ps := s.Profiles()
	out := make([]conn.ServerConfig, len(ps))
	for i, p := range ps {
		out[i] = p.ServerConfig("")
	}
	return out
}

func (c *Core) pump(rt *runtime) {
	defer close(rt.pumped)
	for e := range rt.mgr.Events() {
		c.model.Apply(e)
		c.mu.Lock()
		fs := slices.Clone(c.onEvent)
		c.mu.Unlock()
		for _, f := range fs {
			f(e)
		}
	}
}

// onProfileChange reconfigures exactly the server that changed.
func (c *Core) onProfileChange(rt *runtime, ch profiles.Change) {
	switch ch.Kind {
	case profiles.ProfileAdded, profiles.ProfileUpdated:
		cfg, err := rt.store.ServerConfig(context.Background(), ch.ID)
		if err != nil && !errors.Is(err, profiles.ErrKeyringUnavailable) {
			c.log.Warn("reconfigure server", "id", ch.ID, "err", err)
			return
		}
		c.model.SetServers(modelServers(rt.store))
		rt.mgr.Put(cfg)
		if ch.Kind == profiles.ProfileAdded || ch.PasswordChanged {
			go c.probe(cfg)
		}
	case profiles.ProfileDeleted:
		rt.mgr.Remove(conn.ServerID(ch.ID))
		c.model.SetServers(modelServers(rt.store))
		c.mu.Lock()
		delete(c.health, conn.ServerID(ch.ID))
		c.mu.Unlock()
	}
	c.statusChanged()
}

// Close stops everything. The core cannot be started again.
func (c *Core) Close() {
	c.mu.Lock()
	c.closed = true
	rt := c.rt
	c.rt = nil
	c.mu.Unlock()
	if rt != nil {
		rt.shutdown()
	}
}

func (c *Core) runtime() (*runtime, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rt == nil {
		return nil, ErrNotReady
	}
	return c.rt, nil
}

// Ready reports whether Start has finished.
func (c *Core) Ready() bool {
	_, err := c.runtime()
	return err == nil
}

// Demo reports whether the core runs the demo.
func (c *Core) Demo() bool {
	rt, err := c.runtime()
	return err == nil && rt.demoOn
}

// Store returns the running config store, or nil before Start.
func (c *Core) Store() *profiles.Store {
	rt, err := c.runtime()
	if err != nil {
		return nil
	}
	return rt.store
}

// Profiles lists the configured servers, in the order they were added.
func (c *Core) Profiles() []profiles.Profile {
	if s := c.Store(); s != nil {
		return s.Profiles()
	}
	return nil
}

// Profile returns one configured server.
func (c *Core) Profile(id conn.ServerID) (profiles.Profile, bool) {
	if s := c.Store(); s != nil {
		return s.Profile(string(id))
	}
	return profiles.Profile{}, false
}

// DefaultID returns the default server's ID, or "".
func (c *Core) DefaultID() conn.ServerID {
	if s := c.Store(); s != nil {
		return conn.ServerID(s.DefaultID())
	}
	return ""
}

// Settings returns the saved settings (defaults before Start).
func (c *Core) Settings() profiles.Settings {
	if s := c.Store(); s != nil {
		return s.Settings()
	}
	return profiles.Settings{Notifications: profiles.Notifications{Requests: true, Chat: true}}
}

// HasToken reports whether a token is in use.
func (c *Core) HasToken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token != ""
}

// TokenFromEnv reports whether AGENTDESK_TOKEN overrides the stored token.
func (c *Core) TokenFromEnv() bool {
	s := c.Store()
	return s != nil && s.Secrets().TokenFromEnv()
}

// Health returns the last health probe of a server.
func (c *Core) Health(id conn.ServerID) (conn.Health, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.health[id]
	return h, ok
}

// State returns a server's live connection state.
func (c *Core) State(id conn.ServerID) (conn.State, bool) {
	rt, err := c.runtime()
	if err != nil {
		return conn.State{}, false
	}
	return rt.mgr.State(id)
}

// AddServer validates and saves a new server and connects it when
// enabled. A keyring error (password kept for this run only) comes with
// the saved profile. It does I/O.
func (c *Core) AddServer(ctx context.Context, p profiles.Profile, password string) (profiles.Profile, error) {
	rt, err := c.runtime()
	if err != nil {
		return profiles.Profile{}, err
	}
	return rt.store.Add(ctx, p, password)
}

// UpdateServer saves an edited server and reconfigures only that one.
// password nil keeps the stored one. It does I/O.
func (c *Core) UpdateServer(ctx context.Context, p profiles.Profile, password *string) (profiles.Profile, error) {
	rt, err := c.runtime()
	if err != nil {
		return profiles.Profile{}, err
	}
	return rt.store.Update(ctx, p, password)
}

// DeleteServer removes a server, disconnects it and forgets its password.
// It does I/O.
func (c *Core) DeleteServer(ctx context.Context, id conn.ServerID) error {
	rt, err := c.runtime()
	if err != nil {
		return err
	}
	return rt.store.Delete(ctx, string(id))
}

// SetEnabled switches a server on or off. It does I/O.
func (c *Core) SetEnabled(ctx context.Context, id conn.ServerID, on bool) error {
	rt, err := c.runtime()
	if err != nil {
		return err
	}
	p, ok := rt.store.Profile(string(id))
	if !ok {
		return profiles.ErrNoSuchProfile
	}
	if p.Enabled == on {
		return nil
	}
	p.Enabled = on
	_, err = rt.store.Update(ctx, p, nil)
	return err
}

// SetDefault marks the default server ("" clears it). It does I/O.
func (c *Core) SetDefault(id conn.ServerID) error {
	rt, err := c.runtime()
	if err != nil {
		return err
	}
	err = rt.store.SetDefault(string(id))
	if err == nil {
		c.statusChanged()
	}
	return err
}

// SaveSettings saves the settings and pushes a changed nickname to every
// server. token, when not nil, replaces the token in the keyring and
// reconnects every server with it. A keyring error is returned after
// everything else was applied (the token then works for this run only).
// It does I/O.
func (c *Core) SaveSettings(ctx context.Context, s profiles.Settings, token *string) error {
	rt, err := c.runtime()
	if err != nil {
		return err
	}
	oldNick := rt.store.Settings().Nickname
	if err := rt.store.SetSettings(s); err != nil {
		return err
	}
	if nick := rt.store.Settings().Nickname; nick != oldNick {
		rt.mgr.SetNickname(nick)
	}
	var kerr error
	if token != nil {
		t := strings.TrimSpace(*token)
		kerr = rt.store.Secrets().SetToken(ctx, t)
		if kerr != nil && !errors.Is(kerr, profiles.ErrNotRemembered) && !errors.Is(kerr, profiles.ErrKeyringUnavailable) {
			return kerr
		}
		if rt.store.Secrets().TokenFromEnv() {
			t, _ = rt.store.Secrets().Token(ctx)
		}
		c.mu.Lock()
		c.token = t
		c.mu.Unlock()
		rt.mgr.SetToken(t)
	}
	c.statusChanged()
	return kerr
}

// ReplyText is the text Reply would send for what the user typed: a
// default confirmation when it is blank, wrapped as the settings say.
func (c *Core) ReplyText(kind conn.RequestKind, typed string) string {
	text := strings.TrimSpace(typed)
	if text == "" {
		if kind == conn.KindWorkReport {
			text = DefaultReportReply
		} else {
			text = DefaultQuestionReply
		}
	}
	return c.Settings().WrapReply(text)
}

// Reply answers a request on its own server. Empty text confirms with a
// default text; the reply prefix and suffix are applied. While the server
// is offline the reply is queued. It returns the text sent.
func (c *Core) Reply(key conn.RequestKey, typed string) (string, error) {
	rt, err := c.runtime()
	if err != nil {
		return "", err
	}
	kind := conn.KindQuestion
	if card, ok := c.model.Card(key); ok {
		kind = card.Request.Kind
	}
	text := c.ReplyText(kind, typed)
	if err := rt.mgr.Reply(key, text); err != nil {
		return "", err
	}
	if t := strings.TrimSpace(typed); t != "" {
		c.mu.Lock()
		c.history = slices.DeleteFunc(c.history, func(h string) bool { return h == t })
		c.history = append(c.history, t)
		if len(c.history) > maxHistory {
			c.history = slices.Delete(c.history, 0, len(c.history)-maxHistory)
		}
		c.mu.Unlock()
	}
	return text, nil
}

// ReplyHistory returns what the user typed in earlier replies, oldest
// first, without repeats.
func (c *Core) ReplyHistory() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.history)
}

// SendChat sends a chat message to one user on that user's server and
// records it in the conversation; a failure is recorded as a notice and
// returned.
func (c *Core) SendChat(k model.ChatKey, nickname, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyMessage
	}
	rt, err := c.runtime()
	if err == nil {
		err = rt.mgr.SendChat(k.Server, k.ClientID, text)
	}
	c.model.AddOwnChat(k, nickname, text)
	if err != nil {
		c.model.AddChatNotice(k, "not sent: "+err.Error())
	}
	return err
}

// RetryNow makes a server try to connect at once.
func (c *Core) RetryNow(id conn.ServerID) error {
	rt, err := c.runtime()
	if err != nil {
		return err
	}
	return rt.mgr.RetryNow(id)
}

// TestConnection connects once to p (not saved) with password, probes its
// health and logs in with the current token and nickname. password nil
// uses the password stored for p.ID. It does network and keyring I/O and
// returns within about 15 s.
func (c *Core) TestConnection(ctx context.Context, p profiles.Profile, password *string) (conn.CheckResult, error) {
	u, err := profiles.NormalizeURL(p.URL)
	if err != nil {
		return conn.CheckResult{}, err
	}
	p.URL = u
	pw := ""
	if password != nil {
		pw = *password
	} else if p.ID != "" && p.BasicAuth {
		if s := c.Store(); s != nil {
			pw, _ = s.Secrets().Password(ctx, p.ID)
		}
	}
	cfg := p.ServerConfig(pw)
	cfg.Enabled = true
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	opts := c.opts.Conn
	opts.Token, opts.Nickname = tok, c.Settings().Nickname
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return conn.Check(ctx, cfg, opts), nil
}

// ImportFromFile imports servers, token and nickname from a Flutter
// client's shared_preferences.json. It does I/O.
func (c *Core) ImportFromFile(ctx context.Context, path string) (*profiles.ImportResult, error) {
	rt, err := c.runtime()
	if err != nil {
		return nil, err
	}
	oldNick := rt.store.Settings().Nickname
	res, err := rt.store.ImportFlutterFile(ctx, path)
	if err != nil {
		return res, err
	}
	if nick := rt.store.Settings().Nickname; nick != oldNick {
		rt.mgr.SetNickname(nick)
	}
	if res.Token {
		if t, terr := rt.store.Secrets().Token(ctx); terr == nil {
			c.mu.Lock()
			c.token = t
			c.mu.Unlock()
			rt.mgr.SetToken(t)
		}
	}
	c.statusChanged()
	return res, nil
}

// probeLoop probes every enabled server's health now and then.
func (c *Core) probeLoop(ctx context.Context, rt *runtime) {
	defer close(rt.done)
	t := time.NewTicker(c.opts.HealthInterval)
	defer t.Stop()
	for {
		cfgs, _ := rt.store.ServerConfigs(ctx)
		var wg sync.WaitGroup
		for _, cfg := range cfgs {
			if !cfg.Enabled {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.probeCtx(ctx, cfg)
			}()
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Core) probe(cfg conn.ServerConfig) {
	if !cfg.Enabled {
		return
	}
	c.probeCtx(context.Background(), cfg)
}

func (c *Core) probeCtx(ctx context.Context, cfg conn.ServerConfig) {
	h := conn.ProbeHealth(ctx, cfg)
	if ctx.Err() != nil {
		return
	}
	c.mu.Lock()
	old, had := c.health[cfg.ID]
	c.health[cfg.ID] = h
	c.mu.Unlock()
	if !had || old.OK != h.OK || old.Version != h.Version {
		c.statusChanged()
	}
}
