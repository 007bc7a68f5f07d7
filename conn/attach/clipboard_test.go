//go:build linux

package attach_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/attach"
)

// xDisplay starts a private Xvfb for the test and points DISPLAY at it.
// Clipboard owners (xclip) exit with the display when the test ends.
// Xvfb picks a free display itself and names it on a pipe once it
// accepts clients: a display number of our own choosing could meet the
// socket a killed server left behind, and xclip would find nobody there.
func xDisplay(t *testing.T) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "320x200x24")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatalf("Xvfb (a test dependency, installed with the X11 dev packages): %v", err)
	}
	t.Cleanup(func() {
		// SIGTERM, so that Xvfb removes its socket and lock file.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	named := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		named <- strings.TrimSpace(line)
	}()
	select {
	case n := <-named:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		t.Setenv("DISPLAY", ":"+n)
	case <-time.After(10 * time.Second):
		t.Fatal("Xvfb did not start within 10 s")
	}
	t.Setenv("WAYLAND_DISPLAY", "")
}

// copyToClipboard makes xclip own the clipboard with data under target.
func copyToClipboard(t *testing.T, target string, data []byte) {
	t.Helper()
	cmd := exec.Command("xclip", "-selection", "clipboard", "-target", target, "-in")
	cmd.Stdin = bytes.NewReader(data)
	// No output capture: xclip forks a child that keeps serving the
	// selection, and it would hold the pipes open.
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip: %v", err)
	}
	// xclip returns while its child may still be taking the selection
	// over from the previous owner: wait until the clipboard serves data.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err := exec.Command("xclip", "-selection", "clipboard", "-target", target, "-out").Output()
		if err == nil && bytes.Equal(got, data) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clipboard never served the %s just copied", target)
		}
	}
}

// A real X11 clipboard: an image, a file manager's file list, plain text,
// nothing, and an image over the limit.
func TestReadClipboardX11(t *testing.T) {
	xDisplay(t)
	ctx := context.Background()

	if _, err := attach.ReadClipboard(ctx, 1<<20); !errors.Is(err, attach.ErrEmptyClipboard) {
		t.Errorf("empty clipboard: err = %v", err)
	}

	pngData := encodePNG(t, solid(64, 32, color.NRGBA{G: 200, A: 255}))
	copyToClipboard(t, "image/png", pngData)
	clip, err := attach.ReadClipboard(ctx, 1<<20)
	if err != nil || clip.MIME != "image/png" || !bytes.Equal(clip.Image, pngData) {
		t.Fatalf("image: %q %d bytes, %v", clip.MIME, len(clip.Image), err)
	}
	if _, err := attach.ReadClipboard(ctx, 100); !errors.Is(err, attach.ErrTooLarge) || !strings.Contains(err.Error(), "the limit is 100 B per file") {
		t.Errorf("image over the limit: err = %v", err)
	}
	d := attach.NewDraft(attach.DefaultLimits())
	items, err := d.AddClipboard(ctx)
	if err != nil || len(items) != 1 || items[0].Thumb == nil || !strings.HasSuffix(items[0].Name, ".png") {
		t.Fatalf("AddClipboard(image) = %+v, %v", items, err)
	}

	dir := t.TempDir()
	a, b := filepath.Join(dir, "a b.txt"), filepath.Join(dir, "c.bin")
	os.WriteFile(a, []byte("hello"), 0o644)
	os.WriteFile(b, []byte{0, 1, 2}, 0o644)
	copyToClipboard(t, "x-special/gnome-copied-files", []byte("copy\nfile://"+strings.ReplaceAll(a, " ", "%20")+"\nfile://"+b))
	items, err = attach.NewDraft(attach.DefaultLimits()).AddClipboard(ctx)
	if err != nil || len(items) != 2 || items[0].Name != "a b.txt" || items[1].MIME != "application/octet-stream" {
		t.Fatalf("AddClipboard(files) = %+v, %v", items, err)
	}

	copyToClipboard(t, "UTF8_STRING", []byte("just text"))
	if _, err := attach.NewDraft(attach.DefaultLimits()).AddClipboard(ctx); !errors.Is(err, attach.ErrEmptyClipboard) {
		t.Errorf("text-only clipboard: err = %v (text stays with the entry)", err)
	}
}

func TestReadClipboardWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if _, err := attach.ReadClipboard(context.Background(), 1<<20); !errors.Is(err, attach.ErrClipboardUnsupported) {
		t.Errorf("err = %v", err)
	}
}
