package complete_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/conn/internal/cputime"
)

// benchRoot is the generated 100,000-file tree, shared by the
// benchmarks and removed by TestMain.
var benchRoot string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

func benchTree(b *testing.B) string {
	b.Helper()
	if benchRoot == "" {
		dir, err := os.MkdirTemp("", "complete-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bigTree(b, dir, 100_000)
		benchRoot = dir
	}
	return benchRoot
}

// BenchmarkIndexBuild indexes a generated 100,000-file tree with a
// .gitignore, against a bare walk (os.ReadDir of every folder, nothing
// else) of the same tree in the same run.
func BenchmarkIndexBuild(b *testing.B) {
	root := benchTree(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ours, bare, oursCPU, bareCPU []time.Duration
	n := 0
	for b.Loop() {
		start, startCPU := time.Now(), threadCPU()
		bareWalk(b, root)
		bare, bareCPU = append(bare, time.Since(start)), append(bareCPU, threadCPU()-startCPU)
		start, startCPU = time.Now(), threadCPU()
		ix, err := complete.Build(context.Background(), root, complete.IndexOptions{Gitignore: true})
		if err != nil {
			b.Fatal(err)
		}
		ours, oursCPU = append(ours, time.Since(start)), append(oursCPU, threadCPU()-startCPU)
		n = ix.Len()
	}
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(ms(median(ours)), "ms/index")
	b.ReportMetric(ms(median(bare)), "ms/bare-walk")
	b.ReportMetric(float64(median(ours))/float64(median(bare)), "index/bare")
	if haveThreadCPU {
		b.ReportMetric(ms(median(oursCPU)), "cpu-ms/index")
		b.ReportMetric(ms(median(bareCPU)), "cpu-ms/bare-walk")
	}
}

// BenchmarkQuery runs typed-query prefixes against the 100,000-file
// index and reports the p99 latency.
func BenchmarkQuery(b *testing.B) {
	root := benchTree(b)
	ix, err := complete.Build(context.Background(), root, complete.IndexOptions{Gitignore: true})
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"m", "mg", "mgr", "mana", "manager", "conn/mgr", "sess_test", "p1", "pkg07/view", "qu12", "zz", "eventsmodel", "storejson", "x"}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var lat, cpu []time.Duration
	for b.Loop() {
		for _, q := range queries {
			start, startCPU := time.Now(), threadCPU()
			ix.Query(q, 50)
			cpu = append(cpu, threadCPU()-startCPU)
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	slices.Sort(cpu)
	b.ReportMetric(float64(ix.Len()), "entries")
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "ms-p99")
	// CPU time is what the query costs on a free core; wall time above
	// also counts waiting for one on a busy machine.
	if haveThreadCPU {
		b.ReportMetric(ms(cpu[len(cpu)/2]), "cpu-ms-p50")
		b.ReportMetric(ms(cpu[len(cpu)*99/100]), "cpu-ms-p99")
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func bareWalk(b *testing.B, dir string) {
	des, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, de := range des {
		if de.IsDir() {
			bareWalk(b, filepath.Join(dir, de.Name()))
		}
	}
}

// threadCPU is the calling thread's CPU time (0 where it cannot be read).
func threadCPU() time.Duration {
	d, _ := cputime.Thread()
	return d
}

// haveThreadCPU says whether threadCPU reads anything here.
var _, haveThreadCPU = cputime.Thread()
