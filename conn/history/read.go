package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotFound is returned when a requested record is not stored.
var ErrNotFound = errors.New("not in the history")

// maxOffset bounds Query.Offset: deeper pages are reached with Before.
const maxOffset = 10_000_000

// Columns of an entry. A list reads the short previews (the long texts are
// the last columns and stay on their overflow pages); a record reads all.
const (
	entryMeta = `r.seq, r.server, r.request_id, r.server_label, r.kind, r.state, r.created_ms, r.changed_ms,
		r.timeout_ms, r.agent, r.model, r.mcp_client, r.project, r.answered_by, r.reason, r.attachments`
	listCols = entryMeta + `, coalesce(r.text_preview, r.text), r.text_preview IS NOT NULL,
		coalesce(r.reply_preview, r.reply), r.reply_preview IS NOT NULL`
	fullCols = entryMeta + `, r.text, 0, r.reply, 0`
)

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanEntry reads one entry and its attachment count.
func scanEntry(sc scanner) (Entry, int, error) {
	var e Entry
	var kind, state, nAtt int
	var created, changed, timeout int64
	var textCut, replyCut bool
	err := sc.Scan(&e.Seq, &e.Request.Server, &e.Request.ID, &e.Request.ServerLabel, &kind, &state,
		&created, &changed, &timeout, &e.Request.Agent, &e.Request.Model, &e.Request.MCPClient,
		&e.Request.Project, &e.Outcome.By, &e.Outcome.Reason, &nAtt,
		&e.Request.Text, &textCut, &e.Outcome.Text, &replyCut)
	if err != nil {
		return e, 0, err
	}
	e.Request.Kind = Kind(kind)
	e.Outcome.State = State(state)
	e.Request.Created = fromMillis(created)
	e.Outcome.At = fromMillis(changed)
	e.Request.Timeout = msDuration(timeout)
	e.Preview = textCut || replyCut
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

// Recent returns up to limit finished requests across all servers, newest
// first, with previews of long texts: what the timeline shows at start-up.
func (s *Store) Recent(ctx context.Context, limit int) ([]Entry, error) {
	p, err := s.Search(ctx, Query{States: finishedStates(), Limit: limit})
	return p.Entries, err
}

func finishedStates() []State {
	return []State{StateAnswered, StateAnsweredElsewhere, StateCancelled, StateGone, StateUndeliverable}
}

// where builds the filter of a query; fts says the FTS table is joined.
func (q Query) where(fts bool) (string, []any, error) {
	var conds []string
	var args []any
	if len(q.Servers) > MaxFilterValues || len(q.States) > MaxFilterValues {
		return "", nil, fmt.Errorf("history: a search may name at most %d servers and states", MaxFilterValues)
	}
	if len(q.Servers) > 0 {
		// The unary + keeps SQLite from reading the server index and then
		// sorting every row of those servers; walking newest first and
		// stopping at the page size is faster.
		conds = append(conds, "+r.server IN ("+placeholders(len(q.Servers))+")")
		for _, v := range q.Servers {
			args = append(args, v)
		}
	}
	if len(q.Agent) > MaxLabelBytes || len(q.Project) > MaxProjectBytes {
		return "", nil, errors.New("history: the agent or project to search for is too long")
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
				return "", nil, fmt.Errorf("history: unknown request state %d in a search", int(st))
			}
			args = append(args, int(st))
		}
		conds = append(conds, "r.state IN ("+placeholders(len(q.States))+")")
	}
	if q.Before > 0 {
		if fts {
			conds = append(conds, "requests_fts.rowid < ?")
		} else {
			conds = append(conds, "r.seq < ?")
		}
		args = append(args, q.Before)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return strings.Join(conds, " AND "), args, nil
}

// from returns the FROM clause, the WHERE clause and the arguments.
func (q Query) from() (from, where string, args []any, err error) {
	match := matchExpr(q.Text)
	cond, args, err := q.where(match != "")
	if err != nil {
		return "", "", nil, err
	}
	if match == "" {
		if cond != "" {
			cond = " WHERE " + cond
		}
		return " FROM requests r", cond, args, nil
	}
	where = " WHERE requests_fts MATCH ?"
	if cond != "" {
		where += " AND " + cond
	}
	// CROSS JOIN keeps the FTS table outermost, so it yields matches
	// newest first and the page stops early.
	return " FROM requests_fts CROSS JOIN requests r ON r.seq = requests_fts.rowid", where, append([]any{match}, args...), nil
}

// Search returns one page of stored requests matching q, newest first,
// with previews of long texts ([Store.Get] has the full record).
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
	if q.Offset < 0 || q.Offset > maxOffset {
		return Page{}, fmt.Errorf("history: page offset %d is out of range", q.Offset)
	}
	from, where, args, err := q.from()
	if err != nil {
		return Page{}, err
	}
	order := " ORDER BY r.seq DESC"
	if strings.Contains(from, "requests_fts") {
		order = " ORDER BY requests_fts.rowid DESC"
	}
	args = append(args, limit+1, q.Offset)
	entries, err := s.readEntries(ctx, "SELECT "+listCols+from+where+order+" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(entries) > limit {
		entries = entries[:limit]
		p.Next = entries[limit-1].Seq
	}
	p.Entries = entries
	return p, nil
}

// Count returns how many stored requests match q (Before, Offset and
// Limit are ignored). It may take longer than a page on a large history:
// call it beside the first page, not before it.
func (s *Store) Count(ctx context.Context, q Query) (int, error) {
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	q.Before, q.Offset = 0, 0
	from, where, args, err := q.from()
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, "SELECT count(*)"+from+where, args...).Scan(&n); err != nil {
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

// Conversations lists the stored chats of the given servers (all when
// none are given), most recently active first.
func (s *Store) Conversations(ctx context.Context, servers ...string) ([]Conversation, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if len(servers) > MaxFilterValues {
		return nil, fmt.Errorf("history: at most %d servers at once", MaxFilterValues)
	}
	filter := ""
	args := make([]any, len(servers))
	for i, v := range servers {
		args[i] = v
	}
	if len(servers) > 0 {
		filter = " WHERE server IN (" + placeholders(len(servers)) + ")"
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT c.server, c.peer, c.n, l.client_id, l.at_ms
		FROM (SELECT server, peer, count(*) AS n, max(seq) AS last FROM chat_lines`+filter+` GROUP BY server, peer) c
		JOIN chat_lines l ON l.seq = c.last ORDER BY l.seq DESC`, args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		var c Conversation
		var at int64
		if err := rows.Scan(&c.Server, &c.Peer, &c.Lines, &c.ClientID, &at); err != nil {
			return nil, s.readErr(err)
		}
		c.LastAt = fromMillis(at)
		out = append(out, c)
	}
	return out, s.readErrOrNil(rows.Err())
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
