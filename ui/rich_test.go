package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/attach/attachtest"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// askFull plays an agent asking on server i with the request as given
// (token and id filled in); the agent's whole answer arrives on the
// channel.
func (h *harness) askFull(i int, id string, req *wire.McpAskQuestionRequest) <-chan *wire.AskQuestionResponse {
	if req.Timeout == 0 {
		req.Timeout = 60
	}
	return aatest.AskAsync(h.srvs[i], &wire.AskQuestionRequest{ID: id, UserToken: testToken, Request: req})
}

func (h *harness) contents(ch <-chan *wire.AskQuestionResponse) []*wire.McpResultContent {
	h.t.Helper()
	select {
	case r := <-ch:
		if r.GetIsError() {
			h.t.Fatalf("the agent's call failed: %v", r.GetMeta())
		}
		return r.GetContents()
	case <-time.After(20 * time.Second):
		h.t.Fatal("no answer reached the agent")
	}
	return nil
}

// fakeClipboard puts an xclip on PATH that serves a clipboard holding
// image (a PNG) or, when image is nil, nothing at all, as xclip does
// against an X server. The real xclip is driven in the e2e test.
func fakeClipboard(t *testing.T, image []byte) {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the clipboard tool is Linux/BSD only (ReadClipboard reports it unsupported elsewhere)")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in\n"
	if image != nil {
		if err := os.WriteFile(filepath.Join(dir, "clip.png"), image, 0o600); err != nil {
			t.Fatal(err)
		}
		script += "*TARGETS*) printf 'TARGETS\\nimage/png\\n' ;;\n*image/png*) cat '" + filepath.Join(dir, "clip.png") + "' ;;\n"
	}
	script += "*) echo 'Error: target not available' >&2; exit 1 ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(dir, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DISPLAY", ":77")
	t.Setenv("WAYLAND_DISPLAY", "")
}

// textClipboard is a clipboard holding text, as Fyne's is.
type textClipboard struct{ text string }

func (c textClipboard) Content() string   { return c.text }
func (c textClipboard) SetContent(string) {}

func (h *harness) paste(text string) {
	h.shortcut2(&fyne.ShortcutPaste{Clipboard: textClipboard{text}})
}

// shortcut2 delivers any shortcut to the focused widget.
func (h *harness) shortcut2(s fyne.Shortcut) {
	h.t.Helper()
	f, ok := h.u.win.Canvas().Focused().(fyne.Shortcutable)
	if !ok {
		h.t.Fatalf("nothing focused takes shortcuts (%T)", h.u.win.Canvas().Focused())
	}
	f.TypedShortcut(s)
}

// settled waits until k's chips are loaded and there are n of them.
func (h *harness) settled(k conn.RequestKey, n int) []attach.Item {
	h.t.Helper()
	var items []attach.Item
	h.waitFor("chips", func() bool {
		items = h.u.model.AttachmentItems(k)
		if len(items) != n {
			return false
		}
		for _, it := range items {
			if it.Loading {
				return false
			}
		}
		return true
	})
	return items
}

func writeTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPastedImageFileAndTextGoInOneReply: Ctrl+V with an image on the
// clipboard makes a chip with a preview; a pasted file:// URI attaches
// the file; pasted words stay words. One Ctrl+Enter sends all of it, and
// the agent gets the Flutter client's exact content shapes.
func TestPastedImageFileAndTextGoInOneReply(t *testing.T) {
	shot := attachtest.PNG(t, 300, 200)
	fakeClipboard(t, shot)
	h := newHarness(t, "Home")
	answer := h.askFull(0, "q1", &wire.McpAskQuestionRequest{Question: "What do you see?", ProjectDirectory: t.TempDir()})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "q1"}
	h.shortcut(ctrlJ)
	h.typeKeys("look ")

	h.paste("") // Fyne's clipboard has no text: the image is read with xclip
	items := h.settled(k, 1)
	if it := items[0]; it.Err != nil || it.MIME != "image/png" || it.Thumb == nil || !strings.HasPrefix(it.Name, "pasted-") {
		t.Fatalf("pasted image chip = %+v", it)
	}
	report := writeTestFile(t, t.TempDir(), "report v2.txt", []byte("all green\n"))
	h.paste("file://" + strings.ReplaceAll(report, " ", "%20") + "\r\n")
	items = h.settled(k, 2)
	h.paste("here")
	if got := h.u.model.Draft(k); got != "look here" {
		t.Fatalf("draft %q: pasted words must stay words", got)
	}
	cv := h.cardFor(k)
	if !cv.chips.box.Visible() || len(cv.chips.box.Objects) != 2 || !hasText(cv, "report v2.txt · 10 B") {
		t.Fatalf("the chips are not shown: %d objects", len(cv.chips.box.Objects))
	}
	if h.focusedCard() != cv {
		t.Fatal("a paste took the keyboard away from the reply")
	}
	h.shortcut(ctrlRet)
	got := h.contents(answer)
	if len(got) != 3 || got[0].GetType() != 1 || got[0].GetText().GetText() != "look here" {
		t.Fatalf("agent got %v", got)
	}
	img, file := got[1], got[2]
	if img.GetType() != 4 || img.GetEmbeddedResource().GetType() != "embedded_resource" || img.GetEmbeddedResource().GetUri() != "file://"+items[0].Name ||
		img.GetEmbeddedResource().GetMimeType() != "image/png" || !bytes.Equal(img.GetEmbeddedResource().GetData(), shot) {
		t.Errorf("image content: type %d uri %q mime %q", img.GetType(), img.GetEmbeddedResource().GetUri(), img.GetEmbeddedResource().GetMimeType())
	}
	if file.GetType() != 4 || file.GetEmbeddedResource().GetUri() != "file://report v2.txt" || file.GetEmbeddedResource().GetMimeType() != "text/plain" ||
		string(file.GetEmbeddedResource().GetData()) != "all green\n" {
		t.Errorf("file content: %v", file)
	}
	h.waitFor("answered, chips released", func() bool {
		cd, _ := h.u.model.Card(k)
		return cd.State == model.AnsweredByMe && h.u.model.Attachments(k) == nil
	})
	if !hasText(h.cardFor(k), "(+2 attachments: pasted-") {
		t.Error("the answered card does not say what went with the reply")
	}
}

// TestBadAttachmentsShowInTheirChip: a file over the limit, one that
// cannot be read, a folder and an empty clipboard each get a chip saying
// why; the reply is refused whole while they are there, and sent once
// they are removed with their chip's button.
func TestBadAttachmentsShowInTheirChip(t *testing.T) {
	fakeClipboard(t, nil)
	h := newHarness(t, "Home")
	st := h.core.Settings()
	st.Attachments.PerFile, st.Attachments.PerReply = 100_000, 200_000
	if err := h.core.SaveSettings(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	answer := h.askFull(0, "q1", &wire.McpAskQuestionRequest{Question: "Logs?"})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "q1"}
	dir := t.TempDir()
	big := writeTestFile(t, dir, "big.log", make([]byte, 150_000))
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	h.shortcut(ctrlJ)
	h.typeKeys("logs")
	h.u.attachPaths(k, []string{big, filepath.Join(dir, "gone.txt"), fifo, dir})
	h.paste("")
	items := h.settled(k, 5)
	wants := []string{"big.log is too large: 150 kB, and the limit is 100 kB per file", "gone.txt cannot be read: it does not exist",
		"pipe cannot be read: it is not a regular file", "is a folder", "The clipboard holds no image or file"}
	cv := h.cardFor(k)
	for i, want := range wants {
		if items[i].Err == nil {
			t.Errorf("chip %d has no error, want %q", i, want)
		}
		if !hasText(cv.chips.box, want) {
			t.Errorf("no chip says %q", want)
		}
	}
	h.shortcut(ctrlRet)
	h.waitFor("refused", func() bool { cd, _ := h.u.model.Card(k); return cd.Submit == model.SubmitFailed })
	if !hasText(cv, "Not sent: remove the attachments that cannot be sent") {
		t.Fatal("the card does not say why nothing was sent")
	}
	// Remove the chips with their buttons, as a user would.
	for len(h.u.model.AttachmentItems(k)) > 0 {
		var rm *widget.Button
		walkVisible(cv.chips.box, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && rm == nil {
				rm = b
			}
		})
		if rm == nil {
			t.Fatal("no remove button on a chip")
		}
		n := len(h.u.model.AttachmentItems(k))
		test.Tap(rm)
		h.waitFor("chip removed", func() bool { return len(h.u.model.AttachmentItems(k)) == n-1 })
		cv = h.cardFor(k)
	}
	if cv.chips.box.Visible() {
		t.Fatal("the chip row stays with no chips")
	}
	h.u.tl.focusCard(k)
	h.shortcut(ctrlRet)
	if got := h.contents(answer); len(got) != 1 || got[0].GetText().GetText() != "logs" {
		t.Fatalf("agent got %v", got)
	}
}

// TestDroppedFilesGoToTheCardUnderThePoint drops a file on the second of
// two cards: it is attached there, and links are never fetched.
func TestDroppedFilesGoToTheCardUnderThePoint(t *testing.T) {
	h := newHarness(t, "Home")
	h.askFull(0, "a", &wire.McpAskQuestionRequest{Question: "First"})
	h.waitPending(1)
	h.askFull(0, "b", &wire.McpAskQuestionRequest{Question: "Second"})
	h.waitPending(2)
	ka, kb := conn.RequestKey{Server: h.ids[0], ID: "a"}, conn.RequestKey{Server: h.ids[0], ID: "b"}
	cva := h.cardFor(ka)
	h.cardFor(kb)
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(cva).Add(fyne.NewPos(40, cva.Size().Height/2))
	f := writeTestFile(t, t.TempDir(), "notes.md", []byte("# notes"))
	h.u.onDropped(pos, []fyne.URI{storage.NewFileURI(f), storage.NewURI("https://example.com/x.png")})
	items := h.settled(ka, 1)
	if items[0].Name != "notes.md" || items[0].MIME != "text/markdown" || h.u.model.AttachmentItems(kb) != nil {
		t.Fatalf("dropped on a: a has %+v, b has %+v", items, h.u.model.AttachmentItems(kb))
	}
	if fc := h.focusedCard(); fc == nil || fc.key != ka {
		t.Fatal("the card dropped on did not get the keyboard")
	}
	// Off every card: the card the reply focus belongs to takes it.
	h.u.onDropped(fyne.NewPos(2, 2), []fyne.URI{storage.NewFileURI(f)})
	h.settled(ka, 2)
}

// TestPaperclipPicksFiles: with a file chooser portal, one pick attaches
// several files; without one, Fyne's picker opens and Escape closes it.
func TestPaperclipPicksFiles(t *testing.T) {
	h := newHarness(t, "Home")
	h.askFull(0, "a", &wire.McpAskQuestionRequest{Question: "Files?"})
	h.waitPending(1)
	k := conn.RequestKey{Server: h.ids[0], ID: "a"}
	dir := t.TempDir()
	one, two := writeTestFile(t, dir, "one.csv", []byte("a,b\n")), writeTestFile(t, dir, "two.json", []byte("{}"))
	old := pickWithPortal
	defer func() { pickWithPortal = old }()
	var asked string
	pickWithPortal = func(_ context.Context, _, _, folder string) ([]string, error) {
		asked = folder
		return []string{one, two}, nil
	}
	cv := h.cardFor(k)
	test.Tap(cv.attach)
	items := h.settled(k, 2)
	if items[0].MIME != "text/csv" || items[1].MIME != "application/json" {
		t.Fatalf("picked %+v", items)
	}
	pickWithPortal = func(_ context.Context, _, _, folder string) ([]string, error) {
		asked = folder
		return nil, errNoPortal
	}
	test.Tap(cv.attach)
	h.waitFor("Fyne's picker", func() bool { return h.overlaysOpen() == 1 })
	if asked != dir {
		t.Errorf("the picker opened in %q, want the last folder %q", asked, dir)
	}
	h.pressKey(fyne.KeyEscape)
	if h.overlaysOpen() != 0 || h.u.keys.open() != 0 {
		t.Fatal("Escape did not close the file picker")
	}
}

// TestReceivedAttachmentsOnACardAnsweredElsewhere: another client's reply
// with an image and a file shows a preview, name, type and size with
// Save; malformed items say "unreadable attachment"; Save writes the
// bytes and its dialog closes with Escape.
func TestReceivedAttachmentsOnACardAnsweredElsewhere(t *testing.T) {
	h := newHarness(t, "Home")
	h.askFull(0, "a", &wire.McpAskQuestionRequest{Question: "Screenshot?"})
	h.waitPending(1)
	h.askFull(0, "b", &wire.McpAskQuestionRequest{Question: "Broken?"})
	h.waitPending(2)
	ka, kb := conn.RequestKey{Server: h.ids[0], ID: "a"}, conn.RequestKey{Server: h.ids[0], ID: "b"}

	peer := conn.NewManager(conn.Options{Token: testToken, Nickname: "bob"})
	defer peer.Close()
	go func() {
		for range peer.Events() {
		}
	}()
	peer.Put(conn.ServerConfig{ID: "peer", Label: "peer", URL: h.srvs[0].URL(), Enabled: true})
	shot := attachtest.PNG(t, 400, 300)
	h.waitFor("peer replied", func() bool {
		return peer.ReplyWith(conn.RequestKey{Server: "peer", ID: "a"}, "here you go",
			[]conn.Attachment{{Name: "screen.png", MIME: "image/png", Data: shot}, {Name: "trace.ogg", MIME: "audio/ogg", Data: []byte("OggS....")}}) == nil
	})
	h.waitFor("preview", func() bool { cd, _ := h.u.model.Card(ka); return len(cd.Received) == 2 && cd.Received[0].Thumb != nil })
	cv := h.cardFor(ka)
	if !hasText(cv, "Answered elsewhere by bob: here you go") || !hasText(cv, "screen.png · image/png · "+attach.FormatSize(int64(len(shot)))) ||
		!hasText(cv, "audio-3.ogg · audio/ogg · 8 B") { // audio travels without a name
		t.Fatal("the received attachments are not described")
	}
	imgs := 0
	walkVisible(cv.received.box, func(o fyne.CanvasObject) {
		if ci, ok := o.(*canvas.Image); ok && ci.Resource == nil && ci.File == "" { // a preview, not an icon
			imgs++
		}
	})
	if imgs != 1 {
		t.Fatalf("%d previews shown, want 1", imgs)
	}
	save := findButton(cv.received.box, "Save…")
	if save == nil {
		t.Fatal("no Save button")
	}
	test.Tap(save)
	if h.overlaysOpen() != 1 {
		t.Fatal("Save opened no dialog")
	}
	h.pressKey(fyne.KeyEscape)
	if h.overlaysOpen() != 0 {
		t.Fatal("Escape did not close the save dialog")
	}
	out := filepath.Join(t.TempDir(), "saved.png")
	w, err := storage.Writer(storage.NewFileURI(out))
	if err != nil {
		t.Fatal(err)
	}
	h.u.writeReceived(w, shot, "screen.png")
	h.u.work.wait()
	if got, _ := os.ReadFile(out); !bytes.Equal(got, shot) {
		t.Fatalf("saved %d bytes, want the image's %d", len(got), len(shot))
	}

	// A peer whose reply is malformed: nothing panics, the card says so.
	rawPeerReply(t, h.srvs[0].URL(), "b", []*wire.McpResultContent{
		{Type: 1, Text: &wire.TextContent{Type: "text", Text: "see"}},
		{Type: 4},
		{Type: 2, Image: &wire.ImageContent{Type: "image", Data: "%%% not base64", MimeType: "image/png"}},
		{Type: 4, EmbeddedResource: &wire.EmbeddedResource{Type: "embedded_resource", Uri: "https://example.com/x.png", MimeType: "image/png"}},
	})
	h.waitFor("malformed reply", func() bool { cd, _ := h.u.model.Card(kb); return cd.State == model.AnsweredElsewhere })
	cvb := h.cardFor(kb)
	for _, want := range []string{"Unreadable attachment: the embedded resource is missing", "Unreadable attachment: its data is not valid base64",
		"Unreadable attachment: it has no content (uri \"https://example.com/x.png\")"} {
		if !hasText(cvb, want) {
			t.Errorf("the card does not say %q", want)
		}
	}
	if findButton(cvb.received.box, "Save…") != nil {
		t.Error("an unreadable attachment offers Save")
	}
}

// TestStructuredChoices: radio buttons and check boxes for a newer
// server's choices, a field for the user's own words, Alt+digit picks
// while typing, and one reply says it all; an older server's question
// shows none of it.
func TestStructuredChoices(t *testing.T) {
	h := newHarness(t, "Home")
	answer := h.askFull(0, "c", &wire.McpAskQuestionRequest{Question: "Setup?", Questions: []*wire.Question{
		aatest.Question("Which database?", "Database", false, false, "Postgres (Recommended)", "SQLite"),
		aatest.Question("Which checks?", "", true, true, "lint", "tests"),
	}})
	h.waitPending(1)
	h.askFull(0, "old", &wire.McpAskQuestionRequest{Question: "Plain?"})
	h.waitPending(2)
	k := conn.RequestKey{Server: h.ids[0], ID: "c"}
	cv := h.cardFor(k)
	if !cv.choices.box.Visible() || cv.choices.radios[0] == nil || len(cv.choices.checks[1]) != 2 || cv.choices.customs[1] == nil {
		t.Fatal("the choices are not shown as radio buttons, check boxes and a field")
	}
	if opts := cv.choices.radios[0].Options; len(opts) != 2 || opts[0] != "1. Postgres (Recommended) — about Postgres (Recommended)" ||
		cv.choices.checks[1][0].Text != "3. lint — about lint" {
		t.Fatal("options are not numbered with their description")
	}
	if old := h.cardFor(conn.RequestKey{Server: h.ids[0], ID: "old"}); old.choices.box.Visible() || findButton(old, "Yes") == nil {
		t.Fatal("an older server's question changed")
	}
	h.shortcut(ctrlJ) // c is the oldest
	if fc := h.focusedCard(); fc == nil || fc.key != k {
		t.Fatal("Ctrl+J did not open the choices card")
	}
	alt := func(key fyne.KeyName) {
		h.shortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierAlt})
	}
	alt(fyne.Key2) // SQLite
	alt(fyne.Key1) // Postgres replaces it: one answer
	alt(fyne.Key4) // tests
	h.typeKeys("go")
	h.q.drain()
	cv = h.cardFor(k)
	if cv.choices.radios[0].Selected != cv.choices.labels[0][0] || !cv.choices.checks[1][1].Checked || cv.choices.checks[1][0].Checked {
		t.Fatal("Alt+digit picks are not shown")
	}
	test.Tap(cv.choices.checks[1][0]) // lint, by mouse
	test.Type(cv.choices.customs[1], "fuzz")
	h.u.tl.focusCard(k)
	if got := h.u.model.Draft(k); got != "go" {
		t.Fatalf("draft %q: Alt+digit must not type digits", got)
	}
	h.shortcut(ctrlRet)
	want := "Q: Database\nA: Postgres\n\nQ: Which checks?\nA: lint, tests, fuzz\n\ngo"
	if got := wire.ContentsText(h.contents(answer)); got != want {
		t.Fatalf("agent got %q, want %q", got, want)
	}
}

// rawPeerReply answers request id on the server at url as a bare client
// would, with contents exactly as given.
func rawPeerReply(t *testing.T, url, id string, contents []*wire.McpResultContent) {
	t.Helper()
	ws := dialRaw(t, url)
	send := func(m *wire.WebsocketMessage) {
		if err := writeRaw(ws, m); err != nil {
			t.Fatal(err)
		}
	}
	send(&wire.WebsocketMessage{Cmd: wire.CmdUserLogin, StrParam: testToken, Nickname: "eve"})
	send(&wire.WebsocketMessage{Cmd: wire.CmdAskQuestionReply,
		AskQuestionRequest:  &wire.AskQuestionRequest{ID: id, UserToken: testToken},
		AskQuestionResponse: &wire.AskQuestionResponse{ID: id, Contents: contents}})
}

func dialRaw(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	// Read (and drop) what the server sends, as a live client does.
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return ws
}

func writeRaw(ws *websocket.Conn, m *wire.WebsocketMessage) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return ws.WriteMessage(websocket.BinaryMessage, b)
}

// TestRichPartsCutOversizedText fills choices, received attachments and
// chips with megabytes and thousands of items: nothing oversized reaches
// a widget, and the lists are bounded.
func TestRichPartsCutOversizedText(t *testing.T) {
	h := newHarness(t)
	mb := strings.Repeat("x", 1<<20)
	m := h.u.model
	id := conn.ServerID("hostile")
	o := conn.Origin{Server: id}
	m.SetServers([]conn.ServerConfig{{ID: id, Label: "H", URL: "ws://h:1/ws", Enabled: true}})
	opts := make([]conn.ChoiceOption, 5000)
	for i := range opts {
		opts[i] = conn.ChoiceOption{Label: mb[:1000], Description: mb[:1000]}
	}
	opts[0] = conn.ChoiceOption{Label: mb, Description: mb}
	var choices []conn.Choice
	for range 50 {
		choices = append(choices, conn.Choice{Header: mb, Question: mb, Multiple: len(choices)%2 == 0, Custom: true, Options: opts})
	}
	m.Apply(conn.RequestArrived{Origin: o, Request: &conn.Request{Server: id, ID: "c", Kind: conn.KindQuestion, Text: "pick", Choices: choices, CreatedAt: time.Now()}})
	var recv []conn.ReceivedAttachment
	name, mimeType, problem := "N"+mb, "M"+mb, conn.UnreadableAttachment+": "+mb
	for range 3000 {
		recv = append(recv, conn.ReceivedAttachment{AttachmentInfo: conn.AttachmentInfo{Name: name, MIME: mimeType, Size: 1}, Data: []byte{1}},
			conn.ReceivedAttachment{AttachmentInfo: conn.AttachmentInfo{Name: "N"}, Problem: problem})
	}
	m.Apply(conn.RequestArrived{Origin: o, Request: &conn.Request{Server: id, ID: "r", Kind: conn.KindQuestion, Text: "files", CreatedAt: time.Now()}})
	m.Apply(conn.RequestAnswered{Origin: o, ID: "r", By: "B", Text: "T", Attachments: recv})
	m.Apply(conn.RequestArrived{Origin: o, Request: &conn.Request{Server: id, ID: "d", Kind: conn.KindQuestion, Text: "chips", CreatedAt: time.Now()}})
	d := m.AttachmentDraft(conn.RequestKey{Server: id, ID: "d"}, attach.DefaultLimits())
	d.AddBytes("N"+mb+".txt", []byte("x"))
	d.AddProblem("p", errors.New("E"+mb))
	h.u.win.Resize(fyne.NewSize(1000, 3000))
	h.waitFor("cards", func() bool { return h.u.tl.len() == 3 })
	for _, k := range []string{"c", "r", "d"} {
		h.cardFor(conn.RequestKey{Server: id, ID: k})
	}
	if n, which := longestText(h.u.win.Content()); n > maxLine+1 {
		t.Errorf("a widget got a text of %d characters (%q…)", n, which)
	}
	cv := h.cardFor(conn.RequestKey{Server: id, ID: "c"})
	if len(cv.choices.labels) != maxChoicesShown || len(cv.choices.checks[0]) != maxOptionsShown {
		t.Errorf("choices shown: %d questions, %d options", len(cv.choices.labels), len(cv.choices.checks[0]))
	}
	for _, r := range cv.choices.radios {
		if r != nil {
			for _, o := range r.Options {
				if len([]rune(o)) > 2*maxOptionLabel+10 {
					t.Errorf("an option of %d characters", len([]rune(o)))
				}
			}
		}
	}
	rv := h.cardFor(conn.RequestKey{Server: id, ID: "r"})
	if n := len(rv.received.box.Objects); n > maxReceivedShown+3 {
		t.Errorf("%d rows for received attachments", n)
	}
}

// TestRecycledViewShowsItsCardsChips: the chips are the model's, by
// request: a view let go by one card and taken by another shows the other
// card's chips, and none of the first's.
func TestRecycledViewShowsItsCardsChips(t *testing.T) {
	h := newHarness(t)
	m := h.u.model
	id := conn.ServerID("s")
	m.SetServers([]conn.ServerConfig{{ID: id, Label: "S", URL: "ws://s:1/ws", Enabled: true}})
	for i, rid := range []string{"a", "b"} {
		m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: &conn.Request{Server: id, ID: rid, Kind: conn.KindQuestion,
			Text: rid, CreatedAt: time.Date(2026, 1, 1, 9, i, 0, 0, time.UTC)}})
	}
	ka, kb := conn.RequestKey{Server: id, ID: "a"}, conn.RequestKey{Server: id, ID: "b"}
	m.AttachmentDraft(ka, attach.DefaultLimits()).AddBytes("only-a.txt", []byte("a"))
	m.AttachmentDraft(kb, attach.DefaultLimits()).AddBytes("only-b.txt", []byte("b"))
	h.waitFor("cards", func() bool { return h.u.tl.len() == 2 })
	va := h.cardFor(ka)
	if !hasText(va.chips.box, "only-a.txt") {
		t.Fatal("a's chip is not shown")
	}
	h.u.tl.release(ka, va, false)
	h.u.tl.release(kb, h.u.tl.views[kb], false)
	h.u.tl.spare = []*cardView{va}
	vb := h.u.tl.viewFor(kb)
	if vb != va {
		t.Fatal("the spare view was not reused")
	}
	if !hasText(vb.chips.box, "only-b.txt") || hasText(vb.chips.box, "only-a.txt") {
		t.Fatal("a recycled view shows the wrong chips")
	}
}
