//go:build unix

package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

func init() {
	childRoles["readonly-existing"] = readOnlyExistingChild
	childRoles["readonly-empty"] = readOnlyEmptyChild
}

// TestReadOnlyFolder opens history in a folder the process cannot write:
// one that holds a history from an earlier run (it stays readable, new
// changes are dropped with a warning) and an empty one (the history lives
// in memory). Root ignores permissions, so as root the checks run in a
// child process with the nobody user's ids.
func TestReadOnlyFolder(t *testing.T) {
	// A folder every user can enter (t.TempDir is private to us).
	base, err := os.MkdirTemp("", "history-readonly-")
	must(t, err)
	t.Cleanup(func() {
		_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			_ = os.Chmod(p, 0o755)
			return nil
		})
		_ = os.RemoveAll(base)
	})
	must(t, os.Chmod(base, 0o755))

	existing := filepath.Join(base, "existing")
	s := openT(t, existing)
	fillServer(t, s, "home", 3, "from an earlier run")
	must(t, s.Close())
	empty := filepath.Join(base, "empty")
	must(t, os.Mkdir(empty, 0o755))
	// Readable by all, writable by none.
	must(t, os.Chmod(filepath.Join(existing, FileName), 0o444))
	must(t, os.Chmod(existing, 0o555))
	must(t, os.Chmod(empty, 0o555))

	for role, dir := range map[string]string{"readonly-existing": existing, "readonly-empty": empty} {
		t.Run(role, func(t *testing.T) {
			runChildAsUser(t, role, dir)
		})
	}
}

// runChildAsUser runs a child role as this user, or as nobody when root.
func runChildAsUser(t *testing.T, role, dir string) {
	t.Helper()
	bin := os.Args[0]
	cmd := exec.Command(bin, "-test.run=^$")
	if os.Geteuid() == 0 {
		// nobody must be able to run the test binary: copy it beside the
		// folders, where every user can read it.
		shared := filepath.Join(filepath.Dir(dir), "history.test")
		if _, err := os.Stat(shared); err != nil {
			copyFile(t, bin, shared)
		}
		cmd = exec.Command(shared, "-test.run=^$")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = append(os.Environ(), childEnv+"="+role, childDirEnv+"="+dir, "HOME="+filepath.Dir(dir))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s child failed: %v\n%s", role, err, out.String())
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	must(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	must(t, err)
	_, err = io.Copy(out, in)
	must(t, err)
	must(t, out.Close())
}

// readOnlyExistingChild checks a history that can be read but not written.
func readOnlyExistingChild(dir string) error {
	ctx := context.Background()
	s, err := Open(dir, Options{})
	defer s.Close()
	var ue *UnavailableError
	if !errors.As(err, &ue) || !ue.ReadOnly {
		return fmt.Errorf("Open = %v, want a read-only *UnavailableError", err)
	}
	if rec, err := s.Recent(ctx, 10); err != nil || len(rec) != 3 {
		return fmt.Errorf("Recent = %d rows, %v; want the 3 stored", len(rec), err)
	}
	if p, err := s.Search(ctx, Query{Text: "earlier"}); err != nil || len(p.Entries) != 3 {
		return fmt.Errorf("Search = %d rows, %v; want 3", len(p.Entries), err)
	}
	if err := s.RecordRequest(Request{Server: "home", ID: "new", Kind: KindQuestion, Text: "t"}); err != nil {
		return fmt.Errorf("RecordRequest: %v", err)
	}
	if err := s.Flush(ctx); err == nil {
		return errors.New("Flush reported success on a read-only history")
	}
	st := s.Status()
	if st.Saving || st.Problem == nil || st.Dropped != 1 {
		return fmt.Errorf("status = %+v; want not saving, a problem, 1 dropped", st)
	}
	return nil
}

// readOnlyEmptyChild checks a folder where no history can be created.
func readOnlyEmptyChild(dir string) error {
	ctx := context.Background()
	s, err := Open(dir, Options{})
	defer s.Close()
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.ReadOnly {
		return fmt.Errorf("Open = %v, want an in-memory *UnavailableError", err)
	}
	if err := s.RecordRequest(Request{Server: "home", ID: "q", Kind: KindQuestion, Text: "kept in memory"}); err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil {
		return fmt.Errorf("Flush in memory: %v", err)
	}
	if p, err := s.Search(ctx, Query{Text: "memory"}); err != nil || len(p.Entries) != 1 {
		return fmt.Errorf("Search in memory = %d rows, %v", len(p.Entries), err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		return errors.New("a database file appeared in a read-only folder")
	}
	return nil
}
