package profiles

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// This test plants a token under the unexported keyring user name, so it
// stays in package profiles; the other limit tests are in
// limits_ext_test.go.

// Secrets over their limit that come from outside (the environment, a
// keyring written by something else) are ignored with a message.
func TestOverlongSecretsFromOutside(t *testing.T) {
	ctx := context.Background()
	env := func(k string) string {
		if k == TokenEnv {
			return strings.Repeat("e", limits.TokenBytes+1)
		}
		return ""
	}
	sec := NewSecrets(SecretsOptions{Keyring: NewMemoryKeyring(), Getenv: env})
	if tok, err := sec.Token(ctx); tok != "" || !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), TokenEnv) {
		t.Errorf("env token: %d bytes, %v", len(tok), err)
	}
	kr := NewMemoryKeyring()
	_ = kr.Set(KeyringService, tokenUser, strings.Repeat("k", 1<<20)) // 1 MB
	sec = NewSecrets(SecretsOptions{Keyring: kr, Getenv: noEnv})
	if tok, err := sec.Token(ctx); tok != "" || !errors.Is(err, ErrTooLong) || len(err.Error()) > 200 {
		t.Errorf("keyring token: %d bytes, %v", len(tok), err)
	}
}
