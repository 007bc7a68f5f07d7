//go:build !unix

package attach_test

import (
	"os"
	"testing"
)

// nonRegularFile is the NUL device where the file system has no FIFOs
// (Windows: its named pipes live outside the file system, under
// \\.\pipe\); Go reports NUL as a character device.
func nonRegularFile(t *testing.T, _ string) string {
	t.Helper()
	return os.DevNull
}
