package history

import (
	"errors"
	"fmt"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrClosed is returned by calls on a closed store.
var ErrClosed = errors.New("the history database is closed")

// CorruptError is returned by [Open] when history.db could not be used as a
// database at all. The file was moved aside, not deleted, and the store
// starts empty.
type CorruptError struct {
	// Path is the database file; MovedTo is where it now is.
	Path    string
	MovedTo string
	// Err says what was wrong with it.
	Err error
}

// Error names the file, what was wrong and where it was kept.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("the history database %s could not be used (%v). It was kept as %s and agentdesk starts with an empty history",
		e.Path, e.Err, e.MovedTo)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptError) Unwrap() error { return e.Err }

// NewerSchemaError is returned by [Open] when history.db was written by a
// newer agentdesk. The file was moved aside untouched, so that version can
// still use it, and the store starts empty.
type NewerSchemaError struct {
	Path    string
	MovedTo string
	// Version is the file's schema version.
	Version int
}

// Error names the file, both versions and where the file was kept.
func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("the history database %s was written by a newer version of agentdesk (schema %d; this version knows up to %d). "+
		"It was kept as %s and agentdesk starts with an empty history; update agentdesk and move the file back to see it again",
		e.Path, e.Version, schemaVersion, e.MovedTo)
}

// UnavailableError is returned by [Open] when history.db cannot be opened
// for writing. With ReadOnly the existing history can still be read;
// otherwise the history lives in memory for this run only.
type UnavailableError struct {
	Path     string
	ReadOnly bool
	Err      error
}

// Error says what failed and what agentdesk does instead.
func (e *UnavailableError) Error() string {
	if e.ReadOnly {
		return fmt.Sprintf("the history database %s can only be read (%v): past history is shown, but nothing new is saved. %s",
			e.Path, explain(e.Err), "agentdesk keeps working from memory")
	}
	return fmt.Sprintf("cannot open the history database %s (%v): history is kept in memory for this run only", e.Path, explain(e.Err))
}

// Unwrap returns the underlying error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// WriteError is the problem reported when changes could not be saved; they
// were dropped, and the app keeps working from memory. The next change is
// tried again, so the problem clears itself once the disk has room.
type WriteError struct {
	Path string
	Err  error
	// Dropped counts the changes lost so far.
	Dropped int64
	// Damaged is true when the file itself is damaged: it will be moved
	// aside at the next start.
	Damaged bool
}

// Error says what failed, how much was lost and what happens next.
func (e *WriteError) Error() string {
	if e.Damaged {
		lost := ""
		if e.Dropped > 0 {
			lost = fmt.Sprintf(" %d changes were not saved;", e.Dropped)
		}
		return fmt.Sprintf("the history database %s is damaged (%v).%s it will be moved aside when agentdesk next starts",
			e.Path, e.Err, lost)
	}
	return fmt.Sprintf("cannot save to the history database %s (%v). %d changes were not saved; agentdesk keeps working from memory and tries again with the next change",
		e.Path, explain(e.Err), e.Dropped)
}

// Unwrap returns the underlying error.
func (e *WriteError) Unwrap() error { return e.Err }

// sqliteCode returns the primary SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// isCorrupt reports whether err says the file is not a usable database.
func isCorrupt(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CORRUPT || c == sqlite3.SQLITE_NOTADB
}

// isReadOnly reports whether err says the file or folder cannot be
// written.
func isReadOnly(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_READONLY || c == sqlite3.SQLITE_CANTOPEN || c == sqlite3.SQLITE_PERM ||
		errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM)
}

// explain turns the common causes into words a user acts on.
func explain(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case sqliteCode(err) == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC):
		return "the disk is full"
	case isReadOnly(err):
		return "no permission to write there, or the disk is read-only: " + err.Error()
	}
	return err.Error()
}
