package history

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// deleteChunk is how many rows one writer transaction deletes, so a large
// clear or prune never holds up new events for long. (A variable so tests
// can cross chunk boundaries cheaply.)
var deleteChunk = 2000

// Approximate on-disk cost of a request row beyond its texts: the row
// header, five indexes and the full-text index. Measured on generated
// histories (see BenchmarkFileSize): the file is about this much larger
// than the texts it holds.
const (
	rowOverheadBytes = 200
	ftsFactor        = 1.83
)

// Stats returns, for every server with stored history (including servers
// deleted since, whose history was kept), how much it holds. Sorted by
// label.
func (s *Store) Stats(ctx context.Context) ([]ServerStats, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	by := map[string]*ServerStats{}
	get := func(server string) *ServerStats {
		st := by[server]
		if st == nil {
			st = &ServerStats{Server: server}
			by[server] = st
		}
		return st
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT server, count(*), coalesce(sum(state = 0), 0),
		coalesce(sum(req_bytes + reply_bytes), 0), coalesce(min(created_ms), 0), coalesce(max(created_ms), 0)
		FROM requests GROUP BY server`)
	if err != nil {
		return nil, s.readErr(err)
	}
	for rows.Next() {
		var server string
		var n, pending int
		var bytes, oldest, newest int64
		if err := rows.Scan(&server, &n, &pending, &bytes, &oldest, &newest); err != nil {
			_ = rows.Close()
			return nil, s.readErr(err)
		}
		st := get(server)
		st.Requests, st.Pending = n, pending
		st.Bytes += int64(float64(bytes)*ftsFactor) + int64(n)*rowOverheadBytes
		st.Oldest, st.Newest = fromMillis(oldest), fromMillis(newest)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}

	rows, err = s.rdb.QueryContext(ctx, `SELECT server, count(*), coalesce(sum(octet_length(text) + octet_length(peer)), 0)
		FROM chat_lines GROUP BY server`)
	if err != nil {
		return nil, s.readErr(err)
	}
	for rows.Next() {
		var server string
		var n int
		var bytes int64
		if err := rows.Scan(&server, &n, &bytes); err != nil {
			_ = rows.Close()
			return nil, s.readErr(err)
		}
		st := get(server)
		st.ChatLines = n
		st.Bytes += bytes + int64(n)*64
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}

	labels, err := s.labels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ServerStats, 0, len(by))
	for id, st := range by {
		st.Label = labels[id]
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Label != out[j].Label {
			return out[i].Label < out[j].Label
		}
		return out[i].Server < out[j].Server
	})
	return out, nil
}

// labels returns the latest label of every server seen.
func (s *Store) labels(ctx context.Context) (map[string]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT server, label FROM servers`)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, label string
		if err := rows.Scan(&id, &label); err != nil {
			return nil, s.readErr(err)
		}
		out[id] = label
	}
	return out, s.readErrOrNil(rows.Err())
}

// FileSize returns the bytes the database takes on disk (with its WAL),
// or 0 when it lives in memory.
func (s *Store) FileSize() int64 {
	if s.storage == inMemory {
		return 0
	}
	var n int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

// Clear deletes a server's finished requests and all its chat lines.
// Requests still pending are kept: the running app still shows them. It
// runs after every change queued before it, in chunks, then compacts the
// search index so the file shrinks (about a second per 100k requests
// left), and returns what it deleted.
func (s *Store) Clear(ctx context.Context, server string) (PruneResult, error) {
	if err := checkKey("server id", server); err != nil {
		return PruneResult{}, err
	}
	return s.deleteWhere(ctx, server, `state != 0`)
}

// compact rewrites the search index without the entries of deleted rows
// (FTS5 otherwise keeps them until later merges) and gives the freed
// pages back to the file system.
func (s *Store) compact(ctx context.Context) error {
	_, err := s.run(ctx, true, func(ctx context.Context, w *txWriter) (int, error) {
		_, err := w.exec(ctx, `INSERT INTO requests_fts (requests_fts) VALUES ('optimize')`)
		return 0, err
	})
	return err
}

// Delete deletes everything stored for a server: every request, pending
// ones too, its chat lines and its label. For a server the user deleted.
// Like Clear, it compacts the search index afterwards.
func (s *Store) Delete(ctx context.Context, server string) (PruneResult, error) {
	if err := checkKey("server id", server); err != nil {
		return PruneResult{}, err
	}
	res, err := s.deleteWhere(ctx, server, `1`)
	if err != nil {
		return res, err
	}
	_, err = s.run(ctx, false, func(ctx context.Context, w *txWriter) (int, error) {
		w.forgetLabels = server
		r, err := w.exec(ctx, `DELETE FROM servers WHERE server = ?`, server)
		return affected(r), err
	})
	return res, err
}

// deleteWhere deletes the server's requests matching cond (a constant SQL
// condition), then all its chat lines, in chunks. Then it compacts the
// search index when requests went, else gives the freed pages back.
func (s *Store) deleteWhere(ctx context.Context, server, cond string) (PruneResult, error) {
	var res PruneResult
	err := s.chunked(ctx, &res.Requests, func(ctx context.Context, w *txWriter) (int, error) {
		r, err := w.exec(ctx, `DELETE FROM requests WHERE seq IN (SELECT seq FROM requests
			WHERE server = ? AND `+cond+` LIMIT ?)`, server, deleteChunk)
		return affected(r), err
	})
	if err == nil {
		err = s.chunked(ctx, &res.ChatLines, func(ctx context.Context, w *txWriter) (int, error) {
			r, err := w.exec(ctx, `DELETE FROM chat_lines WHERE seq IN (SELECT seq FROM chat_lines
				WHERE server = ? LIMIT ?)`, server, deleteChunk)
			return affected(r), err
		})
	}
	switch {
	case err == nil && res.Requests > 0:
		err = s.compact(ctx) // its vacuum frees the chat lines' pages too
	case res != (PruneResult{}):
		s.shrink(ctx) // also after a failure: earlier chunks were committed
	}
	return res, err
}

// chunked runs fn, which deletes at most deleteChunk rows, in a
// transaction of its own until a run deletes fewer, adding the rows to
// *n. Between chunks the writer stores new events, so a large delete never
// holds them up for long. It does not vacuum: the caller shrinks the file
// once, after the last chunk.
func (s *Store) chunked(ctx context.Context, n *int, fn func(ctx context.Context, w *txWriter) (int, error)) error {
	for {
		k, err := s.run(ctx, false, fn)
		*n += k
		if err != nil || k < deleteChunk {
			return err
		}
	}
}

// shrink gives the pages freed by deletes back to the file system, in an
// empty transaction of its own. A failure is logged by the writer and
// leaves only free pages in the file, so it is not returned.
func (s *Store) shrink(ctx context.Context) {
	_, _ = s.run(ctx, true, func(context.Context, *txWriter) (int, error) { return 0, nil })
}

func affected(r interface{ RowsAffected() (int64, error) }) int {
	if r == nil {
		return 0
	}
	n, _ := r.RowsAffected()
	return int(n)
}

// Prune deletes what the policy no longer keeps: finished requests (never
// pending ones) and chat lines older than MaxAge, and beyond MaxPerServer
// the oldest of each server. Call it off the UI goroutine, at start and
// then now and then; it works in small transactions, so new events are
// stored meanwhile.
func (s *Store) Prune(ctx context.Context, p RetentionPolicy) (PruneResult, error) {
	var res PruneResult
	if err := s.checkOpen(); err != nil || p.Forever() {
		return res, err
	}
	err := s.prune(ctx, p, &res)
	if res != (PruneResult{}) {
		s.shrink(ctx) // also after a failure: earlier chunks were committed
	}
	return res, err
}

// prune runs Prune's deletes, adding what they delete to res.
func (s *Store) prune(ctx context.Context, p RetentionPolicy, res *PruneResult) error {
	if p.MaxAge > 0 {
		cutoff := s.now().Add(-p.MaxAge).UnixMilli()
		if err := s.chunked(ctx, &res.Requests, func(ctx context.Context, w *txWriter) (int, error) {
			r, err := w.exec(ctx, `DELETE FROM requests WHERE seq IN (SELECT seq FROM requests
				WHERE created_ms < ? AND state != 0 LIMIT ?)`, cutoff, deleteChunk)
			return affected(r), err
		}); err != nil {
			return err
		}
		if err := s.chunked(ctx, &res.ChatLines, func(ctx context.Context, w *txWriter) (int, error) {
			r, err := w.exec(ctx, `DELETE FROM chat_lines WHERE seq IN (SELECT seq FROM chat_lines
				WHERE at_ms < ? LIMIT ?)`, cutoff, deleteChunk)
			return affected(r), err
		}); err != nil {
			return err
		}
	}
	if p.MaxPerServer > 0 {
		servers, err := s.storedServers(ctx)
		if err != nil {
			return err
		}
		for _, server := range servers {
			if err := s.chunked(ctx, &res.Requests, func(ctx context.Context, w *txWriter) (int, error) {
				r, err := w.exec(ctx, `DELETE FROM requests WHERE seq IN (SELECT seq FROM requests
					WHERE server = ? AND state != 0 ORDER BY seq DESC LIMIT ? OFFSET ?)`,
					server, deleteChunk, p.MaxPerServer)
				return affected(r), err
			}); err != nil {
				return err
			}
			if err := s.chunked(ctx, &res.ChatLines, func(ctx context.Context, w *txWriter) (int, error) {
				r, err := w.exec(ctx, `DELETE FROM chat_lines WHERE seq IN (SELECT seq FROM chat_lines
					WHERE server = ? ORDER BY seq DESC LIMIT ? OFFSET ?)`, server, deleteChunk, p.MaxPerServer)
				return affected(r), err
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedServers lists every server with requests or chat lines.
func (s *Store) storedServers(ctx context.Context) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT DISTINCT server FROM requests
		UNION SELECT DISTINCT server FROM chat_lines ORDER BY 1`)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, s.readErr(err)
		}
		out = append(out, v)
	}
	return out, s.readErrOrNil(rows.Err())
}

// msDuration reads a stored millisecond count.
func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// IntegrityCheck runs SQLite's full integrity check (slow on a large file:
// for the doctor command and tests, not for every start) and checks the
// search index against the rows it indexes. It returns nil when the file
// is sound.
//
// It runs on the writer's connection, after every change queued before
// it: a reader connection's check of the search index (SQLite runs it as
// part of integrity_check) was seen to report damage after the writer had
// merged the index, from a stale view of it, while the file was sound.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if s.wdb == nil {
		// Read-only: no other connection changes the file.
		problems, err := integrityProblems(ctx, s.rdb)
		if err != nil {
			return s.readErr(err)
		}
		return s.damaged(problems)
	}
	var problems []string
	_, err := s.run(ctx, false, func(ctx context.Context, w *txWriter) (int, error) {
		var err error
		problems, err = integrityProblems(ctx, w.tx)
		return 0, err
	})
	if err != nil {
		return err
	}
	if err := s.damaged(problems); err != nil {
		return err
	}
	// The full-text index against the table it indexes. FTS5 takes the
	// check as an INSERT.
	_, err = s.run(ctx, false, func(ctx context.Context, w *txWriter) (int, error) {
		_, err := w.exec(ctx, "INSERT INTO requests_fts(requests_fts, rank) VALUES ('integrity-check', 1)")
		return 0, err
	})
	if err != nil {
		return fmt.Errorf("the search index of %s is damaged: %w", s.path, err)
	}
	return nil
}

func (s *Store) damaged(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the history database %s is damaged: %s", s.path, strings.Join(problems, "; "))
}

// integrityProblems runs PRAGMA integrity_check and returns its first
// complaints (none when the file is sound).
func integrityProblems(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" && len(problems) < 10 {
			problems = append(problems, line)
		}
	}
	return problems, rows.Err()
}
