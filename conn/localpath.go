package conn

import "strings"

// IsLocalAbsPath reports whether p is an absolute path on this machine's
// own disks, by the Windows rules when windows is set: there only a path
// that starts with a drive letter (C:\ or C:/) counts, since a network or
// device path (\\host\share) would make even a look at it connect to that
// host; elsewhere a path that starts with "/". It decides which pasted
// files and which requests' project folders agentdesk reads. windows is
// an argument so that both rule sets are tested on every OS.
func IsLocalAbsPath(p string, windows bool) bool {
	if windows {
		return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
			'a' <= p[0]|0x20 && p[0]|0x20 <= 'z' // |0x20 lowercases ASCII letters only
	}
	return strings.HasPrefix(p, "/")
}
