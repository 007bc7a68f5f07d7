package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestNoQueryForOneServerReturnsAnother fills two servers that reuse the
// same request ids, nicknames and words, and checks every read, export and
// delete that names one server against the other's rows.
func TestNoQueryForOneServerReturnsAnother(t *testing.T) {
	s := openT(t, t.TempDir())
	const n = 30
	fillServer(t, s, "A", n, "shared words")
	fillServer(t, s, "B", n, "shared words")
	must(t, s.RecordRequest(req("A", "pending-on-A", "shared words still open")))
	for _, srv := range []string{"A", "B"} {
		must(t, s.SetServerLabel(srv, "Server "+srv))
		for i := range 5 {
			must(t, s.RecordChat(ChatLine{Server: srv, Peer: "alex", ClientID: "c1", From: FromPeer,
				Text: "chat on " + srv, At: t0.Add(time.Duration(i) * time.Second)}))
		}
	}
	flush(t, s)
	ctx := ctxT(t)

	onlyFrom := func(what, server string, es []Entry) {
		t.Helper()
		for _, e := range es {
			if e.Request.Server != server || !strings.Contains(e.Request.Text, " on "+server) && e.Request.ID != "pending-on-A" {
				t.Errorf("%s for %s returned a row of %s: %+v", what, server, e.Request.Server, e.Request)
			}
		}
	}

	for _, srv := range []string{"A", "B"} {
		// search: by filter, with and without text, paged with a cursor.
		for _, text := range []string{"", "shared", "reply", "question 1"} {
			var all []Entry
			q := Query{Text: text, Servers: []string{srv}, Limit: 7}
			for {
				p, err := s.Search(ctx, q)
				must(t, err)
				all = append(all, p.Entries...)
				if p.Next == 0 {
					break
				}
				q.Before = p.Next
			}
			onlyFrom("Search "+text, srv, all)
			if len(all) == 0 {
				t.Errorf("Search %q for %s found nothing", text, srv)
			}
			count, err := s.Count(ctx, Query{Text: text, Servers: []string{srv}})
			must(t, err)
			if count != len(all) {
				t.Errorf("Count %q for %s = %d, pages held %d", text, srv, count, len(all))
			}
		}
		// search by words and filters, read in windows.
		all := searchAll(t, s, Query{Text: "question", Servers: []string{srv}, States: finishedStates(), Limit: 4})
		onlyFrom("Search in windows", srv, all)
		if len(all) != n {
			t.Errorf("windowed search for %s found %d, want %d", srv, len(all), n)
		}

		// record: the same id on both servers is two records.
		e, err := s.Get(ctx, Key{srv, "q3"})
		must(t, err)
		onlyFrom("Get", srv, []Entry{e})
		if e.Outcome.Text != "reply 3 from "+srv {
			t.Errorf("Get(%s, q3) has the reply %q", srv, e.Outcome.Text)
		}
		// A row number of one server is not found through the other.
		other := map[string]string{"A": "B", "B": "A"}[srv]
		if _, err := s.GetSeq(ctx, other, e.Seq); err == nil {
			t.Errorf("GetSeq(%s, row of %s) returned a record", other, srv)
		}

		// chat: same nickname, two people.
		lines, err := s.Chat(ctx, srv, "alex", 100)
		must(t, err)
		if len(lines) != 5 {
			t.Errorf("Chat(%s, alex) has %d lines, want 5", srv, len(lines))
		}
		for _, l := range lines {
			if l.Server != srv || l.Text != "chat on "+srv {
				t.Errorf("Chat(%s) returned %+v", srv, l)
			}
		}
		f, err := s.Facets(ctx, srv)
		must(t, err)
		if len(f.Projects) != 1 || f.Projects[0] != "/src/"+srv {
			t.Errorf("Facets(%s).Projects = %v", srv, f.Projects)
		}

		// export: JSON Lines and Markdown of one server.
		var buf bytes.Buffer
		must(t, s.ExportJSONL(ctx, &buf, srv))
		sc := bufio.NewScanner(&buf)
		sc.Buffer(nil, 1<<20)
		lineNo := 0
		for sc.Scan() {
			lineNo++
			var m map[string]any
			must(t, json.Unmarshal(sc.Bytes(), &m))
			if m["type"] == "agentdesk_history" {
				continue
			}
			if m["server"] != srv {
				t.Errorf("JSONL export of %s holds %v", srv, m)
			}
		}
		wantLines := 1 + n + 5
		if srv == "A" {
			wantLines++
		}
		if lineNo != wantLines {
			t.Errorf("JSONL export of %s has %d lines, want %d", srv, lineNo, wantLines)
		}
		buf.Reset()
		must(t, s.ExportMarkdown(ctx, &buf, srv))
		md := buf.String()
		if strings.Contains(md, "from "+other) || strings.Contains(md, "on "+other) || !strings.Contains(md, "reply 3 from "+srv) {
			t.Errorf("Markdown export of %s mixes servers or lacks its own rows", srv)
		}
	}

	// recent: across servers, but each row is its own server's.
	rec, err := s.Recent(ctx, 100)
	must(t, err)
	if got := servers(rec); got["A"] != n || got["B"] != n {
		t.Errorf("Recent holds %v, want %d of each", got, n)
	}
	for _, e := range rec {
		if !strings.HasSuffix(e.Outcome.Text, "from "+e.Request.Server) {
			t.Errorf("Recent row of %s carries %q", e.Request.Server, e.Outcome.Text)
		}
	}

	// stats.
	stats, err := s.Stats(ctx)
	must(t, err)
	if len(stats) != 2 || stats[0].Server != "A" || stats[0].Requests != n+1 || stats[0].Pending != 1 ||
		stats[1].Requests != n || stats[1].Pending != 0 || stats[0].ChatLines != 5 || stats[1].ChatLines != 5 ||
		stats[0].Label != "Server A" || stats[0].Bytes <= 0 {
		t.Errorf("Stats = %+v", stats)
	}

	// clear A: B keeps everything, A keeps its pending request.
	res, err := s.Clear(ctx, "A")
	must(t, err)
	if res.Requests != n || res.ChatLines != 5 {
		t.Errorf("Clear(A) deleted %+v, want %d requests and 5 lines", res, n)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"B"}}); c != n {
		t.Errorf("B has %d rows after clearing A, want %d", c, n)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"A"}}); c != 1 {
		t.Errorf("A has %d rows after Clear, want its 1 pending", c)
	}
	if l, _ := s.Chat(ctx, "B", "alex", 100); len(l) != 5 {
		t.Errorf("B's chat has %d lines after clearing A", len(l))
	}
	if p, _ := s.Search(ctx, Query{Text: "reply"}); len(p.Entries) != n || servers(p.Entries)["A"] != 0 {
		t.Errorf("search after Clear(A) = %v", servers(p.Entries))
	}

	// prune per server counts each server alone.
	fillServer(t, s, "A", 4, "again")
	if _, err := s.Prune(ctx, RetentionPolicy{MaxPerServer: 3}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"B"}}); c != 3 {
		t.Errorf("B has %d rows after pruning to 3 per server", c)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"A"}, States: finishedStates()}); c != 3 {
		t.Errorf("A has %d finished rows after pruning to 3 per server", c)
	}

	// delete A: everything of A goes, B stays.
	if _, err := s.Delete(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"A"}}); c != 0 {
		t.Errorf("A has %d rows after Delete", c)
	}
	if c, _ := s.Count(ctx, Query{Servers: []string{"B"}}); c != 3 {
		t.Errorf("B has %d rows after deleting A, want 3", c)
	}
	stats, _ = s.Stats(ctx)
	if len(stats) != 1 || stats[0].Server != "B" || stats[0].Label != "Server B" {
		t.Errorf("Stats after Delete(A) = %+v", stats)
	}
	// The search index still matches the table after all of it.
	must(t, s.IntegrityCheck(ctx))
}
