package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrNotFound is returned when a requested record is not stored.
var ErrNotFound = errors.New("not in the history")

// Columns of an entry: a record reads the full texts, a list (listCols)
// their previews.
const (
	entryMeta = `r.seq, r.server, r.request_id, r.server_label, r.kind, r.state, r.created_ms, r.changed_ms,
		r.timeout_ms, r.agent, r.model, r.mcp_client, r.project, r.answered_by, r.reason, r.attachments`
	fullCols = entryMeta + `, r.text, -1, r.reply, -1`
)

// listCols reads byte prefixes of the texts (as blobs: NULs count like any
// byte) and their full lengths; previewOf cuts them to characters.
var listCols = entryMeta + `, coalesce(substr(CAST(r.text AS BLOB), 1, ` + strconv.Itoa(previewBytes) + `), ''), r.text_len,
	coalesce(substr(CAST(r.reply AS BLOB), 1, ` + strconv.Itoa(previewBytes) + `), ''), r.reply_len`

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanEntry reads one entry and its attachment count.
func scanEntry(sc scanner) (Entry, int, error) {
	var e Entry
	var kind, state, nAtt int
	var created, changed, timeout int64
	var textLen, replyLen int64
	err := sc.Scan(&e.Seq, &e.Request.Server, &e.Request.ID, &e.Request.ServerLabel, &kind, &state,
		&created, &changed, &timeout, &e.Request.Agent, &e.Request.Model, &e.Request.MCPClient,
		&e.Request.Project, &e.Outcome.By, &e.Outcome.Reason, &nAtt,
		&e.Request.Text, &textLen, &e.Outcome.Text, &replyLen)
	if err != nil {
		return e, 0, err
	}
	e.Request.Kind = Kind(kind)
	e.Outcome.State = State(state)
	e.Request.Created = fromMillis(created)
	e.Outcome.At = fromMillis(changed)
	e.Request.Timeout = msDuration(timeout)
	if textLen >= 0 { // a list: the texts are byte prefixes
		var textCut, replyCut bool
		e.Request.Text, textCut = previewOf(e.Request.Text, textLen)
		e.Outcome.Text, replyCut = previewOf(e.Outcome.Text, replyLen)
		e.Preview = textCut || replyCut
	}
	return e, nAtt, nil
}

// readEntries runs a query of listCols or fullCols, then fills in the
// attachment metadata with one more query (never two open result sets:
// the in-memory store has one connection).
func (s *Store) readEntries(ctx context.Context, query string, args ...any) ([]Entry, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	var out []Entry
	var withAtt []int
	for rows.Next() {
		e, n, err := scanEntry(rows)
		if err != nil {
			_ = rows.Close()
			return nil, s.readErr(err)
		}
		if n > 0 {
			withAtt = append(withAtt, len(out))
		}
		out = append(out, e)
	}
	if err := rows.Close(); err != nil {
		return nil, s.readErr(err)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	if len(withAtt) == 0 {
		return out, nil
	}
	seqs := make([]any, len(withAtt))
	for i, idx := range withAtt {
		seqs[i] = out[idx].Seq
	}
	atts, err := s.attachmentMeta(ctx, seqs)
	if err != nil {
		return nil, err
	}
	for _, idx := range withAtt {
		out[idx].Outcome.Attachments = atts[out[idx].Seq]
	}
	return out, nil
}

// attachmentMeta reads name, type and size of the given requests'
// attachments.
func (s *Store) attachmentMeta(ctx context.Context, seqs []any) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), 500)]
		seqs = seqs[len(chunk):]
		rows, err := s.rdb.QueryContext(ctx, `SELECT request_seq, name, mime, size FROM attachments
			WHERE request_seq IN (`+placeholders(len(chunk))+`) ORDER BY request_seq, pos`, chunk...)
		if err != nil {
			return nil, s.readErr(err)
		}
		for rows.Next() {
			var seq int64
			var a Attachment
			if err := rows.Scan(&seq, &a.Name, &a.MIME, &a.Size); err != nil {
				_ = rows.Close()
				return nil, s.readErr(err)
			}
			out[seq] = append(out[seq], a)
		}
		if err := rows.Close(); err != nil {
			return nil, s.readErr(err)
		}
		if err := rows.Err(); err != nil {
			return nil, s.readErr(err)
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// readErr maps errors of a closed store to ErrClosed, and reports a
// damaged file found while reading.
func (s *Store) readErr(err error) error {
	if s.q.isClosed() && (errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "database is closed")) {
		return ErrClosed
	}
	if isCorrupt(err) && s.storage == onDisk {
		s.writeFailed(err, 0)
	}
	return err
}

func (s *Store) checkOpen() error {
	if s.q.isClosed() {
		return ErrClosed
	}
	return nil
}

// Recent returns up to limit (at most MaxPageSize) finished requests across
// all servers, newest first, with previews of long texts: what the
// timeline shows at start-up, before any server connects.
func (s *Store) Recent(ctx context.Context, limit int) ([]Entry, error) {
	p, err := s.Search(ctx, Query{States: finishedStates(), Limit: limit})
	return p.Entries, err
}

func finishedStates() []State {
	return []State{StateAnswered, StateAnsweredElsewhere, StateCancelled, StateGone, StateUndeliverable}
}

// filter builds the conditions of a query other than its text and cursor.
func (q Query) filter() ([]string, []any, error) {
	var conds []string
	var args []any
	if len(q.Servers) > MaxFilterValues || len(q.States) > MaxFilterValues {
		return nil, nil, fmt.Errorf("history: a search may name at most %d servers and states", MaxFilterValues)
	}
	switch len(q.Servers) {
	case 0:
	case 1:
		// The server index yields one server's rows newest first.
		conds = append(conds, "r.server = ?")
		args = append(args, q.Servers[0])
	default:
		// The unary + keeps SQLite from reading each server's rows from
		// the index and sorting them all; walking newest first and
		// stopping at the page size is faster.
		conds = append(conds, "+r.server IN ("+placeholders(len(q.Servers))+")")
		for _, v := range q.Servers {
			args = append(args, v)
		}
	}
	if len(q.Agent) > MaxLabelBytes || len(q.Project) > MaxProjectBytes {
		return nil, nil, errors.New("history: the agent or project to search for is too long")
	}
	if q.Agent != "" {
		conds = append(conds, "r.agent = ?")
		args = append(args, q.Agent)
	}
	if q.Project != "" {
		conds = append(conds, "r.project = ?")
		args = append(args, q.Project)
	}
	if len(q.States) > 0 {
		for _, st := range q.States {
			if !st.valid() {
				return nil, nil, fmt.Errorf("history: unknown request state %d in a search", int(st))
			}
			args = append(args, int(st))
		}
		conds = append(conds, "r.state IN ("+placeholders(len(q.States))+")")
	}
	return conds, args, nil
}

func and(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}

// Search windows: a search with words and filters reads the words'
// matches newest first, searchWindow at a time, and keeps those that pass
// the filters. After searchWindows windows it returns what it found, even
// less than a page, with Next set: the first page never takes long, however
// rare the filters make the matches.
// (Variables so tests can cross windows cheaply.)
var (
	searchWindow  = 1000
	searchWindows = 3
)

// Search returns one page of stored requests matching q, newest first,
// with previews of long texts ([Store.Get] has the full record). Ask for
// the next page with Before set to the page's Next, until Next is 0. A
// page may hold fewer than Limit entries while Next is not 0 (see
// searchWindows): keep going as the user scrolls.
func (s *Store) Search(ctx context.Context, q Query) (Page, error) {
	if err := s.checkOpen(); err != nil {
		return Page{}, err
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	if q.Before < 0 {
		return Page{}, fmt.Errorf("history: page cursor %d is out of range", q.Before)
	}
	conds, args, err := q.filter()
	if err != nil {
		return Page{}, err
	}
	match := matchExpr(q.Text)
	var entries []Entry
	switch {
	case match == "":
		if q.Before > 0 {
			conds = append(conds, "r.seq < ?")
			args = append(args, q.Before)
		}
		where := ""
		if len(conds) > 0 {
			where = " WHERE " + strings.Join(conds, " AND ")
		}
		entries, err = s.readEntries(ctx, "SELECT "+listCols+" FROM requests r"+where+
			" ORDER BY r.seq DESC LIMIT ?", append(args, limit+1)...)
	case len(conds) == 0:
		// Every match is a result: walk the index newest first. CROSS
		// JOIN keeps the full-text table outermost.
		cursor, cargs := "", []any{match}
		if q.Before > 0 {
			cursor = " AND requests_fts.rowid < ?"
			cargs = append(cargs, q.Before)
		}
		entries, err = s.readEntries(ctx, "SELECT "+listCols+` FROM requests_fts CROSS JOIN requests r
			ON r.seq = requests_fts.rowid WHERE requests_fts MATCH ?`+cursor+`
			ORDER BY requests_fts.rowid DESC LIMIT ?`, append(cargs, limit+1)...)
	default:
		return s.searchWindows(ctx, match, conds, args, q.Before, limit)
	}
	if err != nil {
		return Page{}, err
	}
	return pageOf(entries, limit), nil
}

// pageOf trims entries read with limit+1 to a page.
func pageOf(entries []Entry, limit int) Page {
	var p Page
	if len(entries) > limit {
		entries = entries[:limit]
		p.Next = entries[limit-1].Seq
	}
	p.Entries = entries
	return p
}

// searchWindows pages through a search with words and filters (see
// searchWindow). Each window is joined to the rows as it streams, so when
// the filters are common the page fills long before the window ends.
func (s *Store) searchWindows(ctx context.Context, match string, conds []string, args []any, before int64, limit int) (Page, error) {
	var found []Entry
	for range searchWindows {
		window, wargs := matchWindow(match, before)
		es, err := s.readEntries(ctx, "SELECT "+listCols+" FROM ("+window+`) m
			CROSS JOIN requests r ON r.seq = m.s WHERE 1`+and(conds)+`
			ORDER BY m.s DESC LIMIT ?`, append(append(wargs, args...), limit+1-len(found))...)
		if err != nil {
			return Page{}, err
		}
		found = append(found, es...)
		if len(found) > limit {
			return pageOf(found, limit), nil
		}
		// The window ran out before the page filled: find where it ended.
		var last sql.NullInt64
		var n int
		if err := s.rdb.QueryRowContext(ctx, "SELECT min(s), count(*) FROM ("+window+")", wargs...).Scan(&last, &n); err != nil {
			return Page{}, s.readErr(err)
		}
		if n < searchWindow {
			return Page{Entries: found}, nil
		}
		before = last.Int64
	}
	// Not a full page yet, but enough work for one call: the caller asks
	// again from where this stopped.
	return Page{Entries: found, Next: before}, nil
}

// matchWindow returns the query of the next searchWindow row numbers (as
// column s) matching the words, newest first, below before (0: from the
// newest), and its arguments.
func matchWindow(match string, before int64) (string, []any) {
	query := "SELECT rowid AS s FROM requests_fts WHERE requests_fts MATCH ?"
	args := []any{match}
	if before > 0 {
		query += " AND rowid < ?"
		args = append(args, before)
	}
	return query + " ORDER BY rowid DESC LIMIT " + strconv.Itoa(searchWindow), args
}

// Count returns how many stored requests match q (Before and Limit are
// ignored). It may take longer than a page on a large history (it reads
// every match): run it beside the first page, not before it.
func (s *Store) Count(ctx context.Context, q Query) (int, error) {
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	conds, args, err := q.filter()
	if err != nil {
		return 0, err
	}
	query := "SELECT count(*) FROM requests r"
	if match := matchExpr(q.Text); match != "" {
		query = "SELECT count(*) FROM requests_fts CROSS JOIN requests r ON r.seq = requests_fts.rowid WHERE requests_fts MATCH ?" + and(conds)
		args = append([]any{match}, args...)
	} else if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, s.readErr(err)
	}
	return n, nil
}

// Get returns the full record of the newest request with key k (the full
// texts, never previews), or ErrNotFound.
func (s *Store) Get(ctx context.Context, k Key) (Entry, error) {
	return s.getOne(ctx, "SELECT "+fullCols+` FROM requests r WHERE r.server = ? AND r.request_id = ?
		ORDER BY r.seq DESC LIMIT 1`, k.Server, k.ID)
}

// GetSeq returns the full record of the row seq, which must belong to
// server, or ErrNotFound.
func (s *Store) GetSeq(ctx context.Context, server string, seq int64) (Entry, error) {
	return s.getOne(ctx, "SELECT "+fullCols+" FROM requests r WHERE r.seq = ? AND r.server = ?", seq, server)
}

func (s *Store) getOne(ctx context.Context, query string, args ...any) (Entry, error) {
	if err := s.checkOpen(); err != nil {
		return Entry{}, err
	}
	es, err := s.readEntries(ctx, query, args...)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, ErrNotFound
	}
	return es[0], nil
}

// Attachments returns the attachments of row seq of server, with their
// content when it was stored.
func (s *Store) Attachments(ctx context.Context, server string, seq int64) ([]Attachment, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT a.name, a.mime, a.size, a.data FROM attachments a
		JOIN requests r ON r.seq = a.request_seq WHERE a.request_seq = ? AND r.server = ? ORDER BY a.pos`, seq, server)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.Name, &a.MIME, &a.Size, &a.Data); err != nil {
			return nil, s.readErr(err)
		}
		out = append(out, a)
	}
	return out, s.readErrOrNil(rows.Err())
}

func (s *Store) readErrOrNil(err error) error {
	if err == nil {
		return nil
	}
	return s.readErr(err)
}

// Chat returns the newest limit lines (at most 10,000) of the
// conversation with peer on server, oldest first.
func (s *Store) Chat(ctx context.Context, server, peer string, limit int) ([]ChatLine, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 10_000 {
		limit = 10_000
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT seq, server, peer, client_id, sender, at_ms, text FROM chat_lines
		WHERE server = ? AND peer = ? ORDER BY seq DESC LIMIT ?`, server, peer, limit)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []ChatLine
	for rows.Next() {
		l, err := scanChat(rows)
		if err != nil {
			return nil, s.readErr(err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(err)
	}
	slices.Reverse(out)
	return out, nil
}

func scanChat(sc scanner) (ChatLine, error) {
	var l ChatLine
	var from int
	var at int64
	err := sc.Scan(&l.Seq, &l.Server, &l.Peer, &l.ClientID, &from, &at, &l.Text)
	l.From, l.At = Sender(from), fromMillis(at)
	return l, err
}

// Facets are the values a search can be filtered by.
type Facets struct {
	Agents   []string
	Projects []string
}

// maxFacets bounds each facet list.
const maxFacets = 500

// Facets returns the agents and projects stored for the given servers
// (all when none are given), sorted, at most 500 of each.
func (s *Store) Facets(ctx context.Context, servers ...string) (Facets, error) {
	if err := s.checkOpen(); err != nil {
		return Facets{}, err
	}
	if len(servers) > MaxFilterValues {
		return Facets{}, fmt.Errorf("history: at most %d servers at once", MaxFilterValues)
	}
	var f Facets
	for _, col := range []struct {
		name string
		dst  *[]string
	}{{"agent", &f.Agents}, {"project", &f.Projects}} {
		query := "SELECT DISTINCT " + col.name + " FROM requests WHERE " + col.name + " != ''"
		args := make([]any, 0, len(servers)+1)
		if len(servers) > 0 {
			query += " AND server IN (" + placeholders(len(servers)) + ")"
			for _, v := range servers {
				args = append(args, v)
			}
		}
		query += " ORDER BY 1 LIMIT ?"
		args = append(args, maxFacets)
		rows, err := s.rdb.QueryContext(ctx, query, args...)
		if err != nil {
			return Facets{}, s.readErr(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				_ = rows.Close()
				return Facets{}, s.readErr(err)
			}
			*col.dst = append(*col.dst, v)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return Facets{}, s.readErr(err)
		}
	}
	return f, nil
}
