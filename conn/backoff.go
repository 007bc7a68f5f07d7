package conn

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// reconnectDelays yields reconnect delays: exponential with jitter, never
// giving up, and never longer than max. The library applies jitter after its
// MaxInterval, so the cap is enforced on the delay itself.
type reconnectDelays struct {
	b   *backoff.ExponentialBackOff
	max time.Duration
}

func newReconnectDelays(initial, max time.Duration) *reconnectDelays {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = initial
	b.RandomizationFactor = 0.5
	b.Multiplier = 2
	b.MaxInterval = max
	b.MaxElapsedTime = 0 // the default of 15 minutes would stop retrying
	b.Reset()
	return &reconnectDelays{b: b, max: max}
}

func (r *reconnectDelays) next() time.Duration {
	d := r.b.NextBackOff()
	if d == backoff.Stop || d > r.max {
		return r.max
	}
	return d
}

func (r *reconnectDelays) reset() { r.b.Reset() }
