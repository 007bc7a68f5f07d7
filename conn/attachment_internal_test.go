package conn

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/conn/wire"
)

func TestSafeAttachmentName(t *testing.T) {
	long := strings.Repeat("é", 200) + ".png" // 400 bytes before the extension
	cases := map[string]string{
		"shot.png":                      "shot.png",
		"/home/me/shot.png":             "shot.png",
		`C:\Users\me\shot.png`:          "shot.png",
		"../../etc/passwd":              "passwd",
		"dir/":                          "dir",
		"..":                            "fallback",
		"":                              "fallback",
		"  \x00\x07 ":                   "fallback",
		"a\nb\tc.txt":                   "abc.txt",
		"bad\xffutf8.txt":               "badutf8.txt",
		"名前 with spaces.md":             "名前 with spaces.md",
		"/":                             "fallback",
		"x/" + strings.Repeat("a", 300): strings.Repeat("a", 255),
	}
	for in, want := range cases {
		if got := SafeAttachmentName(in, "fallback"); got != want {
			t.Errorf("SafeAttachmentName(%q) = %q, want %q", in, got, want)
		}
	}
	got := SafeAttachmentName(long, "x")
	if len(got) > MaxAttachmentNameLen || !strings.HasSuffix(got, ".png") || !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("long name cut to %q (%d bytes)", got, len(got))
	}
}

func TestSafeMIME(t *testing.T) {
	cases := map[string]string{
		"image/png":                     "image/png",
		"Image/PNG":                     "image/png",
		"text/plain; charset=utf-8":     "text/plain",
		"":                              "application/octet-stream",
		"nonsense":                      "application/octet-stream",
		"bogus mime;;":                  "application/octet-stream",
		"a/" + strings.Repeat("b", 200): "application/octet-stream",
	}
	for in, want := range cases {
		if got := SafeMIME(in); got != want {
			t.Errorf("SafeMIME(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttachmentKindAndWireSize(t *testing.T) {
	for mimeType, want := range map[string]AttachmentKind{
		"image/png": AttachmentImage, "IMAGE/JPEG": AttachmentImage, "audio/ogg": AttachmentAudio,
		"application/pdf": AttachmentFile, "": AttachmentFile, "text/plain": AttachmentFile,
	} {
		if got := AttachmentKindOf(mimeType); got != want {
			t.Errorf("AttachmentKindOf(%q) = %v, want %v", mimeType, got, want)
		}
	}
	a := Attachment{Name: "a", MIME: "audio/wav", Data: make([]byte, 300)}
	if a.WireSize() != 400 {
		t.Errorf("audio wire size = %d, want 400 (base64)", a.WireSize())
	}
	a.MIME = "image/png"
	if a.WireSize() != 300 {
		t.Errorf("image wire size = %d, want 300 (raw bytes)", a.WireSize())
	}
	if AttachmentAudio.String() != "audio" || AttachmentKind(9).String() != "AttachmentKind(9)" {
		t.Error("AttachmentKind.String")
	}
}

// Bytes past MaxKeptReceivedBytes are dropped; the metadata stays.
func TestReceivedAttachmentsKeepBoundedBytes(t *testing.T) {
	big := make([]byte, MaxKeptReceivedBytes/2+1)
	res := func(name string) *wire.McpResultContent {
		return &wire.McpResultContent{Type: wire.ContentResource,
			EmbeddedResource: &wire.EmbeddedResource{Uri: "file://" + name, MimeType: "application/zip", Data: big}}
	}
	got := receivedAttachments([]*wire.McpResultContent{res("a.zip"), res("b.zip"), nil,
		{Type: wire.ContentResource, EmbeddedResource: &wire.EmbeddedResource{Uri: "file://c.txt", MimeType: "text/plain", Data: []byte("small")}}})
	if len(got) != 3 {
		t.Fatalf("got %d attachments", len(got))
	}
	if got[0].Omitted || got[0].Data == nil {
		t.Errorf("first = omitted %v", got[0].Omitted)
	}
	if !got[1].Omitted || got[1].Data != nil || got[1].Size != int64(len(big)) || got[1].Name != "b.zip" || got[1].Problem != "" {
		t.Errorf("second = %+v omitted %v", got[1].AttachmentInfo, got[1].Omitted)
	}
	if got[2].Omitted || string(got[2].Data) != "small" {
		t.Errorf("a small one after the cap should still fit: %+v", got[2])
	}
}

func TestReplyContentsShapes(t *testing.T) {
	if c := replyContents("hi", nil); len(c) != 1 || c[0].GetText().GetText() != "hi" {
		t.Errorf("text only = %v", c)
	}
	// A text-only reply keeps its text item even when empty, as before.
	if c := replyContents("", nil); len(c) != 1 || c[0].GetType() != wire.ContentText {
		t.Errorf("empty text only = %v", c)
	}
	c := replyContents("", []Attachment{{Name: "a b.txt", MIME: "text/plain", Data: []byte("x")}})
	if len(c) != 1 || c[0].GetEmbeddedResource().GetUri() != "file://a b.txt" {
		t.Errorf("attachment only = %v", c)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 32505856: "32,505,856", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
