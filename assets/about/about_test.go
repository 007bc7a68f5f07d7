package about

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

const sample = `Website = "https://example.com"

[Details]
  Icon = "assets/icon.png"
  Name = "agentdesk"
  ID = "io.github.agentdesk"
  Version = "1.2.3"
  Build = 7
`

func TestParse(t *testing.T) {
	info, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Name: "agentdesk", Version: "1.2.3", Build: 7}
	if info != want {
		t.Errorf("Parse = %+v, want %+v", info, want)
	}
}

// TestRepositoryFyneAppTOML checks the real file: the one place the
// version lives must parse.
func TestRepositoryFyneAppTOML(t *testing.T) {
	raw, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	info, err := Parse(raw)
	if err != nil {
		t.Fatalf("FyneApp.toml: %v", err)
	}
	if info.Name != "agentdesk" || info.Version == "" {
		t.Errorf("FyneApp.toml gives %+v", info)
	}
}

func TestParseBadInput(t *testing.T) {
	cases := map[string]struct{ toml, want string }{
		"not TOML":        {"[Details\nVersion=", "cannot read FyneApp.toml"},
		"no name":         {"[Details]\nVersion = \"1.0.0\"", "no [Details] Name"},
		"no version":      {"[Details]\nName = \"x\"", "no [Details] Version"},
		"two parts":       {"[Details]\nName = \"x\"\nVersion = \"1.0\"", "not major.minor.patch"},
		"suffix":          {"[Details]\nName = \"x\"\nVersion = \"1.0.0-beta\"", "not major.minor.patch"},
		"version type":    {"[Details]\nName = \"x\"\nVersion = 1", "cannot read FyneApp.toml"},
		"negative build":  {"[Details]\nName = \"x\"\nVersion = \"1.0.0\"\nBuild = -1", "negative"},
		"oversized input": {strings.Repeat("#", maxMetadataSize+1), "more than"},
	}
	for name, c := range cases {
		_, err := Parse([]byte(c.toml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}

func TestAddBuildInfo(t *testing.T) {
	info := Info{Name: "agentdesk", Version: "1.2.3", Build: 7}
	info.addBuildInfo(&debug.BuildInfo{
		GoVersion: "go1.99.1",
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.modified", Value: "true"},
		},
		Deps: []*debug.Module{
			{Path: "github.com/gorilla/websocket", Version: "v1.5.3"},
			{Path: FyneModule, Version: "v2.8.1"},
		},
	})
	if info.Go != "go1.99.1" || info.Fyne != "v2.8.1" || !info.Modified ||
		info.Commit != "0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("addBuildInfo = %+v", info)
	}
	s := info.String()
	for _, want := range []string{
		"agentdesk 1.2.3 (build 7)\n",
		"commit:   0123456789abcdef0123456789abcdef01234567 (modified)\n",
		"go:       go1.99.1\n",
		"fyne:     v2.8.1\n",
		"platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, missing %q", s, want)
		}
	}

	// A replaced Fyne reports the replacement's version.
	info = Info{}
	info.addBuildInfo(&debug.BuildInfo{Deps: []*debug.Module{
		{Path: FyneModule, Version: "v2.8.1", Replace: &debug.Module{Path: "../fyne", Version: ""}},
	}})
	if info.Fyne != "replaced by ../fyne" {
		t.Errorf("replaced Fyne = %q", info.Fyne)
	}
}

func TestNoBuildInfo(t *testing.T) {
	info := Info{Name: "agentdesk", Version: "1.2.3"}
	info.addBuildInfo(nil)
	if info.Go != runtime.Version() || info.Commit != "" {
		t.Errorf("without build info: %+v", info)
	}
	s := info.String()
	if !strings.Contains(s, "commit:   unknown (built without VCS information)") || !strings.Contains(s, "fyne:     not linked") {
		t.Errorf("String() = %q", s)
	}
}

// TestFromBuild runs against this test binary's real build info: the
// Go version is always recorded.
func TestFromBuild(t *testing.T) {
	info, err := FromBuild([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "1.2.3" || !strings.HasPrefix(info.Go, "go1.") {
		t.Errorf("FromBuild = %+v", info)
	}
	if _, err := FromBuild([]byte("[Details]")); err == nil {
		t.Error("FromBuild accepted a file without a version")
	}
}
