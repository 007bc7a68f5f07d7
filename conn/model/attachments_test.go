package model_test

import (
	"image"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/model"
)

func arriveChoices(m *model.Model, id string, minute int, choices ...conn.Choice) conn.RequestKey {
	r := &conn.Request{Server: "s", ID: id, Kind: conn.KindQuestion, Text: "pick", Choices: choices,
		CreatedAt: time.Date(2026, 1, 1, 10, minute, 0, 0, time.UTC)}
	m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: r.Server}, Request: r})
	return r.Key()
}

func options(labels ...string) []conn.ChoiceOption {
	var out []conn.ChoiceOption
	for _, l := range labels {
		out = append(out, conn.ChoiceOption{Label: l})
	}
	return out
}

// The attachment draft lives in the model, keyed by request: every change
// redraws the card, a closing card lets go of the bytes and remembers the
// names, and a sent reply releases them without calling them unsent.
func TestAttachmentDraftLivesOnTheCard(t *testing.T) {
	m := model.New(0)
	var changes atomic.Int32
	m.OnChange(func() { changes.Add(1) })
	a := arrive(m, "s", "a", 1)
	b := arrive(m, "t", "a", 2) // same id on another server
	if m.Attachments(a) != nil || m.AttachmentItems(a) != nil {
		t.Fatal("a draft exists before anything was attached")
	}
	d := m.AttachmentDraft(a, attach.DefaultLimits())
	if d == nil || m.AttachmentDraft(a, attach.DefaultLimits()) != d {
		t.Fatal("AttachmentDraft did not create one draft per request")
	}
	before, _ := m.Card(a)
	n := changes.Load()
	d.AddBytes("note.txt", []byte("hello"))
	after, _ := m.Card(a)
	if after.Rev == before.Rev || changes.Load() == n {
		t.Fatal("adding an attachment neither changed the card's revision nor notified")
	}
	if items := m.AttachmentItems(a); len(items) != 1 || items[0].Name != "note.txt" {
		t.Fatalf("items %+v", items)
	}
	if m.AttachmentItems(b) != nil {
		t.Fatal("attachments mixed up across servers")
	}
	if m.AttachmentDraft(conn.RequestKey{Server: "s", ID: "nope"}, attach.DefaultLimits()) != nil {
		t.Fatal("a draft was made for an unknown request")
	}

	// Answered elsewhere: the draft goes, its names stay for the card.
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: "s"}, ID: "a", By: "bob", Text: "done"})
	if m.Attachments(a) != nil {
		t.Fatal("a closed card kept its attachment bytes")
	}
	if got := m.UnsentAttachments(a); !slices.Equal(got, []string{"note.txt"}) {
		t.Fatalf("unsent %q", got)
	}
	if m.AttachmentDraft(a, attach.DefaultLimits()) != nil {
		t.Fatal("a closed card accepted attachments")
	}
	// A load finishing after the close does not touch the closed card.
	rev, _ := m.Card(a)
	d.AddBytes("late.txt", []byte("x"))
	if c, _ := m.Card(a); c.Rev != rev.Rev {
		t.Fatal("a released draft still changes its card")
	}

	// Our own reply carries the draft: nothing is called unsent.
	db := m.AttachmentDraft(b, attach.DefaultLimits())
	db.AddBytes("shot.png", []byte("png"))
	m.Apply(conn.ReplyUpdate{Origin: conn.Origin{Server: "t"}, ID: "a", Status: conn.ReplySent, Text: "see",
		Attachments: []conn.AttachmentInfo{{Name: "shot.png", MIME: "image/png", Size: 3, Kind: conn.AttachmentImage}}})
	if m.Attachments(b) != nil || m.UnsentAttachments(b) != nil {
		t.Fatal("a sent reply's attachments were kept or called unsent")
	}
	if c, _ := m.Card(b); len(c.ReplyAttachments) != 1 || c.ReplyAttachments[0].Name != "shot.png" {
		t.Fatalf("reply attachments on the card: %+v", c.ReplyAttachments)
	}
}

func TestReleaseAttachmentsAndTrimForgetTheDraft(t *testing.T) {
	m := model.New(1)
	a := arrive(m, "s", "a", 1)
	m.AttachmentDraft(a, attach.DefaultLimits()).AddBytes("x.bin", []byte{1})
	m.ReleaseAttachments(a)
	if m.Attachments(a) != nil {
		t.Fatal("ReleaseAttachments kept the draft")
	}
	m.AttachmentDraft(a, attach.DefaultLimits()).AddBytes("y.bin", []byte{1})
	b := arrive(m, "s", "b", 2)
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "s"}, ID: "a"})
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "s"}, ID: "b"})
	if _, ok := m.Card(a); ok {
		t.Fatal("card beyond the cap kept")
	}
	if m.UnsentAttachments(a) != nil {
		t.Fatal("the names of a trimmed card's attachments were kept")
	}
	_ = b
}

// Structured choices: one answer for a single choice, several for a
// multiple one, the number keys count through every option, and closed
// cards ignore picks.
func TestChoiceAnswers(t *testing.T) {
	m := model.New(0)
	k := arriveChoices(m, "c", 1,
		conn.Choice{Question: "Which db?", Options: options("Postgres", "SQLite")},
		conn.Choice{Question: "Which tests?", Multiple: true, Custom: true, Options: options("unit", "e2e", "bench")})
	if got := m.ChoiceAnswers(k); len(got) != 2 || got[0].Selected != nil {
		t.Fatalf("fresh answers %+v", got)
	}
	rev, _ := m.Card(k)
	if !m.SelectOption(k, 0, 0, true) || !m.SelectOption(k, 0, 1, true) {
		t.Fatal("picking options was refused")
	}
	if c, _ := m.Card(k); c.Rev == rev.Rev {
		t.Fatal("a pick did not redraw the card")
	}
	if got := m.ChoiceAnswers(k)[0].Selected; !slices.Equal(got, []int{1}) {
		t.Fatalf("single choice keeps %v, want only the last pick", got)
	}
	if m.SelectOption(k, 0, 1, true) {
		t.Fatal("picking the picked option reported a change")
	}
	// Number keys: 0-1 are the first choice, 2-4 the second.
	for _, n := range []int{2, 4, 3, 4} {
		if !m.ToggleOption(k, n) {
			t.Fatalf("ToggleOption(%d) refused", n)
		}
	}
	if got := m.ChoiceAnswers(k)[1].Selected; !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("multiple choice = %v, want unit and e2e", got)
	}
	if m.ToggleOption(k, 5) || m.ToggleOption(k, -1) || m.SelectOption(k, 2, 0, true) || m.SelectOption(k, 0, 9, true) {
		t.Fatal("an option out of range was accepted")
	}
	m.SetChoiceCustom(k, 1, "fuzz")
	answers := m.ChoiceAnswers(k)
	answers[1].Selected[0] = 99 // a copy: the model is not changed through it
	if got := m.ChoiceAnswers(k); got[1].Custom != "fuzz" || got[1].Selected[0] != 0 {
		t.Fatalf("answers %+v", got)
	}
	if text := conn.ChoiceReplyText(rev.Request.Choices, m.ChoiceAnswers(k)); text != "Q: Which db?\nA: SQLite\n\nQ: Which tests?\nA: unit, e2e, fuzz" {
		t.Fatalf("reply text %q", text)
	}
	m.ClearChoices(k)
	if got := m.ChoiceAnswers(k); got[0].Selected != nil || got[1].Custom != "" {
		t.Fatalf("after ClearChoices: %+v", got)
	}
	m.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: "s"}, ID: "c"})
	if m.SelectOption(k, 0, 0, true) || m.ToggleOption(k, 0) {
		t.Fatal("a closed card took a pick")
	}
}

// Other people's attachments are kept within MaxReceivedBytes, newest
// first; older ones keep everything but their bytes. Copies handed out
// earlier never change under their holder.
func TestReceivedAttachmentsAreBounded(t *testing.T) {
	m := model.New(0)
	big := func(name string) conn.ReceivedAttachment {
		// Fresh zero pages: the test costs no real memory.
		data := make([]byte, model.MaxReceivedBytes/2+1)
		return conn.ReceivedAttachment{AttachmentInfo: conn.AttachmentInfo{Name: name, MIME: "application/octet-stream",
			Size: int64(len(data)), Kind: conn.AttachmentFile}, Data: data}
	}
	a := arrive(m, "s", "a", 1)
	b := arrive(m, "s", "b", 2)
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: "s"}, ID: "a", By: "bob", Attachments: []conn.ReceivedAttachment{big("old.bin")}})
	held, _ := m.Card(a)
	if held.Received[0].Data == nil || held.State != model.AnsweredElsewhere {
		t.Fatalf("first reply's bytes were not kept: %+v", held.Received)
	}
	m.Apply(conn.RequestAnswered{Origin: conn.Origin{Server: "s"}, ID: "b", By: "eve", Attachments: []conn.ReceivedAttachment{
		big("new.bin"),
		{AttachmentInfo: conn.AttachmentInfo{Name: "broken", Kind: conn.AttachmentFile}, Problem: conn.UnreadableAttachment + ": no data"}}})
	ca, _ := m.Card(a)
	cb, _ := m.Card(b)
	if ca.Received[0].Data != nil || !ca.Received[0].Omitted || ca.Received[0].Name != "old.bin" || ca.Received[0].Size == 0 {
		t.Fatalf("the older reply kept %d bytes (omitted %v)", len(ca.Received[0].Data), ca.Received[0].Omitted)
	}
	if cb.Received[0].Data == nil || cb.Received[1].Problem == "" {
		t.Fatalf("the newest reply lost its bytes or its problem: %+v", cb.Received[1])
	}
	if held.Received[0].Data == nil {
		t.Fatal("a copy handed out earlier changed under its holder")
	}
	thumb := image.NewRGBA(image.Rect(0, 0, 4, 4))
	m.SetReceivedThumb(b, 0, thumb)
	m.SetReceivedThumb(b, 7, thumb) // out of range: ignored
	if c, _ := m.Card(b); c.Received[0].Thumb != thumb || cb.Received[0].Thumb != nil {
		t.Fatal("the preview was not recorded on a fresh copy")
	}
}
