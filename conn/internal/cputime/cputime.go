// Package cputime measures CPU time for benchmarks: the cost of work
// itself, which a busy machine does not change, beside the wall-clock
// time it does.
package cputime

import "time"

// Process returns the CPU time this process has used, user plus system.
func Process() time.Duration { return process() }

// Thread returns the CPU time of the calling OS thread, and whether the
// platform can tell; callers lock their goroutine to its thread
// (runtime.LockOSThread) around what they measure.
func Thread() (time.Duration, bool) { return thread() }
