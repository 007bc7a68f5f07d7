package conn_test

import (
	"testing"

	"github.com/agentdesk/agentdesk/conn"
)

// Both rule sets run on every OS, so a Linux run checks the Windows rules
// too.
func TestIsLocalAbsPath(t *testing.T) {
	cases := []struct {
		path    string
		windows bool
		want    bool
	}{
		{"/home/me", false, true},
		{`C:\Users`, false, false},
		{"relative/x", false, false},
		{`C:\Users\me`, true, true},
		{"c:/Users/me", true, true},
		{`\\server\share\a.txt`, true, false},
		{`\Users\me`, true, false},
		{"/home/me", true, false},
		{"C:relative", true, false},
		{"C:", true, false},
		{`@:\x`, true, false},
		{`[:\x`, true, false},
		{"\xc1:/x", true, false},
		{`1:\x`, true, false},
	}
	for _, tc := range cases {
		if got := conn.IsLocalAbsPath(tc.path, tc.windows); got != tc.want {
			t.Errorf("IsLocalAbsPath(%q, windows=%v) = %v, want %v", tc.path, tc.windows, got, tc.want)
		}
	}
}
