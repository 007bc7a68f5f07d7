package attach

import "testing"

// Both path rule sets run on every OS, so a Linux run checks the Windows
// rules too; ParseURIList picks the set of the OS it runs on.
func TestFilePathRules(t *testing.T) {
	cases := []struct {
		name, uri string
		windows   bool
		want      string // "" means refused
	}{
		{"unix path", "file:///home/me/a%20b.txt", false, "/home/me/a b.txt"},
		{"unix localhost", "file://localhost/home/me/a.txt", false, "/home/me/a.txt"},
		{"unix one slash", "file:/home/me/a.txt", false, "/home/me/a.txt"},
		{"unix: a drive-letter uri is a folder named C:", "file:///C:/x.txt", false, "/C:/x.txt"},
		{"unix: remote host", "file://otherhost/etc/passwd", false, ""},
		{"unix: relative", "file:notes.txt", false, ""},
		{"unix: empty", "file://", false, ""},

		{"windows rfc 8089", "file:///C:/Users/me/with%20space%20%C3%BC.txt", true, `C:\Users\me\with space ü.txt`},
		{"windows localhost", "file://localhost/d:/x/y.txt", true, `d:\x\y.txt`},
		{"windows one slash", "file:/C:/x.txt", true, `C:\x.txt`},
		{"windows minimal (rfc 8089 E.2)", "file:C:/a%20b.txt", true, `C:\a b.txt`},
		{"windows drive as host", "file://C:/x/y.txt", true, `C:\x\y.txt`},
		{"windows: no drive letter is another system's path", "file:///etc/passwd", true, ""},
		{"windows: network share by host", "file://server/share/a.txt", true, ""},
		{"windows: network share by path", "file:////server/share/a.txt", true, ""},
		{"windows: drive without a folder", "file:///C:", true, ""},
		{"windows: relative", "file:notes.txt", true, ""},
		{"windows: bad escape", "file:C:/a%zz", true, ""},
	}
	for _, tc := range cases {
		got, ok := filePath(tc.uri, tc.windows)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: filePath(%q) = %q, %v; want %q", tc.name, tc.uri, got, ok, tc.want)
		}
	}
}
