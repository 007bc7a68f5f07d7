// Package attach turns what a user picks, pastes or drops into reply
// attachments for conn.Manager.ReplyWith: files from paths, clipboard
// images from bytes, text/uri-list pastes from file managers. It detects
// MIME types from content, enforces a per-file and a per-reply limit with
// plain messages, and makes small thumbnails of images off the UI
// goroutine. A Draft holds one reply's attachments (the chips) until the
// reply is sent or the card closes.
//
// It imports conn and profiles but never Fyne: every call may block on
// disk I/O or image decoding and belongs on a background goroutine.
package attach

import (
	"errors"
	"fmt"

	"github.com/agentdesk/agentdesk/profiles"
)

// Limits bound what one reply may carry. They are the settings' limits:
// profiles holds the defaults and bounds, and ValidateAttachmentLimits is
// the one check, so the settings and the drafts cannot disagree.
type Limits = profiles.AttachmentLimits

// DefaultLimits returns the limits of a fresh install.
func DefaultLimits() Limits { return profiles.DefaultAttachmentLimits() }

// usable returns l, or the defaults when l is unusable.
func usable(l Limits) Limits {
	if profiles.ValidateAttachmentLimits(l) != nil {
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
