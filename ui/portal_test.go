package ui

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// fakeFileChooser is an xdg-desktop-portal FileChooser on a private
// session bus: it records the OpenFile call and answers it the way the
// real portal does, with a Response signal sent to the caller alone.
type fakeFileChooser struct {
	conn *dbus.Conn
	uris []string

	mu      sync.Mutex
	options map[string]dbus.Variant
	title   string
}

// OpenFile is the portal method (org.freedesktop.portal.FileChooser).
func (f *fakeFileChooser) OpenFile(sender dbus.Sender, parent, title string, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	f.options, f.title = options, title
	f.mu.Unlock()
	path := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/1_1/agentdesk")
	go func() {
		// The user takes a moment to pick; the caller subscribes meanwhile.
		time.Sleep(300 * time.Millisecond)
		msg := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldPath:        dbus.MakeVariant(path),
			dbus.FieldInterface:   dbus.MakeVariant("org.freedesktop.portal.Request"),
			dbus.FieldMember:      dbus.MakeVariant("Response"),
			dbus.FieldDestination: dbus.MakeVariant(string(sender)),
		}, Body: []any{uint32(0), map[string]dbus.Variant{"uris": dbus.MakeVariant(f.uris)}}}
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(uint32(0), map[string]dbus.Variant{}))
		f.conn.Send(msg, nil)
	}()
	return path, nil
}

// privateSessionBus starts a dbus-daemon for the test and points the
// session bus at it.
func privateSessionBus(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the file chooser portal is a Linux desktop service")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-daemon (package dbus) is needed: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

// TestPortalPickerOverDBus asks a file chooser portal on a real (private)
// session bus for several files: the call asks for multiple files in the
// last folder, and the chosen URIs come back as paths, escapes decoded.
// Without any portal on the bus, the caller is told to use Fyne's picker.
func TestPortalPickerOverDBus(t *testing.T) {
	addr := privateSessionBus(t)
	if !sessionBusLikely() {
		t.Fatal("a session bus address was not noticed")
	}
	// No portal yet: the fallback.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := pickWithPortal(ctx, "", "Attach files", "/tmp"); !errors.Is(err, errNoPortal) {
		t.Fatalf("without a portal: err = %v, want errNoPortal", err)
	}

	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fake := &fakeFileChooser{conn: conn, uris: []string{"file:///home/me/shots/screen%20one.png", "file:///home/me/notes.md"}}
	if err := conn.Export(fake, "/org/freedesktop/portal/desktop", "org.freedesktop.portal.FileChooser"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.portal.Desktop", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own the portal name: %v %v", reply, err)
	}
	paths, err := pickWithPortal(ctx, "x11:1a2b", "Attach files", "/home/me/shots")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{"/home/me/shots/screen one.png", "/home/me/notes.md"}) {
		t.Fatalf("paths %q", paths)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if m, ok := fake.options["multiple"].Value().(bool); !ok || !m {
		t.Errorf("the portal was not asked for several files: %v", fake.options["multiple"])
	}
	if f, ok := fake.options["current_folder"].Value().([]byte); !ok || string(f) != "/home/me/shots\x00" {
		t.Errorf("current_folder = %v", fake.options["current_folder"])
	}
	if fake.title != "Attach files" {
		t.Errorf("title %q", fake.title)
	}
}
