package profiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Keyring names and the environment override.
const (
	// KeyringService is the service name every secret is stored under.
	KeyringService = "agentdesk"
	// TokenEnv, when set, overrides the stored token (kiosks and tests).
	TokenEnv = "AGENTDESK_TOKEN"
	// DefaultKeyringTimeout bounds one keyring call unless configured.
	DefaultKeyringTimeout = 5 * time.Second

	tokenUser = "token"
)

// passwordUser is the keyring user a profile's Basic-auth password is
// stored under. It uses the ID, so renaming or editing keeps the password.
func passwordUser(id string) string { return "server:" + id }

// Keyring is the part of an OS keyring that [Secrets] uses. Its methods
// match github.com/zalando/go-keyring, and like it, Get returns
// keyring.ErrNotFound for a missing secret.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// SystemKeyring is the OS keyring through go-keyring (Secret Service on
// Linux, Keychain on macOS, Credential Manager on Windows). keyring.MockInit
// replaces what it talks to in tests.
type SystemKeyring struct{}

// Get reads a secret.
func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set stores a secret.
func (SystemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

// Delete removes a secret.
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

var (
	// ErrKeyringUnavailable is wrapped by every [*KeyringError].
	ErrKeyringUnavailable = errors.New("system keyring unavailable")
	// ErrNotRemembered is wrapped by a [*KeyringError] from a save that
	// fell back to memory: the secret works for this run but is lost when
	// agentdesk quits.
	ErrNotRemembered = errors.New("secret kept in memory only")
)

// KeyringError explains a failed keyring call and what the user can do.
// Its text never contains a secret.
type KeyringError struct {
	// Op is "save", "read" or "delete".
	Op string
	// What names the secret, for example "the token".
	What string
	// TimedOut is set when the keyring did not answer in time.
	TimedOut bool
	// InMemory is set when a save fell back to keeping the secret in
	// memory for this run only.
	InMemory bool
	// Err is the underlying error.
	Err error
}

// Error says what failed, what to install or unlock, and whether the
// secret is kept for this run only.
func (e *KeyringError) Error() string {
	var msg string
	switch e.Op {
	case "save":
		msg = "could not save " + e.What + " in the system keyring"
	case "delete":
		msg = "could not delete " + e.What + " from the system keyring"
	default:
		msg = "could not read " + e.What + " from the system keyring"
	}
	msg += ": " + e.Err.Error() + ". " + keyringAdvice()
	if e.InMemory {
		msg += " Until then it is kept in memory for this run only and will not be remembered after agentdesk quits."
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *KeyringError) Unwrap() error { return e.Err }

// Is makes errors.Is match ErrKeyringUnavailable, and ErrNotRemembered
// when the secret was kept in memory.
func (e *KeyringError) Is(target error) bool {
	return target == ErrKeyringUnavailable || (target == ErrNotRemembered && e.InMemory)
}

// keyringAdvice says what to install or unlock on this platform.
func keyringAdvice() string {
	switch runtime.GOOS {
	case "darwin":
		return "Unlock your login keychain (Keychain Access) and allow agentdesk to use it."
	case "windows":
		return "Check that Windows Credential Manager is available for your account."
	default:
		return "Install and start a Secret Service (for example gnome-keyring, or KeePassXC with Secret Service integration) and unlock its default keyring."
	}
}

// SecretsOptions configure [NewSecrets]. Zero values take the defaults.
type SecretsOptions struct {
	// Keyring is the backend (default SystemKeyring).
	Keyring Keyring
	// Timeout bounds each keyring call (default DefaultKeyringTimeout).
	Timeout time.Duration
	// Logger receives warnings; it never sees a secret (default: discard).
	Logger *slog.Logger
	// Getenv reads TokenEnv (default os.Getenv).
	Getenv func(string) string
}

// Secrets keeps the token and Basic-auth passwords in the OS keyring under
// [KeyringService]. Every call is bounded by a timeout, because a keyring
// can hang (an unlock prompt, or a Secret Service that cannot start); call
// it off the UI goroutine. When the keyring cannot be reached a saved
// secret is kept in memory for this run and a [*KeyringError] says so;
// nothing is ever written to disk in plain text.
type Secrets struct {
	kr      Keyring
	timeout time.Duration
	log     *slog.Logger
	getenv  func(string) string

	// sem serializes keyring calls, so a slow save can never land after a
	// later delete of the same secret.
	sem chan struct{}

	mu  sync.Mutex
	mem map[string]string // secrets known this run: a cache and the fallback
	// hung counts calls whose caller gave up while the call was still
	// running; new calls fail fast instead of queueing behind them.
	hung int
}

// NewSecrets returns a Secrets using the options' keyring.
func NewSecrets(o SecretsOptions) *Secrets {
	if o.Keyring == nil {
		o.Keyring = SystemKeyring{}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultKeyringTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return &Secrets{
		kr:      o.Keyring,
		timeout: o.Timeout,
		log:     o.Logger,
		getenv:  o.Getenv,
		sem:     make(chan struct{}, 1),
		mem:     make(map[string]string),
	}
}

// TokenFromEnv reports whether AGENTDESK_TOKEN overrides the stored token.
func (s *Secrets) TokenFromEnv() bool { return s.getenv(TokenEnv) != "" }

// Token returns the global token: AGENTDESK_TOKEN when set, else the stored
// one. A token that was never stored is "" with a nil error.
func (s *Secrets) Token(ctx context.Context) (string, error) {
	if v := s.getenv(TokenEnv); v != "" {
		if len(v) > limits.TokenBytes {
			return "", fmt.Errorf("%s was ignored: %w", TokenEnv, tooLong("the token", limits.TokenBytes))
		}
		return v, nil
	}
	return s.get(ctx, tokenUser, "the token")
}

// ErrTooLong is wrapped by the errors that refuse a secret over its limit
// ([limits.TokenBytes], [limits.BasicPasswordBytes]).
var ErrTooLong = errors.New("too long")

// secretLimit is the longest value stored under user.
func secretLimit(user string) int {
	if user == tokenUser {
		return limits.TokenBytes
	}
	return limits.BasicPasswordBytes
}

// tooLongError says that a secret is over its limit, without echoing it.
type tooLongError struct {
	what  string
	limit int
}

func (e *tooLongError) Error() string {
	return fmt.Sprintf("%s is longer than %d bytes", e.what, e.limit)
}

// Is makes errors.Is match ErrTooLong.
func (e *tooLongError) Is(target error) bool { return target == ErrTooLong }

func tooLong(what string, limit int) error { return &tooLongError{what, limit} }

// checkPassword refuses a Basic-auth password over its limit.
func checkPassword(pw string) error {
	if len(pw) > limits.BasicPasswordBytes {
		return tooLong("the password", limits.BasicPasswordBytes)
	}
	return nil
}

// SetToken stores the global token; "" deletes it. A non-nil error
// wrapping ErrNotRemembered means the token is in use for this run only.
// AGENTDESK_TOKEN, when set, still wins over what is stored.
func (s *Secrets) SetToken(ctx context.Context, token string) error {
	if token == "" {
		return s.delete(ctx, tokenUser, "the token")
	}
	return s.set(ctx, tokenUser, "the token", token)
}

// Password returns the Basic-auth password of the profile with the given
// ID, or "" when none is stored.
func (s *Secrets) Password(ctx context.Context, id string) (string, error) {
	return s.get(ctx, passwordUser(id), "the server password")
}

// SetPassword stores the Basic-auth password of a profile; "" deletes it.
// A non-nil error wrapping ErrNotRemembered means the password is in use
// for this run only.
func (s *Secrets) SetPassword(ctx context.Context, id, password string) error {
	if password == "" {
		return s.DeletePassword(ctx, id)
	}
	return s.set(ctx, passwordUser(id), "the server password", password)
}

// DeletePassword removes the Basic-auth password of a profile, from memory
// and from the keyring. A password that is not stored is not an error.
func (s *Secrets) DeletePassword(ctx context.Context, id string) error {
	return s.delete(ctx, passwordUser(id), "the server password")
}

func (s *Secrets) get(ctx context.Context, user, what string) (string, error) {
	s.mu.Lock()
	v, ok := s.mem[user]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	var got string
	err := s.call(ctx, func() error {
		var err error
		got, err = s.kr.Get(KeyringService, user)
		return err
	})
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", nil
	case err != nil:
		kerr := s.wrap("read", what, err)
		s.log.Warn("keyring read failed", "key", user, "err", kerr.Err)
		return "", kerr
	case len(got) > secretLimit(user):
		return "", fmt.Errorf("what the keyring holds was ignored: %w; set it again", tooLong(what, secretLimit(user)))
	}
	s.mu.Lock()
	// A save that raced with this read wins; it is the newer value.
	if cur, ok := s.mem[user]; ok {
		got = cur
	} else {
		s.mem[user] = got
	}
	s.mu.Unlock()
	return got, nil
}

func (s *Secrets) set(ctx context.Context, user, what, value string) error {
	if len(value) > secretLimit(user) {
		return tooLong(what, secretLimit(user))
	}
	// Keep the value first: whatever the keyring does, this run has it.
	s.mu.Lock()
	s.mem[user] = value
	s.mu.Unlock()
	err := s.call(ctx, func() error { return s.kr.Set(KeyringService, user, value) })
	if err == nil {
		return nil
	}
	kerr := s.wrap("save", what, err)
	kerr.InMemory = true
	s.log.Warn("keyring save failed; secret kept in memory for this run", "key", user, "err", kerr.Err)
	return kerr
}

func (s *Secrets) delete(ctx context.Context, user, what string) error {
	s.mu.Lock()
	delete(s.mem, user)
	s.mu.Unlock()
	err := s.call(ctx, func() error { return s.kr.Delete(KeyringService, user) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	kerr := s.wrap("delete", what, err)
	s.log.Warn("keyring delete failed", "key", user, "err", kerr.Err)
	return kerr
}

// errTimeout stands for a keyring that did not answer.
type errTimeout struct {
	d       time.Duration
	earlier bool
}

func (e errTimeout) Error() string {
	if e.earlier {
		return "it has not answered an earlier request yet"
	}
	return fmt.Sprintf("no answer after %s", e.d)
}

func (s *Secrets) wrap(op, what string, err error) *KeyringError {
	var te errTimeout
	return &KeyringError{Op: op, What: what, TimedOut: errors.As(err, &te), Err: err}
}

// call runs op on its own goroutine and waits at most the timeout (or
// until ctx ends). A call that does not return in time is left to finish
// in the background: go-keyring cannot be cancelled.
func (s *Secrets) call(ctx context.Context, op func() error) error {
	s.mu.Lock()
	hung := s.hung > 0
	s.mu.Unlock()
	if hung {
		return errTimeout{d: s.timeout, earlier: true}
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var started, finished, abandoned bool // guarded by s.mu
	done := make(chan error, 1)
	go func() {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-s.sem }()
		s.mu.Lock()
		if ctx.Err() != nil { // the caller already gave up: do not act late
			s.mu.Unlock()
			return
		}
		started = true
		s.mu.Unlock()

		err := op()

		s.mu.Lock()
		finished = true
		if abandoned {
			s.hung--
		}
		s.mu.Unlock()
		done <- err
	}()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		if started && !finished {
			abandoned = true
			s.hung++
		}
		if finished {
			// Finished in the same instant: take the real answer.
			return <-done
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return ctx.Err()
		}
		return errTimeout{d: s.timeout}
	}
}
