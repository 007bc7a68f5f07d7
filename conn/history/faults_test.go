package history

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKillDuringBurstLosesOnlyTheTail kills (SIGKILL) a child process in
// the middle of a burst of writes, then reopens the file: it must pass the
// integrity check and hold an unbroken prefix of the burst, at least
// everything the child had flushed.
func TestKillDuringBurstLosesOnlyTheTail(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=burst", childDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	// A child that never gets there is stopped, and the test fails below.
	watchdog := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	defer watchdog.Stop()
	flushed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "flushed %d", &flushed); err == nil && flushed >= 500 {
			break
		}
	}
	// Mid-burst: the child is still recording and its writer writing.
	time.Sleep(5 * time.Millisecond)
	must(t, cmd.Process.Kill())
	_ = cmd.Wait()
	if flushed < 500 {
		t.Fatalf("the child stopped after flushing %d: %s", flushed, stderr.String())
	}

	s := openT(t, dir)
	must(t, s.IntegrityCheck(ctxT(t)))
	n, err := s.Count(ctxT(t), Query{})
	must(t, err)
	if n < flushed || n >= burstSize {
		t.Fatalf("%d rows after the kill; want at least the %d flushed and fewer than the %d sent", n, flushed, burstSize)
	}
	// The rows are exactly r000000 … r(n-1): a prefix, no holes.
	rows, err := s.rdb.Query(`SELECT request_id FROM requests ORDER BY seq`)
	must(t, err)
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id string
		must(t, rows.Scan(&id))
		if want := fmt.Sprintf("r%06d", i); id != want {
			t.Fatalf("row %d is %s, want %s: not a prefix of the burst", i, id, want)
		}
		i++
	}
	must(t, rows.Err())
	// The search index agrees with the table.
	c, err := s.Count(ctxT(t), Query{Text: "burst"})
	must(t, err)
	if c != n {
		t.Errorf("the index finds %d of %d rows", c, n)
	}
	t.Logf("killed after %d flushed; %d rows survived", flushed, n)
}

func TestCorruptFileIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	garbage := bytes.Repeat([]byte("this is not a database "), 400)
	must(t, os.WriteFile(path, garbage, 0o600))

	s, err := Open(dir, Options{Now: func() time.Time { return t0 }})
	defer s.Close()
	ce := wantErrAs[*CorruptError](t, err)
	if ce.MovedTo != path+".corrupt-20261126-120000" {
		t.Errorf("moved to %q", ce.MovedTo)
	}
	if !strings.Contains(err.Error(), ce.MovedTo) || !strings.Contains(err.Error(), "empty history") {
		t.Errorf("message does not name the kept file: %v", err)
	}
	if kept, _ := os.ReadFile(ce.MovedTo); !bytes.Equal(kept, garbage) {
		t.Errorf("the moved file's content changed")
	}
	// The store starts empty and works.
	fillServer(t, s, "home", 2, "fresh")
	if n, _ := s.Count(ctxT(t), Query{Text: "fresh"}); n != 2 {
		t.Errorf("the fresh store holds %d rows, want 2", n)
	}
	if st := s.Status(); st.Problem != nil || !st.Saving {
		t.Errorf("status after the move = %+v", st)
	}
	// A second corrupt file the same second gets its own name.
	must(t, s.Close())
	must(t, os.WriteFile(path, garbage, 0o600))
	s2, err := Open(dir, Options{Now: func() time.Time { return t0 }})
	defer s2.Close()
	if ce2 := wantErrAs[*CorruptError](t, err); ce2.MovedTo == ce.MovedTo {
		t.Errorf("second file moved over the first: %s", ce2.MovedTo)
	}
}

func TestNewerSchemaIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	fillServer(t, s, "home", 3, "from the future")
	must(t, s.Close())
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", schemaVersion+1))
	must(t, err)
	must(t, db.Close())

	s, err = Open(dir, Options{})
	defer s.Close()
	ne := wantErrAs[*NewerSchemaError](t, err)
	if ne.Version != schemaVersion+1 || !strings.Contains(ne.MovedTo, FileName+".newer-") ||
		!strings.Contains(err.Error(), ne.MovedTo) || !strings.Contains(err.Error(), "newer version") {
		t.Errorf("error = %v", err)
	}
	if n, _ := s.Count(ctxT(t), Query{}); n != 0 {
		t.Errorf("the store opened with %d rows, want empty", n)
	}
	// The moved file is untouched: the newer agentdesk can still use it.
	db, err = sql.Open("sqlite", ne.MovedTo)
	must(t, err)
	defer db.Close()
	var v, rows int
	must(t, db.QueryRow("PRAGMA user_version").Scan(&v))
	must(t, db.QueryRow("SELECT count(*) FROM requests").Scan(&rows))
	if v != schemaVersion+1 || rows != 3 {
		t.Errorf("moved file has version %d and %d rows, want %d and 3", v, rows, schemaVersion+1)
	}
}

func TestForeignDatabaseIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	must(t, err)
	_, err = db.Exec("CREATE TABLE something_else (x)")
	must(t, err)
	must(t, db.Close())
	s, err := Open(dir, Options{})
	defer s.Close()
	ce := wantErrAs[*CorruptError](t, err)
	if !strings.Contains(err.Error(), "not an agentdesk history database") || !exists(ce.MovedTo) {
		t.Errorf("error = %v", err)
	}
}

// TestDamageFoundWhileRunning damages pages after page 1, so the file
// opens but reads fail: the store reports it, and the next start moves the
// file aside.
func TestDamageFoundWhileRunning(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	fillServer(t, s, "home", 200, strings.Repeat("padding words ", 40))
	must(t, s.Close())
	path := filepath.Join(dir, FileName)
	raw, err := os.ReadFile(path)
	must(t, err)
	for i := 4096 * 2; i < len(raw)-4096; i++ {
		raw[i] = byte(i * 7)
	}
	must(t, os.WriteFile(path, raw, 0o600))

	var mu sync.Mutex
	var seen []Status
	s, err = Open(dir, Options{})
	if err != nil {
		// Damage this deep may also be caught at open; that is fine too.
		wantErrAs[*CorruptError](t, err)
		_ = s.Close()
		return
	}
	s.OnStatus(func(st Status) { mu.Lock(); seen = append(seen, st); mu.Unlock() })
	_, searchErr := s.Search(ctxT(t), Query{Text: "padding"})
	checkErr := s.IntegrityCheck(ctxT(t))
	if searchErr == nil && checkErr == nil {
		t.Fatal("neither search nor the integrity check noticed the damage")
	}
	we := wantErrAs[*WriteError](t, s.Status().Problem)
	if !we.Damaged || !strings.Contains(we.Error(), "moved aside when agentdesk next starts") {
		t.Errorf("problem = %v", we)
	}
	mu.Lock()
	if len(seen) == 0 {
		t.Errorf("OnStatus was not called")
	}
	mu.Unlock()
	must(t, s.Close())

	s, err = Open(dir, Options{})
	defer s.Close()
	ce := wantErrAs[*CorruptError](t, err)
	if !strings.Contains(err.Error(), "found damaged while agentdesk ran") || !exists(ce.MovedTo) {
		t.Errorf("error = %v", err)
	}
	if exists(path + damagedSuffix) {
		t.Errorf("the damage marker was left behind")
	}
	if n, _ := s.Count(ctxT(t), Query{}); n != 0 {
		t.Errorf("%d rows in the fresh store", n)
	}
}

// TestFullDiskDropsWritesWithAWarning makes SQLite's file "full" (its
// page limit, which fails exactly as a full disk does) and checks that
// writes are dropped with a warning, reads keep working, and saving
// resumes once there is room.
func TestFullDiskDropsWritesWithAWarning(t *testing.T) {
	s := openT(t, t.TempDir())
	fillServer(t, s, "home", 3, "before the disk filled")
	var mu sync.Mutex
	var seen []Status
	s.OnStatus(func(st Status) { mu.Lock(); seen = append(seen, st); mu.Unlock() })

	var pages int
	must(t, s.wdb.QueryRow("PRAGMA page_count").Scan(&pages))
	_, err := s.wdb.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	must(t, err)
	big := strings.Repeat("does not fit ", 20_000)
	for i := range 5 {
		must(t, s.RecordRequest(req("home", fmt.Sprintf("big%d", i), big)))
	}
	if err := s.Flush(ctxT(t)); err == nil {
		t.Error("Flush reported success while nothing could be written")
	}
	st := s.Status()
	we := wantErrAs[*WriteError](t, st.Problem)
	if st.Dropped != 5 || we.Dropped != 5 || !strings.Contains(we.Error(), "the disk is full") ||
		!strings.Contains(we.Error(), "5 changes were not saved") {
		t.Errorf("status = %+v, problem %v", st, we)
	}
	// What exists can still be read.
	if rec, err := s.Recent(ctxT(t), 10); err != nil || len(rec) != 3 {
		t.Errorf("Recent while full = %d rows, %v", len(rec), err)
	}

	_, err = s.wdb.Exec("PRAGMA max_page_count = 1073741823")
	must(t, err)
	must(t, s.RecordRequest(req("home", "after", "room again")))
	flush(t, s)
	if st := s.Status(); st.Problem != nil || st.Dropped != 5 {
		t.Errorf("status after room came back = %+v", st)
	}
	if _, err := s.Get(ctxT(t), Key{"home", "after"}); err != nil {
		t.Errorf("the write after the disk recovered was lost: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 || seen[0].Problem == nil || seen[len(seen)-1].Problem != nil {
		t.Errorf("OnStatus saw %d changes, want the problem then its end", len(seen))
	}
}

func TestUnusableFolderFallsBackToMemory(t *testing.T) {
	// A file where the data folder should be: it cannot be created.
	parent := t.TempDir()
	blocker := filepath.Join(parent, "blocked")
	must(t, os.WriteFile(blocker, []byte("x"), 0o600))
	s, err := Open(filepath.Join(blocker, "agentdesk"), Options{})
	defer s.Close()
	ue := wantErrAs[*UnavailableError](t, err)
	if ue.ReadOnly || !strings.Contains(err.Error(), "kept in memory for this run only") {
		t.Errorf("error = %v", err)
	}
	st := s.Status()
	if st.Saving || st.Problem == nil || st.Path != "" {
		t.Errorf("status = %+v", st)
	}
	// It still works for this run.
	fillServer(t, s, "home", 2, "in memory")
	if n, _ := s.Count(ctxT(t), Query{Text: "memory"}); n != 2 {
		t.Errorf("in-memory fallback holds %d rows, want 2", n)
	}
	if errors.Is(err, ErrClosed) {
		t.Error("odd error identity")
	}
}

// TestIntegrityCheckNoticesAnIndexOutOfStep changes a text behind the
// search index's back: the check must say so.
func TestIntegrityCheckNoticesAnIndexOutOfStep(t *testing.T) {
	s := openT(t, t.TempDir())
	fillServer(t, s, "home", 3, "indexed words")
	must(t, s.IntegrityCheck(ctxT(t)))
	_, err := s.wdb.Exec(`UPDATE requests SET text = 'changed behind its back' WHERE request_id = 'q1'`)
	must(t, err)
	if err := s.IntegrityCheck(ctxT(t)); err == nil || !strings.Contains(err.Error(), "search index") {
		t.Errorf("IntegrityCheck = %v, want the search index reported damaged", err)
	}
}

// TestOlderSchemaIsMigrated opens a file written at schema 1 with a build
// that knows one more migration: it runs once, in order, and the data
// stays.
func TestOlderSchemaIsMigrated(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	fillServer(t, s, "home", 2, "kept across the upgrade")
	must(t, s.Close())

	defer func(m []func(context.Context, *sql.Tx) error, v int) { migrations, schemaVersion = m, v }(migrations, schemaVersion)
	ran := 0
	migrations = append(slices.Clone(migrations), func(ctx context.Context, tx *sql.Tx) error {
		ran++
		_, err := tx.ExecContext(ctx, "ALTER TABLE requests ADD COLUMN added_later TEXT NOT NULL DEFAULT 'new'")
		return err
	})
	schemaVersion = len(migrations)

	s2 := openT(t, dir)
	var v int
	var added string
	must(t, s2.rdb.QueryRow("PRAGMA user_version").Scan(&v))
	must(t, s2.rdb.QueryRow("SELECT added_later FROM requests LIMIT 1").Scan(&added))
	if ran != 1 || v != schemaVersion || added != "new" {
		t.Errorf("migration ran %d times, version %d, column %q", ran, v, added)
	}
	if n, _ := s2.Count(ctxT(t), Query{Text: "upgrade"}); n != 2 {
		t.Errorf("%d rows found after the upgrade, want 2", n)
	}
	must(t, s2.Close())
	// Opened again, nothing runs twice.
	s3 := openT(t, dir)
	_ = s3
	if ran != 1 {
		t.Errorf("migration ran again on the next open")
	}
}

// TestOneFailingChangeDoesNotSinkItsBatch queues requests around a change
// that fails on its own: the others are stored, and only the caller of the
// failing one hears of it.
func TestOneFailingChangeDoesNotSinkItsBatch(t *testing.T) {
	s := openT(t, t.TempDir())
	for i := range 20 {
		must(t, s.RecordRequest(req("home", fmt.Sprintf("before%d", i), "kept")))
	}
	boom := errors.New("boom")
	done := make(chan error, 1)
	go func() {
		_, err := s.run(ctxT(t), false, func(ctx context.Context, w *txWriter) (int, error) { return 0, boom })
		done <- err
	}()
	for i := range 20 {
		must(t, s.RecordRequest(req("home", fmt.Sprintf("after%d", i), "kept")))
	}
	if err := <-done; !errors.Is(err, boom) {
		t.Errorf("the failing change returned %v", err)
	}
	flush(t, s)
	if n, _ := s.Count(ctxT(t), Query{}); n != 40 {
		t.Errorf("%d of 40 requests stored around a failing change", n)
	}
	if st := s.Status(); st.Problem != nil || st.Dropped != 0 {
		t.Errorf("status = %+v, want healthy", st)
	}
}

// TestStalledDiskDropsTheOverflowWithAWarning blocks the writer and
// records more than the queue holds: the overflow is dropped and counted,
// the rest is stored once the writer moves again, and nothing blocks the
// caller meanwhile.
func TestStalledDiskDropsTheOverflowWithAWarning(t *testing.T) {
	defer func(n int) { maxQueuedOps = n }(maxQueuedOps)
	maxQueuedOps = 10
	s := openT(t, t.TempDir())
	stall, stalled := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = s.run(ctxT(t), false, func(ctx context.Context, w *txWriter) (int, error) {
			close(stalled)
			<-stall
			return 0, nil
		})
	}()
	<-stalled
	start := time.Now()
	for i := range 50 {
		must(t, s.RecordRequest(req("home", fmt.Sprintf("r%02d", i), "queued while stalled")))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("recording blocked the caller for %v", d)
	}
	close(stall)
	flush(t, s)
	if n, _ := s.Count(ctxT(t), Query{}); n != 10 {
		t.Errorf("%d requests stored, want the 10 the queue held", n)
	}
	st := s.Status()
	if st.Dropped != 40 {
		t.Errorf("Dropped = %d, want 40", st.Dropped)
	}
	// The flush after the stall committed fine, so the warning is over;
	// the count of lost changes stays.
	if st.Problem != nil {
		t.Errorf("problem after recovery = %v", st.Problem)
	}
}
