package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/storage"

	"github.com/rymdport/portal"
	"github.com/rymdport/portal/filechooser"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
)

// richActions are what cards do for rich replies besides typing: attach
// (picker, paste), remove a chip, save someone else's attachment, and
// complete "@" and "/". The UI provides them; the state they change is
// the model's.
type richActions struct {
	// pickFiles opens a file picker for k's reply.
	pickFiles func(k conn.RequestKey)
	// paste handles Ctrl+V in k's reply; false leaves the clipboard's text
	// to the reply field.
	paste func(k conn.RequestKey, clip fyne.Clipboard) bool
	// remove drops chip id of k's draft.
	remove func(k conn.RequestKey, id int)
	// save saves the i-th attachment of someone else's reply to k.
	save func(k conn.RequestKey, i int)
	// completer suggests "@" paths and "/" commands; nil turns completion
	// off.
	completer *completer
}

// maxDropped bounds the files one drop or pick attaches.
const maxDropped = conn.MaxAttachments

// errNoPortal: no file chooser portal answers on this desktop; Fyne's own
// picker is used instead.
var errNoPortal = errors.New("no file chooser portal")

// pickWithPortal asks the desktop's file chooser portal (xdg-desktop-portal,
// as GNOME, KDE and most Linux desktops run) for any number of files. It
// blocks until the user is done: call it off the UI goroutine. It returns
// errNoPortal when there is none to ask. Tests replace it.
var pickWithPortal = func(ctx context.Context, parent, title, folder string) ([]string, error) {
	if !sessionBusLikely() {
		return nil, errNoPortal
	}
	type result struct {
		uris []string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		uris, err := filechooser.OpenFile(parent, title, &filechooser.OpenFileOptions{
			Multiple: true, CurrentFolder: folder, AcceptLabel: T("Attach")})
		done <- result{uris, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-done:
		if r.err != nil {
			// No portal service, or none implementing the file chooser.
			return nil, fmt.Errorf("%w: %v", errNoPortal, r.err)
		}
		paths := make([]string, 0, len(r.uris))
		for _, u := range r.uris {
			if p, ok := portalPath(u); ok {
				paths = append(paths, p)
			}
		}
		return paths, nil
	}
}

// portalPath turns a chosen file's URI into a local path.
func portalPath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		// The portal library already unescaped it: take it as it is.
		p, ok := strings.CutPrefix(uri, "file://")
		return p, ok && p != ""
	}
	return u.Path, true
}

// sessionBusLikely reports whether a session D-Bus is there to ask,
// without letting the D-Bus library try to launch one.
func sessionBusLikely() bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return true
		}
	}
	return false
}

// windowHandle names the window for the portal, so its dialog stays on
// top of ours (X11 only; elsewhere the dialog is just not parented).
func windowHandle(w fyne.Window) string {
	handle := ""
	if nw, ok := w.(driver.NativeWindow); ok {
		nw.RunNative(func(ctx any) {
			if x, ok := ctx.(driver.X11WindowContext); ok {
				handle = portal.FormatX11WindowHandle(x.WindowHandle)
			}
		})
	}
	return handle
}

// pickFiles attaches files the user picks to k's reply. The desktop's
// file chooser portal allows picking many at once; without one, Fyne's
// picker takes one file per press of the paperclip, opening where the
// last one was found.
func (u *UI) pickFiles(k conn.RequestKey) {
	parent := windowHandle(u.win)
	folder := u.lastPickDir
	runFor(u.work, func(ctx context.Context) ([]string, error) {
		return pickWithPortal(ctx, parent, T("Attach files"), folder)
	}, func(paths []string, err error) {
		switch {
		case errors.Is(err, errNoPortal):
			u.pickWithFyne(k)
		case err == nil && len(paths) > 0:
			u.lastPickDir = filepath.Dir(paths[0])
			u.attachPaths(k, paths)
		}
	})
}

// pickWithFyne is the picker where no portal answers. Escape closes it.
func (u *UI) pickWithFyne(k conn.RequestKey) {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		p := r.URI().Path()
		r.Close()
		u.lastPickDir = filepath.Dir(p)
		u.attachPaths(k, []string{p})
		u.tl.focusCard(k)
	}, u.win)
	if u.lastPickDir != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(u.lastPickDir)); err == nil {
			fd.SetLocation(dir)
		}
	}
	fd.SetConfirmText(T("Attach"))
	showEscapable(fd, u.win, u.keys)
}

// attachPaths reads files into k's reply in the background.
func (u *UI) attachPaths(k conn.RequestKey, paths []string) {
	if len(paths) > maxDropped {
		paths = paths[:maxDropped]
	}
	u.work.run(func(context.Context) error { return u.core.AttachFiles(k, paths) }, nil)
}

// maxPastedList bounds pasted text that is looked at as a list of files.
const maxPastedList = 64 << 10

// pasteInto handles Ctrl+V in k's reply. Text naming files (what file
// managers copy: file:// URIs or absolute paths, one per line) attaches
// them; no text at all means an image or files only a clipboard tool can
// read (or nothing, which the chip then says). Any other text is left to
// the reply field.
func (u *UI) pasteInto(k conn.RequestKey, clip fyne.Clipboard) bool {
	text := ""
	if clip != nil {
		text = clip.Content()
	}
	if strings.TrimSpace(text) == "" {
		u.work.run(func(ctx context.Context) error { return u.core.AttachClipboard(ctx, k) }, nil)
		return true
	}
	if len(text) > maxPastedList {
		return false
	}
	list, ok := attach.ParseURIList(text)
	if !ok {
		return false
	}
	u.attachPaths(k, list.Paths)
	return true
}

// onDropped attaches files dropped on the window to the card under the
// point, or else to the card whose reply has the focus. Links (http…) are
// not files and are never fetched.
func (u *UI) onDropped(pos fyne.Position, items []fyne.URI) {
	var paths []string
	for _, it := range items {
		if it != nil && it.Scheme() == "file" && it.Path() != "" {
			paths = append(paths, it.Path())
		}
	}
	if len(paths) == 0 || u.keys.open() > 0 || u.settings.visible {
		return
	}
	k, ok := u.tl.cardAt(pos)
	if !ok {
		if k, ok = u.model.ReplyFocus(); !ok {
			return
		}
	}
	if cd, found := u.model.Card(k); !found || !cd.Answerable() {
		return
	}
	u.attachPaths(k, paths)
	u.tl.focusCard(k)
}

// removeAttachment drops one chip.
func (u *UI) removeAttachment(k conn.RequestKey, id int) {
	u.core.RemoveAttachment(k, id)
}

// saveReceived saves the i-th attachment of someone else's reply to k,
// asking where with a save dialog that Escape closes.
func (u *UI) saveReceived(k conn.RequestKey, i int) {
	cd, ok := u.model.Card(k)
	if !ok || i < 0 || i >= len(cd.Received) || cd.Received[i].Data == nil {
		return
	}
	r := cd.Received[i]
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		u.writeReceived(w, r.Data, r.Name)
	}, u.win)
	fd.SetFileName(r.Name)
	showEscapable(fd, u.win, u.keys)
}

// writeReceived writes saved bytes in the background; a failure becomes a
// banner.
func (u *UI) writeReceived(w io.WriteCloser, data []byte, name string) {
	u.work.run(func(context.Context) error {
		_, err := w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("cannot save %s: %w", name, err)
		}
		return nil
	}, func(err error) { u.notifyError(titleSaveAttachmentFailed, err) })
}
