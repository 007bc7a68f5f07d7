// Package aatest starts in-process Agent Assistant-compatible servers for
// tests, stopping them when the test ends.
package aatest

import (
	"testing"

	"github.com/agentdesk/agentdesk/conn/aaserver"
)

// Start runs a server on a loopback port until t ends.
func Start(t testing.TB, cfg aaserver.Config) *aaserver.Server {
	t.Helper()
	s, err := aaserver.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
