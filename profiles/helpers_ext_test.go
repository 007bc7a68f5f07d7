package profiles_test

import (
	"bytes"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

// Helpers that only the external tests use. Those the internal tests use
// too live in helpers_test.go and reach here through export_test.go.

// newStore loads a store from a fresh temp dir with mocked secrets.
func newStore(t *testing.T) (*profiles.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := profiles.Load(dir, profiles.Options{Secrets: profiles.MockSecrets(t)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s, dir
}

// logBuffer is a concurrency-safe log sink for tests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

var errNoSecretService = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
