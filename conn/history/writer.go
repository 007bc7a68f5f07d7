package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// Batching: the writer stores whatever is queued in one transaction, up to
// batchMax changes. When it wakes for a lone change it lingers a moment so
// that a burst lands in few transactions.
const (
	batchMax = 1000
	linger   = 2 * time.Millisecond
)

// Queue bounds: past these, changes are dropped with a warning rather than
// letting memory grow without end while the disk stalls. (Variables so a
// test can reach them.)
var (
	maxQueuedOps   = 200_000
	maxQueuedBytes = 256 << 20
)

// errQueueFull is the cause reported when the queue overflowed.
var errQueueFull = errors.New("changes arrive faster than the disk can store them")

type opKind int

const (
	opRequest opKind = iota + 1
	opOutcome
	opChat
	opReconcile
	opLabel
	opFunc  // runs fn in the writer's transaction
	opFlush // only signals done once everything before it is committed
)

// op is one queued change.
type op struct {
	kind    opKind
	req     Request
	key     Key
	out     Outcome
	chat    ChatLine
	label   string
	pending map[string]bool
	// fn returns how many rows it changed; vacuum asks for free pages to
	// be returned to the file system after the commit.
	fn     func(ctx context.Context, w *txWriter) (int, error)
	vacuum bool
	// done receives the commit's result (opFunc, opFlush); n receives fn's
	// count first.
	done chan error
	n    *int
	size int
}

// queue is the unbounded-but-capped list of changes for the writer.
type queue struct {
	mu      sync.Mutex
	ops     []op
	bytes   int
	closed  bool
	wake    chan struct{}
	dropped int64 // dropped for overflow, not yet reported
}

func (q *queue) init() { q.wake = make(chan struct{}, 1) }

// push queues o. Data changes are dropped (and counted) when the queue is
// full; changes someone waits for never are.
func (q *queue) push(o op) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if o.done == nil && (len(q.ops) >= maxQueuedOps || q.bytes+o.size > maxQueuedBytes) {
		q.dropped++
		q.mu.Unlock()
		q.signal()
		return nil
	}
	q.ops = append(q.ops, o)
	q.bytes += o.size
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close stops new changes; the writer drains what is queued.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// wait blocks until there is work; it returns false once the queue is
// closed and empty.
func (q *queue) wait() bool {
	for {
		q.mu.Lock()
		n, closed, dropped := len(q.ops), q.closed, q.dropped
		q.mu.Unlock()
		if n > 0 || dropped > 0 {
			return true
		}
		if closed {
			return false
		}
		<-q.wake
	}
}

// ready reports whether a batch should be taken at once: it is full, the
// queue is closing, or someone waits for it.
func (q *queue) ready() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ops) >= batchMax || q.closed {
		return true
	}
	for _, o := range q.ops {
		if o.done != nil {
			return true
		}
	}
	return false
}

// take removes up to max changes, and the overflow count.
func (q *queue) take(max int) ([]op, int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(max, len(q.ops))
	batch := make([]op, n)
	copy(batch, q.ops[:n])
	clear(q.ops[:n])
	q.ops = q.ops[n:]
	if len(q.ops) == 0 {
		q.ops = nil // let a burst's backing array go
	}
	for _, o := range batch {
		q.bytes -= o.size
	}
	dropped := q.dropped
	q.dropped = 0
	return batch, dropped
}

// enqueue queues a change, or reports the store closed.
func (s *Store) enqueue(o op) error { return s.q.push(o) }

// run queues fn and waits for its transaction to commit.
func (s *Store) run(ctx context.Context, vacuum bool, fn func(ctx context.Context, w *txWriter) (int, error)) (int, error) {
	var n int
	done := make(chan error, 1)
	if err := s.enqueue(op{kind: opFunc, fn: fn, vacuum: vacuum, done: done, n: &n}); err != nil {
		return 0, err
	}
	select {
	case err := <-done:
		return n, err
	case <-ctx.Done():
		// It still runs; only the wait is given up.
		return 0, ctx.Err()
	}
}

// Flush waits until every change recorded before it is stored (or dropped
// with a warning), and returns the error of the transaction that stored
// the last of them.
func (s *Store) Flush(ctx context.Context) error {
	done := make(chan error, 1)
	if err := s.enqueue(op{kind: opFlush, done: done}); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the only goroutine that writes to the database.
func (s *Store) writer() {
	defer close(s.stopped)
	labels := map[string]string{} // last label stored per server
	for s.q.wait() {
		if !s.q.ready() {
			time.Sleep(linger)
		}
		batch, overflow := s.q.take(batchMax)
		if overflow > 0 {
			s.setProblem(&WriteError{Path: s.path, Err: errQueueFull}, overflow)
		}
		if len(batch) > 0 {
			s.apply(batch, labels)
		}
	}
}

// dataOps counts the changes in a batch that carry data (lost if the batch
// is dropped).
func dataOps(batch []op) int64 {
	var n int64
	for _, o := range batch {
		if o.kind != opFlush && o.kind != opFunc {
			n++
		}
	}
	return n
}

// apply stores a batch in one transaction. When that fails for a reason
// other than the disk, each change is retried alone so one bad change
// cannot sink the others.
func (s *Store) apply(batch []op, labels map[string]string) {
	if s.wdb == nil {
		st := s.Status()
		s.setProblem(st.Problem, dataOps(batch))
		finish(batch, st.Problem)
		return
	}
	err := s.commit(batch, labels)
	if err == nil {
		s.setProblem(nil, 0)
		finish(batch, nil)
		s.afterCommit(batch)
		return
	}
	if diskTrouble(err) || len(batch) == 1 {
		s.writeFailed(err, dataOps(batch))
		finish(batch, err)
		return
	}
	// Something in the batch, not the disk: find it by storing each
	// change alone, and stop as soon as the disk is the trouble after all.
	var lost int64
	var firstErr error
	for i, o := range batch {
		one := []op{o}
		err := s.commit(one, labels)
		if err == nil {
			finish(one, nil)
			s.afterCommit(one)
			continue
		}
		if firstErr == nil {
			firstErr = err
		}
		if diskTrouble(err) {
			lost += dataOps(batch[i:])
			finish(batch[i:], err)
			break
		}
		lost += dataOps(one)
		finish(one, err)
	}
	if lost == 0 {
		s.setProblem(nil, 0) // only a waiting call failed, and it was told
		return
	}
	s.writeFailed(firstErr, lost)
}

// writeFailed reports a write lost to the disk or a damaged file.
func (s *Store) writeFailed(err error, lost int64) {
	damaged := isCorrupt(err)
	if damaged && s.path != "" && s.storage == onDisk {
		// The next start moves the file aside before using it.
		_ = os.WriteFile(s.path+damagedSuffix, []byte(err.Error()), 0o600)
	}
	s.log.Warn("history: changes not saved", "err", err, "lost", lost)
	s.setProblem(&WriteError{Path: s.path, Err: err, Damaged: damaged}, lost)
}

// diskTrouble reports whether err comes from the file or the disk, not
// from one change.
func diskTrouble(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
		sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM:
		return true
	}
	return false
}

func finish(batch []op, err error) {
	for _, o := range batch {
		if o.done != nil {
			o.done <- err
		}
	}
}

// afterCommit gives deleted pages back to the file system when a change
// asked for it.
func (s *Store) afterCommit(batch []op) {
	for _, o := range batch {
		if o.vacuum {
			if err := s.vacuum(); err != nil {
				s.log.Warn("history: cannot shrink the file", "err", err)
			}
			return
		}
	}
}

// vacuum frees every page on the free list. The pragma frees pages step
// by step, so it runs as a query read to the end: Exec stops after the
// first step and leaves most of the list.
func (s *Store) vacuum() error {
	rows, err := s.wdb.Query("PRAGMA incremental_vacuum")
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// commit runs a batch in one transaction.
func (s *Store) commit(batch []op, labels map[string]string) (err error) {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	w := &txWriter{tx: tx, stmts: map[string]*sql.Stmt{}, now: s.now, fts: map[int64]*ftsChange{}}
	defer func() {
		w.closeStmts()
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// Labels are only cached once the transaction commits.
	pendingLabels := map[string]string{}
	stored := func(server string) string {
		if l, ok := pendingLabels[server]; ok {
			return l
		}
		return labels[server]
	}
	for i := range batch {
		o := &batch[i]
		switch o.kind {
		case opRequest:
			err = w.request(ctx, o.req)
			if err == nil && o.req.ServerLabel != "" && stored(o.req.Server) != o.req.ServerLabel {
				err = w.label(ctx, o.req.Server, o.req.ServerLabel)
				pendingLabels[o.req.Server] = o.req.ServerLabel
			}
		case opOutcome:
			err = w.outcome(ctx, o.key, o.out)
		case opChat:
			err = w.chatLine(ctx, o.chat)
		case opReconcile:
			err = w.reconcile(ctx, o.key.Server, o.pending)
		case opLabel:
			if stored(o.key.Server) != o.label {
				err = w.label(ctx, o.key.Server, o.label)
				pendingLabels[o.key.Server] = o.label
			}
		case opFunc:
			// Deletes unindex rows through a trigger, from the texts in
			// the table: the index must hold those first.
			if err = w.flushIndex(ctx); err != nil {
				return err
			}
			var n int
			n, err = o.fn(ctx, w)
			*o.n = n
			if w.forgetLabels != "" {
				delete(labels, w.forgetLabels)
				delete(pendingLabels, w.forgetLabels)
				w.forgetLabels = ""
			}
		case opFlush:
		}
		if err != nil {
			return err
		}
	}
	if err = w.flushIndex(ctx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return err
	}
	for k, v := range pendingLabels {
		labels[k] = v
	}
	return nil
}

// txWriter applies changes inside one transaction, preparing each
// statement once per transaction.
type txWriter struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	now   func() time.Time
	// forgetLabels names a server whose cached label must be dropped
	// (its rows were deleted).
	forgetLabels string
	// fts holds the index changes not yet made (see flushIndex).
	fts map[int64]*ftsChange
}

func (w *txWriter) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := w.stmts[query]; st != nil {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

func (w *txWriter) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *txWriter) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (w *txWriter) closeStmts() {
	for _, st := range w.stmts {
		_ = st.Close()
	}
}

// latest finds the newest row of a request key.
func (w *txWriter) latest(ctx context.Context, k Key) (seq int64, state State, created int64, found bool, err error) {
	row, err := w.queryRow(ctx, `SELECT seq, state, created_ms FROM requests
		WHERE server = ? AND request_id = ? ORDER BY seq DESC LIMIT 1`, k.Server, k.ID)
	if err != nil {
		return 0, 0, 0, false, err
	}
	switch err := row.Scan(&seq, &state, &created); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, 0, false, nil
	case err != nil:
		return 0, 0, 0, false, err
	}
	return seq, state, created, true, nil
}

func requestBytes(r Request) int64 {
	return int64(len(r.Server) + len(r.ID) + len(r.ServerLabel) + len(r.Agent) + len(r.Model) +
		len(r.MCPClient) + len(r.Project) + len(r.Text))
}

// request stores a request. The newest row with its key is the same
// request when it is still pending, or when it was created at the same
// moment (the server listed it again); otherwise the id was reused and
// a new row begins.
func (w *txWriter) request(ctx context.Context, r Request) error {
	seq, state, created, found, err := w.latest(ctx, r.Key())
	if err != nil {
		return err
	}
	if !found || (state.Finished() && created != millis(r.Created)) {
		now := millis(w.now())
		res, err := w.exec(ctx, `INSERT INTO requests (server, request_id, kind, state, created_ms, changed_ms,
			timeout_ms, server_label, agent, model, mcp_client, project, req_bytes, text_len, text)
			VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Server, r.ID, int(r.Kind), millis(r.Created), now, r.Timeout.Milliseconds(), r.ServerLabel,
			r.Agent, r.Model, r.MCPClient, r.Project, requestBytes(r), len(r.Text), r.Text)
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		w.fts[seq] = &ftsChange{text: r.Text}
		return nil
	}
	if _, err = w.exec(ctx, `UPDATE requests SET kind = ?, timeout_ms = ?,
		server_label = coalesce(nullif(?, ''), server_label), agent = ?, model = ?, mcp_client = ?, project = ?,
		req_bytes = ? WHERE seq = ?`,
		int(r.Kind), r.Timeout.Milliseconds(), r.ServerLabel, r.Agent, r.Model, r.MCPClient, r.Project,
		requestBytes(r), seq); err != nil {
		return err
	}
	// Only a changed text is re-indexed.
	c, err := w.touch(ctx, seq)
	if err != nil || c.text == r.Text {
		return err
	}
	if _, err = w.exec(ctx, `UPDATE requests SET text = ?, text_len = ? WHERE seq = ?`, r.Text, len(r.Text), seq); err != nil {
		return err
	}
	c.text = r.Text
	return nil
}

// ftsChange is a row whose texts changed in this transaction: what the
// full-text index holds for it (if anything), and what it must hold.
type ftsChange struct {
	indexed           bool
	oldText, oldReply string
	text, reply       string
}

// touch returns the pending index change of an existing row, reading what
// the index holds for it (the row's texts before this transaction) the
// first time. Call it before changing the row's texts.
func (w *txWriter) touch(ctx context.Context, seq int64) (*ftsChange, error) {
	if c := w.fts[seq]; c != nil {
		return c, nil
	}
	row, err := w.queryRow(ctx, `SELECT text, reply FROM requests WHERE seq = ?`, seq)
	if err != nil {
		return nil, err
	}
	c := &ftsChange{indexed: true}
	if err := row.Scan(&c.oldText, &c.oldReply); err != nil {
		return nil, err
	}
	c.text, c.reply = c.oldText, c.oldReply
	w.fts[seq] = c
	return c, nil
}

// flushIndex brings the full-text index up to date with the rows changed
// so far, in ascending row order. FTS5 buffers index changes in memory only
// while row numbers ascend; one out of order (the outcome of an older
// request after a new one arrived) writes the buffer to disk, which on a
// busy batch cost more than everything else together.
func (w *txWriter) flushIndex(ctx context.Context) error {
	seqs := make([]int64, 0, len(w.fts))
	for seq := range w.fts {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		c := w.fts[seq]
		if c.indexed && c.text == c.oldText && c.reply == c.oldReply {
			continue
		}
		if c.indexed {
			// The index keeps no copy of the texts: it is told exactly
			// what it holds, to remove it.
			if _, err := w.exec(ctx, `INSERT INTO requests_fts (requests_fts, rowid, text, reply)
				VALUES ('delete', ?, ?, ?)`, seq, c.oldText, c.oldReply); err != nil {
				return err
			}
		}
		if _, err := w.exec(ctx, `INSERT INTO requests_fts (rowid, text, reply) VALUES (?, ?, ?)`,
			seq, c.text, c.reply); err != nil {
			return err
		}
	}
	clear(w.fts)
	return nil
}

// outcome stores what became of the newest request with the key. A
// request never recorded is ignored: there is nothing to attach it to.
// StateGone never replaces a known outcome: it only says "over, somehow".
func (w *txWriter) outcome(ctx context.Context, k Key, o Outcome) error {
	seq, state, _, found, err := w.latest(ctx, k)
	if err != nil || !found {
		return err
	}
	if o.State == StateGone && state.Finished() {
		return nil
	}
	var attBytes int64
	for _, a := range o.Attachments {
		attBytes += int64(len(a.Name) + len(a.MIME) + len(a.Data))
	}
	if _, err := w.exec(ctx, `UPDATE requests SET state = ?, changed_ms = ?, answered_by = ?, reason = ?,
		attachments = ?, reply_bytes = ? WHERE seq = ?`,
		int(o.State), millis(o.At), o.By, o.Reason, len(o.Attachments),
		int64(len(o.Text)+len(o.By)+len(o.Reason))+attBytes, seq); err != nil {
		return err
	}
	c, err := w.touch(ctx, seq)
	if err != nil {
		return err
	}
	if c.reply != o.Text {
		if _, err := w.exec(ctx, `UPDATE requests SET reply = ?, reply_len = ? WHERE seq = ?`, o.Text, len(o.Text), seq); err != nil {
			return err
		}
		c.reply = o.Text
	}
	if _, err := w.exec(ctx, `DELETE FROM attachments WHERE request_seq = ?`, seq); err != nil {
		return err
	}
	for i, a := range o.Attachments {
		if _, err := w.exec(ctx, `INSERT INTO attachments (request_seq, pos, name, mime, size, data)
			VALUES (?, ?, ?, ?, ?, ?)`, seq, i, a.Name, a.MIME, a.Size, a.Data); err != nil {
			return err
		}
	}
	return nil
}

func (w *txWriter) chatLine(ctx context.Context, l ChatLine) error {
	_, err := w.exec(ctx, `INSERT INTO chat_lines (server, peer, client_id, sender, at_ms, text)
		VALUES (?, ?, ?, ?, ?, ?)`, l.Server, l.Peer, l.ClientID, int(l.From), millis(l.At), l.Text)
	return err
}

func (w *txWriter) label(ctx context.Context, server, label string) error {
	_, err := w.exec(ctx, `INSERT INTO servers (server, label) VALUES (?, ?)
		ON CONFLICT (server) DO UPDATE SET label = excluded.label`, server, label)
	return err
}

// goneReason is stored for requests a server stopped listing.
const goneReason = "no longer pending on the server"

// reconcile marks the server's pending requests that it no longer lists
// as gone.
func (w *txWriter) reconcile(ctx context.Context, server string, pending map[string]bool) error {
	st, err := w.stmt(ctx, `SELECT seq, request_id FROM requests WHERE server = ? AND state = 0`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, server)
	if err != nil {
		return err
	}
	var gone []int64
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			_ = rows.Close()
			return err
		}
		if !pending[id] {
			gone = append(gone, seq)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	now := millis(w.now())
	for _, seq := range gone {
		if _, err := w.exec(ctx, `UPDATE requests SET state = ?, changed_ms = ?, reason = ? WHERE seq = ?`,
			int(StateGone), now, goneReason, seq); err != nil {
			return err
		}
	}
	return nil
}

// RecordRequest queues a request for storing: a new one, or the same one
// listed again after a reconnect (see the package doc for how ids reused
// by a server are told apart). It returns at once; the error is only for
// invalid input (an empty or oversized key, an unknown kind) or a closed
// store. Texts longer than the limits are cut, with a note in the text.
func (s *Store) RecordRequest(r Request) error {
	r, err := sanitizeRequest(r)
	if err != nil {
		return err
	}
	if r.Created.IsZero() {
		r.Created = s.now()
	}
	return s.enqueue(op{kind: opRequest, req: r, size: len(r.Text) + 256})
}

// RecordOutcome queues the outcome of the newest request with key k.
// Outcomes for requests never recorded are ignored when stored.
func (s *Store) RecordOutcome(k Key, o Outcome) error {
	if err := checkKey("server id", k.Server); err != nil {
		return err
	}
	if err := checkKey("request id", k.ID); err != nil {
		return err
	}
	o, err := sanitizeOutcome(o, s.keepBytes.Load())
	if err != nil {
		return err
	}
	if o.At.IsZero() {
		o.At = s.now()
	}
	size := len(o.Text) + len(o.Reason) + 256
	for _, a := range o.Attachments {
		size += len(a.Data) + 64
	}
	return s.enqueue(op{kind: opOutcome, key: k, out: o, size: size})
}

// RecordChat queues one chat line.
func (s *Store) RecordChat(l ChatLine) error {
	l, err := sanitizeChat(l)
	if err != nil {
		return err
	}
	if l.At.IsZero() {
		l.At = s.now()
	}
	return s.enqueue(op{kind: opChat, chat: l, size: len(l.Text) + 128})
}

// Reconcile queues the server's pending list after a (re)connect: every
// request of that server stored as pending and not in pendingIDs is marked
// gone. The server is the truth about what is pending.
func (s *Store) Reconcile(server string, pendingIDs []string) error {
	if err := checkKey("server id", server); err != nil {
		return err
	}
	set := make(map[string]bool, len(pendingIDs))
	for _, id := range pendingIDs {
		set[id] = true
	}
	return s.enqueue(op{kind: opReconcile, key: Key{Server: server}, pending: set, size: 64 * (len(set) + 1)})
}

// SetServerLabel queues the server's current label, shown for its
// history in stats and exports (also after the server is deleted).
func (s *Store) SetServerLabel(server, label string) error {
	if err := checkKey("server id", server); err != nil {
		return err
	}
	label = limitText(label, MaxLabelBytes)
	if label == "" {
		return fmt.Errorf("history: the label of server %q is empty", cutForMessage(server))
	}
	return s.enqueue(op{kind: opLabel, key: Key{Server: server}, label: label, size: len(label) + 64})
}
