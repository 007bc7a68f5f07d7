package attach

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/agentdesk/agentdesk/conn"
)

// Bounds on a paste that is read as a file list.
const (
	maxURIListBytes = 1 << 20
	maxURIListLines = 1000
)

// URIList is a pasted list of files, as file managers put them on the
// clipboard (text/uri-list, or one path per line).
type URIList struct {
	// Paths are the local files, in order, percent-escapes decoded.
	Paths []string
	// Skipped are URIs that name no local file (http:, ftp:, …): they are
	// not attachments and are never fetched.
	Skipped []string
}

var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// driveHost is the host "C:" of the non-standard "file://C:/x" that some
// Windows programs write.
var driveHost = regexp.MustCompile(`^[A-Za-z]:$`)

// onWindows selects the Windows path rules; the rules themselves take it
// as an argument so that both sets are tested on every OS.
const onWindows = runtime.GOOS == "windows"

// ParseURIList reads pasted text as a list of files. It accepts
// text/uri-list (file:// URIs, "#" comments; RFC 2483), GNOME's
// "copy"/"cut" first line, and absolute paths, one per line. ok is false
// when the text is ordinary text and should stay text: some line is
// neither a URI nor an existing absolute path, or no line names a local
// file. Plain paths are checked with os.Stat, so that a sentence starting
// with "/" is not taken for a file. On Windows only drive-letter paths
// (C:\…, file:///C:/…) are local: a network path (\\host\share) would
// make even that check connect to the host.
func ParseURIList(text string) (list URIList, ok bool) {
	if len(text) > maxURIListBytes {
		return URIList{}, false
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxURIListLines {
		return URIList{}, false
	}
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i == 0 && (line == "copy" || line == "cut") {
			continue // x-special/gnome-copied-files
		}
		switch {
		case strings.HasPrefix(strings.ToLower(line), "file:"):
			p, good := filePath(line, onWindows)
			if !good {
				return URIList{}, false
			}
			list.Paths = append(list.Paths, p)
		// A drive-letter path is a path on any OS, not a URI of scheme "C".
		case conn.IsLocalAbsPath(line, true) || filepath.IsAbs(line):
			if !conn.IsLocalAbsPath(line, onWindows) {
				return URIList{}, false
			}
			if _, err := os.Stat(line); err != nil {
				return URIList{}, false
			}
			list.Paths = append(list.Paths, filepath.Clean(line))
		case uriScheme.MatchString(line) && !strings.ContainsAny(line, " \t"):
			list.Skipped = append(list.Skipped, line)
		default:
			return URIList{}, false
		}
	}
	if len(list.Paths) == 0 {
		return URIList{}, false
	}
	return list, true
}

// filePath decodes a file: URI to a local path, by the Windows rules when
// windows is set. Only local hosts count. On Windows it accepts
// file:///C:/x (RFC 8089), file:C:/x (its appendix E.2) and file://C:/x
// (written by some programs), and refuses URIs without a drive letter:
// file:///etc/x is another system's path, file:////host/share a network
// one.
func filePath(raw string, windows bool) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, "file") {
		return "", false
	}
	host, p := u.Host, u.Path
	if windows {
		if u.Opaque != "" {
			if p, err = url.PathUnescape(u.Opaque); err != nil {
				return "", false
			}
		}
		if driveHost.MatchString(host) {
			host, p = "", host+p
		}
		if len(p) > 2 && p[0] == '/' && conn.IsLocalAbsPath(p[1:], true) {
			p = p[1:]
		}
		p = strings.ReplaceAll(p, "/", `\`)
	}
	if host != "" && !strings.EqualFold(host, "localhost") {
		return "", false // a file on another machine is not ours to read
	}
	if !conn.IsLocalAbsPath(p, windows) {
		return "", false // "file:relative" names no local file
	}
	return p, true
}
