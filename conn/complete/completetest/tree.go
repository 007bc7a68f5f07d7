// Package completetest writes project trees for tests of path completion,
// in this package and in the UI and end-to-end tests that drive it.
package completetest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (slash-separated paths relative to dir, mapped to
// their content) under dir, making the folders they need.
func WriteTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
