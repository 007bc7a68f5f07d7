package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// ErrClipboardUnsupported: this system gives no way to read images or file
// lists from the clipboard (Fyne's clipboard holds text only).
var ErrClipboardUnsupported = errors.New("pasting images and files needs xclip (X11) or wl-clipboard (Wayland)")

// Clipboard is what a paste can attach.
type Clipboard struct {
	// Image holds image bytes when the clipboard offers an image.
	Image []byte
	// MIME is the image's type, as offered ("image/png", …).
	MIME string
	// Files is a text/uri-list (see ParseURIList) when the clipboard holds
	// files copied in a file manager.
	Files string
}

// imageTypes are the clipboard image types read, best first: PNG is
// lossless and what screenshot tools and browsers offer.
var imageTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp"}

// fileListTypes are the targets file managers put copied files under.
var fileListTypes = []string{"text/uri-list", "x-special/gnome-copied-files"}

// clipboardTimeout bounds each clipboard read: the owning program answers
// the request, and a hung owner must not hang the paste.
const clipboardTimeout = 5 * time.Second

// ReadClipboard reads an image or a file list from the system clipboard,
// for the paste of a reply box (plain text stays with the entry's own
// paste). It reads at most max image bytes and fails with ErrTooLarge past
// them, with ErrEmptyClipboard when the clipboard holds neither, and with
// ErrClipboardUnsupported where it cannot look (no xclip or wl-paste, or
// not Linux/BSD). It blocks on the program that owns the clipboard: call
// it off the UI goroutine.
func ReadClipboard(ctx context.Context, max int64) (Clipboard, error) {
	tool, err := clipboardTool()
	if err != nil {
		return Clipboard{}, err
	}
	out, err := tool.run(ctx, tool.listArgs, 64<<10)
	if err != nil {
		// An empty clipboard makes both tools fail: nothing to offer.
		return Clipboard{}, ErrEmptyClipboard
	}
	offered := strings.Fields(string(out))
	for _, t := range imageTypes {
		if !slices.Contains(offered, t) {
			continue
		}
		data, err := tool.run(ctx, tool.readArgs(t), max+1)
		if err != nil {
			return Clipboard{}, fmt.Errorf("cannot read the pasted image: %w", err)
		}
		if int64(len(data)) > max {
			return Clipboard{}, fmt.Errorf("the pasted image is %w: more than %s, and the limit is %s per file", ErrTooLarge, FormatSize(max), FormatSize(max))
		}
		if len(data) == 0 {
			return Clipboard{}, ErrEmptyClipboard
		}
		return Clipboard{Image: data, MIME: t}, nil
	}
	for _, t := range fileListTypes {
		if !slices.Contains(offered, t) {
			continue
		}
		data, err := tool.run(ctx, tool.readArgs(t), maxURIListBytes)
		if err == nil && len(bytes.TrimSpace(data)) > 0 {
			return Clipboard{Files: string(data)}, nil
		}
	}
	return Clipboard{}, ErrEmptyClipboard
}

// clipTool is a command-line clipboard reader.
type clipTool struct {
	path     string
	listArgs []string
	readArgs func(mimeType string) []string
}

// clipboardTool picks wl-paste on Wayland, xclip on X11.
func clipboardTool() (clipTool, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios", "js", "wasip1", "plan9":
		return clipTool{}, ErrClipboardUnsupported
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		if p, err := exec.LookPath("wl-paste"); err == nil {
			return clipTool{path: p, listArgs: []string{"--no-newline", "--list-types"},
				readArgs: func(t string) []string { return []string{"--no-newline", "--type", t} }}, nil
		}
	}
	if os.Getenv("DISPLAY") != "" {
		if p, err := exec.LookPath("xclip"); err == nil {
			return clipTool{path: p, listArgs: []string{"-selection", "clipboard", "-target", "TARGETS", "-out"},
				readArgs: func(t string) []string { return []string{"-selection", "clipboard", "-target", t, "-out"} }}, nil
		}
	}
	return clipTool{}, ErrClipboardUnsupported
}

// run runs the tool and returns at most max bytes of its output (more
// means the caller's limit was passed; the tool is stopped).
func (c clipTool) run(ctx context.Context, args []string, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, clipboardTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	data, readErr := io.ReadAll(io.LimitReader(stdout, max))
	if int64(len(data)) >= max {
		cancel() // enough: the caller only needs to know it is too much
		_ = cmd.Wait()
		return data, nil
	}
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return data, readErr
}

// AddClipboard adds what the clipboard holds: an image becomes one item, a
// file list one item per file. It returns ErrEmptyClipboard or
// ErrClipboardUnsupported as they are (nothing added), and other failures,
// such as an image over the limit, as an item with Err. Call it off the UI
// goroutine.
func (d *Draft) AddClipboard(ctx context.Context) ([]Item, error) {
	clip, err := ReadClipboard(ctx, d.currentLimits().PerFile)
	switch {
	case errors.Is(err, ErrEmptyClipboard), errors.Is(err, ErrClipboardUnsupported):
		return nil, err
	case err != nil:
		e := d.add("pasted image")
		return []Item{d.load(e, conn.Attachment{}, err)}, nil
	case clip.Image != nil:
		return []Item{d.AddBytes("pasted-"+time.Now().Format("20060102-150405")+extensionOf(clip.MIME), clip.Image)}, nil
	}
	items, ok := d.AddPaste(clip.Files)
	if !ok {
		return nil, ErrEmptyClipboard
	}
	return items, nil
}
