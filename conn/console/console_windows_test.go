package console

import (
	"testing"

	"golang.org/x/sys/windows"
)

// TestUsable: a pipe is usable; an empty or invalid handle is not, and
// is what AttachParent replaces.
func TestUsable(t *testing.T) {
	if !usable(windows.STD_OUTPUT_HANDLE) {
		t.Fatal("stdout (a pipe from go test) is not usable")
	}
	orig, err := windows.GetStdHandle(windows.STD_ERROR_HANDLE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { windows.SetStdHandle(windows.STD_ERROR_HANDLE, orig) })
	for _, h := range []windows.Handle{0, windows.InvalidHandle} {
		if err := windows.SetStdHandle(windows.STD_ERROR_HANDLE, h); err != nil {
			t.Fatal(err)
		}
		if usable(windows.STD_ERROR_HANDLE) {
			t.Errorf("handle %#x counted as usable", h)
		}
	}
}
