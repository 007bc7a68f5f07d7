package profiles

// This file is compiled only into the test binary.

// The external tests (package profiles_test) borrow the helpers they share
// with the internal tests under these names, so each helper is written
// once, in helpers_test.go.
var (
	Bg             = bg
	NoEnv          = noEnv
	MockSecrets    = mockSecrets
	Reload         = reload
	MustAdd        = mustAdd
	WriteFile      = writeFile
	ReadFile       = readFile
	DirFiles       = dirFiles
	NoticesMention = noticesMention
	NewFakeKeyring = newFakeKeyring
)

// FlutterLinuxAppID is the folder the Flutter client keeps its
// preferences in on Linux.
const FlutterLinuxAppID = flutterLinuxAppID
