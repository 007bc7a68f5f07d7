package console

import (
	"os"
	"testing"
)

// TestAttachParentKeepsRedirectedOutput: go test runs this binary with
// stdout and stderr on pipes, as `agentdesk doctor | more` or `> out.json`
// would; AttachParent must leave them alone, on every platform.
func TestAttachParentKeepsRedirectedOutput(t *testing.T) {
	stdout, stderr := os.Stdout, os.Stderr
	AttachParent()
	if os.Stdout != stdout || os.Stderr != stderr {
		t.Fatal("AttachParent replaced valid stdout or stderr")
	}
	if _, err := os.Stdout.WriteString(""); err != nil {
		t.Fatalf("stdout unusable after AttachParent: %v", err)
	}
}
