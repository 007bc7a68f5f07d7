package complete

import (
	"errors"
	"strings"
	"testing"
)

// Both path rule sets run on every OS, so a Linux run checks the Windows
// rules too; CheckRoot picks the set of the OS it runs on.
func TestCheckRootPathRules(t *testing.T) {
	cases := []struct {
		root    string
		windows bool
		want    string // "" means the path may be looked at
	}{
		{"/home/me/proj", false, ""},
		{"//home/me/proj", false, ""}, // one more slash, still local on Unix
		{`C:\Users\me\proj`, false, `C:\Users\me\proj does not exist on this machine (it is a Windows path)`},
		{"d:/work/proj", false, "does not exist on this machine (it is a Windows path)"},
		{`\\server\share\proj`, false, "does not exist on this machine (it is a Windows path)"},
		{"relative/dir", false, "not an absolute path"},
		{"C:", false, "not an absolute path"},

		{`C:\Users\me\proj`, true, ""},
		{"c:/Users/me/proj", true, ""},
		{"/home/me/proj", true, "/home/me/proj does not exist on this machine (it is a Unix path)"},
		{`\\server\share\proj`, true, "is a network or device path"},
		{"//server/share/proj", true, "is a network or device path"},
		{`\\.\pipe\x`, true, "is a network or device path"},
		{`\Users\me`, true, "not an absolute path"}, // rooted on whichever drive is current
		{"C:relative", true, "not an absolute path"},
		{`relative\dir`, true, "not an absolute path"},
	}
	for _, tc := range cases {
		err := checkRootPath(tc.root, tc.windows)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("checkRootPath(%q, windows=%v) = %v, want nil", tc.root, tc.windows, err)
		case tc.want != "" && (!errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("checkRootPath(%q, windows=%v) = %v, want %q", tc.root, tc.windows, err, tc.want)
		}
	}
}
