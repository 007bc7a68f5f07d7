package attach

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// sniffLen is how much of a file content detection looks at.
const sniffLen = 512

// FromFile reads a file the user picked or dropped. It refuses folders,
// empty and unreadable files, and files over l.PerFile (checked before
// reading, so a huge file costs nothing). Binary files are attached as
// they are.
func FromFile(path string, l Limits) (conn.Attachment, error) {
	l = usable(l)
	f, size, err := openFile(path)
	if err != nil {
		return conn.Attachment{}, err
	}
	defer f.Close()
	name := conn.SafeAttachmentName(filepath.Base(path), "file")
	if size > l.PerFile {
		return conn.Attachment{}, tooLargeFile(name, size, l.PerFile)
	}
	data, err := readAll(f, size, l.PerFile)
	if err != nil {
		return conn.Attachment{}, unreadable(name, err)
	}
	if int64(len(data)) > l.PerFile {
		return conn.Attachment{}, tooLargeFile(name, int64(len(data)), l.PerFile) // it grew while we read
	}
	if len(data) == 0 {
		return conn.Attachment{}, fmt.Errorf("%s %w: there is nothing to attach", name, ErrEmpty)
	}
	return conn.Attachment{Name: name, MIME: DetectMIME(name, data), Data: data}, nil
}

// openFile opens a regular file and returns its size, with plain errors.
func openFile(path string) (*os.File, int64, error) {
	name := conn.SafeAttachmentName(filepath.Base(path), path)
	// Stat before opening: opening a FIFO would block until a writer comes.
	st, err := os.Stat(path)
	if err == nil {
		switch {
		case st.IsDir():
			return nil, 0, fmt.Errorf("%s %w: attach the files inside it instead", name, ErrIsDirectory)
		case !st.Mode().IsRegular():
			return nil, 0, fmt.Errorf("%s %w: it is not a regular file", name, ErrUnreadable)
		}
	}
	var f *os.File
	if err == nil {
		f, err = os.Open(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, fmt.Errorf("%s %w: it does not exist (any more)", name, ErrUnreadable)
		}
		return nil, 0, unreadable(name, err)
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s %w: it changed while being opened", name, ErrUnreadable)
	}
	return f, st.Size(), nil
}

// readAll reads at most limit+1 bytes, sized from the file's stat.
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(size, limit)+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if int64(len(buf)) > limit {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func unreadable(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	return fmt.Errorf("%s %w: %v", name, ErrUnreadable, err)
}

func tooLargeFile(name string, size, limit int64) error {
	return fmt.Errorf("%s is %w: %s, and the limit is %s per file", name, ErrTooLarge, FormatSize(size), FormatSize(limit))
}

// FromBytes makes an attachment from bytes, such as an image pasted from
// the clipboard. An empty name becomes "pasted-<time>" with an extension
// for the detected type. Empty data is ErrEmptyClipboard.
func FromBytes(name string, data []byte, l Limits) (conn.Attachment, error) {
	l = usable(l)
	if len(data) == 0 {
		return conn.Attachment{}, ErrEmptyClipboard
	}
	mimeType := DetectMIME(name, data)
	if strings.TrimSpace(name) == "" {
		name = "pasted-" + time.Now().Format("20060102-150405") + extensionOf(mimeType)
	}
	name = conn.SafeAttachmentName(name, "pasted")
	if int64(len(data)) > l.PerFile {
		return conn.Attachment{}, tooLargeFile(name, int64(len(data)), l.PerFile)
	}
	return conn.Attachment{Name: name, MIME: mimeType, Data: data}, nil
}

// DetectMIME returns the MIME type of a file from its content, refined by
// its name's extension where content sniffing only sees generic text,
// generic binary (unless the extension claims text), zip or ogg
// containers. The answer never depends on the
// machine's mime.types files for the extensions listed in byExtension.
func DetectMIME(name string, data []byte) string {
	sniffed := http.DetectContentType(data[:min(len(data), sniffLen)])
	mt, _, _ := mime.ParseMediaType(sniffed)
	ext := strings.ToLower(filepath.Ext(name))
	byExt := byExtension[ext]
	if byExt == "" && ext != "" {
		if t, _, err := mime.ParseMediaType(mime.TypeByExtension(ext)); err == nil {
			byExt = t
		}
	}
	switch mt {
	case "application/octet-stream":
		// Binary content keeps a binary type even when named .txt or .log.
		if byExt != "" && !isTextual(byExt) {
			return byExt
		}
	case "text/plain", "text/xml":
		// Content says text; the extension says which kind.
		if byExt != "" && isTextual(byExt) {
			return byExt
		}
	case "application/zip", "application/ogg":
		if byExt != "" {
			return byExt // .docx, .xlsx, .jar…; .ogg, .opus
		}
	}
	return mt
}

// isTextual reports whether a MIME type is text an agent can read.
func isTextual(mt string) bool {
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") || strings.HasSuffix(mt, "+json") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/yaml",
		"application/toml", "application/x-sh", "application/sql":
		return true
	}
	return false
}

// byExtension covers what net/http cannot sniff, so results are the same
// on every OS.
var byExtension = map[string]string{
	".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain", ".log": "text/plain",
	".csv": "text/csv", ".tsv": "text/tab-separated-values", ".json": "application/json",
	".yaml": "application/yaml", ".yml": "application/yaml", ".toml": "application/toml",
	".xml": "application/xml", ".svg": "image/svg+xml", ".html": "text/html", ".htm": "text/html",
	".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript", ".ts": "text/x-typescript",
	".go": "text/x-go", ".py": "text/x-python", ".rs": "text/x-rust", ".java": "text/x-java",
	".c": "text/x-c", ".h": "text/x-c", ".cpp": "text/x-c++", ".sh": "application/x-sh",
	".sql": "application/sql", ".diff": "text/x-diff", ".patch": "text/x-diff", ".dart": "text/x-dart",
	".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/opus", ".m4a": "audio/mp4",
	".flac": "audio/flac", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".aac": "audio/aac",
	".webm": "video/webm", ".mp4": "video/mp4", ".mov": "video/quicktime",
	".heic": "image/heic", ".avif": "image/avif", ".tif": "image/tiff", ".tiff": "image/tiff",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text", ".jar": "application/java-archive",
	".apk": "application/vnd.android.package-archive", ".zip": "application/zip",
	".gz": "application/gzip", ".tar": "application/x-tar", ".7z": "application/x-7z-compressed",
	".pdf": "application/pdf",
}

// extensionOf names a file extension for pasted data: the type's own, or
// .txt for text and .bin for the rest.
func extensionOf(mt string) string {
	if strings.HasPrefix(mt, "text/") {
		return ".txt"
	}
	if ext := conn.ExtensionFor(mt); ext != "" {
		return ext
	}
	return ".bin"
}
