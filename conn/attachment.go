package conn

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// AttachmentKind says how an attachment travels and how a card shows it.
type AttachmentKind int

const (
	// AttachmentFile is any file: an embedded resource (type 4) on the wire.
	AttachmentFile AttachmentKind = iota + 1
	// AttachmentImage is an image/* file. It travels as an embedded
	// resource like any file, so agents can save it; cards show a thumbnail.
	AttachmentImage
	// AttachmentAudio is an audio/* file: audio content (type 3), whose data
	// is base64 text, so it costs 4/3 of its size on the wire.
	AttachmentAudio
)

// String names the kind.
func (k AttachmentKind) String() string {
	switch k {
	case AttachmentFile:
		return "file"
	case AttachmentImage:
		return "image"
	case AttachmentAudio:
		return "audio"
	}
	return fmt.Sprintf("AttachmentKind(%d)", int(k))
}

// AttachmentKindOf derives the kind from a MIME type.
func AttachmentKindOf(mimeType string) AttachmentKind {
	m := strings.ToLower(strings.TrimSpace(mimeType))
	switch {
	case strings.HasPrefix(m, "image/"):
		return AttachmentImage
	case strings.HasPrefix(m, "audio/"):
		return AttachmentAudio
	}
	return AttachmentFile
}

// Limits on what a reply may carry.
const (
	// MaxReplyFrameBytes bounds the whole reply frame. The stock server
	// sets no read limit, but it broadcasts our frame to every other client,
	// and agentdesk peers drop frames over their 32 MiB ReadLimit (the
	// default): 1 MiB below it leaves room for the WebSocket header.
	MaxReplyFrameBytes = 31 << 20
	// MaxAttachments bounds how many attachments one reply carries.
	MaxAttachments = 64
	// MaxAttachmentNameLen bounds a file name, in bytes, as file systems do.
	MaxAttachmentNameLen = 255
	// MaxKeptReceivedBytes bounds the attachment bytes kept from one reply
	// notification; attachments past it keep their metadata only.
	MaxKeptReceivedBytes = 24 << 20
	// maxMIMELen bounds a MIME type; real ones are far shorter.
	maxMIMELen = 127
)

// ErrReplyTooLarge: the reply would not fit in one frame that every client
// can read.
var ErrReplyTooLarge = errors.New("the reply is too large")

// Attachment is a file sent with a reply. The manager keeps Data until the
// reply is delivered or given up, and never changes it; neither may the
// caller once it is handed over.
type Attachment struct {
	// Name is the file name (no folders), sent as uri "file://<Name>".
	Name string
	// MIME is the content type, for example "image/png".
	MIME string
	// Data is the file's content.
	Data []byte
}

// Kind derives the attachment's kind from its MIME type.
func (a Attachment) Kind() AttachmentKind { return AttachmentKindOf(a.MIME) }

// WireSize is how many bytes the attachment adds to a reply: its size, or
// the base64 length for audio.
func (a Attachment) WireSize() int64 {
	if a.Kind() == AttachmentAudio {
		return int64(base64.StdEncoding.EncodedLen(len(a.Data)))
	}
	return int64(len(a.Data))
}

// Info returns the attachment's metadata, without its bytes.
func (a Attachment) Info() AttachmentInfo {
	return AttachmentInfo{Name: a.Name, MIME: a.MIME, Size: int64(len(a.Data)), Kind: a.Kind()}
}

// AttachmentInfo describes an attachment without holding its bytes, as
// reply history keeps it.
type AttachmentInfo struct {
	Name string
	MIME string
	// Size is the content's size in bytes.
	Size int64
	Kind AttachmentKind
}

// UnreadableAttachment starts the Problem of an attachment that arrived
// malformed.
const UnreadableAttachment = "unreadable attachment"

// ReceivedAttachment is non-text content of someone else's reply, decoded.
// Nothing is ever fetched: a URI that is not file:// stays text in URI.
type ReceivedAttachment struct {
	AttachmentInfo
	// Data is the content; nil when Omitted or unreadable.
	Data []byte
	// URI is the resource's uri as sent ("" for images and audio).
	URI string
	// Problem is "" for a usable attachment, else why it cannot be shown
	// or saved; it starts with UnreadableAttachment.
	Problem string
	// Omitted is set when the bytes were dropped because the reply carried
	// more than MaxKeptReceivedBytes; the metadata is still right.
	Omitted bool
}

// SafeAttachmentName turns a name from outside into a plain file name: the
// last path element, without control characters, at most
// MaxAttachmentNameLen bytes, cut on a character boundary. It returns
// fallback when nothing usable is left.
func SafeAttachmentName(name, fallback string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimRight(name, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if name == "." || name == ".." || name == "/" || name == "" {
		return fallback
	}
	if len(name) > MaxAttachmentNameLen {
		// Keep the extension: it is what tells an agent the file type.
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = limits.Prefix(name[:len(name)-len(ext)], MaxAttachmentNameLen-len(ext)) + ext
	}
	return name
}

// SafeMIME returns the media type of a MIME value from outside, lower case
// and without parameters, or "application/octet-stream" when it does not
// parse.
func SafeMIME(v string) string {
	if len(v) > maxMIMELen {
		return "application/octet-stream"
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mt
}

// checkAttachments validates a reply's attachments before anything is
// queued, and returns them with safe names and MIME types.
func checkAttachments(atts []Attachment) ([]Attachment, error) {
	if len(atts) > MaxAttachments {
		return nil, fmt.Errorf("%w: %d attachments (at most %d)", ErrReplyTooLarge, len(atts), MaxAttachments)
	}
	out := make([]Attachment, len(atts))
	for i, a := range atts {
		if len(a.Data) == 0 {
			return nil, fmt.Errorf("the attachment %q is empty", a.Name)
		}
		a.Name = SafeAttachmentName(a.Name, "attachment")
		a.MIME = SafeMIME(a.MIME)
		out[i] = a
	}
	return out, nil
}

// replyContents builds a reply's contents the way the Flutter client does:
// the typed text first (left out when empty and there are attachments),
// then each attachment in order.
func replyContents(text string, atts []Attachment) []*wire.McpResultContent {
	if len(atts) == 0 {
		return wire.TextContents(text)
	}
	var contents []*wire.McpResultContent
	if text != "" {
		contents = wire.TextContents(text)
	}
	for _, a := range atts {
		if a.Kind() == AttachmentAudio {
			contents = append(contents, &wire.McpResultContent{Type: wire.ContentAudio,
				Audio: &wire.AudioContent{Type: "audio", Data: base64.StdEncoding.EncodeToString(a.Data), MimeType: a.MIME}})
			continue
		}
		contents = append(contents, &wire.McpResultContent{Type: wire.ContentResource,
			EmbeddedResource: &wire.EmbeddedResource{Type: "embedded_resource", Uri: "file://" + a.Name, MimeType: a.MIME, Data: a.Data}})
	}
	return contents
}

func attachmentInfos(atts []Attachment) []AttachmentInfo {
	if len(atts) == 0 {
		return nil
	}
	out := make([]AttachmentInfo, len(atts))
	for i, a := range atts {
		out[i] = a.Info()
	}
	return out
}

// receivedAttachments decodes the non-text items of someone's reply. It
// never fails: a malformed item becomes an entry with a Problem.
func receivedAttachments(contents []*wire.McpResultContent) []ReceivedAttachment {
	var out []ReceivedAttachment
	kept := int64(0)
	for i, c := range contents {
		if c == nil || c.GetType() == wire.ContentText {
			continue
		}
		r := receivedAttachment(c, i+1)
		if r.Problem == "" && kept+r.Size > MaxKeptReceivedBytes {
			r.Data, r.Omitted = nil, true
		}
		if r.Data != nil {
			kept += r.Size
		}
		out = append(out, r)
	}
	return out
}

func unreadable(format string, args ...any) string {
	return UnreadableAttachment + ": " + fmt.Sprintf(format, args...)
}

// receivedAttachment decodes one non-text item; n numbers it for a name.
func receivedAttachment(c *wire.McpResultContent, n int) ReceivedAttachment {
	var r ReceivedAttachment
	switch c.GetType() {
	case wire.ContentImage, wire.ContentAudio:
		kind, mimeType, data := AttachmentImage, c.GetImage().GetMimeType(), c.GetImage().GetData()
		present := c.GetImage() != nil
		if c.GetType() == wire.ContentAudio {
			kind, mimeType, data = AttachmentAudio, c.GetAudio().GetMimeType(), c.GetAudio().GetData()
			present = c.GetAudio() != nil
		}
		r.Kind, r.MIME = kind, SafeMIME(mimeType)
		r.Name = fmt.Sprintf("%s-%d%s", kind, n, ExtensionFor(r.MIME))
		if !present {
			r.Problem = unreadable("the %s content is missing", kind)
			return r
		}
		b, err := decodeBase64(data)
		if err != nil {
			r.Problem = unreadable("its data is not valid base64")
			return r
		}
		if len(b) == 0 {
			r.Problem = unreadable("it has no content")
			return r
		}
		r.Data, r.Size = b, int64(len(b))
	case wire.ContentResource:
		res := c.GetEmbeddedResource()
		r.Kind, r.MIME = AttachmentFile, SafeMIME(res.GetMimeType())
		if res == nil {
			r.Name = fmt.Sprintf("attachment-%d", n)
			r.Problem = unreadable("the embedded resource is missing")
			return r
		}
		r.URI = limits.Prefix(strings.ToValidUTF8(res.GetUri(), ""), 2048)
		r.Kind = AttachmentKindOf(r.MIME)
		r.Name = fmt.Sprintf("attachment-%d%s", n, ExtensionFor(r.MIME))
		if name, ok := strings.CutPrefix(r.URI, "file://"); ok {
			r.Name = SafeAttachmentName(name, r.Name)
		}
		if len(res.GetData()) == 0 {
			r.Problem = unreadable("it has no content (uri %q)", r.URI)
			return r
		}
		r.Data, r.Size = res.GetData(), int64(len(res.GetData()))
	default:
		r.Kind, r.MIME = AttachmentFile, "application/octet-stream"
		r.Name = fmt.Sprintf("attachment-%d", n)
		r.Problem = unreadable("unknown content type %d", c.GetType())
	}
	return r
}

// decodeBase64 accepts padded and unpadded standard base64, the forms
// MCP clients send.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// ExtensionFor returns a file extension for a MIME type, "" when unknown:
// for naming content that came without a name (pasted images, audio).
func ExtensionFor(mimeType string) string {
	switch mimeType {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/bmp":
		return ".bmp"
	case "audio/mpeg":
		return ".mp3"
	case "audio/wav", "audio/x-wav", "audio/wave":
		return ".wav"
	case "audio/ogg":
		return ".ogg"
	}
	if exts, err := mime.ExtensionsByType(mimeType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// groupDigits writes n with thousands separators, for size messages.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
