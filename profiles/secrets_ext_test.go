package profiles_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/zalando/go-keyring"
)

func TestSecretsRoundTripWithMockKeyring(t *testing.T) {
	sec := profiles.MockSecrets(t)
	if tok, err := sec.Token(profiles.Bg); err != nil || tok != "" {
		t.Fatalf("Token before any save = %q, %v", tok, err)
	}
	if err := sec.SetToken(profiles.Bg, "tok"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("agentdesk", "token"); err != nil || v != "tok" {
		t.Errorf("keyring token = %q, %v", v, err)
	}
	if err := sec.SetPassword(profiles.Bg, "id1", "pw"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("agentdesk", "server:id1"); err != nil || v != "pw" {
		t.Errorf("keyring password = %q, %v", v, err)
	}
	// A new run reads them from the keyring.
	sec2 := profiles.NewSecrets(profiles.SecretsOptions{Getenv: profiles.NoEnv})
	if tok, err := sec2.Token(profiles.Bg); err != nil || tok != "tok" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	if pw, err := sec2.Password(profiles.Bg, "id1"); err != nil || pw != "pw" {
		t.Errorf("Password = %q, %v", pw, err)
	}
	// "" deletes; deleting what is not there is fine.
	if err := sec2.SetToken(profiles.Bg, ""); err != nil {
		t.Fatal(err)
	}
	if err := sec2.SetPassword(profiles.Bg, "id1", ""); err != nil {
		t.Fatal(err)
	}
	if err := sec2.DeletePassword(profiles.Bg, "never-stored"); err != nil {
		t.Errorf("DeletePassword(missing) = %v", err)
	}
	if _, err := keyring.Get("agentdesk", "token"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("token not deleted: %v", err)
	}
	if pw, err := sec2.Password(profiles.Bg, "id1"); err != nil || pw != "" {
		t.Errorf("Password after delete = %q, %v", pw, err)
	}
}

func TestTokenEnvOverride(t *testing.T) {
	keyring.MockInit()
	env := map[string]string{profiles.TokenEnv: "from-env"}
	sec := profiles.NewSecrets(profiles.SecretsOptions{Getenv: func(k string) string { return env[k] }})
	if err := sec.SetToken(profiles.Bg, "stored"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := sec.Token(profiles.Bg); tok != "from-env" || !sec.TokenFromEnv() {
		t.Errorf("Token = %q, want the env value", tok)
	}
	delete(env, profiles.TokenEnv)
	if tok, _ := sec.Token(profiles.Bg); tok != "stored" || sec.TokenFromEnv() {
		t.Errorf("Token = %q without the env", tok)
	}

	t.Setenv(profiles.TokenEnv, "real-env")
	if tok, _ := profiles.NewSecrets(profiles.SecretsOptions{}).Token(profiles.Bg); tok != "real-env" {
		t.Errorf("default Getenv: Token = %q", tok)
	}
}

func TestKeyringErrorFallsBackToMemory(t *testing.T) {
	keyring.MockInitWithError(errNoSecretService)
	var logs logBuffer
	sec := profiles.NewSecrets(profiles.SecretsOptions{Getenv: profiles.NoEnv, Logger: newLogger(&logs)})

	err := sec.SetToken(profiles.Bg, "tok-VALUE")
	var kerr *profiles.KeyringError
	if !errors.As(err, &kerr) || !errors.Is(err, profiles.ErrNotRemembered) || !errors.Is(err, profiles.ErrKeyringUnavailable) || !kerr.InMemory {
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
	if tok, err := sec.Token(profiles.Bg); err != nil || tok != "tok-VALUE" {
		t.Errorf("Token = %q, %v", tok, err)
	}
	if err := sec.SetPassword(profiles.Bg, "id", "pw-VALUE"); !errors.Is(err, profiles.ErrNotRemembered) {
		t.Errorf("SetPassword = %v", err)
	}
	if pw, _ := sec.Password(profiles.Bg, "id"); pw != "pw-VALUE" {
		t.Errorf("Password = %q", pw)
	}
	// Reading what this run never saw reports the keyring problem.
	_, err = sec.Password(profiles.Bg, "other")
	if !errors.Is(err, profiles.ErrKeyringUnavailable) || errors.Is(err, profiles.ErrNotRemembered) || !strings.Contains(err.Error(), "could not read") {
		t.Errorf("Password(other) = %v", err)
	}
	// Deletion forgets the in-memory copy even though the keyring fails.
	if err := sec.DeletePassword(profiles.Bg, "id"); !errors.Is(err, profiles.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "could not delete") {
		t.Errorf("DeletePassword = %v", err)
	}
	if pw, _ := sec.Password(profiles.Bg, "id"); pw != "" {
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
	kr := profiles.NewFakeKeyring()
	kr.Fail(errors.New("access denied"))
	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Getenv: profiles.NoEnv})
	s, err := profiles.Load(t.TempDir(), profiles.Options{Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	// The profile is saved; the password is used for this run only.
	p, err := s.Add(profiles.Bg, profiles.Profile{URL: "ws://a", BasicAuth: true, BasicUser: "u"}, "pw")
	if !errors.Is(err, profiles.ErrNotRemembered) || p.ID == "" {
		t.Fatalf("Add = %+v, %v", p, err)
	}
	if _, ok := s.Profile(p.ID); !ok {
		t.Fatal("profile not saved")
	}
	if pw, err := s.BasicPassword(profiles.Bg, p); err != nil || pw != "pw" {
		t.Errorf("BasicPassword = %q, %v", pw, err)
	}
	// Deleting still deletes the profile, and says the keyring failed.
	err = s.Delete(profiles.Bg, p.ID)
	if !errors.Is(err, profiles.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "was deleted") {
		t.Errorf("Delete = %v", err)
	}
	if len(s.Profiles()) != 0 {
		t.Error("profile not deleted")
	}
}

func TestKeyringHangTimesOut(t *testing.T) {
	kr := profiles.NewFakeKeyring()
	release := make(chan struct{})
	kr.BlockUntil(release)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)

	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Timeout: 50 * time.Millisecond, Getenv: profiles.NoEnv})
	start := time.Now()
	err := sec.SetPassword(profiles.Bg, "id", "pw")
	var kerr *profiles.KeyringError
	if !errors.As(err, &kerr) || !kerr.TimedOut || !kerr.InMemory || !strings.Contains(err.Error(), "no answer after 50ms") {
		t.Fatalf("SetPassword = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %v", d)
	}
	// While the keyring is still stuck, calls fail at once instead of
	// queueing, and the in-memory value is served.
	start = time.Now()
	_, err = sec.Token(profiles.Bg)
	if !errors.Is(err, profiles.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "earlier request") {
		t.Errorf("Token while stuck = %v", err)
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Errorf("call while stuck took %v", d)
	}
	if pw, err := sec.Password(profiles.Bg, "id"); pw != "pw" || err != nil {
		t.Errorf("Password = %q, %v", pw, err)
	}

	// Once it answers, it is used again.
	kr.BlockUntil(nil)
	unblock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = sec.SetToken(profiles.Bg, "tok")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("keyring not used after it recovered: %v", err)
	}
	if v, ok := kr.Stored("token"); !ok || v != "tok" {
		t.Errorf("keyring holds %q", v)
	}
}

func TestKeyringHangDoesNotBlockStore(t *testing.T) {
	kr := profiles.NewFakeKeyring()
	release := make(chan struct{})
	kr.BlockUntil(release)
	t.Cleanup(func() { close(release) })
	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Timeout: 50 * time.Millisecond, Getenv: profiles.NoEnv})
	s, err := profiles.Load(t.TempDir(), profiles.Options{Secrets: sec})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Add(profiles.Bg, profiles.Profile{URL: "ws://a", BasicAuth: true, BasicUser: "u"}, "pw")
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
	kr := profiles.NewFakeKeyring()
	release := make(chan struct{})
	kr.BlockUntil(release)
	t.Cleanup(func() { close(release) })
	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: kr, Timeout: time.Minute, Getenv: profiles.NoEnv})
	ctx, cancel := context.WithTimeout(profiles.Bg, 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := sec.Password(ctx, "x"); !errors.Is(err, profiles.ErrKeyringUnavailable) {
		t.Errorf("Password = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
