//go:build wineexe

// These tests run the real Windows build, agentdesk.exe, under Wine on
// Linux against the in-process compatible server. They exist only with
// -tags wineexe and need the exe and a Wine prefix; `make test-windows`
// provides both:
//
//	.ci/wine/run env AGENTDESK_WINDOWS_EXE=$PWD/agentdesk.exe go test -tags wineexe -run WindowsExe ./conn/doctor/

package doctor_test

import (
	"bytes"
	"debug/pe"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/doctor"
)

// windowsExe returns the exe under test; the tag says one must be there.
func windowsExe(t *testing.T) string {
	t.Helper()
	exe := os.Getenv("AGENTDESK_WINDOWS_EXE")
	if exe == "" {
		t.Fatal("AGENTDESK_WINDOWS_EXE is not set; run make test-windows")
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("WINEPREFIX") == "" {
		t.Fatal("WINEPREFIX is not set; run through .ci/wine/run")
	}
	return exe
}

// wine runs the exe with args; stdout goes to out.
func wine(t *testing.T, exe string, out *os.File, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	wineBin := os.Getenv("WINE")
	if wineBin == "" {
		wineBin = "/usr/lib/wine/wine64"
	}
	cmd := exec.Command(wineBin, append([]string{exe}, args...)...)
	var so, se bytes.Buffer
	if out != nil {
		cmd.Stdout = out
	} else {
		cmd.Stdout = &so
	}
	cmd.Stderr = &se
	cmd.WaitDelay = 10 * time.Second
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("wine %v: %v", args, err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("wine %v did not finish in 2 minutes", args)
	}
	return so.String(), se.String(), code
}

// TestWindowsExeDoctorConnects: `agentdesk.exe doctor --json URL` under
// Wine reaches a live server on loopback and reports it connected, through
// a pipe and through a file redirection (the GUI exe keeps valid handles).
func TestWindowsExeDoctorConnects(t *testing.T) {
	exe := windowsExe(t)
	t.Setenv("AGENTDESK_TOKEN", "wine-token")
	t.Setenv("AGENTDESK_NICKNAME", "wine")
	srv := aatest.Start(t, aaserver.Config{})
	cfg := t.TempDir() // no profiles, no keyring needed: the URL is given

	stdout, stderr, code := wine(t, exe, nil, "doctor", "--json", "--config-dir", cfg, srv.URL())
	var reports []doctor.Report
	if err := json.Unmarshal([]byte(stdout), &reports); err != nil {
		t.Fatalf("doctor printed no JSON through a pipe (%v): %q, stderr %q", err, stdout, stderr)
	}
	if code != 0 || len(reports) != 1 || reports[0].State != "connected" || reports[0].ClientID == "" {
		t.Fatalf("exit %d, reports %+v, stderr %q", code, reports, stderr)
	}

	// `agentdesk.exe doctor --json > out.json`
	outPath := filepath.Join(t.TempDir(), "out.json")
	f, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code = wine(t, exe, f, "doctor", "--json", "--config-dir", cfg, srv.URL())
	f.Close()
	raw, _ := os.ReadFile(outPath)
	reports = nil
	if err := json.Unmarshal(raw, &reports); err != nil || code != 0 || len(reports) != 1 || reports[0].State != "connected" {
		t.Fatalf("redirected to a file: exit %d, %q (%v), stderr %q", code, raw, err, stderr)
	}

	// A dead server: exit status 1 and the reason.
	dead := aatest.Start(t, aaserver.Config{})
	deadURL := dead.URL()
	dead.Close()
	stdout, _, code = wine(t, exe, nil, "doctor", "--json", "--config-dir", cfg, deadURL)
	reports = nil
	if err := json.Unmarshal([]byte(stdout), &reports); err != nil || code != 1 || reports[0].State != "unreachable" ||
		!strings.Contains(reports[0].Error, "connection refused") {
		t.Fatalf("dead server: exit %d, %q", code, stdout)
	}
}

// TestWindowsExeVersion: --version prints the version in FyneApp.toml,
// the one the package is named after, and the Fyne version.
func TestWindowsExeVersion(t *testing.T) {
	exe := windowsExe(t)
	raw, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("no Version in FyneApp.toml")
	}
	version := string(m[1])
	stdout, stderr, code := wine(t, exe, nil, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "agentdesk "+version+" ") ||
		!strings.Contains(stdout, "fyne:     v2.") || !strings.Contains(stdout, "platform: windows/amd64") {
		t.Fatalf("--version: exit %d, %q, stderr %q", code, stdout, stderr)
	}
}

// TestWindowsExeIsGUIWithResources: the exe opens no console window
// (GUI subsystem) and carries the icon and the version resource.
func TestWindowsExeIsGUIWithResources(t *testing.T) {
	exe := windowsExe(t)
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		t.Fatalf("not a 64-bit exe: %T", f.OptionalHeader)
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("subsystem %d, want %d (GUI, no console window)", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("no .rsrc section: no icon or version resource")
	}
	data, err := rsrc.Data()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"VS_VERSION_INFO", "ProductVersion", "agentdesk"} {
		if !bytes.Contains(data, utf16le(want)) {
			t.Errorf(".rsrc has no %q", want)
		}
	}
	if !bytes.Contains(data, []byte("\x89PNG")) && !bytes.Contains(data, []byte{40, 0, 0, 0}) {
		t.Error(".rsrc has no icon image")
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
