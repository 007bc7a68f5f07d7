package history

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// t0 is a fixed moment the tests' requests are created around.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openT opens a store in dir and fails on any notice.
func openT(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// req builds a question with a distinct creation time per id.
func req(server, id, text string) Request {
	return Request{Server: server, ID: id, ServerLabel: "label of " + server, Kind: KindQuestion,
		Agent: "claude", Model: "opus", MCPClient: "claude-code", Project: "/src/" + server,
		Text: text, Created: t0.Add(time.Duration(len(id)) * time.Second), Timeout: 10 * time.Minute}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func flush(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Flush(ctxT(t)); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// ids lists the request ids of entries, in order.
func ids(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Request.ID
	}
	return out
}

func servers(es []Entry) map[string]int {
	out := map[string]int{}
	for _, e := range es {
		out[e.Request.Server]++
	}
	return out
}

func answer(t *testing.T, s *Store, server, id, reply string) {
	t.Helper()
	must(t, s.RecordOutcome(Key{server, id}, Outcome{State: StateAnswered, Text: reply, At: t0.Add(time.Hour)}))
}

// fillServer records n answered questions on server, ids q0..q{n-1}.
func fillServer(t *testing.T, s *Store, server string, n int, words string) {
	t.Helper()
	for i := range n {
		id := fmt.Sprintf("q%d", i)
		r := req(server, id, fmt.Sprintf("question %d on %s: %s", i, server, words))
		r.Created = t0.Add(time.Duration(i) * time.Minute)
		must(t, s.RecordRequest(r))
		answer(t, s, server, id, fmt.Sprintf("reply %d from %s", i, server))
	}
	flush(t, s)
}

func wantErrAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T) is not a %T", err, err, target)
	}
	return target
}

// searchAll follows a search's pages to the end, failing on a page that
// repeats or goes back.
func searchAll(t *testing.T, s *Store, q Query) []Entry {
	t.Helper()
	var all []Entry
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("search pages never end")
		}
		p, err := s.Search(ctxT(t), q)
		must(t, err)
		for _, e := range p.Entries {
			if len(all) > 0 && e.Seq >= all[len(all)-1].Seq {
				t.Fatalf("page entries out of order: %d after %d", e.Seq, all[len(all)-1].Seq)
			}
			all = append(all, e)
		}
		if p.Next == 0 {
			return all
		}
		if q.Before != 0 && p.Next >= q.Before {
			t.Fatalf("cursor went from %d to %d", q.Before, p.Next)
		}
		q.Before = p.Next
	}
}
