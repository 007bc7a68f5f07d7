package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// fileSystem is the file access the store needs. Tests swap it to inject
// failures such as a full disk; the app always uses osFS.
type fileSystem interface {
	ReadFile(name string) ([]byte, error)
	MkdirAll(path string, perm fs.FileMode) error
	CreateTemp(dir, pattern string) (tempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	Exists(name string) bool
	SyncDir(dir string) error
}

// tempFile is the part of *os.File an atomic write uses.
type tempFile interface {
	Name() string
	Write(p []byte) (int, error)
	Chmod(mode fs.FileMode) error
	Sync() error
	Close() error
}

type osFS struct{}

func (osFS) ReadFile(name string) ([]byte, error)         { return os.ReadFile(name) }
func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }

func (osFS) CreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

func (osFS) Exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// SyncDir makes a rename durable. Windows cannot open directories for
// syncing, and rename there is already as durable as it gets.
func (osFS) SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeAtomic replaces path with data: a temp file in the same directory
// is written, synced and renamed over it, so a crash or a full disk leaves
// either the old file or the new one, never a torn one. The file is 0600.
func writeAtomic(fsys fileSystem, path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := fsys.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := fsys.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			fsys.Remove(tmp)
		}
	}()
	// CreateTemp already uses 0600; say it explicitly so it never depends
	// on that detail.
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return err
	}
	// The data is safe; a failed directory sync only weakens durability.
	_ = fsys.SyncDir(dir)
	return nil
}

// asideName returns an unused name beside path, such as
// "config.json.corrupt-20260102-150405".
func asideName(fsys fileSystem, path, tag string, now time.Time) string {
	base := fmt.Sprintf("%s.%s-%s", path, tag, now.UTC().Format("20060102-150405"))
	name := base
	for i := 2; fsys.Exists(name); i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// SaveError is returned when the config file could not be written. The
// file on disk is unchanged, and so is the store.
type SaveError struct {
	// Path is the config file.
	Path string
	// Err is the underlying error.
	Err error
}

// Error says what failed and, for a full disk or missing permission, what
// to do about it.
func (e *SaveError) Error() string {
	msg := fmt.Sprintf("could not save %s: %v", e.Path, e.Err)
	switch {
	case errors.Is(e.Err, syscall.ENOSPC):
		msg += ". The disk is full; free some space and try again"
	case errors.Is(e.Err, fs.ErrPermission), errors.Is(e.Err, syscall.EROFS):
		msg += ". Check that the folder is writable, or choose another with --config-dir or " + ConfigDirEnv
	}
	return msg + ". Nothing was changed."
}

// Unwrap returns the underlying error.
func (e *SaveError) Unwrap() error { return e.Err }
