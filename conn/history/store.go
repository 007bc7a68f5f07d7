package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, with FTS5

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// FileName is the database file's name inside the data directory.
const FileName = "history.db"

// damagedSuffix names the marker left beside a file found damaged while
// running, so the next start moves it aside before using it.
const damagedSuffix = ".damaged"

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// KeepAttachmentBytes stores the content of reply attachments, not just
	// their name, type and size. Off by default; see
	// [Store.SetKeepAttachmentBytes].
	KeepAttachmentBytes bool
	// Now replaces the clock (tests).
	Now func() time.Time
}

// Status is the store's health, for a banner or the settings screen.
type Status struct {
	// Path is the database file; empty when the history lives in memory.
	Path string
	// Saving is false when nothing new reaches the disk: the file is
	// read-only, or the history lives in memory.
	Saving bool
	// Problem says, in words for the user, what is wrong right now; nil
	// when all is well. It is a *WriteError or an *UnavailableError.
	Problem error
	// Dropped counts changes that could not be saved since Open.
	Dropped int64
}

// storage says where the rows live.
type storage int

const (
	onDisk   storage = iota // history.db, read and written
	readOnly                // history.db, read only
	inMemory                // a private in-memory database
)

// Store is the history database. Create it with [Open]; all methods are
// safe for concurrent use.
type Store struct {
	path    string // the database file ("" in memory)
	storage storage
	log     *slog.Logger
	now     func() time.Time

	keepBytes atomic.Bool

	rdb *sql.DB // reads
	wdb *sql.DB // writes (nil when read-only; == rdb in memory)

	q       queue
	stopped chan struct{} // closed when the writer has exited

	statusMu sync.Mutex
	status   Status
	onStatus func(Status)

	closeOnce sync.Once
	closeErr  error
}

// Open opens (or creates) history.db in dir, creating dir with mode 0700
// when missing. An empty dir keeps the history in memory.
//
// Open always returns a usable store. A non-nil error is for the user: a
// [*CorruptError] or [*NewerSchemaError] (the file was moved aside and the
// store is empty), or an [*UnavailableError] (the history is read-only, or
// lives in memory for this run).
func Open(dir string, opts Options) (*Store, error) {
	s := &Store{log: opts.Logger, now: opts.Now, stopped: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.keepBytes.Store(opts.KeepAttachmentBytes)
	s.q.init()

	notice := s.openStorage(dir)
	s.status = Status{Path: s.path, Saving: s.storage == onDisk}
	var unavailable *UnavailableError
	if errors.As(notice, &unavailable) {
		s.status.Problem = notice
		if s.storage == inMemory {
			s.status.Path = ""
		}
	}
	if notice != nil {
		s.log.Warn("history database", "problem", notice)
	}
	go s.writer()
	return s, notice
}

// openStorage sets up rdb and wdb, falling back from the file to a
// read-only file to memory. It returns the notice for the user.
func (s *Store) openStorage(dir string) error {
	ctx := context.Background()
	if dir == "" {
		if err := s.openMemory(ctx); err != nil {
			// An in-memory database that cannot open means the SQLite
			// library itself is broken: nothing sensible remains.
			panic("history: cannot create an in-memory database: " + err.Error())
		}
		return nil
	}
	s.path = filepath.Join(dir, FileName)

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s.fallBackToMemory(ctx, err)
	}
	var notice error
	if reason, err := os.ReadFile(s.path + damagedSuffix); err == nil {
		if exists(s.path) {
			notice = s.moveAside(fmt.Errorf("it was found damaged while agentdesk ran: %s", strings.TrimSpace(limits.Prefix(string(reason), 512))))
			if u, ok := notice.(*UnavailableError); ok {
				return s.fallBackToMemory(ctx, u.Err)
			}
		}
		_ = os.Remove(s.path + damagedSuffix)
	}

	// Create the file ourselves so it starts with mode 0600: SQLite gives
	// the -wal and -shm files the mode of the database file.
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if _, statErr := os.Stat(s.path); statErr == nil {
			return s.openReadOnly(ctx, err)
		}
		return s.fallBackToMemory(ctx, err)
	}
	_ = f.Close()
	tightenModes(s.path)

	err = s.openFile(ctx)
	switch {
	case err == nil:
		return notice
	case isNewer(err):
		v := err.(*newerError).version
		s.closeDBs()
		moved, mvErr := s.moveAsideTo("newer")
		if mvErr != nil {
			return s.fallBackToMemory(ctx, mvErr)
		}
		if err := s.openFile(ctx); err != nil {
			return s.fallBackToMemory(ctx, err)
		}
		return &NewerSchemaError{Path: s.path, MovedTo: moved, Version: v}
	case isCorrupt(err) || isForeign(err):
		s.closeDBs()
		n := s.moveAside(err)
		if u, ok := n.(*UnavailableError); ok {
			return s.fallBackToMemory(ctx, u.Err)
		}
		if err := s.openFile(ctx); err != nil {
			return s.fallBackToMemory(ctx, err)
		}
		return n
	case isReadOnly(err):
		s.closeDBs()
		return s.openReadOnly(ctx, err)
	default:
		// A full disk or another I/O failure: leave the file alone.
		s.closeDBs()
		return s.fallBackToMemory(ctx, err)
	}
}

// moveAside renames the database (and its -wal and -shm files) to
// history.db.corrupt-<time> and returns the *CorruptError for the user,
// or an *UnavailableError when even that failed.
func (s *Store) moveAside(why error) error {
	moved, err := s.moveAsideTo("corrupt")
	if err != nil {
		return &UnavailableError{Path: s.path, Err: fmt.Errorf("it is damaged (%v) and could not be moved aside: %w", why, err)}
	}
	return &CorruptError{Path: s.path, MovedTo: moved, Err: why}
}

// moveAsideTo renames the database files to an unused name with tag and
// the current time, and returns the new name of the main file.
func (s *Store) moveAsideTo(tag string) (string, error) {
	base := fmt.Sprintf("%s.%s-%s", s.path, tag, s.now().UTC().Format("20060102-150405"))
	name := base
	for i := 2; exists(name) || exists(name+"-wal"); i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(s.path, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	// The WAL holds committed pages of the old file: it must go with it,
	// or SQLite would replay it into the new one.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(s.path+suffix, name+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			_ = os.Remove(s.path + suffix)
		}
	}
	return name, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// tightenModes makes an existing database and its side files private.
func tightenModes(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, 0o600)
		}
	}
}

// dsn builds the SQLite URI for the file with the given extra parameters.
func dsn(path string, params ...string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p}
	return u.String() + "?" + strings.Join(params, "&")
}

// Per-connection settings. busy_timeout covers the rare moment a reader
// and a checkpoint collide; synchronous=NORMAL is safe in WAL mode (see
// the package doc for what a power cut can lose).
var connParams = []string{
	"_pragma=busy_timeout(5000)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=temp_store(MEMORY)",
	"_pragma=journal_size_limit(16777216)",
}

// openFile opens the file read-write, checks and migrates its schema.
func (s *Store) openFile(ctx context.Context) error {
	w, err := sql.Open("sqlite", dsn(s.path, connParams...))
	if err != nil {
		return err
	}
	// One writer connection: the writer goroutine is the only writer.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	s.wdb = w
	if err := prepareSchema(ctx, w); err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return err
	}
	r, err := sql.Open("sqlite", dsn(s.path, append(connParams, "_pragma=query_only(1)")...))
	if err != nil {
		return err
	}
	r.SetMaxOpenConns(2)
	r.SetMaxIdleConns(2)
	s.rdb = r
	s.storage = onDisk
	return nil
}

// openReadOnly opens an existing file that cannot be written, so the past
// stays readable; writes are dropped with a warning.
func (s *Store) openReadOnly(ctx context.Context, cause error) error {
	// mode=ro works while the -shm file can be used; immutable=1 reads the
	// main file alone (the WAL's last changes are then not seen).
	for _, extra := range []string{"mode=ro", "immutable=1"} {
		r, err := sql.Open("sqlite", dsn(s.path, append(connParams, extra)...))
		if err == nil {
			r.SetMaxOpenConns(2)
			var v int
			err = r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
			if err == nil && v != schemaVersion {
				// Older ones need a migration, which is a write.
				err = fmt.Errorf("its schema version %d cannot be read without writing", v)
			}
			if err == nil {
				s.rdb, s.storage = r, readOnly
				return &UnavailableError{Path: s.path, ReadOnly: true, Err: cause}
			}
			_ = r.Close()
		}
	}
	return s.fallBackToMemory(ctx, cause)
}

// fallBackToMemory keeps the history in memory for this run.
func (s *Store) fallBackToMemory(ctx context.Context, cause error) error {
	s.closeDBs()
	if err := s.openMemory(ctx); err != nil {
		panic("history: cannot create an in-memory database: " + err.Error())
	}
	return &UnavailableError{Path: s.path, Err: cause}
}

// openMemory creates a private in-memory database. It has one
// connection, shared by reads and writes, that is never closed (closing
// it would drop the database).
func (s *Store) openMemory(ctx context.Context) error {
	db, err := sql.Open("sqlite", "file::memory:?_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := prepareSchema(ctx, db); err != nil {
		_ = db.Close()
		return err
	}
	s.rdb, s.wdb, s.storage = db, db, inMemory
	return nil
}

// newerError reports a schema newer than this build knows.
type newerError struct{ version int }

func (e *newerError) Error() string {
	return fmt.Sprintf("schema version %d is newer than %d", e.version, schemaVersion)
}

func isNewer(err error) bool {
	var n *newerError
	return errors.As(err, &n)
}

// foreignError reports a valid SQLite file that is not ours.
type foreignError struct{}

func (foreignError) Error() string {
	return "it is an SQLite file, but not an agentdesk history database"
}

func isForeign(err error) bool {
	var f foreignError
	return errors.As(err, &f)
}

// prepareSchema reads the schema version (which also proves the file is a
// database), refuses newer and foreign files, and migrates older ones.
func prepareSchema(ctx context.Context, db *sql.DB) error {
	var v, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return err
	}
	switch {
	case v > schemaVersion:
		return &newerError{version: v}
	case v == 0 && tables > 0:
		return foreignError{}
	case v == 0:
		// A new file: let deleted history give its space back (this
		// must be set before the first table exists).
		if _, err := db.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return err
		}
	}
	return migrate(ctx, db, v)
}

func (s *Store) closeDBs() {
	if s.rdb != nil && s.rdb != s.wdb {
		_ = s.rdb.Close()
	}
	if s.wdb != nil {
		_ = s.wdb.Close()
	}
	s.rdb, s.wdb = nil, nil
}

// Status returns the store's current health.
func (s *Store) Status() Status {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	return s.status
}

// OnStatus sets a function called, on the writer goroutine, whenever the
// status changes (a write failed, or writes work again). It must not block.
func (s *Store) OnStatus(f func(Status)) {
	s.statusMu.Lock()
	s.onStatus = f
	s.statusMu.Unlock()
}

// setProblem records the outcome of a write: problem nil clears a
// previous write problem. dropped adds to the lost-changes count.
func (s *Store) setProblem(problem error, dropped int64) {
	s.statusMu.Lock()
	before := s.status
	s.status.Dropped += dropped
	if we, ok := problem.(*WriteError); ok {
		we.Dropped = s.status.Dropped
	}
	if problem != nil {
		s.status.Problem = problem
	} else if _, ok := s.status.Problem.(*WriteError); ok {
		s.status.Problem = nil
	}
	after, f := s.status, s.onStatus
	s.statusMu.Unlock()
	if f != nil && (before.Problem != after.Problem || before.Dropped != after.Dropped) {
		f(after)
	}
}

// SetKeepAttachmentBytes turns storing attachment contents on or off for
// replies recorded from now on.
func (s *Store) SetKeepAttachmentBytes(on bool) { s.keepBytes.Store(on) }

// Close drains the write queue, checkpoints the WAL and closes the file.
// Calls after Close return ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.q.close()
		<-s.stopped
		if s.storage == onDisk {
			// Fold the WAL back into the file so it is one file at rest.
			_, _ = s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
		if s.rdb != nil && s.rdb != s.wdb {
			s.closeErr = s.rdb.Close()
		}
		if s.wdb != nil {
			if err := s.wdb.Close(); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}
