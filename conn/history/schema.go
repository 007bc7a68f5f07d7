package history

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1 (PRAGMA user_version).
// Append only: a released migration is never edited, so a file written by
// any older agentdesk can be brought up to date.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	migrateV1,
}

// schemaVersion is the database schema this build writes (a variable so
// tests can add a migration).
var schemaVersion = len(migrations)

// migrateV1 creates the first schema.
//
// The long texts come last in the requests row, so reading metadata does
// not walk the overflow pages of a 1 MB question.
func migrateV1(ctx context.Context, tx *sql.Tx) error {
	stmts := []string{
		`CREATE TABLE requests (
			seq          INTEGER PRIMARY KEY,
			server       TEXT    NOT NULL,
			request_id   TEXT    NOT NULL,
			kind         INTEGER NOT NULL,
			state        INTEGER NOT NULL DEFAULT 0,
			created_ms   INTEGER NOT NULL,
			changed_ms   INTEGER NOT NULL,
			timeout_ms   INTEGER NOT NULL DEFAULT 0,
			server_label TEXT    NOT NULL DEFAULT '',
			agent        TEXT    NOT NULL DEFAULT '',
			model        TEXT    NOT NULL DEFAULT '',
			mcp_client   TEXT    NOT NULL DEFAULT '',
			project      TEXT    NOT NULL DEFAULT '',
			answered_by  TEXT    NOT NULL DEFAULT '',
			reason       TEXT    NOT NULL DEFAULT '',
			attachments  INTEGER NOT NULL DEFAULT 0,
			req_bytes    INTEGER NOT NULL DEFAULT 0,
			reply_bytes  INTEGER NOT NULL DEFAULT 0,
			text_len     INTEGER NOT NULL DEFAULT 0,
			reply_len    INTEGER NOT NULL DEFAULT 0,
			text         TEXT    NOT NULL,
			reply        TEXT    NOT NULL DEFAULT ''
		)`,
		// Every index ends in seq implicitly (the rowid), which is the
		// order lists are read in. requests_by_server also covers what
		// filters and Stats read, so neither visits the wide rows.
		`CREATE INDEX requests_by_key     ON requests(server, request_id)`,
		`CREATE INDEX requests_by_server  ON requests(server, seq, state, created_ms, req_bytes, reply_bytes)`,
		`CREATE INDEX requests_by_agent   ON requests(agent)`,
		`CREATE INDEX requests_by_project ON requests(project)`,
		`CREATE INDEX requests_by_created ON requests(created_ms)`,
		`CREATE INDEX requests_pending    ON requests(server) WHERE state = 0`,
		// Only what was said is searchable; external content, so the
		// texts are stored once. Letters, numbers, marks and symbols make
		// words: the default would drop emoji older than Unicode 7 (🚀)
		// and keep newer ones (🙂). The index of 4-character prefixes
		// answers the word being typed ("depl…") without merging every
		// word it starts (9 ms → 1 ms on 100k requests, for 12% more file).
		`CREATE VIRTUAL TABLE requests_fts USING fts5(
			text, reply,
			content='requests', content_rowid='seq', prefix='4',
			tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M* So'"
		)`,
		// The writer indexes new and changed texts itself (txWriter.index):
		// a trigger would make every insert a multi-table statement, and
		// FTS5 flushes its buffer to disk at each such statement, which
		// made a burst of requests three times slower. Deletes run one
		// statement per chunk of rows, so a trigger costs nothing there.
		`CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
			INSERT INTO requests_fts(requests_fts, rowid, text, reply) VALUES ('delete', old.seq, old.text, old.reply);
			DELETE FROM attachments WHERE request_seq = old.seq;
		END`,
		`CREATE TABLE attachments (
			request_seq INTEGER NOT NULL,
			pos         INTEGER NOT NULL,
			name        TEXT    NOT NULL,
			mime        TEXT    NOT NULL,
			size        INTEGER NOT NULL,
			data        BLOB,
			PRIMARY KEY (request_seq, pos)
		) WITHOUT ROWID`,
		`CREATE TABLE chat_lines (
			seq       INTEGER PRIMARY KEY,
			server    TEXT    NOT NULL,
			peer      TEXT    NOT NULL,
			client_id TEXT    NOT NULL DEFAULT '',
			sender    INTEGER NOT NULL,
			at_ms     INTEGER NOT NULL,
			text      TEXT    NOT NULL
		)`,
		`CREATE INDEX chat_by_conversation ON chat_lines(server, peer, seq)`,
		// The latest label of every server seen, for stats and exports of
		// servers that were deleted meanwhile.
		`CREATE TABLE servers (
			server TEXT PRIMARY KEY,
			label  TEXT NOT NULL
		) WITHOUT ROWID`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema v1: %w", err)
		}
	}
	return nil
}

// migrate brings the database from version have up to schemaVersion, one
// transaction per step, so an interrupted upgrade resumes where it stopped.
func migrate(ctx context.Context, db *sql.DB, have int) error {
	for v := have; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := migrations[v](ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		// PRAGMA takes no parameters; v is our own integer.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
