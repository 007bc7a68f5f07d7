package historytest

import (
	"context"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/history"
)

func TestFillIsRealisticAndReproducible(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := FillDir(ctx, dir, 300, Options{Seed: 7, Start: start}); err != nil {
		t.Fatal(err)
	}
	s, err := history.Open(dir, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.Count(ctx, history.Query{})
	if err != nil || n != 300 {
		t.Fatalf("Count = %d, %v; want 300", n, err)
	}
	pending, _ := s.Count(ctx, history.Query{States: []history.State{history.StatePending}})
	if pending != 0 {
		t.Errorf("%d pending rows; every generated request is finished", pending)
	}
	stats, err := s.Stats(ctx)
	if err != nil || len(stats) != len(DefaultServers) {
		t.Fatalf("Stats = %+v, %v", stats, err)
	}
	for _, st := range stats {
		if st.Requests != 100 {
			t.Errorf("server %s has %d requests, want 100", st.Server, st.Requests)
		}
	}
	answered, _ := s.Count(ctx, history.Query{States: []history.State{history.StateAnswered}})
	if answered < 150 || answered > 250 {
		t.Errorf("%d of 300 answered; the mix should be about 70%%", answered)
	}
	// Common words are found often, and the same seed gives the same text.
	if c, _ := s.Count(ctx, history.Query{Text: "the"}); c < 200 {
		t.Errorf("a common word is in only %d requests", c)
	}
	first := NewGenerator(300, Options{Seed: 7, Start: start}).Next()
	e, err := s.Get(ctx, first.Request.Key())
	if err != nil || e.Request.Text != first.Request.Text || !e.Request.Created.Equal(start) {
		t.Errorf("the same seed gave a different first request: %v", err)
	}
}
