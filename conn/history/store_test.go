package history

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

func TestRequestAndOutcomeSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	r := req("home", "q1", "Deploy to production?")
	must(t, s.RecordRequest(r))
	must(t, s.RecordOutcome(r.Key(), Outcome{State: StateAnswered, Text: "Yes, go ahead.",
		Attachments: []Attachment{{Name: "plan.png", MIME: "image/png", Size: 1234, Data: []byte("png bytes")}},
		At:          t0.Add(time.Hour)}))
	must(t, s.Close())

	s = openT(t, dir)
	e, err := s.Get(ctxT(t), r.Key())
	must(t, err)
	if e.Request.Text != r.Text || e.Request.Agent != "claude" || e.Request.Model != "opus" ||
		e.Request.MCPClient != "claude-code" || e.Request.Project != "/src/home" || e.Request.Kind != KindQuestion ||
		e.Request.ServerLabel != "label of home" || e.Request.Timeout != 10*time.Minute || !e.Request.Created.Equal(r.Created) {
		t.Errorf("request read back as %+v, want %+v", e.Request, r)
	}
	if e.Outcome.State != StateAnswered || e.Outcome.Text != "Yes, go ahead." || !e.Outcome.At.Equal(t0.Add(time.Hour)) {
		t.Errorf("outcome read back as %+v", e.Outcome)
	}
	want := []Attachment{{Name: "plan.png", MIME: "image/png", Size: 1234}}
	if !slices.EqualFunc(e.Outcome.Attachments, want, attEqual) {
		t.Errorf("attachments = %+v, want %+v", e.Outcome.Attachments, want)
	}
	// Bytes are off by default: only the metadata was kept.
	atts, err := s.Attachments(ctxT(t), "home", e.Seq)
	must(t, err)
	if len(atts) != 1 || atts[0].Data != nil {
		t.Errorf("attachment content kept although the option is off: %+v", atts)
	}
	rec, err := s.Recent(ctxT(t), 10)
	must(t, err)
	if len(rec) != 1 || rec[0].Request.ID != "q1" {
		t.Errorf("Recent = %v, want [q1]", ids(rec))
	}
}

func attEqual(a, b Attachment) bool {
	return a.Name == b.Name && a.MIME == b.MIME && a.Size == b.Size && bytes.Equal(a.Data, b.Data)
}

func TestAttachmentBytesOnlyWhenOptedIn(t *testing.T) {
	s, err := Open(t.TempDir(), Options{KeepAttachmentBytes: true})
	must(t, err)
	defer s.Close()
	must(t, s.RecordRequest(req("home", "q1", "send the log")))
	must(t, s.RecordOutcome(Key{"home", "q1"}, Outcome{State: StateAnswered, Text: "here",
		Attachments: []Attachment{{Name: "log.txt", MIME: "text/plain", Size: 5, Data: []byte("hello")}}}))
	s.SetKeepAttachmentBytes(false)
	must(t, s.RecordRequest(req("home", "q2", "and again")))
	must(t, s.RecordOutcome(Key{"home", "q2"}, Outcome{State: StateAnswered, Text: "here",
		Attachments: []Attachment{{Name: "log2.txt", MIME: "text/plain", Size: 5, Data: []byte("world")}}}))
	flush(t, s)
	e1, _ := s.Get(ctxT(t), Key{"home", "q1"})
	e2, _ := s.Get(ctxT(t), Key{"home", "q2"})
	a1, err := s.Attachments(ctxT(t), "home", e1.Seq)
	must(t, err)
	a2, err := s.Attachments(ctxT(t), "home", e2.Seq)
	must(t, err)
	if len(a1) != 1 || string(a1[0].Data) != "hello" {
		t.Errorf("opted-in attachment = %+v, want its content", a1)
	}
	if len(a2) != 1 || a2[0].Data != nil || a2[0].Name != "log2.txt" {
		t.Errorf("attachment after opting out = %+v, want metadata only", a2)
	}
	// Another server cannot read them by row number.
	if a, err := s.Attachments(ctxT(t), "work", e1.Seq); err != nil || len(a) != 0 {
		t.Errorf("Attachments of home's row through server work = %v, %v", a, err)
	}
}

func TestSameRequestListedAgainIsOneRow(t *testing.T) {
	s := openT(t, t.TempDir())
	r := req("home", "q1", "first text")
	must(t, s.RecordRequest(r))
	// Listed again after a reconnect: same request, updated text.
	r.Text = "first text, edited"
	must(t, s.RecordRequest(r))
	flush(t, s)
	n, err := s.Count(ctxT(t), Query{})
	must(t, err)
	if n != 1 {
		t.Fatalf("%d rows after the same request twice, want 1", n)
	}
	e, _ := s.Get(ctxT(t), r.Key())
	if e.Request.Text != "first text, edited" {
		t.Errorf("text = %q, want the update", e.Request.Text)
	}
	// The new text is what search finds; the old word is gone from the index.
	if p, _ := s.Search(ctxT(t), Query{Text: "edited"}); len(p.Entries) != 1 {
		t.Errorf("search for the new word found %d", len(p.Entries))
	}
	// After it finished, the same creation time is still the same request.
	answer(t, s, "home", "q1", "done")
	must(t, s.RecordRequest(r))
	flush(t, s)
	if n, _ := s.Count(ctxT(t), Query{}); n != 1 {
		t.Errorf("%d rows after re-listing an answered request, want 1", n)
	}
	if e, _ := s.Get(ctxT(t), r.Key()); e.Outcome.State != StateAnswered {
		t.Errorf("re-listing lost the outcome: %v", e.Outcome.State)
	}
	// The reply is found, the old text is not, and the index is sound.
	if n, _ := s.Count(ctxT(t), Query{Text: "done "}); n != 1 {
		t.Errorf("search for the reply found %d", n)
	}
	if n, _ := s.Count(ctxT(t), Query{Text: "text "}); n != 1 {
		t.Errorf("search for a word of the text found %d", n)
	}
	must(t, s.IntegrityCheck(ctxT(t)))
}

func TestReopenedIDStartsANewRow(t *testing.T) {
	s := openT(t, t.TempDir())
	first := req("home", "q1", "first use of the id")
	must(t, s.RecordRequest(first))
	answer(t, s, "home", "q1", "answer one")
	second := first
	second.Text, second.Created = "second use of the id", first.Created.Add(time.Hour)
	must(t, s.RecordRequest(second))
	must(t, s.RecordOutcome(second.Key(), Outcome{State: StateCancelled, Reason: "timed out"}))
	flush(t, s)

	p, err := s.Search(ctxT(t), Query{})
	must(t, err)
	if len(p.Entries) != 2 {
		t.Fatalf("%d rows, want 2 (the id was reused)", len(p.Entries))
	}
	newest, oldest := p.Entries[0], p.Entries[1]
	if newest.Request.Text != second.Text || newest.Outcome.State != StateCancelled || newest.Outcome.Reason != "timed out" {
		t.Errorf("newest = %+v", newest)
	}
	if oldest.Request.Text != first.Text || oldest.Outcome.State != StateAnswered || oldest.Outcome.Text != "answer one" {
		t.Errorf("oldest = %+v (the reuse must not touch it)", oldest)
	}
	if e, _ := s.Get(ctxT(t), first.Key()); e.Seq != newest.Seq {
		t.Errorf("Get returned row %d, want the newest %d", e.Seq, newest.Seq)
	}
	if e, err := s.GetSeq(ctxT(t), "home", oldest.Seq); err != nil || e.Outcome.Text != "answer one" {
		t.Errorf("GetSeq(oldest) = %+v, %v", e, err)
	}
}

func TestGoneNeverReplacesAKnownOutcome(t *testing.T) {
	s := openT(t, t.TempDir())
	must(t, s.RecordRequest(req("home", "q1", "a")))
	answer(t, s, "home", "q1", "yes")
	must(t, s.RecordOutcome(Key{"home", "q1"}, Outcome{State: StateGone}))
	must(t, s.RecordRequest(req("home", "q2", "b")))
	must(t, s.RecordOutcome(Key{"home", "q2"}, Outcome{State: StateGone, Reason: "expired"}))
	flush(t, s)
	if e, _ := s.Get(ctxT(t), Key{"home", "q1"}); e.Outcome.State != StateAnswered || e.Outcome.Text != "yes" {
		t.Errorf("q1 = %v %q, want answered: gone must not overwrite it", e.Outcome.State, e.Outcome.Text)
	}
	if e, _ := s.Get(ctxT(t), Key{"home", "q2"}); e.Outcome.State != StateGone || e.Outcome.Reason != "expired" {
		t.Errorf("q2 = %+v, want gone", e.Outcome)
	}
}

func TestOutcomeForUnknownRequestIsIgnored(t *testing.T) {
	s := openT(t, t.TempDir())
	must(t, s.RecordOutcome(Key{"home", "never-seen"}, Outcome{State: StateAnswered, Text: "x"}))
	flush(t, s)
	if _, err := s.Get(ctxT(t), Key{"home", "never-seen"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get = %v, want ErrNotFound", err)
	}
	if st := s.Status(); st.Problem != nil || st.Dropped != 0 {
		t.Errorf("status after an unknown outcome = %+v, want healthy", st)
	}
}

func TestReconcileMarksUnlistedPendingGone(t *testing.T) {
	s := openT(t, t.TempDir())
	for _, id := range []string{"a", "bb", "ccc"} {
		must(t, s.RecordRequest(req("home", id, "pending "+id)))
	}
	must(t, s.RecordRequest(req("work", "a", "pending on work")))
	must(t, s.Reconcile("home", []string{"bb"}))
	flush(t, s)
	want := map[string]State{"a": StateGone, "bb": StatePending, "ccc": StateGone}
	for id, st := range want {
		e, err := s.Get(ctxT(t), Key{"home", id})
		must(t, err)
		if e.Outcome.State != st {
			t.Errorf("home/%s = %v, want %v", id, e.Outcome.State, st)
		}
	}
	if e, _ := s.Get(ctxT(t), Key{"work", "a"}); e.Outcome.State != StatePending {
		t.Errorf("work/a = %v: reconciling home touched work", e.Outcome.State)
	}
}

func TestRecentSkipsPendingAndIsNewestFirst(t *testing.T) {
	s := openT(t, t.TempDir())
	fillServer(t, s, "home", 5, "x")
	must(t, s.RecordRequest(req("home", "open", "still pending")))
	flush(t, s)
	rec, err := s.Recent(ctxT(t), 3)
	must(t, err)
	if got := ids(rec); !slices.Equal(got, []string{"q4", "q3", "q2"}) {
		t.Errorf("Recent(3) = %v, want [q4 q3 q2]", got)
	}
}

func TestChatByServerAndNickname(t *testing.T) {
	s := openT(t, t.TempDir())
	lines := []ChatLine{
		{Server: "home", Peer: "alex", ClientID: "c1", From: FromPeer, Text: "hi", At: t0},
		{Server: "home", Peer: "alex", ClientID: "c1", From: FromMe, Text: "hello", At: t0.Add(time.Second)},
		// A restart: alex has a new client id, same conversation.
		{Server: "home", Peer: "alex", ClientID: "c9", From: FromSystem, Text: "alex came back", At: t0.Add(time.Minute)},
		{Server: "home", Peer: "sam", ClientID: "c2", From: FromPeer, Text: "other person", At: t0},
		{Server: "work", Peer: "alex", ClientID: "c1", From: FromPeer, Text: "other server's alex", At: t0},
	}
	for _, l := range lines {
		must(t, s.RecordChat(l))
	}
	flush(t, s)
	got, err := s.Chat(ctxT(t), "home", "alex", 10)
	must(t, err)
	var texts []string
	for _, l := range got {
		texts = append(texts, l.Text)
	}
	if !slices.Equal(texts, []string{"hi", "hello", "alex came back"}) {
		t.Fatalf("home/alex = %q", texts)
	}
	if got[1].From != FromMe || got[2].From != FromSystem || got[2].ClientID != "c9" || !got[1].At.Equal(t0.Add(time.Second)) {
		t.Errorf("lines read back as %+v", got)
	}
	last, _ := s.Chat(ctxT(t), "home", "alex", 2)
	if len(last) != 2 || last[0].Text != "hello" || last[1].Text != "alex came back" {
		t.Errorf("Chat limit 2 = %+v, want the newest two, oldest first", last)
	}
}

func TestRoundTripOfHostileText(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	big := limits.Prefix(strings.Repeat("1 MB of question 🙂 with ünïcode\n", (1<<20)/30), 1<<20)
	texts := map[string]string{
		"nul":   "before\x00after\x00",
		"big":   big,
		"emoji": "👩‍💻 ship it? 🚀🔥 \u200d zero-width joiner, RTL \u202e text",
	}
	for id, text := range texts {
		r := req("home", id, text)
		r.Agent = "agent " + text[:min(len(text), 20)]
		must(t, s.RecordRequest(r))
		must(t, s.RecordOutcome(r.Key(), Outcome{State: StateAnsweredElsewhere, By: "alex\x00🙂", Text: "reply: " + text}))
		must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex🙂", From: FromPeer, Text: text}))
	}
	must(t, s.Close())
	s = openT(t, dir)
	for id, text := range texts {
		e, err := s.Get(ctxT(t), Key{"home", id})
		must(t, err)
		if e.Request.Text != text || e.Outcome.Text != "reply: "+text || e.Outcome.By != "alex\x00🙂" ||
			e.Request.Agent != "agent "+text[:min(len(text), 20)] {
			t.Errorf("%s: texts changed in the round trip (len %d → %d)", id, len(text), len(e.Request.Text))
		}
	}
	chat, err := s.Chat(ctxT(t), "home", "alex🙂", 10)
	must(t, err)
	if len(chat) != 3 {
		t.Fatalf("%d chat lines, want 3", len(chat))
	}
	for _, l := range chat {
		if l.Text != texts["nul"] && l.Text != texts["big"] && l.Text != texts["emoji"] {
			t.Errorf("chat line changed in the round trip: %q", l.Text[:min(len(l.Text), 40)])
		}
	}
	// Lists carry previews, cut on a character boundary and marked.
	p, err := s.Search(ctxT(t), Query{Text: "ship"})
	must(t, err)
	if len(p.Entries) != 1 || p.Entries[0].Request.ID != "emoji" {
		t.Fatalf("search for a word next to emoji = %v", ids(p.Entries))
	}
	p, err = s.Search(ctxT(t), Query{Text: "question"})
	must(t, err)
	if len(p.Entries) != 1 || !p.Entries[0].Preview || len(p.Entries[0].Request.Text) >= len(big) ||
		!strings.HasPrefix(big, p.Entries[0].Request.Text) {
		t.Errorf("the 1 MB question's list entry is not a marked prefix preview")
	}
	if p, _ := s.Search(ctxT(t), Query{Text: "after"}); len(p.Entries) != 1 || p.Entries[0].Request.ID != "nul" {
		t.Errorf("a word after a NUL is not found: %v", ids(p.Entries))
	}
	for _, q := range []string{"🚀", "👩", "💻 ", "unicode ", "unicöde", "🙂"} {
		if p, _ := s.Search(ctxT(t), Query{Text: q}); len(p.Entries) != 1 {
			t.Errorf("search for %q found %d, want 1", q, len(p.Entries))
		}
	}
}

func TestBadInputIsRefusedWithAMessage(t *testing.T) {
	s := openT(t, t.TempDir())
	long := strings.Repeat("x", MaxKeyBytes+1)
	cases := map[string]error{
		"empty server":      s.RecordRequest(req("", "q", "t")),
		"empty id":          s.RecordRequest(req("home", "", "t")),
		"long id":           s.RecordRequest(req("home", long, "t")),
		"long server":       s.RecordOutcome(Key{long, "q"}, Outcome{State: StateAnswered}),
		"bad kind":          s.RecordRequest(Request{Server: "home", ID: "q", Kind: 7}),
		"bad state":         s.RecordOutcome(Key{"home", "q"}, Outcome{State: 42}),
		"empty nickname":    s.RecordChat(ChatLine{Server: "home", Text: "hi"}),
		"bad sender":        s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: 9}),
		"empty label":       s.SetServerLabel("home", ""),
		"reconcile no id":   s.Reconcile("", nil),
		"clear no server":   second(s.Clear(ctxT(t), "")),
		"search bad state":  second(s.Search(ctxT(t), Query{States: []State{99}})),
		"search bad cursor": second(s.Search(ctxT(t), Query{Before: -1})),
		"search long agent": second(s.Search(ctxT(t), Query{Agent: strings.Repeat("a", MaxLabelBytes+1)})),
	}
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "%!") || len(err.Error()) > 300 {
			t.Errorf("%s: unclear message %q", name, err)
		}
	}
	flush(t, s)
	if n, _ := s.Count(ctxT(t), Query{}); n != 0 {
		t.Errorf("%d rows stored from refused input", n)
	}
}

func second[T any](_ T, err error) error { return err }

// Every request the connection accepts can be kept: an id as long as
// conn allows is stored and read back.
func TestLongestRequestIDIsKept(t *testing.T) {
	s := openT(t, t.TempDir())
	id := strings.Repeat("i", limits.RequestIDBytes)
	must(t, s.RecordRequest(req("home", id, "long id")))
	flush(t, s)
	if e, err := s.Get(ctxT(t), Key{"home", id}); err != nil || e.Request.Text != "long id" {
		t.Fatalf("get = %+v, %v", e, err)
	}
}

func TestOversizedTextsAreCutWithANote(t *testing.T) {
	s := openT(t, t.TempDir())
	r := req("home", "q", strings.Repeat("é", MaxTextBytes)) // twice the limit in bytes
	r.Agent = strings.Repeat("a", MaxLabelBytes*3)
	must(t, s.RecordRequest(r))
	must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: FromPeer, Text: strings.Repeat("z", MaxChatBytes+10)}))
	flush(t, s)
	e, err := s.Get(ctxT(t), r.Key())
	must(t, err)
	if len(e.Request.Text) > MaxTextBytes || !strings.Contains(e.Request.Text, "cut by agentdesk history") ||
		!strings.HasPrefix(e.Request.Text, "éé") {
		t.Errorf("text of %d bytes stored as %d bytes without the note", len(r.Text), len(e.Request.Text))
	}
	if !strings.HasSuffix(e.Request.Text, "more bytes]") || strings.ContainsRune(e.Request.Text, '\uFFFD') {
		t.Errorf("cut not on a character boundary")
	}
	if len(e.Request.Agent) > MaxLabelBytes {
		t.Errorf("agent of %d bytes kept", len(e.Request.Agent))
	}
	c, _ := s.Chat(ctxT(t), "home", "alex", 1)
	if len(c) != 1 || len(c[0].Text) > MaxChatBytes {
		t.Errorf("chat line not cut to the limit")
	}
}

// noModesOnWindows is why the mode checks do not run on Windows.
const noModesOnWindows = "Windows has no POSIX permission bits (Go reports every writable file as 0666 and " +
	"chmod only sets the read-only attribute); there the history is private through the ACL of its " +
	"folder, by default %LocalAppData%\\agentdesk, which only the user can read"

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "agentdesk")
	s := openT(t, dir)
	must(t, s.RecordRequest(req("home", "q", "secret-ish")))
	flush(t, s)
	if s.Status().Path != filepath.Join(dir, FileName) || s.FileSize() == 0 || !s.Status().Saving {
		t.Errorf("Path %q, FileSize %d, Status %+v", s.Status().Path, s.FileSize(), s.Status())
	}
	files := map[string]os.FileInfo{}
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		files[name] = st
	}
	if runtime.GOOS == "windows" {
		t.Skip(noModesOnWindows)
	}
	st, err := os.Stat(dir)
	must(t, err)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", st.Mode().Perm())
	}
	for name, st := range files {
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
	}
}

func TestExistingLooseFileIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip(noModesOnWindows)
	}
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, FileName), nil, 0o644))
	s := openT(t, dir)
	_ = s
	st, err := os.Stat(filepath.Join(dir, FileName))
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after open, want 0600", st.Mode().Perm())
	}
}

func TestClosedStore(t *testing.T) {
	s := openT(t, t.TempDir())
	must(t, s.Close())
	must(t, s.Close()) // twice is fine
	if err := s.RecordRequest(req("home", "q", "t")); !errors.Is(err, ErrClosed) {
		t.Errorf("RecordRequest after Close = %v", err)
	}
	if _, err := s.Recent(ctxT(t), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Recent after Close = %v", err)
	}
	if err := s.Flush(ctxT(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close = %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := openT(t, t.TempDir())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			server := []string{"a", "b", "c", "d"}[g]
			for i := range 60 {
				id := string(rune('A'+i%26)) + strings.Repeat("x", i/26)
				_ = s.RecordRequest(req(server, id, "concurrent words"))
				_ = s.RecordOutcome(Key{server, id}, Outcome{State: StateAnswered, Text: "ok"})
				if i%20 == 0 {
					_, _ = s.Search(ctxT(t), Query{Text: "concurrent", Servers: []string{server}})
					_, _ = s.Stats(ctxT(t))
				}
			}
		})
	}
	wg.Wait()
	flush(t, s)
	n, err := s.Count(ctxT(t), Query{Text: "concurrent", States: []State{StateAnswered}})
	must(t, err)
	if n != 240 {
		t.Errorf("%d answered rows after 4×60 concurrent writes, want 240", n)
	}
}

func TestInMemoryStore(t *testing.T) {
	s, err := Open("", Options{})
	must(t, err)
	defer s.Close()
	fillServer(t, s, "home", 3, "memory words")
	if p, _ := s.Search(ctxT(t), Query{Text: "memory"}); len(p.Entries) != 3 {
		t.Errorf("in-memory search found %d, want 3", len(p.Entries))
	}
	var buf bytes.Buffer
	must(t, s.ExportMarkdown(ctxT(t), &buf))
	if !strings.Contains(buf.String(), "reply 2 from home") {
		t.Errorf("in-memory export lacks a reply")
	}
	if s.Status().Path != "" || s.Status().Saving {
		t.Errorf("in-memory store claims a file: %q %+v", s.Status().Path, s.Status())
	}
}

// TestPreviewEndsOnACharacter: a preview is previewRunes characters of
// the stored prefix, never part of one, also when four-byte characters
// fill the prefix exactly.
func TestPreviewEndsOnACharacter(t *testing.T) {
	for name, c := range map[string]struct {
		prefix  string
		fullLen int64
		want    string
		cut     bool
	}{
		"short":      {"hello", 5, "hello", false},
		"ascii":      {strings.Repeat("a", previewBytes), 5000, strings.Repeat("a", previewRunes), true},
		"two-byte":   {strings.Repeat("é", previewBytes/2), 5000, strings.Repeat("é", previewRunes), true},
		"four-byte":  {strings.Repeat("😀", previewRunes), 5000, strings.Repeat("😀", previewRunes), true},
		"whole text": {strings.Repeat("😀", previewRunes), previewBytes, strings.Repeat("😀", previewRunes), false},
	} {
		got, cut := previewOf(c.prefix, c.fullLen)
		if got != c.want || cut != c.cut || !utf8.ValidString(got) {
			t.Errorf("%s: previewOf = %d bytes, cut %v; want %d bytes, cut %v", name, len(got), cut, len(c.want), c.cut)
		}
	}
}
