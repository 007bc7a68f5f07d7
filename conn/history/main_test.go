package history

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// childEnv selects a child-process role when the test binary re-executes
// itself (the crash and read-only tests); childDirEnv names its directory.
const (
	childEnv    = "HISTORY_TEST_CHILD"
	childDirEnv = "HISTORY_TEST_DIR"
)

// childRoles are the parts a re-executed test binary can play.
var childRoles = map[string]func(dir string) error{
	"burst": burstChild,
}

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		run := childRoles[role]
		if run == nil {
			fmt.Fprintln(os.Stderr, "unknown child role", role)
			os.Exit(2)
		}
		if err := run(os.Getenv(childDirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	for _, f := range atExit {
		f()
	}
	os.Exit(code)
}

// atExit holds clean-ups that outlive one test or benchmark (the shared
// 100k-request benchmark database).
var atExit []func()

// AtExit registers f to run after all tests and benchmarks; it is exported
// for the external benchmark package in this directory.
func AtExit(f func()) { atExit = append(atExit, f) }

// burstSize is how many requests the burst child records; it is killed
// long before its writer could store them all.
const burstSize = 200_000

// burstChild records requests r000000, r000001, … as fast as it can,
// printing "flushed N" after every Flush, until it is killed.
func burstChild(dir string) error {
	s, err := Open(dir, Options{})
	if err != nil {
		return err
	}
	for i := range burstSize {
		r := Request{Server: "home", ID: fmt.Sprintf("r%06d", i), Kind: KindQuestion,
			Text: fmt.Sprintf("burst question %d with some words to index", i)}
		if err := s.RecordRequest(r); err != nil {
			return err
		}
		if i%100 == 99 && i < 1000 {
			if err := s.Flush(context.Background()); err != nil {
				return err
			}
			fmt.Printf("flushed %d\n", i+1)
		}
	}
	return s.Close()
}
