//go:build keyring

// These tests talk to a real OS keyring (on Linux a Secret Service such as
// gnome-keyring on the session bus). They only exist with -tags keyring:
//
//	dbus-run-session -- sh -c 'mkdir -p $HOME/.cache $HOME/.local/share/keyrings; printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; go test -tags keyring -run Keyring -count=1 ./profiles/'

package profiles

import (
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// realKeyringEnv marks the child process that runs the real checks.
const realKeyringEnv = "AGENTDESK_REAL_KEYRING"

// TestKeyringReal runs its subtests against the real keyring. go-keyring's
// mock is process-global and the unit tests install it, so unless
// AGENTDESK_REAL_KEYRING=1 says this process is clean, the test re-runs
// itself in a fresh process of this test binary where no mock was set.
func TestKeyringReal(t *testing.T) {
	if os.Getenv(realKeyringEnv) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringReal$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), realKeyringEnv+"=1")
		out, err := cmd.CombinedOutput()
		t.Logf("real keyring run:\n%s", out)
		if err != nil {
			t.Fatalf("real keyring tests failed: %v", err)
		}
		return
	}
	t.Run("PasswordRoundTrip", testKeyringPasswordRoundTrip)
	t.Run("Token", testKeyringToken)
	t.Run("StoreLifecycle", testKeyringStoreLifecycle)
}

// realSecrets returns Secrets on the real keyring, failing the test at
// once when no keyring answers.
func realSecrets(t *testing.T) *Secrets {
	t.Helper()
	sec := NewSecrets(SecretsOptions{Keyring: SystemKeyring{}, Timeout: 20 * time.Second, Getenv: noEnv})
	if _, err := sec.Password(bg, "probe-"+newID()); err != nil {
		t.Fatalf("no usable keyring: %v", err)
	}
	return sec
}

func testKeyringPasswordRoundTrip(t *testing.T) {
	sec := realSecrets(t)
	id := newID()
	t.Cleanup(func() { keyring.Delete(KeyringService, passwordUser(id)) })

	if err := sec.SetPassword(bg, id, "pässword with spaces & ünïcode"); err != nil {
		t.Fatal(err)
	}
	// Read back by a fresh Secrets, so the value comes from the keyring,
	// not from memory.
	if v, err := keyring.Get("agentdesk", "server:"+id); err != nil || v != "pässword with spaces & ünïcode" {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	if v, err := realSecrets(t).Password(bg, id); err != nil || v != "pässword with spaces & ünïcode" {
		t.Fatalf("Password = %q, %v", v, err)
	}
	// Replacing keeps one entry with the new value.
	if err := sec.SetPassword(bg, id, "second"); err != nil {
		t.Fatal(err)
	}
	if v, err := realSecrets(t).Password(bg, id); err != nil || v != "second" {
		t.Fatalf("Password after replace = %q, %v", v, err)
	}
	if err := sec.DeletePassword(bg, id); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("agentdesk", "server:"+id); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := sec.DeletePassword(bg, id); err != nil {
		t.Errorf("deleting again: %v", err)
	}
}

func testKeyringToken(t *testing.T) {
	sec := realSecrets(t)
	// Keep whatever token a developer's own keyring holds.
	old, err := keyring.Get(KeyringService, tokenUser)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if old != "" {
			keyring.Set(KeyringService, tokenUser, old)
		} else {
			keyring.Delete(KeyringService, tokenUser)
		}
	})

	if err := sec.SetToken(bg, "integration-token"); err != nil {
		t.Fatal(err)
	}
	if v, err := realSecrets(t).Token(bg); err != nil || v != "integration-token" {
		t.Fatalf("Token = %q, %v", v, err)
	}
	if err := sec.SetToken(bg, ""); err != nil {
		t.Fatal(err)
	}
	if v, err := realSecrets(t).Token(bg); err != nil || v != "" {
		t.Fatalf("Token after delete = %q, %v", v, err)
	}
}

func testKeyringStoreLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := Load(dir, Options{Secrets: realSecrets(t)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Add(bg, Profile{URL: "ws://integration.invalid:2000", BasicAuth: true, BasicUser: "bob"}, "integration-pw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keyring.Delete(KeyringService, passwordUser(p.ID)) })

	// Renaming keeps the password; a new run reads it from the keyring.
	p.Alias = "renamed"
	if _, err := s.Update(bg, p, nil); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(dir, Options{Secrets: realSecrets(t)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s2.Profile(p.ID)
	pw, err := s2.BasicPassword(bg, got)
	if err != nil || pw != "integration-pw" || got.Label() != "renamed" {
		t.Fatalf("after reload: %+v, password %q, %v", got, pw, err)
	}
	// Deleting the profile deletes the password.
	if err := s2.Delete(bg, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeyringService, passwordUser(p.ID)); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("password left in the keyring: %v", err)
	}
}
