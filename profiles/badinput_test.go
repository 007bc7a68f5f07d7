package profiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests inject file-system faults through the unexported load and
// faultFS, so they stay in package profiles; the hand-edited and damaged
// file tests that need only the public API are in badinput_ext_test.go.

func TestUnreadableFileMovedAside(t *testing.T) {
	// A directory where the file should be cannot be read, even by root.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ConfigFileName, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir, Options{Secrets: mockSecrets(t)})
	var cerr *CorruptFileError
	if !errors.As(err, &cerr) || s == nil {
		t.Fatalf("Load = %v, %v", s, err)
	}
	if fi, err := os.Stat(filepath.Join(cerr.MovedTo, "x")); err != nil || !fi.IsDir() {
		t.Errorf("moved-aside content lost: %v", err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Errorf("fresh file not created: %v", err)
	}

	// When it cannot even be moved aside, Load fails and touches nothing.
	dir = t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	writeFile(t, path, "garbage")
	ffs := &faultFS{renameErr: errDenied}
	s, err = load(dir, Options{Secrets: mockSecrets(t)}, ffs)
	if s != nil || err == nil || !strings.Contains(err.Error(), "could not be moved aside") || !strings.Contains(err.Error(), "--config-dir") {
		t.Errorf("Load = %v, %v", s, err)
	}
	if readFile(t, path) != "garbage" {
		t.Error("file changed")
	}
}

func TestConfigDirNotWritable(t *testing.T) {
	// Real: the config dir's parent is a file, so the dir cannot be made
	// (this holds even for root).
	parent := filepath.Join(t.TempDir(), "file")
	writeFile(t, parent, "x")
	dir := filepath.Join(parent, "agentdesk")
	s, err := Load(dir, Options{Secrets: mockSecrets(t)})
	if err != nil {
		t.Fatalf("Load should still start: %v", err)
	}
	if !noticesMention(s, "could not save") {
		t.Errorf("notices = %q", s.Notices())
	}
	_, err = s.Add(bg, Profile{URL: "ws://a"}, "")
	var serr *SaveError
	if !errors.As(err, &serr) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "Nothing was changed") {
		t.Errorf("Add = %v", err)
	}
	if len(s.Profiles()) != 0 {
		t.Error("failed add changed the store")
	}

	// Injected: permission denied on an existing config.
	dir = t.TempDir()
	s, _ = Load(dir, Options{Secrets: mockSecrets(t)})
	before := readFile(t, s.Path())
	ffs := &faultFS{}
	s, err = load(dir, Options{Secrets: s.Secrets()}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	ffs.set(func(f *faultFS) { f.createErr = errDenied })
	_, err = s.Add(bg, Profile{URL: "ws://a"}, "")
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "writable") || !strings.Contains(err.Error(), "--config-dir") {
		t.Errorf("Add = %v", err)
	}
	if err := s.SetSettings(Settings{Nickname: "zed"}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("SetSettings = %v", err)
	}
	if readFile(t, s.Path()) != before || len(s.Profiles()) != 0 || s.Settings().Nickname == "zed" {
		t.Error("a failed save changed something")
	}
}

func TestDiskFullKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	ffs := &faultFS{}
	s, err := load(dir, Options{Secrets: mockSecrets(t)}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, s, Profile{URL: "ws://a", Alias: "A"}, "")
	before := readFile(t, s.Path())

	ffs.set(func(f *faultFS) { f.writeErr = errNoSpace })
	_, err = s.Add(bg, Profile{URL: "ws://b"}, "")
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("Add on a full disk = %v", err)
	}
	a.Alias = "changed"
	if _, err := s.Update(bg, a, nil); err == nil {
		t.Fatal("Update on a full disk succeeded")
	}
	if err := s.Delete(bg, a.ID); err == nil {
		t.Fatal("Delete on a full disk succeeded")
	}
	// The file, the store and the directory are as before.
	if readFile(t, s.Path()) != before {
		t.Error("old file damaged")
	}
	if ps := s.Profiles(); len(ps) != 1 || ps[0].Alias != "A" {
		t.Errorf("store changed: %+v", ps)
	}
	if names := dirFiles(t, dir); len(names) != 1 {
		t.Errorf("temp files left: %q", names)
	}
	// Once there is space again, saving works.
	ffs.set(func(f *faultFS) { f.writeErr = nil })
	mustAdd(t, s, Profile{URL: "ws://b"}, "")
	if n := len(reload(t, s, dir).Profiles()); n != 2 {
		t.Errorf("%d profiles", n)
	}
}

func TestRepairNotSavedWithoutBackup(t *testing.T) {
	// If the original of a repaired file cannot be copied, it is not
	// overwritten either.
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	orig := `{"schema_version":1,"profiles":[{"url":"ws://a"},{"id":"x"}]}`
	writeFile(t, path, orig)
	ffs := &faultFS{writeErr: errNoSpace}
	s, err := load(dir, Options{Secrets: mockSecrets(t), Now: func() time.Time { return time.Unix(0, 0) }}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles()) != 1 || !noticesMention(s, "copy of the original file could not be kept") {
		t.Errorf("profiles %+v, notices %q", s.Profiles(), s.Notices())
	}
	if readFile(t, path) != orig {
		t.Error("original overwritten without a copy")
	}
}
