package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/agentdesk/agentdesk/conn"
)

// benchProject writes n empty files in folders of 50 under dir.
func benchProject(b *testing.B, dir string, n int) {
	b.Helper()
	words := []string{"conn", "manager", "server", "session", "queue", "events", "model", "view", "widget", "store"}
	for i := 0; i < n; i++ {
		d := filepath.Join(dir, fmt.Sprintf("pkg%02d", i/50%40), fmt.Sprintf("%s%d", words[i/2000%len(words)], i/50))
		if i%50 == 0 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		name := fmt.Sprintf("%s_%s%d.go", words[i%len(words)], words[i/7%len(words)], i)
		if err := os.WriteFile(filepath.Join(d, name), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompletionKeystroke types "mgr" after an "@" in a reply whose
// project has 100,000 files, with the list open and updated on every key
// (query, list lines, the card measured again), against typing the same
// keys as plain words in the same reply. The target is one frame (16 ms)
// per key; the ratio says what the list adds.
func BenchmarkCompletionKeystroke(b *testing.B) {
	dir := b.TempDir()
	benchProject(b, dir, 100_000)
	h := newHarnessWith(b, 0)
	id := conn.ServerID("bench")
	h.u.model.Apply(conn.RequestArrived{Origin: conn.Origin{Server: id}, Request: &conn.Request{
		Server: id, ID: "q", Kind: conn.KindQuestion, Text: "Which file?", ProjectDirectory: dir, CreatedAt: time.Now()}})
	h.waitFor("card", func() bool { return h.u.tl.len() == 1 })
	k := conn.RequestKey{Server: id, ID: "q"}
	if !h.u.tl.focusCard(k) {
		b.Fatal("no reply to type in")
	}
	if _, err := h.u.comp.paths.Wait(context.Background(), dir); err != nil {
		b.Fatal(err)
	}
	key := func(r rune) time.Duration {
		start := time.Now()
		h.typeKeys(string(r))
		h.q.drain()
		return time.Since(start)
	}
	back := func(n int) {
		for range n {
			h.pressKey(fyne.KeyBackspace)
		}
		h.q.drain()
	}
	h.typeKeys("see ")
	var list, plain []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.typeKeys("@")
		h.q.drain()
		for _, r := range "mgr" {
			list = append(list, key(r))
		}
		if cv := h.focusedCard(); cv == nil || !cv.comp.open || len(cv.comp.items) == 0 {
			b.Fatal("the list did not show matches")
		}
		back(4)
		for _, r := range "mgr" {
			plain = append(plain, key(r))
		}
		back(3)
	}
	b.StopTimer()
	sum := func(ds []time.Duration) time.Duration {
		var t time.Duration
		for _, d := range ds {
			t += d
		}
		return t
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	p99 := list[min(len(list)-1, len(list)*99/100)]
	b.ReportMetric(float64(sum(list).Microseconds())/float64(len(list)), "µs/key-list")
	b.ReportMetric(float64(sum(plain).Microseconds())/float64(len(plain)), "µs/key-plain")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ms-p99-list")
	b.ReportMetric(float64(sum(list))/float64(sum(plain)), "x-plain")
}
