package attach_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/profiles"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// solid is a w×h image of one colour.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFromFile(t *testing.T) {
	dir := t.TempDir()
	pngData := encodePNG(t, solid(4, 4, color.NRGBA{G: 255, A: 255}))
	binData := append([]byte{0, 1, 2, 0xff, 0}, bytes.Repeat([]byte{0x9c}, 5000)...)
	limits := attach.Limits{PerFile: 200_000, PerReply: 400_000}
	cases := []struct {
		name, file string
		data       []byte
		mime       string
	}{
		{"text", "notes.txt", []byte("hello\n"), "text/plain"},
		{"markdown by extension", "README.md", []byte("# Title\n"), "text/markdown"},
		{"json by extension", "a.json", []byte(`{"a":1}`), "application/json"},
		{"png without extension, by content", "screenshot", pngData, "image/png"},
		{"png content wins over a wrong extension", "shot.txt", pngData, "image/png"},
		{"binary as-is", "blob.bin", binData, "application/octet-stream"},
		{"unknown extension binary", "core.dump9", binData, "application/octet-stream"},
		{"binary named .log stays binary", "x.log", binData, "application/octet-stream"},
		{"ogg container with audio extension", "voice.ogg", append([]byte("OggS\x00\x02"), make([]byte, 100)...), "audio/ogg"},
		{"zip named docx", "report.docx", append([]byte("PK\x03\x04"), make([]byte, 100)...), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"exactly at the limit", "full.bin", bytes.Repeat([]byte{1}, 200_000), "application/octet-stream"},
	}
	for _, tc := range cases {
		p := writeFile(t, dir, tc.file, tc.data)
		a, err := attach.FromFile(p, limits)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if a.Name != tc.file || a.MIME != tc.mime || !bytes.Equal(a.Data, tc.data) {
			t.Errorf("%s: got %q %q (%d bytes), want %q %q", tc.name, a.Name, a.MIME, len(a.Data), tc.file, tc.mime)
		}
	}
}

func TestFromFileRefusals(t *testing.T) {
	dir := t.TempDir()
	limits := attach.Limits{PerFile: 100_000, PerReply: 200_000}
	big := writeFile(t, dir, "big.iso", make([]byte, 100_001))
	empty := writeFile(t, dir, "empty.txt", nil)
	plain := writeFile(t, dir, "plain.txt", []byte("x"))
	odd := nonRegularFile(t, dir)
	// Windows answers "path not found" for a path through a file.
	throughFile := "child cannot be read: not a directory"
	if runtime.GOOS == "windows" {
		throughFile = "child cannot be read: it does not exist"
	}
	cases := []struct {
		name, path string
		is         error
		text       string
	}{
		{"over the per-file limit", big, attach.ErrTooLarge, "big.iso is too large: 100 kB, and the limit is 100 kB per file"},
		{"a folder", dir, attach.ErrIsDirectory, "is a folder: attach the files inside it instead"},
		{"missing", filepath.Join(dir, "gone.txt"), attach.ErrUnreadable, "gone.txt cannot be read: it does not exist"},
		{"through a file", filepath.Join(plain, "child"), attach.ErrUnreadable, throughFile},
		{"empty", empty, attach.ErrEmpty, "empty.txt is empty"},
		{"not a regular file", odd, attach.ErrUnreadable, filepath.Base(odd) + " cannot be read: it is not a regular file"},
		{"a device", os.DevNull, attach.ErrUnreadable, filepath.Base(os.DevNull) + " cannot be read: it is not a regular file"},
	}
	for _, tc := range cases {
		_, err := attach.FromFile(tc.path, limits)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: err = %v, want %v with %q", tc.name, err, tc.is, tc.text)
		}
	}
	if !attach.IsLimit(func() error { _, err := attach.FromFile(big, limits); return err }()) {
		t.Error("IsLimit(over the per-file limit) = false")
	}
}

func TestFromBytes(t *testing.T) {
	if _, err := attach.FromBytes("", nil, attach.DefaultLimits()); !errors.Is(err, attach.ErrEmptyClipboard) {
		t.Errorf("empty clipboard: err = %v", err)
	}
	pngData := encodePNG(t, solid(2, 2, color.NRGBA{A: 255}))
	a, err := attach.FromBytes("", pngData, attach.DefaultLimits())
	if err != nil || !strings.HasPrefix(a.Name, "pasted-") || !strings.HasSuffix(a.Name, ".png") || a.MIME != "image/png" || a.Kind() != conn.AttachmentImage {
		t.Errorf("pasted PNG = %q %q, %v", a.Name, a.MIME, err)
	}
	_, err = attach.FromBytes("x.png", make([]byte, 200_000), attach.Limits{PerFile: 100_000, PerReply: 100_000})
	if !errors.Is(err, attach.ErrTooLarge) || !strings.Contains(err.Error(), "200 kB") {
		t.Errorf("over the limit: err = %v", err)
	}
}

func TestLimitsCheckAndFormatSize(t *testing.T) {
	if err := profiles.ValidateAttachmentLimits(attach.DefaultLimits()); err != nil {
		t.Errorf("defaults: %v", err)
	}
	for _, l := range []attach.Limits{{PerFile: 10, PerReply: 1_000_000}, {PerFile: 1_000_000, PerReply: 500_000},
		{PerFile: 1_000_000, PerReply: profiles.MaxAttachmentLimit + 1}} {
		if profiles.ValidateAttachmentLimits(l) == nil {
			t.Errorf("%+v accepted", l)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1 kB", 1234: "1.2 kB", 10_000_000: "10 MB", 24_500_000: "24.5 MB", 123_456_789: "123 MB", 2e12: "2 TB"} {
		if got := attach.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// uriPath is a local path as the path of a file URI: /C:/x on Windows.
func uriPath(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// fileURI is the percent-escaped file:// URI a file manager copies for p.
func fileURI(p string) string { return (&url.URL{Scheme: "file", Path: uriPath(p)}).String() }

func TestParseURIList(t *testing.T) {
	dir := t.TempDir()
	spaced := writeFile(t, dir, "with space ü.txt", []byte("x"))
	other := writeFile(t, dir, "b.txt", []byte("y"))
	uri := fileURI(spaced)
	cases := []struct {
		name    string
		text    string
		paths   []string
		skipped []string
		ok      bool
	}{
		{"uri list with comment", "# from nautilus\r\n" + uri + "\r\nfile://localhost" + uriPath(other) + "\r\n", []string{spaced, other}, nil, true},
		{"gnome copied files", "copy\n" + uri, []string{spaced}, nil, true},
		{"plain existing paths", spaced + "\n" + other + "\n", []string{spaced, other}, nil, true},
		{"http is skipped, not fetched", uri + "\nhttps://example.com/a.png", []string{spaced}, []string{"https://example.com/a.png"}, true},
		{"only http stays text", "https://example.com/a.png", nil, nil, false},
		{"a sentence stays text", "/usr is where binaries live", nil, nil, false},
		{"missing plain path stays text", filepath.Join(dir, "nope.txt"), nil, nil, false},
		{"ordinary text", "yes, ship it", nil, nil, false},
		{"mixed text and uri", "look at\n" + uri, nil, nil, false},
		{"remote host refused", "file://otherhost/etc/passwd", nil, nil, false},
		{"relative file uri refused", "file:notes.txt", nil, nil, false},
		{"empty", "", nil, nil, false},
		{"a network path stays text", `\\agentdesk.invalid\share\a.txt`, nil, nil, false},
	}
	if runtime.GOOS == "windows" {
		cases = append(cases, []struct {
			name    string
			text    string
			paths   []string
			skipped []string
			ok      bool
		}{
			{"windows: drive as uri host", "file://" + filepath.ToSlash(other), []string{other}, nil, true},
			{"windows: a unix path is another machine's", "file:///etc/passwd", nil, nil, false},
			{"windows: a network share is not fetched", "file:////agentdesk.invalid/share/a.txt", nil, nil, false},
			{"windows: forward slashes", filepath.ToSlash(other), []string{other}, nil, true},
		}...)
	}
	for _, tc := range cases {
		got, ok := attach.ParseURIList(tc.text)
		if ok != tc.ok || strings.Join(got.Paths, "|") != strings.Join(tc.paths, "|") || strings.Join(got.Skipped, "|") != strings.Join(tc.skipped, "|") {
			t.Errorf("%s: got %+v %v, want %v %v %v", tc.name, got, ok, tc.paths, tc.skipped, tc.ok)
		}
	}
	if _, ok := attach.ParseURIList(strings.Repeat(uri+"\n", 1001)); ok {
		t.Error("a paste of more than 1000 lines was read as a file list")
	}
}

func TestThumbnail(t *testing.T) {
	// Left half red, right half blue: the thumbnail keeps the halves.
	img := solid(300, 150, color.NRGBA{R: 255, A: 255})
	for y := range 150 {
		for x := 150; x < 300; x++ {
			img.SetNRGBA(x, y, color.NRGBA{B: 255, A: 255})
		}
	}
	var jpg, gf, bm bytes.Buffer
	if err := jpeg.Encode(&jpg, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bm, img); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"png": encodePNG(t, img), "jpeg": jpg.Bytes(), "gif": gf.Bytes(), "bmp": bm.Bytes()} {
		th, err := attach.Thumbnail(data, 96)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if th.Bounds().Dx() != 96 || th.Bounds().Dy() != 48 {
			t.Errorf("%s: thumbnail is %v, want 96×48", name, th.Bounds())
		}
		l, r := color.RGBAModel.Convert(th.At(10, 24)).(color.RGBA), color.RGBAModel.Convert(th.At(85, 24)).(color.RGBA)
		if l.R < 200 || l.B > 60 || r.B < 200 || r.R > 60 {
			t.Errorf("%s: left %v right %v, want red then blue", name, l, r)
		}
	}
	small, err := attach.Thumbnail(encodePNG(t, solid(10, 5, color.NRGBA{G: 9, A: 255})), 96)
	if err != nil || small.Bounds().Dx() != 10 || small.Bounds().Dy() != 5 {
		t.Errorf("a small image is kept at its size: %v, %v", small, err)
	}
	tall, err := attach.Thumbnail(encodePNG(t, solid(20, 400, color.NRGBA{A: 255})), 64)
	if err != nil || tall.Bounds().Dx() != 3 || tall.Bounds().Dy() != 64 {
		t.Errorf("tall image thumbnail = %v, %v", tall.Bounds(), err)
	}
}

func TestThumbnailRefusesGarbageAndBombs(t *testing.T) {
	if _, err := attach.Thumbnail([]byte("not an image at all"), 96); !errors.Is(err, attach.ErrNoThumbnail) {
		t.Errorf("garbage: err = %v", err)
	}
	good := encodePNG(t, solid(4, 4, color.NRGBA{A: 255}))
	truncated := good[:len(good)-20]
	if _, err := attach.Thumbnail(truncated, 96); !errors.Is(err, attach.ErrNoThumbnail) {
		t.Errorf("truncated PNG: err = %v", err)
	}
	// A PNG header that claims 100000×100000 pixels, with a valid CRC.
	bomb := bytes.Clone(good)
	binary.BigEndian.PutUint32(bomb[16:], 100000)
	binary.BigEndian.PutUint32(bomb[20:], 100000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	if _, err := attach.Thumbnail(bomb, 96); !errors.Is(err, attach.ErrNoThumbnail) || !strings.Contains(err.Error(), "100000×100000") {
		t.Errorf("bomb: err = %v", err)
	}
}

func TestDraft(t *testing.T) {
	dir := t.TempDir()
	var changes atomic.Int32
	d := attach.NewDraft(attach.Limits{PerFile: 150_000, PerReply: 250_000})
	d.OnChange = func() { changes.Add(1) }

	pngData := encodePNG(t, solid(200, 100, color.NRGBA{R: 255, A: 255}))
	img := d.AddBytes("", pngData)
	if img.Err != nil || img.Loading || img.Thumb == nil || img.Kind != conn.AttachmentImage || img.Thumb.Bounds().Dx() != attach.ThumbBox {
		t.Fatalf("pasted image item = %+v", img)
	}
	doc := d.AddFile(writeFile(t, dir, "a.bin", make([]byte, 140_000)))
	if doc.Err != nil || doc.Thumb != nil || doc.Size != 140_000 || doc.Label() != "a.bin · 140 kB" {
		t.Fatalf("file item = %+v (%q)", doc, doc.Label())
	}
	// 140 kB more would pass the per-file limit but not the per-reply one.
	over := d.AddFile(writeFile(t, dir, "b.bin", make([]byte, 140_000)))
	if !attach.IsLimit(over.Err) || !strings.Contains(over.Label(), "limit is 250 kB per reply") {
		t.Fatalf("over the reply limit = %+v", over)
	}
	folder := d.AddFile(dir)
	if !errors.Is(folder.Err, attach.ErrIsDirectory) {
		t.Fatalf("folder = %+v", folder)
	}
	if _, err := d.Attachments(); err == nil || !strings.Contains(err.Error(), "b.bin does not fit") || !strings.Contains(err.Error(), "is a folder") {
		t.Fatalf("Attachments with bad items: err = %v", err)
	}
	d.Remove(over.ID)
	d.Remove(folder.ID)
	atts, err := d.Attachments()
	if err != nil || len(atts) != 2 || atts[0].MIME != "image/png" || !bytes.Equal(atts[0].Data, pngData) || atts[1].Name != "a.bin" {
		t.Fatalf("Attachments = %d, %v", len(atts), err)
	}
	// Room was freed: the same file fits once the refused one is gone.
	if again := d.AddFile(writeFile(t, dir, "c.bin", make([]byte, 100_000))); again.Err != nil {
		t.Fatalf("after removing, a fitting file was refused: %v", again.Err)
	}
	if items, handled := d.AddPaste("just words"); handled || items != nil {
		t.Fatal("plain text was taken as files")
	}
	items, handled := d.AddPaste(fileURI(writeFile(t, dir, "tiny.txt", []byte("hi"))))
	if !handled || len(items) != 1 || items[0].MIME != "text/plain" || d.Len() != 4 {
		t.Fatalf("pasted uri list = %+v, %v (len %d)", items, handled, d.Len())
	}
	before := changes.Load()
	d.Clear()
	if d.Len() != 0 || changes.Load() != before+1 {
		t.Fatalf("Clear left %d items, %d change calls", d.Len(), changes.Load()-before)
	}
	if changes.Load() < 10 {
		t.Errorf("OnChange was called %d times; every add reports twice", changes.Load())
	}
}

// Files added from many goroutines at once respect the per-reply limit
// together.
func TestDraftConcurrentAddsShareTheLimit(t *testing.T) {
	dir := t.TempDir()
	d := attach.NewDraft(attach.Limits{PerFile: 100_000, PerReply: 500_000})
	var wg sync.WaitGroup
	for i := range 12 {
		p := writeFile(t, dir, "f"+string(rune('a'+i)), make([]byte, 100_000))
		wg.Go(func() { d.AddFile(p) })
	}
	wg.Wait()
	ok := 0
	for _, it := range d.Items() {
		if it.Err == nil {
			ok++
		} else if !attach.IsLimit(it.Err) {
			t.Errorf("unexpected error: %v", it.Err)
		}
	}
	if ok != 5 {
		t.Fatalf("%d files fit, want exactly 5 of 100 kB in 500 kB", ok)
	}
}

// A problem item shows its message, holds no bytes and blocks sending
// until removed.
func TestDraftProblemItem(t *testing.T) {
	d := attach.NewDraft(attach.DefaultLimits())
	it := d.AddProblem("clipboard", attach.ErrEmptyClipboard)
	if !errors.Is(it.Err, attach.ErrEmptyClipboard) || it.Loading || it.Label() != attach.ErrEmptyClipboard.Error() {
		t.Fatalf("problem item = %+v (%q)", it, it.Label())
	}
	if _, err := d.Attachments(); err == nil || !strings.Contains(err.Error(), "no image or file") {
		t.Fatalf("a problem item did not block sending: %v", err)
	}
	d.Remove(it.ID)
	if atts, err := d.Attachments(); err != nil || len(atts) != 0 {
		t.Fatalf("after removing it: %v, %v", atts, err)
	}
}
