package cputime

import (
	"syscall"
	"time"
)

func process() time.Duration {
	var creation, exit, kernel, user syscall.Filetime
	_ = syscall.GetProcessTimes(syscall.Handle(^uintptr(0)), &creation, &exit, &kernel, &user)
	// A Filetime here is a duration in 100 ns units, not a date.
	ticks := func(f syscall.Filetime) time.Duration {
		return time.Duration(int64(f.HighDateTime)<<32|int64(f.LowDateTime)) * 100
	}
	return ticks(kernel) + ticks(user)
}
