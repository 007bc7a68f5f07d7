// Package history is agentdesk's memory between runs: every request an agent
// sent, what became of it, and the chat lines of every user@server
// conversation, kept in a SQLite database (history.db, mode 0600) in the
// directory the app gives it.
//
// Everything is keyed by server profile id: request ids are chosen by agents
// and two servers may reuse one, and a nickname on two servers is two people.
// No query for one server ever returns another server's rows.
//
// Writes never block the caller on disk: Record* validate their input and
// queue it; one writer goroutine stores the queue in batched transactions.
// [Store.Flush] and [Store.Close] wait for the queue to drain. Reads go to
// their own connections and may run concurrently with writes (WAL mode).
//
// A typical start (package feed maps conn events to these calls):
//
//	store, err := history.Open(dataDir, history.Options{Logger: log})
//	// err != nil still comes with a usable store: a damaged or newer file
//	// was moved aside (the message names it), or the history runs
//	// read-only or from memory. Show err once; store.Status() and
//	// store.OnStatus tell of later trouble (a full disk, say).
//	recent, err := store.Recent(ctx, 200) // finished requests, newest first
//	store.RecordRequest(history.Request{...}) // as requests arrive
//	store.RecordOutcome(history.Key{Server: id, ID: reqID}, history.Outcome{...})
//	page, err := store.Search(ctx, history.Query{Text: typed, Before: prev.Next})
//	defer store.Close()
//
// Requests are kept per (server, request id). A server may reuse an id
// once the earlier request is over: a request recorded again while the
// stored one is pending, or with the same creation time, is the same
// request; otherwise a new row begins, and Get returns the newest.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. A crash
// of agentdesk (even kill -9) loses only what was still queued (normally a
// few milliseconds of events); a power cut or OS crash can also lose the
// last transactions committed since the last checkpoint, but never damages
// the file.
//
// The package imports neither Fyne nor the conn packages: ids are plain
// strings, so it can be tested and used on its own. Every method is safe for
// concurrent use.
package history
