//go:build unix

package attach_test

import (
	"path/filepath"
	"syscall"
	"testing"
)

// nonRegularFile makes a FIFO in dir: opening one would block until a
// writer comes, which is why FromFile looks before it opens.
func nonRegularFile(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
