package profiles

import (
	"testing"
	"time"
)

// This test rewinds the unexported hang state of Secrets, so it stays in
// package profiles; the other secrets tests are in secrets_ext_test.go.

func TestLateKeyringCallIsDropped(t *testing.T) {
	// A call that timed out while waiting behind a stuck one must not run
	// later: a delete the caller was told failed must not land afterwards.
	kr := newFakeKeyring()
	release := make(chan struct{})
	kr.BlockUntil(release)
	sec := NewSecrets(SecretsOptions{Keyring: kr, Timeout: 30 * time.Millisecond, Getenv: noEnv})
	sec.SetPassword(bg, "a", "1") // hangs, times out

	// Queue a second call directly behind the stuck one.
	sec.mu.Lock()
	sec.hung = 0 // pretend the first call is not known to be stuck
	sec.mu.Unlock()
	if err := sec.SetPassword(bg, "b", "2"); err == nil {
		t.Fatal("second call succeeded while the keyring was stuck")
	}
	close(release)
	time.Sleep(100 * time.Millisecond)
	kr.mu.Lock()
	calls := kr.calls
	kr.mu.Unlock()
	if calls != 1 {
		t.Errorf("keyring saw %d calls, want only the first", calls)
	}
}
