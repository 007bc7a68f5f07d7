// Package about is agentdesk's release identity: the one version number,
// kept in FyneApp.toml ([Details] Version), plus the commit, Go and Fyne
// versions the running binary was built from.
//
// main embeds FyneApp.toml (go:embed cannot reach a parent folder, so this
// package cannot) and calls [FromBuild] once; `agentdesk --version` prints
// [Info.String], and the Settings "About" section shows the same fields.
// The package has no Fyne import, so it is tested without a display.
package about

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/BurntSushi/toml"
)

// FyneModule is the module path whose version [Info.Fyne] reports.
const FyneModule = "fyne.io/fyne/v2"

// maxMetadataSize bounds the FyneApp.toml we parse; the real one is
// under 1 KB.
const maxMetadataSize = 64 << 10

// versionPattern is what a version in FyneApp.toml must look like:
// major.minor.patch, as the Windows version resource and the fyne CLI
// require.
var versionPattern = regexp.MustCompile(`^[0-9]{1,5}\.[0-9]{1,5}\.[0-9]{1,5}$`)

// Info identifies one build of agentdesk.
type Info struct {
	// Name is the application name, "agentdesk".
	Name string
	// Version is the release version from FyneApp.toml, e.g. "0.1.0".
	Version string
	// Build is the build number from FyneApp.toml.
	Build int
	// Commit is the VCS revision the binary was built from, or "" when the
	// build carried no VCS information (go build -buildvcs=false, or a
	// source tree outside git).
	Commit string
	// Modified is set when the working tree had uncommitted changes.
	Modified bool
	// Go is the Go toolchain version, e.g. "go1.26.8".
	Go string
	// Fyne is the version of the fyne.io/fyne/v2 module linked in, or ""
	// when the binary does not contain Fyne.
	Fyne string
	// Platform is GOOS/GOARCH, e.g. "windows/amd64".
	Platform string
}

// metadata is the part of FyneApp.toml we read.
type metadata struct {
	Details struct {
		Name    string
		Version string
		Build   int
	}
}

// Parse reads the application's name, version and build number from
// FyneApp.toml. The version must be major.minor.patch.
func Parse(fyneAppTOML []byte) (Info, error) {
	if len(fyneAppTOML) > maxMetadataSize {
		return Info{}, fmt.Errorf("FyneApp.toml is %d bytes, more than the %d an app metadata file can need", len(fyneAppTOML), maxMetadataSize)
	}
	var md metadata
	if _, err := toml.Decode(string(fyneAppTOML), &md); err != nil {
		return Info{}, fmt.Errorf("cannot read FyneApp.toml: %v", err)
	}
	d := md.Details
	switch {
	case strings.TrimSpace(d.Name) == "":
		return Info{}, errors.New("FyneApp.toml has no [Details] Name")
	case d.Version == "":
		return Info{}, errors.New("FyneApp.toml has no [Details] Version")
	case !versionPattern.MatchString(d.Version):
		return Info{}, fmt.Errorf("FyneApp.toml: Version %q is not major.minor.patch (e.g. 1.2.3)", d.Version)
	case d.Build < 0:
		return Info{}, fmt.Errorf("FyneApp.toml: Build %d is negative", d.Build)
	}
	return Info{Name: d.Name, Version: d.Version, Build: d.Build}, nil
}

// FromBuild returns the identity of the running binary: the version from
// fyneAppTOML plus what the Go toolchain recorded in it.
func FromBuild(fyneAppTOML []byte) (Info, error) {
	info, err := Parse(fyneAppTOML)
	if err != nil {
		return Info{}, err
	}
	bi, _ := debug.ReadBuildInfo()
	info.addBuildInfo(bi)
	return info, nil
}

// addBuildInfo fills in the commit, Go and Fyne versions from bi, which
// may be nil (a binary built without module support).
func (i *Info) addBuildInfo(bi *debug.BuildInfo) {
	i.Go = runtime.Version()
	i.Platform = runtime.GOOS + "/" + runtime.GOARCH
	if bi == nil {
		return
	}
	if bi.GoVersion != "" {
		i.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	for _, dep := range bi.Deps {
		if dep.Path != FyneModule {
			continue
		}
		i.Fyne = dep.Version
		if dep.Replace != nil {
			i.Fyne = dep.Replace.Version
			if i.Fyne == "" {
				i.Fyne = "replaced by " + dep.Replace.Path
			}
		}
	}
}

// Title is the one-line name and version, e.g. "agentdesk 0.1.0 (build 1)".
func (i Info) Title() string {
	return fmt.Sprintf("%s %s (build %d)", i.Name, i.Version, i.Build)
}

// String is what `agentdesk --version` prints: the title, then one
// "key: value" line each for the commit, Go, Fyne and platform.
func (i Info) String() string {
	commit := i.Commit
	switch {
	case i.Commit == "":
		commit = "unknown (built without VCS information)"
	case i.Modified:
		commit += " (modified)"
	}
	fyneVersion := i.Fyne
	if fyneVersion == "" {
		fyneVersion = "not linked"
	}
	return fmt.Sprintf("%s\ncommit:   %s\ngo:       %s\nfyne:     %s\nplatform: %s\n",
		i.Title(), commit, i.Go, fyneVersion, i.Platform)
}
