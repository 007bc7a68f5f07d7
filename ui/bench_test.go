package ui

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/conn"
)

// benchTimeline is a UI whose timeline already shows n cards.
type benchTimeline struct {
	h    *harness
	next int
}

func newBenchTimeline(b *testing.B, n int) *benchTimeline {
	h := newHarnessWith(b, n)
	bt := &benchTimeline{h: h}
	for i := 0; i < n; i++ {
		bt.arrive()
		bt.finish()
	}
	h.q.drain()
	if h.u.tl.len() != n {
		b.Fatalf("timeline shows %d cards, want %d", h.u.tl.len(), n)
	}
	return bt
}

var benchServer = conn.ServerID("bench")

func (bt *benchTimeline) key() conn.RequestKey {
	return conn.RequestKey{Server: benchServer, ID: fmt.Sprintf("r%d", bt.next)}
}

// arrive applies one new request, as the core does for a live one.
func (bt *benchTimeline) arrive() {
	bt.next++
	k := bt.key()
	bt.h.u.model.Apply(conn.RequestArrived{Origin: conn.Origin{Server: benchServer}, Request: &conn.Request{
		Server: benchServer, ID: k.ID, Kind: conn.KindQuestion, AgentName: "claude", ProjectDirectory: "/src/app",
		Text: fmt.Sprintf("Question **%d**: shall I go on with the next step?", bt.next), CreatedAt: time.Unix(int64(1_700_000_000+bt.next), 0),
	}})
}

// finish cancels the newest request; past the cap the oldest finished
// card is dropped, so the timeline keeps its size.
func (bt *benchTimeline) finish() {
	k := bt.key()
	bt.h.u.model.Apply(conn.RequestCancelled{Origin: conn.Origin{Server: benchServer}, ID: k.ID, Reason: "timeout"})
}

// BenchmarkTimelineAppend measures one arriving request (model update plus
// the coalesced UI refresh) with 100 cards shown and with 10,000, and
// reports the ratio as x-100 (target: 1.5 or less).
func BenchmarkTimelineAppend(b *testing.B) {
	small := newBenchTimeline(b, 100)
	large := newBenchTimeline(b, 10_000)
	measure := func(bt *benchTimeline) time.Duration {
		start := time.Now()
		bt.arrive()
		bt.h.q.drain()
		d := time.Since(start)
		bt.finish()
		bt.h.q.drain()
		return d
	}
	// Warm both up so caches and the renderers exist.
	for i := 0; i < 20; i++ {
		measure(small)
		measure(large)
	}
	var tSmall, tLarge time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tSmall += measure(small)
		tLarge += measure(large)
	}
	b.StopTimer()
	b.ReportMetric(float64(tSmall.Nanoseconds())/float64(b.N), "ns-100")
	b.ReportMetric(float64(tLarge.Nanoseconds())/float64(b.N), "ns-10000")
	b.ReportMetric(float64(tLarge)/float64(tSmall), "x-100")
}

// newHarnessWith is newHarness without servers, keeping maxFinished
// finished cards.
func newHarnessWith(tb testing.TB, maxFinished int) *harness {
	h := newHarnessOpts(tb, maxFinished)
	h.u.win.Resize(fyne.NewSize(1000, 700))
	test.NewTempWindow(tb, nil) // keeps the app's window list realistic
	return h
}

// heapAndRSS returns the live heap after a full GC, and the process's
// resident set, in bytes.
func heapAndRSS() (heap, rss uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if raw, err := os.ReadFile("/proc/self/statm"); err == nil {
		var size, res uint64
		fmt.Sscan(string(raw), &size, &res)
		rss = res * uint64(os.Getpagesize())
	}
	return ms.HeapAlloc, rss
}

// BenchmarkFinishedCardMemory adds 10,000 finished work reports (each
// with a realistic summary and reply) to a timeline, refreshing as the
// window would, and reports the heap and RSS they cost per card against
// the empty timeline measured in the same run. Target: 8 KB or less.
func BenchmarkFinishedCardMemory(b *testing.B) {
	const cards = 10_000
	summary := strings.Repeat("Refactored the cart module and updated the tests; all green. ", 8) // ~500 bytes
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := newHarnessWith(b, cards)
		h.q.drain()
		heap0, rss0 := heapAndRSS()
		b.StartTimer()
		m := h.u.model
		for n := 0; n < cards; n++ {
			id := fmt.Sprintf("r%d", n)
			m.Apply(conn.RequestArrived{Origin: conn.Origin{Server: benchServer}, Request: &conn.Request{
				Server: benchServer, ID: id, Kind: conn.KindWorkReport, AgentName: "claude", Model: "sonnet",
				MCPClient: "Claude Code", ProjectDirectory: "/src/app", Text: fmt.Sprintf("%d: %s", n, summary),
				CreatedAt: time.Unix(int64(1_700_000_000+n), 0)}})
			m.Apply(conn.ReplyUpdate{Origin: conn.Origin{Server: benchServer}, ID: id, Status: conn.ReplyDelivered, Text: "Confirmed"})
			if n%100 == 0 {
				h.q.drain() // one frame per hundred cards
			}
		}
		h.q.drain()
		b.StopTimer()
		if got := h.u.tl.len(); got != cards {
			b.Fatalf("timeline shows %d cards, want %d", got, cards)
		}
		heap1, rss1 := heapAndRSS()
		b.ReportMetric(float64(int64(heap1)-int64(heap0))/cards, "heap-B/card")
		b.ReportMetric(float64(int64(rss1)-int64(rss0))/cards, "rss-B/card")
		b.ReportMetric(float64(len(summary)), "text-B/card")
		runtime.KeepAlive(h)
	}
}
