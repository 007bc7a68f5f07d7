package conn

import (
	"fmt"
	"time"
)

// Phase is where a server's connection stands.
type Phase int

const (
	// PhaseDisabled: the user switched the server off.
	PhaseDisabled Phase = iota
	// PhaseConnecting: dialling or logging in.
	PhaseConnecting
	// PhaseConnected: logged in and live.
	PhaseConnected
	// PhaseReconnecting: waiting for the next try after a failure.
	PhaseReconnecting
	// PhaseAuthFailed: the credentials were refused. The next try comes at
	// the slow end of the backoff (Options.MaxBackoff, State.NextTry), so a
	// proxy that refused for a moment heals by itself without a storm of
	// logins; an edit or RetryNow tries at once.
	PhaseAuthFailed
	// PhaseError: the settings cannot work (for example a bad URL); no retry
	// until they change or the user asks.
	PhaseError
)

// String names the phase as users and doctor see it.
func (p Phase) String() string {
	switch p {
	case PhaseDisabled:
		return "disabled"
	case PhaseConnecting:
		return "connecting"
	case PhaseConnected:
		return "connected"
	case PhaseReconnecting:
		return "reconnecting"
	case PhaseAuthFailed:
		return "auth-failed"
	case PhaseError:
		return "error"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// State is a server's connection state at one moment.
type State struct {
	Phase Phase
	// Label is the server's display label at the time.
	Label string
	// URL is the endpoint being used.
	URL string
	// ClientID is the id the server gave this connection (PhaseConnected).
	ClientID string
	// Since is when the current phase began.
	Since time.Time
	// Attempt counts failed tries since the last good login
	// (PhaseReconnecting, PhaseAuthFailed).
	Attempt int
	// NextTry is when the next dial starts (PhaseReconnecting,
	// PhaseAuthFailed).
	NextTry time.Time
	// PendingOverflow is how many requests the server holds for us beyond
	// the pending cap (Options.MaxPending): they are neither held nor
	// announced, only counted, so the UI can say "N more pending on the
	// server". The oldest requests are the ones held; when held ones are
	// answered or cancelled the list is fetched again and the next-oldest
	// arrive. It is exact after each pending list and counts live pushes in
	// between; it keeps its last value while the server is disconnected.
	PendingOverflow int
	// LastError says what went wrong last, in plain words; while connected it
	// holds the latest skipped-frame warning, if any.
	LastError string
	// Failure sorts LastError.
	Failure FailureKind
}
