package history_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/conn/history/historytest"
)

// Benchmarks for `make bench`. Each reports its figure against a bare
// baseline measured in the same run, so a busy machine shows in both:
//
//	go test -run '^$' -bench . ./conn/history/   # about 40 s
//
// The benchmarks on 100,000 finished requests share one database, filled
// once per run (about 15 s) and removed at the end.

const bigHistory = 100_000

var fixture struct {
	once    sync.Once
	dir     string
	err     error
	fill    time.Duration
	payload int64 // bytes of text and metadata put in
}

// history100k returns a folder holding a history of 100,000 generated
// finished requests over three servers.
func history100k(b *testing.B) string {
	b.Helper()
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "history-bench-")
		if fixture.err != nil {
			return
		}
		history.AtExit(func() { _ = os.RemoveAll(fixture.dir) })
		g := historytest.NewGenerator(bigHistory, historytest.Options{Seed: 1})
		for range bigHistory {
			x := g.Next()
			fixture.payload += payloadBytes(x)
		}
		start := time.Now()
		fixture.err = historytest.FillDir(context.Background(), fixture.dir, bigHistory, historytest.Options{Seed: 1})
		fixture.fill = time.Since(start)
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.dir
}

func payloadBytes(x historytest.Generated) int64 {
	r, o := x.Request, x.Outcome
	return int64(len(r.Server) + len(r.ID) + len(r.ServerLabel) + len(r.Agent) + len(r.Model) + len(r.MCPClient) +
		len(r.Project) + len(r.Text) + len(o.Text) + len(o.By) + len(o.Reason) + 8*4)
}

// bareDB is the baseline: one plain table without indexes or full-text
// search, written with a prepared statement in one transaction.
func bareDB(b *testing.B) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "bare.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (server, id, kind, agent, model, client, project, text, created)`); err != nil {
		b.Fatal(err)
	}
	return db
}

// bareInsert stores n generated requests in the bare table and returns the
// time it took.
func bareInsert(b *testing.B, db *sql.DB, reqs []history.Request) time.Duration {
	b.Helper()
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range reqs {
		if _, err := st.Exec(r.Server, r.ID, int(r.Kind), r.Agent, r.Model, r.MCPClient, r.Project, r.Text, r.Created.UnixMilli()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func generate(n int, prefix string) []historytest.Generated {
	g := historytest.NewGenerator(n, historytest.Options{Seed: 2, IDPrefix: prefix})
	out := make([]historytest.Generated, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// BenchmarkWritePerEvent records b.N events (a request arriving, then its
// outcome: two events per request) and reports the amortised cost of one,
// from the first call until Flush returns. Budget: 1 ms per event.
func BenchmarkWritePerEvent(b *testing.B) {
	s, err := history.Open(b.TempDir(), history.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	reqs := generate(b.N/2+1, "w")
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		x := reqs[i/2]
		if i%2 == 0 {
			err = s.RecordRequest(x.Request)
		} else {
			err = s.RecordOutcome(x.Request.Key(), x.Outcome)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	ours := time.Since(start)
	b.StopTimer()

	plain := make([]history.Request, b.N)
	for i := range plain {
		plain[i] = reqs[i/2].Request
		plain[i].ID = fmt.Sprint(i)
	}
	bare := bareInsert(b, bareDB(b), plain)
	perEvent := float64(ours.Microseconds()) / float64(b.N)
	b.ReportMetric(perEvent, "µs/event")
	b.ReportMetric(perEvent/1000, "of-1ms-budget")
	b.ReportMetric(float64(ours)/float64(bare), "x-bare-insert")
}

// BenchmarkBurst10k stores a burst of 10,000 arriving requests in a fresh
// history and reports the time until all are stored. Budget: 2 s.
func BenchmarkBurst10k(b *testing.B) {
	const n = 10_000
	gen := generate(n, "b")
	reqs := make([]history.Request, n)
	for i := range gen {
		reqs[i] = gen[i].Request
	}
	var ours, bare time.Duration
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, err := history.Open(b.TempDir(), history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for _, r := range reqs {
			if err := s.RecordRequest(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		_ = s.Close()
		bare += bareInsert(b, bareDB(b), reqs)
		b.StartTimer()
	}
	b.ReportMetric(ours.Seconds()/float64(b.N), "s/burst")
	b.ReportMetric(float64(ours)/float64(bare), "x-bare-insert")
}

// searches are what a user types and picks, newest first, first page.
var searches = []history.Query{
	{Text: "deploy"},
	{Text: "the"},  // a word in nearly every request
	{Text: "test"}, // a prefix of frequent words: test, tests, testing
	{Text: "conf"},
	{Text: "migration sche"},
	{Text: "capybara"}, // rare
	{Text: "timeout retry", Servers: []string{"work"}},
	{Text: "build", Agent: "claude", States: []history.State{history.StateAnswered}},
	{Text: "cache", Project: "/home/dev/work/search-api"},
	{Servers: []string{"home"}},
	{Servers: []string{"home", "build"}, States: []history.State{history.StateCancelled}},
	{Agent: "gemini"},
	{Project: "/srv/build/release-tools", States: []history.State{history.StateUndeliverable}},
	{Text: "zzzz-no-such-word"},
	{Text: "pull request", Servers: []string{"build"}, Agent: "codex"},
	// Rare filters with a common word: the worst case for the windows.
	{Text: "the", Servers: []string{"build"}, Agent: "gemini", Project: "/srv/build/release-tools"},
	{Text: "the", Agent: "nobody-by-this-name"},
	{States: []history.State{history.StateAnsweredElsewhere}},
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkSearchFirstPage runs the searches above in turn against 100,000
// finished requests and reports the first page's latency, p50 and p99.
// Budget: p99 ≤ 30 ms. Each search is followed by the bare baseline (the
// newest 50 rows, nothing else) so both see the same machine.
func BenchmarkSearchFirstPage(b *testing.B) {
	dir := history100k(b)
	s, err := history.Open(dir, history.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, history.FileName)+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bareQuery := func() {
		rows, err := db.Query(`SELECT seq, server, request_id, agent, text FROM requests ORDER BY seq DESC LIMIT 50`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		_ = rows.Close()
	}
	ctx := context.Background()
	// Warm the page cache as a running app would have it.
	for _, q := range searches {
		if _, err := s.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	bareQuery()
	lat := make([]time.Duration, 0, b.N)
	bare := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := s.Search(ctx, searches[i%len(searches)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		b.StopTimer()
		start = time.Now()
		bareQuery()
		bare = append(bare, time.Since(start))
		b.StartTimer()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(percentile(lat, 0.99))/float64(percentile(bare, 0.99)), "p99-x-bare-page")
}

// BenchmarkStartupRecent reads what the timeline shows at start-up (the
// newest 200 finished requests) from 100,000, in a freshly opened store.
func BenchmarkStartupRecent(b *testing.B) {
	dir := history100k(b)
	ctx := context.Background()
	var open, recent time.Duration
	for range b.N {
		start := time.Now()
		s, err := history.Open(dir, history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		open += time.Since(start)
		start = time.Now()
		es, err := s.Recent(ctx, 200)
		if err != nil || len(es) != 200 {
			b.Fatalf("Recent = %d, %v", len(es), err)
		}
		recent += time.Since(start)
		_ = s.Close()
	}
	empty := b.TempDir()
	if s, err := history.Open(empty, history.Options{}); err == nil {
		_ = s.Close() // created once, so only opening is timed
	}
	var emptyOpen time.Duration
	for range b.N {
		start := time.Now()
		s, _ := history.Open(empty, history.Options{})
		_, _ = s.Recent(ctx, 200)
		emptyOpen += time.Since(start)
		_ = s.Close()
	}
	b.ReportMetric(float64(open.Microseconds())/float64(b.N)/1000, "open-ms")
	b.ReportMetric(float64(recent.Microseconds())/float64(b.N)/1000, "recent200-ms")
	b.ReportMetric(float64(open+recent)/float64(emptyOpen), "x-empty-db")
}

// BenchmarkFileSize reports the size of the 100,000-request file (after
// the WAL is folded in) against the bytes of text and metadata put in.
func BenchmarkFileSize(b *testing.B) {
	dir := history100k(b)
	for range b.N {
		st, err := os.Stat(filepath.Join(dir, history.FileName))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size())/(1<<20), "MB/100k")
		b.ReportMetric(float64(st.Size())/float64(fixture.payload), "x-payload")
		b.ReportMetric(fixture.fill.Seconds(), "fill-s")
		// How close the settings screen's estimate comes to the file.
		s, err := history.Open(dir, history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		stats, err := s.Stats(context.Background())
		_ = s.Close()
		if err != nil {
			b.Fatal(err)
		}
		var est int64
		for _, x := range stats {
			est += x.Bytes
		}
		b.ReportMetric(float64(est)/float64(st.Size()), "stats-estimate-x-file")
	}
}

// BenchmarkStatsAndCount reads the settings screen's per-server sizes and
// a search's total count over 100,000 requests.
func BenchmarkStatsAndCount(b *testing.B) {
	s, err := history.Open(history100k(b), history.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var stats, count time.Duration
	for range b.N {
		start := time.Now()
		if _, err := s.Stats(ctx); err != nil {
			b.Fatal(err)
		}
		stats += time.Since(start)
		start = time.Now()
		if _, err := s.Count(ctx, history.Query{Text: "the"}); err != nil {
			b.Fatal(err)
		}
		count += time.Since(start)
	}
	b.ReportMetric(float64(stats.Microseconds())/float64(b.N)/1000, "stats-ms")
	b.ReportMetric(float64(count.Microseconds())/float64(b.N)/1000, "count-common-word-ms")
}

// BenchmarkClearServer clears one of three servers (about 33,000
// requests) in a copy of the 100,000-request history: the time the
// settings screen's "clear" takes, search-index compaction included, and
// how much the file shrinks (the servers' rows share pages, so it shrinks
// by less than the third it loses).
func BenchmarkClearServer(b *testing.B) {
	src := filepath.Join(history100k(b), history.FileName)
	ctx := context.Background()
	var took time.Duration
	var before, after int64
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		copyFile(b, src, filepath.Join(dir, history.FileName))
		s, err := history.Open(dir, history.Options{})
		if err != nil {
			b.Fatal(err)
		}
		before = s.FileSize()
		b.StartTimer()
		start := time.Now()
		if _, err := s.Clear(ctx, "build"); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		_ = s.Close()
		st, err := os.Stat(filepath.Join(dir, history.FileName))
		if err != nil {
			b.Fatal(err)
		}
		after = st.Size()
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/clear")
	b.ReportMetric(float64(after)/float64(before), "file-after-x-before")
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}
