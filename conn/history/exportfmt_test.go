package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestExportJSONLIsLossless(t *testing.T) {
	s := openT(t, t.TempDir())
	texts := []string{"nul\x00inside", "emoji 🚀 and \"quotes\" <html> & \\", strings.Repeat("long ", 100_000)}
	for i, text := range texts {
		r := req("home", string(rune('a'+i)), text)
		must(t, s.RecordRequest(r))
		must(t, s.RecordOutcome(r.Key(), Outcome{State: StateAnsweredElsewhere, By: "alex", Text: "re: " + text,
			Attachments: []Attachment{{Name: "f.txt", MIME: "text/plain", Size: 3, Data: []byte("abc")}}}))
	}
	must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", ClientID: "c1", From: FromPeer, Text: "hi\x00", At: t0}))
	must(t, s.SetServerLabel("home", "Home box"))
	flush(t, s)

	var buf bytes.Buffer
	must(t, s.ExportJSONL(ctxT(t), &buf))
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 4<<20)
	var header jsonHeader
	var reqs []jsonRequest
	var chats []jsonChat
	for sc.Scan() {
		var probe struct{ Type string }
		must(t, json.Unmarshal(sc.Bytes(), &probe))
		switch probe.Type {
		case "agentdesk_history":
			must(t, json.Unmarshal(sc.Bytes(), &header))
		case "request":
			var r jsonRequest
			must(t, json.Unmarshal(sc.Bytes(), &r))
			reqs = append(reqs, r)
		case "chat":
			var c jsonChat
			must(t, json.Unmarshal(sc.Bytes(), &c))
			chats = append(chats, c)
		default:
			t.Errorf("unknown line type %q", probe.Type)
		}
	}
	must(t, sc.Err())
	if header.Version != ExportFormatVersion || len(header.Servers) != 1 {
		t.Errorf("header = %+v", header)
	}
	if len(reqs) != len(texts) || len(chats) != 1 {
		t.Fatalf("%d requests and %d chats exported", len(reqs), len(chats))
	}
	for i, r := range reqs {
		if r.Text != texts[i] || r.Reply != "re: "+texts[i] || r.State != "answered_elsewhere" || r.AnsweredBy != "alex" ||
			r.Kind != "question" || r.ServerLabel != "label of home" || r.TimeoutSecs != 600 || r.Project != "/src/home" {
			t.Errorf("request %d exported as %+v", i, r.ID)
		}
		if len(r.Attachments) != 1 || r.Attachments[0].Name != "f.txt" || r.Attachments[0].Size != 3 {
			t.Errorf("attachments exported as %+v", r.Attachments)
		}
	}
	if chats[0].Text != "hi\x00" || chats[0].From != "peer" || !chats[0].At.Equal(t0) {
		t.Errorf("chat exported as %+v", chats[0])
	}
	// Contents of attachments are never exported.
	if bytes.Contains(buf.Bytes(), []byte("YWJj")) {
		t.Errorf("attachment bytes in the export")
	}
}

func TestExportMarkdownReadsWell(t *testing.T) {
	s := openT(t, t.TempDir())
	r := req("home", "q1", "Ship it?\n\n# A heading in the question\n```go\ncode\n```")
	must(t, s.RecordRequest(r))
	must(t, s.RecordOutcome(r.Key(), Outcome{State: StateAnswered, Text: "Yes.\nSecond line."}))
	w := req("home", "w1", "Work done.")
	w.Kind, w.Project = KindWorkReport, "/weird `path`"
	must(t, s.RecordRequest(w))
	must(t, s.RecordOutcome(w.Key(), Outcome{State: StateCancelled, Reason: "timed_out"}))
	must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: FromPeer, Text: "lunch?\nnow", At: t0}))
	must(t, s.SetServerLabel("home", "Home box"))
	flush(t, s)

	var buf bytes.Buffer
	must(t, s.ExportMarkdown(ctxT(t), &buf))
	md := buf.String()
	for _, want := range []string{
		"# agentdesk history",
		"## Home box",
		"### Question from claude · 2026-11-26 12:00 · answered",
		"> Ship it?\n>\n> # A heading in the question\n> ```go",
		"**My reply:**\n\n> Yes.\n> Second line.",
		"### Work report from claude",
		"- Project: `` /weird `path` ``",
		`_timed\_out_`,
		"### Chat with alex",
		"**alex:** lunch?\n  now",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown export lacks %q:\n%s", want, md)
		}
	}
}

func TestExportOfEmptyHistory(t *testing.T) {
	s := openT(t, t.TempDir())
	var buf bytes.Buffer
	must(t, s.ExportMarkdown(ctxT(t), &buf))
	if !strings.Contains(buf.String(), "No history is stored.") {
		t.Errorf("empty export = %q", buf.String())
	}
	buf.Reset()
	must(t, s.ExportJSONL(ctxT(t), &buf, "nobody"))
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Errorf("JSONL export of an unknown server has %d lines, want the header only", n)
	}
	_ = time.Now
}
