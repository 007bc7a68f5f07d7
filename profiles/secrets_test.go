package profiles

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestSecretsRoundTripWithMockKeyring(t *testing.T) {
	sec := mockSecrets(t)
	if tok, err := sec.Token(bg); err != nil || tok != "" {
		t.Fatalf("Token before any save = %q, %v", tok, err)
	}
	if err := sec.SetToken(bg, "tok"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("agentdesk", "token"); err != nil || v != "tok" {
		t.Errorf("keyring token = %q, %v", v, err)
	}
	if err := sec.SetPassword(bg, "id1", "pw"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("agentdesk", "server:id1"); err != nil || v != "pw" {
		t.Errorf("keyring password = %q, %v", v, err)
	}
	// A new run reads them from the keyring.
	sec2 := NewSecrets(SecretsOptions{Getenv: noEnv})
	if tok, err := sec2.Token(bg); err != nil || tok != "tok" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	if pw, err := sec2.Password(bg, "id1"); err != nil || pw != "pw" {
		t.Errorf("Password = %q, %v", pw, err)
	}
	// "" deletes; deleting what is not there is fine.
	if err := sec2.SetToken(bg, ""); err != nil {
		t.Fatal(err)
	}
	if err := sec2.SetPassword(bg, "id1", ""); err != nil {
		t.Fatal(err)
	}
	if err := sec2.DeletePassword(bg, "never-stored"); err != nil {
		t.Errorf("DeletePassword(missing) = %v", err)
	}
	if _, err := keyring.Get("agentdesk", "token"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("token not deleted: %v", err)
	}
	if pw, err := sec2.Password(bg, "id1"); err != nil || pw != "" {
		t.Errorf("Password after delete = %q, %v", pw, err)
	}
}

func TestTokenEnvOverride(t *testing.T) {
	keyring.MockInit()
	env := map[string]string{TokenEnv: "from-env"}
	sec := NewSecrets(SecretsOptions{Getenv: func(k string) string { return env[k] }})
	if err := sec.SetToken(bg, "stored"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := sec.Token(bg); tok != "from-env" || !sec.TokenFromEnv() {
		t.Errorf("Token = %q, want the env value", tok)
	}
	delete(env, TokenEnv)
	if tok, _ := sec.Token(bg); tok != "stored" || sec.TokenFromEnv() {
		t.Errorf("Token = %q without the env", tok)
	}

	t.Setenv(TokenEnv, "real-env")
	if tok, _ := NewSecrets(SecretsOptions{}).Token(bg); tok != "real-env" {
		t.Errorf("default Getenv: Token = %q", tok)
	}
}

func TestKeyringErrorFallsBackToMemory(t *testing.T) {
	keyring.MockInitWithError(errNoSecretService)
	var logs logBuffer
	sec := NewSecrets(SecretsOptions{Getenv: noEnv, Logger: newLogger(&logs)})

	err := sec.SetToken(bg, "tok-VALUE")
	var kerr *KeyringError
	if !errors.As(err, &kerr) || !errors.Is(err, ErrNotRemembered) || !errors.Is(err, ErrKeyringUnavailable) || !kerr.InMemory {
		t.Fatalf("SetToken = %#v", err)
	}
	msg := err.Error()
	// The advice names this platform's keyring.
	advice := map[string][]string{"windows": {"Credential Manager"}, "darwin": {"keychain", "Unlock"}}[runtime.GOOS]
	if advice == nil {
		advice = []string{"gnome-keyring", "unlock"}
	}
	for _, want := range append([]string{"could not save the token", "org.freedesktop.secrets", "will not be remembered"}, advice...) {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	// This run still has it.
	if tok, err := sec.Token(bg); err != nil || tok != "tok-VALUE" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	if err := sec.SetPassword(bg, "id", "pw-VALUE"); !errors.Is(err, ErrNotRemembered) {
		t.Errorf("SetPassword = %v", err)
	}
	if pw, _ := sec.Password(bg, "id"); pw != "pw-VALUE" {
		t.Errorf("Password = %q", pw)
	}
	// Reading what this run never saw reports the keyring problem.
	_, err = sec.Password(bg, "other")
	if !errors.Is(err, ErrKeyringUnavailable) || errors.Is(err, ErrNotRemembered) || !strings.Contains(err.Error(), "could not read") {
		t.Errorf("Password(other) = %v", err)
	}
	// Deletion forgets the in-memory copy even though the keyring fails.
	if err := sec.DeletePassword(bg, "id"); !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "could not delete") {
		t.Errorf("DeletePassword = %v", err)
	}
	if pw, _ := sec.Password(bg, "id"); pw != "" {
		t.Errorf("Password after delete = %q", pw)
	}
	if !strings.Contains(logs.String(), "kept in memory") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "VALUE") {
		t.Errorf("secret in log:\n%s", logs.String())
	}
}

func TestStoreWithFailingKeyring(t *testing.T) {
	kr := newFakeKeyring()
	kr.fail(errors.New("access denied"))
	sec := NewSecrets(SecretsOptions{Keyring: kr, Getenv: noEnv})
	s, err := Load(t.TempDir(), Options{Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	// The profile is saved; the password is used for this run only.
	p, err := s.Add(bg, Profile{URL: "ws://a", BasicAuth: true, BasicUser: "u"}, "pw")
	if !errors.Is(err, ErrNotRemembered) || p.ID == "" {
		t.Fatalf("Add = %+v, %v", p, err)
	}
	if _, ok := s.Profile(p.ID); !ok {
		t.Fatal("profile not saved")
	}
	if pw, err := s.BasicPassword(bg, p); err != nil || pw != "pw" {
		t.Errorf("BasicPassword = %q, %v", pw, err)
	}
	// Deleting still deletes the profile, and says the keyring failed.
	err = s.Delete(bg, p.ID)
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "was deleted") {
		t.Errorf("Delete = %v", err)
	}
	if len(s.Profiles()) != 0 {
		t.Error("profile not deleted")
	}
}

func TestKeyringHangTimesOut(t *testing.T) {
	kr := newFakeKeyring()
	release := make(chan struct{})
	kr.block = release
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)

	sec := NewSecrets(SecretsOptions{Keyring: kr, Timeout: 50 * time.Millisecond, Getenv: noEnv})
	start := time.Now()
	err := sec.SetPassword(bg, "id", "pw")
	var kerr *KeyringError
	if !errors.As(err, &kerr) || !kerr.TimedOut || !kerr.InMemory || !strings.Contains(err.Error(), "no answer after 50ms") {
		t.Fatalf("SetPassword = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %v", d)
	}
	// While the keyring is still stuck, calls fail at once instead of
	// queueing, and the in-memory value is served.
	start = time.Now()
	_, err = sec.Token(bg)
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "earlier request") {
		t.Errorf("Token while stuck = %v", err)
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Errorf("call while stuck took %v", d)
	}
	if pw, err := sec.Password(bg, "id"); pw != "pw" || err != nil {
		t.Errorf("Password = %q, %v", pw, err)
	}

	// Once it answers, it is used again.
	kr.mu.Lock()
	kr.block = nil
	kr.mu.Unlock()
	unblock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = sec.SetToken(bg, "tok")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("keyring not used after it recovered: %v", err)
	}
	if v, ok := kr.stored("token"); !ok || v != "tok" {
		t.Errorf("keyring holds %q", v)
	}
}

func TestKeyringHangDoesNotBlockStore(t *testing.T) {
	kr := newFakeKeyring()
	release := make(chan struct{})
	kr.block = release
	t.Cleanup(func() { close(release) })
	sec := NewSecrets(SecretsOptions{Keyring: kr, Timeout: 50 * time.Millisecond, Getenv: noEnv})
	s, err := Load(t.TempDir(), Options{Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Add(bg, Profile{URL: "ws://a", BasicAuth: true, BasicUser: "u"}, "pw")
	}()
	// Reads do not wait for the keyring.
	for range 10 {
		_ = s.Profiles()
		_ = s.Settings()
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Add did not return despite the keyring timeout")
	}
	if len(s.Profiles()) != 1 {
		t.Error("profile not saved")
	}
}

func TestKeyringCallHonoursContext(t *testing.T) {
	kr := newFakeKeyring()
	release := make(chan struct{})
	kr.block = release
	t.Cleanup(func() { close(release) })
	sec := NewSecrets(SecretsOptions{Keyring: kr, Timeout: time.Minute, Getenv: noEnv})
	ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := sec.Password(ctx, "x"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Password = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestLateKeyringCallIsDropped(t *testing.T) {
	// A call that timed out while waiting behind a stuck one must not run
	// later: a delete the caller was told failed must not land afterwards.
	kr := newFakeKeyring()
	release := make(chan struct{})
	kr.block = release
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
