// Package desk is agentdesk's application core: it glues the saved profiles
// to the connection manager and the UI-free model. It loads the config
// store, reads secrets off the UI goroutine, keeps one conn.Manager running,
// pumps its events into a model.Model, and offers the actions the UI needs
// (add or edit servers, reply, chat, save settings, test a connection).
//
// Every outcome the UI shows lands in the model, which is the one home of
// state: reply progress and errors, chat progress, server health and the
// notices of a start. The UI reads the model and calls the core; it keeps
// no state of its own beyond what is on screen.
//
// The files split the core by concern: core.go (the type and its
// accessors), lifecycle.go (start, demo mode, shutdown, the event pump),
// servers.go (profiles and connections), settings.go, replies.go, chat.go
// and health.go. Nothing here imports Fyne, so all of it is tested without a
// display. Methods that do file, keyring or network I/O say so and belong
// off the UI goroutine; the read-only accessors only look at memory.
package desk

import (
	"errors"
	"log/slog"
	"slices"
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
	// ErrNotAnswerable: the request is closed, or a reply to it is already
	// on its way.
	ErrNotAnswerable = errors.New("this request is not waiting for an answer from you")
)

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
	// DataDir holds the history database (see profiles.ResolveDataDir);
	// "" keeps the history in memory for this run.
	DataDir string
	// MaxFinished caps the finished cards kept in memory (default model
	// default); the history keeps the rest.
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

// Core is the running application core. All methods are safe for
// concurrent use.
type Core struct {
	opts  Options
	model *model.Model
	log   *slog.Logger

	mu       sync.Mutex
	eng      *engine // nil until Start finished
	token    string
	onEvent  []func(conn.Event)
	onStatus []func()
	closed   bool
	// replies counts replies being handed to the connection.
	replies sync.WaitGroup
	// background counts previews of received images being made;
	// thumbLock makes them one at a time.
	background sync.WaitGroup
	thumbLock  sync.Mutex
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
		opts:  opts,
		model: model.New(opts.MaxFinished),
		log:   opts.Logger,
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
// when something outside the model changed: profiles, settings, demo mode
// or readiness.
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

func (c *Core) engine() (*engine, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eng == nil {
		return nil, ErrNotReady
	}
	return c.eng, nil
}

// Ready reports whether Start has finished.
func (c *Core) Ready() bool {
	_, err := c.engine()
	return err == nil
}

// Demo reports whether the core runs the demo.
func (c *Core) Demo() bool {
	e, err := c.engine()
	return err == nil && e.demoOn
}

// Store returns the running config store, or nil before Start.
func (c *Core) Store() *profiles.Store {
	e, err := c.engine()
	if err != nil {
		return nil
	}
	return e.store
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

// State returns a server's live connection state.
func (c *Core) State(id conn.ServerID) (conn.State, bool) {
	e, err := c.engine()
	if err != nil {
		return conn.State{}, false
	}
	return e.mgr.State(id)
}
