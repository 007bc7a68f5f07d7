//go:build !linux

package attach_test

import "time"

// threadCPU is not available here; the CPU metrics then read zero.
func threadCPU() time.Duration { return 0 }

const haveThreadCPU = false
