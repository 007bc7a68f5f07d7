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
	// PhaseAuthFailed: the credentials were refused; no retry until the
	// settings change or the user asks.
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
	// Attempt counts failed tries since the last good login (PhaseReconnecting).
	Attempt int
	// NextTry is when the next dial starts (PhaseReconnecting).
	NextTry time.Time
	// LastError says what went wrong last, in plain words; while connected it
	// holds the latest skipped-frame warning, if any.
	LastError string
	// Failure sorts LastError.
	Failure FailureKind
}
