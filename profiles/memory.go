package profiles

import (
	"sync"

	"github.com/zalando/go-keyring"
)

// MemoryKeyring is a Keyring that keeps secrets in memory only.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryKeyring returns an empty in-memory keyring.
func NewMemoryKeyring() *MemoryKeyring { return &MemoryKeyring{m: map[string]string{}} }

// Get reads a secret; keyring.ErrNotFound when missing.
func (k *MemoryKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set stores a secret.
func (k *MemoryKeyring) Set(service, user, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[service+"\x00"+user] = password
	return nil
}

// Delete removes a secret; keyring.ErrNotFound when missing.
func (k *MemoryKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[service+"\x00"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, service+"\x00"+user)
	return nil
}

// NewMemorySecrets returns secrets that live in memory only and ignore
// AGENTDESK_TOKEN: for demo mode, which must never touch the user's keyring,
// and for tests.
func NewMemorySecrets() *Secrets {
	return NewSecrets(SecretsOptions{Keyring: NewMemoryKeyring(), Getenv: func(string) string { return "" }})
}
