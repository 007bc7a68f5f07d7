package history

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPruneByAgeKeepsPendingAndRecent(t *testing.T) {
	now := t0.Add(30 * 24 * time.Hour)
	s, err := Open(t.TempDir(), Options{Now: func() time.Time { return now }})
	must(t, err)
	defer s.Close()
	for day := range 30 {
		id := fmt.Sprintf("d%02d", day)
		r := req("home", id, "day "+id)
		r.Created = t0.Add(time.Duration(day) * 24 * time.Hour)
		must(t, s.RecordRequest(r))
		if day != 0 { // d00 stays pending
			answer(t, s, "home", id, "ok")
		}
		must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: FromPeer, Text: id, At: r.Created}))
	}
	flush(t, s)
	res, err := s.Prune(ctxT(t), RetentionPolicy{MaxAge: 7 * 24 * time.Hour})
	must(t, err)
	// Days 1..22 are older than 7 days (day 23 is exactly 7 days old).
	if res.Requests != 22 || res.ChatLines != 23 {
		t.Errorf("Prune deleted %+v, want 22 requests and 23 chat lines", res)
	}
	p, err := s.Search(ctxT(t), Query{Limit: 100})
	must(t, err)
	got := ids(p.Entries)
	want := []string{"d29", "d28", "d27", "d26", "d25", "d24", "d23", "d00"}
	if !slices.Equal(got, want) {
		t.Errorf("left %v, want %v (the old pending one stays)", got, want)
	}
	if p, _ := s.Search(ctxT(t), Query{Text: "d05"}); len(p.Entries) != 0 {
		t.Errorf("a pruned request is still in the search index")
	}
	chat, _ := s.Chat(ctxT(t), "home", "alex", 100)
	if len(chat) != 7 || chat[0].Text != "d23" {
		t.Errorf("chat after prune = %d lines from %q", len(chat), chat[0].Text)
	}
	must(t, s.IntegrityCheck(ctxT(t)))
}

func TestPruneByCountBeyondOneChunk(t *testing.T) {
	defer func(old int) { deleteChunk = old }(deleteChunk)
	deleteChunk = 40
	s := openT(t, t.TempDir())
	n := 3*deleteChunk + 130
	for i := range n {
		id := fmt.Sprintf("r%05d", i)
		must(t, s.RecordRequest(req("home", id, "words")))
		answer(t, s, "home", id, "ok")
	}
	for i := range 20 {
		must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: FromMe, Text: fmt.Sprint(i)}))
	}
	flush(t, s)
	res, err := s.Prune(ctxT(t), RetentionPolicy{MaxPerServer: 100})
	must(t, err)
	if res.Requests != n-100 || res.ChatLines != 0 {
		t.Errorf("Prune deleted %+v, want %d requests and no chat line", res, n-100)
	}
	rec, _ := s.Recent(ctxT(t), 1000)
	if len(rec) != 100 || rec[0].Request.ID != fmt.Sprintf("r%05d", n-1) || rec[99].Request.ID != fmt.Sprintf("r%05d", n-100) {
		t.Errorf("kept %d, from %s to %s; want the newest 100", len(rec), rec[0].Request.ID, rec[len(rec)-1].Request.ID)
	}
	res, err = s.Prune(ctxT(t), RetentionPolicy{MaxPerServer: 5})
	must(t, err)
	if res.ChatLines != 15 {
		t.Errorf("chat lines pruned to 5: deleted %d, want 15", res.ChatLines)
	}
	// The forever policy deletes nothing.
	res, err = s.Prune(ctxT(t), RetentionPolicy{})
	if err != nil || res != (PruneResult{}) {
		t.Errorf("Prune(forever) = %+v, %v", res, err)
	}
}

// TestClearGivesSpaceBack checks that deleted history shrinks the file
// (incremental auto-vacuum), not just frees pages inside it.
func TestClearGivesSpaceBack(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	fillServer(t, s, "home", 100, strings.Repeat("bulky words to store ", 1000))
	must(t, s.Close())
	before := fileSize(t, dir)
	s = openT(t, dir)
	if _, err := s.Clear(ctxT(t), "home"); err != nil {
		t.Fatal(err)
	}
	must(t, s.Close())
	after := fileSize(t, dir)
	if after > before/4 {
		t.Errorf("file is %d bytes after clearing, %d before: space not given back", after, before)
	}
}

// TestPruneAndChatClearGiveSpaceBack: deletes that do not compact the
// search index (Prune, and Clear of a server with only chat lines) shrink
// the file too.
func TestPruneAndChatClearGiveSpaceBack(t *testing.T) {
	for name, del := range map[string]func(s *Store) error{
		"prune": func(s *Store) error { _, err := s.Prune(ctxT(t), RetentionPolicy{MaxPerServer: 1}); return err },
		"clear": func(s *Store) error { _, err := s.Clear(ctxT(t), "home"); return err },
	} {
		dir := t.TempDir()
		s := openT(t, dir)
		for i := range 100 {
			must(t, s.RecordChat(ChatLine{Server: "home", Peer: "alex", From: FromPeer,
				Text: fmt.Sprint(i, strings.Repeat(" bulky chat", 2000)), At: t0}))
		}
		must(t, s.Close())
		before := fileSize(t, dir)
		s = openT(t, dir)
		must(t, del(s))
		must(t, s.Close())
		if after := fileSize(t, dir); after > before/4 {
			t.Errorf("%s: file is %d bytes after, %d before: space not given back", name, after, before)
		}
	}
}

func fileSize(t *testing.T, dir string) int64 {
	t.Helper()
	st, err := os.Stat(filepath.Join(dir, FileName))
	must(t, err)
	return st.Size()
}
