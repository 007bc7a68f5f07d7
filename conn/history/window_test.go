package history

import (
	"fmt"
	"slices"
	"testing"
)

// TestSearchWindowsFindEverythingInOrder makes the windows tiny so that a
// search with words and a rare filter crosses many of them, returning
// short and empty pages that still add up to every match, newest first.
func TestSearchWindowsFindEverythingInOrder(t *testing.T) {
	defer func(w, n int) { searchWindow, searchWindows = w, n }(searchWindow, searchWindows)
	searchWindow, searchWindows = 5, 2
	s := openT(t, t.TempDir())
	var want []string
	for i := range 120 {
		server, agent := "busy", "claude"
		if i%17 == 0 {
			server, agent = "quiet", "rare"
		}
		id := fmt.Sprintf("r%03d", i)
		must(t, s.RecordRequest(Request{Server: server, ID: id, Kind: KindQuestion, Agent: agent,
			Text: "common words everywhere"}))
		if server == "quiet" {
			want = append([]string{id}, want...)
		}
	}
	flush(t, s)
	for _, q := range []Query{
		{Text: "common", Servers: []string{"quiet"}, Limit: 3},
		{Text: "words", Agent: "rare", Limit: 2},
		{Text: "everywhere", Servers: []string{"quiet", "nowhere"}, Agent: "rare", States: []State{StatePending}},
	} {
		got := ids(searchAll(t, s, q))
		if !slices.Equal(got, want) {
			t.Errorf("%+v found %v, want %v", q, got, want)
		}
		if n, _ := s.Count(ctxT(t), q); n != len(want) {
			t.Errorf("Count(%+v) = %d, want %d", q, n, len(want))
		}
	}
	// A first page can come back short with more to come.
	p, err := s.Search(ctxT(t), Query{Text: "common", Agent: "rare", Limit: 50})
	must(t, err)
	if len(p.Entries) >= len(want) || p.Next == 0 {
		t.Errorf("first page holds %d with Next %d; want a short page with more to come", len(p.Entries), p.Next)
	}
}
