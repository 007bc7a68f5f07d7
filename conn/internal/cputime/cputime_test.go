package cputime_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/internal/cputime"
)

// spin burns CPU for about d of wall-clock time.
func spin(d time.Duration) int {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); n++ {
	}
	return n
}

func TestCPUTimeGrowsWithWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0 := cputime.Process()
	t0, ok := cputime.Thread()
	spin(50 * time.Millisecond)
	if d := cputime.Process() - p0; d <= 0 {
		t.Fatalf("process CPU time grew by %v over 50 ms of work", d)
	}
	if t1, _ := cputime.Thread(); ok && t1-t0 <= 0 {
		t.Fatalf("thread CPU time grew by %v over 50 ms of work", t1-t0)
	}
}
