// Package conn keeps one live WebSocket session to every enabled Agent
// Assistant server, reconnects with capped exponential backoff, and turns the
// traffic into typed events tagged with the server they came from. Replies,
// chat messages and nickname changes go back through it, always to the
// server a request came from. It never imports Fyne.
package conn

import (
	"log/slog"
	"time"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Defaults of the pending cap (see Options.MaxPending and MaxPendingBytes).
const (
	DefaultMaxPending      = 2000
	DefaultMaxPendingBytes = 256 << 20
)

// ServerID identifies one configured server. It is stable across edits
// (profiles use a UUID) and never derived from the URL.
type ServerID string

// ServerConfig is everything the manager needs to connect to one server.
type ServerConfig struct {
	// ID is the stable identity events are tagged with.
	ID ServerID
	// Label is what users see (alias, or host:port).
	Label string
	// URL is the WebSocket endpoint, for example ws://host:2000/ws.
	URL string
	// Enabled servers are kept connected; disabled ones are left alone.
	Enabled bool
	// BasicUser and BasicPassword, when BasicUser is set, go on the upgrade
	// request and on health checks as HTTP Basic auth.
	BasicUser     string
	BasicPassword string
}

// sameConnection reports whether two configs dial the same way, so an edit
// that only renames a server does not cost a reconnect.
func (c ServerConfig) sameConnection(o ServerConfig) bool {
	return c.URL == o.URL && c.BasicUser == o.BasicUser && c.BasicPassword == o.BasicPassword
}

// Options tune a Manager. Zero values take the defaults noted on each field.
type Options struct {
	// Token is the user token sent with UserLogin on every server.
	Token string
	// Nickname is announced with UserLogin on every server.
	Nickname string

	// HandshakeTimeout bounds the WebSocket upgrade (default 10 s).
	HandshakeTimeout time.Duration
	// LoginTimeout bounds the wait for the login answer (default 5 s).
	LoginTimeout time.Duration
	// PingInterval is how often the client pings (default 25 s).
	PingInterval time.Duration
	// DeadAfter is how long a socket may stay silent before it is declared
	// dead and redialled (default 60 s). Pongs count as traffic.
	DeadAfter time.Duration
	// WriteTimeout bounds one frame write (default 10 s).
	WriteTimeout time.Duration
	// ReadLimit is the largest frame accepted, in bytes (default
	// limits.FrameBytes, 32 MiB). It is also the ceiling of one request's
	// text, which is otherwise kept whole.
	ReadLimit int64
	// MaxPending caps the requests held per server (default 2000). Above
	// it the server's oldest requests are held and the rest only counted
	// (State.PendingOverflow); nothing is dropped on the server. 2000 is
	// far more than anyone answers in a sitting (each is an agent blocked
	// on a human), yet keeps the app's memory and the timeline bounded
	// when a server lists 100,000.
	MaxPending int
	// MaxPendingBytes caps the bytes the held requests of one server keep
	// alive (default 256 MiB), so 2000 requests of 32 MiB each cannot take
	// the machine's memory; past it, requests are counted like those over
	// MaxPending.
	MaxPendingBytes int
	// RefetchDelay is the least time between two fetches of the pending
	// list made to fill the cap again (default 2 s); each one of a server
	// holding 100,000 requests costs about a 15 MB frame.
	RefetchDelay time.Duration
	// InitialBackoff is the first reconnect delay (default 1 s).
	InitialBackoff time.Duration
	// MaxBackoff caps every reconnect delay, jitter included (default 5 min).
	// A server whose credentials were refused is tried again after it.
	MaxBackoff time.Duration
	// ConfirmDelay is the pause before a delivery check is repeated when the
	// server still reports a replied request as pending (default 500 ms).
	ConfirmDelay time.Duration

	// Logger receives diagnostics; it never sees secrets. Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.HandshakeTimeout, 10*time.Second)
	def(&o.LoginTimeout, 5*time.Second)
	def(&o.PingInterval, 25*time.Second)
	def(&o.DeadAfter, 60*time.Second)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.InitialBackoff, time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.ConfirmDelay, 500*time.Millisecond)
	def(&o.RefetchDelay, 2*time.Second)
	if o.ReadLimit <= 0 {
		o.ReadLimit = limits.FrameBytes
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.MaxPendingBytes <= 0 {
		o.MaxPendingBytes = DefaultMaxPendingBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
