// Package attach turns what a user picks, pastes or drops into reply
// attachments for conn.Manager.ReplyWith: files from paths, clipboard
// images from bytes, text/uri-list pastes from file managers. It detects
// MIME types from content, enforces a per-file and a per-reply limit with
// plain messages, and makes small thumbnails of images off the UI
// goroutine. A Draft holds one reply's attachments (the chips) until the
// reply is sent or the card closes.
//
// It imports conn but never Fyne: every call may block on disk I/O or
// image decoding and belongs on a background goroutine.
package attach

import (
	"errors"
	"fmt"
)

// Default and bounding limits. Sizes are decimal bytes, as file managers
// show them.
//
// Why these numbers: a reply travels as one WebSocket frame. The stock
// server sets no read limit, but it re-broadcasts the frame to every other
// client, and agentdesk peers refuse frames over their 32 MiB ReadLimit;
// conn.ReplyWith refuses anything over 31 MiB including the request it
// answers. The agent side is JSON over HTTP, which base64s the bytes
// (4/3), and the stock MCP bridge reads at most 50 MiB: 30 MB of
// attachments become 40 MB of JSON. Audio already travels as base64, so it
// counts 4/3 towards the reply limit. 24 MB per reply leaves room for the
// text and for a long question echoed back with the reply; 10 MB per file
// lets a few screenshots or logs go together.
const (
	// DefaultPerFile is the largest file a reply takes by default.
	DefaultPerFile = 10_000_000
	// DefaultPerReply bounds all of a reply's attachments by default.
	DefaultPerReply = 24_000_000
	// MaxPerReply is the highest per-reply limit Settings may choose.
	MaxPerReply = 30_000_000
	// MinLimit is the lowest limit Settings may choose.
	MinLimit = 100_000
)

// Limits bound what one reply may carry.
type Limits struct {
	// PerFile is the largest file, in bytes.
	PerFile int64
	// PerReply bounds the bytes all attachments add to the reply (audio
	// counts its base64 size).
	PerReply int64
}

// DefaultLimits returns the limits of a fresh install.
func DefaultLimits() Limits { return Limits{PerFile: DefaultPerFile, PerReply: DefaultPerReply} }

// Check reports limits that cannot be used.
func (l Limits) Check() error {
	switch {
	case l.PerFile < MinLimit || l.PerReply < MinLimit:
		return fmt.Errorf("attachment limits must be at least %s", FormatSize(MinLimit))
	case l.PerReply > MaxPerReply:
		return fmt.Errorf("the per-reply limit can be at most %s (one reply is one message on the wire)", FormatSize(MaxPerReply))
	case l.PerFile > l.PerReply:
		return errors.New("the per-file limit cannot be larger than the per-reply limit")
	}
	return nil
}

// orDefault returns l, or the defaults when l is unusable.
func (l Limits) orDefault() Limits {
	if l.Check() != nil {
		return DefaultLimits()
	}
	return l
}

// Errors, matched with errors.Is; their messages say what to do.
var (
	// ErrTooLarge: over the per-file or per-reply limit.
	ErrTooLarge = errors.New("too large")
	// ErrEmptyClipboard: the clipboard held no image and no files.
	ErrEmptyClipboard = errors.New("the clipboard holds no image or file")
	// ErrIsDirectory: a folder was given where a file is needed.
	ErrIsDirectory = errors.New("is a folder")
	// ErrEmpty: the file has no content.
	ErrEmpty = errors.New("is empty")
	// ErrUnreadable: the file could not be read.
	ErrUnreadable = errors.New("cannot be read")
)

// FormatSize writes a byte count for people: "980 B", "1.2 kB", "10 MB".
func FormatSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	units := []string{"kB", "MB", "GB", "TB"}
	for v /= unit; v >= unit && i < len(units)-1; v /= unit {
		i++
	}
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f %s", v, units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
