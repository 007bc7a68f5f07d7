package profiles

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// mockSecrets points go-keyring at its in-memory mock and returns Secrets
// using it through SystemKeyring, as the app does.
func mockSecrets(t *testing.T) *Secrets {
	t.Helper()
	keyring.MockInit()
	return NewSecrets(SecretsOptions{Timeout: 2 * time.Second, Getenv: noEnv})
}

func noEnv(string) string { return "" }

// reload opens dir again with the same secrets.
func reload(t *testing.T, s *Store, dir string) *Store {
	t.Helper()
	s2, err := Load(dir, Options{Secrets: s.Secrets()})
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	return s2
}

func mustAdd(t *testing.T, s *Store, p Profile, password string) Profile {
	t.Helper()
	got, err := s.Add(context.Background(), p, password)
	if err != nil {
		t.Fatalf("Add(%q): %v", p.URL, err)
	}
	return got
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dirFiles returns the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// faultFS is the real file system with injectable failures.
type faultFS struct {
	osFS
	mu sync.Mutex
	// mkdirErr and createErr fail MkdirAll and CreateTemp.
	mkdirErr, createErr error
	// writeErr fails every temp file write after writing half the data,
	// as a full disk does.
	writeErr error
	// renameErr fails Rename.
	renameErr error
}

func (f *faultFS) MkdirAll(path string, perm fs.FileMode) error {
	f.mu.Lock()
	err := f.mkdirErr
	f.mu.Unlock()
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: path, Err: err}
	}
	return f.osFS.MkdirAll(path, perm)
}

func (f *faultFS) CreateTemp(dir, pattern string) (tempFile, error) {
	f.mu.Lock()
	cerr, werr := f.createErr, f.writeErr
	f.mu.Unlock()
	if cerr != nil {
		return nil, &fs.PathError{Op: "open", Path: filepath.Join(dir, pattern), Err: cerr}
	}
	tf, err := f.osFS.CreateTemp(dir, pattern)
	if err != nil || werr == nil {
		return tf, err
	}
	return &failingFile{tempFile: tf, err: werr}, nil
}

func (f *faultFS) Rename(oldpath, newpath string) error {
	f.mu.Lock()
	err := f.renameErr
	f.mu.Unlock()
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return f.osFS.Rename(oldpath, newpath)
}

func (f *faultFS) set(fn func(f *faultFS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

type failingFile struct {
	tempFile
	err error
}

func (f *failingFile) Write(p []byte) (int, error) {
	n, _ := f.tempFile.Write(p[:len(p)/2])
	return n, &fs.PathError{Op: "write", Path: f.Name(), Err: f.err}
}

var (
	errNoSpace = syscall.ENOSPC
	errDenied  = syscall.EACCES
)

// fakeKeyring is an in-memory keyring whose failures and hangs tests
// control, independent of go-keyring's global mock.
type fakeKeyring struct {
	mem   *MemoryKeyring
	mu    sync.Mutex
	err   error         // returned by every call when set
	block chan struct{} // calls wait for it to close when set
	calls int
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{mem: NewMemoryKeyring()} }

func (k *fakeKeyring) enter() error {
	k.mu.Lock()
	k.calls++
	block, err := k.block, k.err
	k.mu.Unlock()
	if block != nil {
		<-block
	}
	return err
}

func (k *fakeKeyring) Get(service, user string) (string, error) {
	if err := k.enter(); err != nil {
		return "", err
	}
	return k.mem.Get(service, user)
}

func (k *fakeKeyring) Set(service, user, password string) error {
	if err := k.enter(); err != nil {
		return err
	}
	return k.mem.Set(service, user, password)
}

func (k *fakeKeyring) Delete(service, user string) error {
	if err := k.enter(); err != nil {
		return err
	}
	return k.mem.Delete(service, user)
}

// The knobs below are exported so that external tests (package
// profiles_test) can turn them through NewFakeKeyring.

// Fail makes every later call return err (nil: succeed again).
func (k *fakeKeyring) Fail(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.err = err
}

// BlockUntil makes every later call wait until release is closed (nil:
// answer at once again).
func (k *fakeKeyring) BlockUntil(release chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.block = release
}

// Stored reports the secret the keyring holds for user, bypassing the
// failure and hang knobs.
func (k *fakeKeyring) Stored(user string) (string, bool) {
	v, err := k.mem.Get(KeyringService, user)
	return v, err == nil
}

var bg = context.Background()

// noticesMention reports whether any load notice of s contains sub.
func noticesMention(s *Store, sub string) bool {
	return slices.ContainsFunc(s.Notices(), func(n string) bool { return strings.Contains(n, sub) })
}
