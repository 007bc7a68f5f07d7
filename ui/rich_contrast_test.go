package ui

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/attach/attachtest"
)

// richContrastFixture adds the rich-reply parts to the contrast fixture:
// a card with structured choices, one with three attachment chips (an
// image with its preview, a file, one over the limit), one answered
// elsewhere with received attachments (a preview, a file with Save, an
// unreadable one, one not kept), and the "@" completion list open on the
// newest card. It returns the texts the measurement must include.
func richContrastFixture(t testing.TB, h *harness, id conn.ServerID) []string {
	m := h.u.model
	o := conn.Origin{Server: id}
	at := func(min int) time.Time { return time.Date(2026, 1, 2, 10, min, 0, 0, time.Local) }
	dir := t.TempDir()
	for _, f := range []string{"conn/manager.go", "conn/session.go", "ui/app.go"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	arrive := func(rid string, min int, text string, choices ...conn.Choice) conn.RequestKey {
		r := &conn.Request{Server: id, ID: rid, Kind: conn.KindQuestion, Text: text, AgentName: "claude",
			MCPClient: "Claude Code", ProjectDirectory: dir, CreatedAt: at(min), Choices: choices}
		m.Apply(conn.RequestArrived{Origin: o, Request: r})
		return r.Key()
	}
	thumbOf := func(w, hgt int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, hgt))
		for y := range hgt {
			for x := range w {
				img.Set(x, y, color.NRGBA{R: uint8(40 + x), G: 90, B: uint8(200 - y), A: 255})
			}
		}
		return img
	}

	k := arrive("rich-received", 1, "Received?")
	m.Apply(conn.RequestAnswered{Origin: o, ID: k.ID, By: "web-peer", Text: "see files", Attachments: []conn.ReceivedAttachment{
		{AttachmentInfo: conn.AttachmentInfo{Name: "screen.png", MIME: "image/png", Size: 2048, Kind: conn.AttachmentImage}, Data: []byte("png")},
		{AttachmentInfo: conn.AttachmentInfo{Name: "trace.log", MIME: "text/plain", Size: 120, Kind: conn.AttachmentFile}, Data: []byte("log")},
		{AttachmentInfo: conn.AttachmentInfo{Name: "attachment-4", Kind: conn.AttachmentFile}, Problem: conn.UnreadableAttachment + ": the embedded resource is missing"},
		{AttachmentInfo: conn.AttachmentInfo{Name: "old.zip", MIME: "application/zip", Size: 30_000_000, Kind: conn.AttachmentFile}, Omitted: true},
	}})
	m.SetReceivedThumb(k, 0, thumbOf(96, 60))

	arrive("rich-choices", 2, "Which setup?",
		conn.Choice{Header: "Database", Question: "Which database?", Options: []conn.ChoiceOption{{Label: "Postgres", Description: "the server one"}, {Label: "SQLite"}}},
		conn.Choice{Question: "Which checks?", Multiple: true, Custom: true, Options: []conn.ChoiceOption{{Label: "lint"}, {Label: "tests"}}})
	m.ToggleOption(conn.RequestKey{Server: id, ID: "rich-choices"}, 0)
	m.ToggleOption(conn.RequestKey{Server: id, ID: "rich-choices"}, 3)

	k = arrive("rich-chips", 3, "Attach the logs")
	d := m.AttachmentDraft(k, attach.Limits{PerFile: 100_000, PerReply: 200_000})
	shot := attachtest.PNG(t, 120, 80)
	d.AddBytes("screenshot.png", shot)
	d.AddBytes("notes.txt", []byte("hello"))
	d.AddBytes("huge.bin", make([]byte, 150_000))
	d.AddProblem("clipboard", attach.ErrEmptyClipboard)

	k = arrive("rich-complete", 4, "Which file?")
	h.waitFor("rich cards", func() bool { return h.u.tl.len() == m.Len() })
	h.u.tl.focusCard(k)
	h.typeKeys("@con")
	h.waitFor("completion list", func() bool {
		v := h.u.tl.views[k]
		return v != nil && v.comp.open && len(v.comp.items) > 1
	})
	return []string{"Database: Which database?", "Alt+1…9 picks an option", "Attached to their reply:",
		"trace.log · text/plain · 120 B", "Unreadable attachment: the embedded resource is missing", "(not kept in memory)",
		"screenshot.png · ", "notes.txt · 5 B", "huge.bin is too large", "The clipboard holds no image or file",
		"n/manager.go", "Attach…", "Save…"}
}

// richCardCount is how many cards richContrastFixture adds.
const richCardCount = 4
