// Package profiles owns what agentdesk remembers between runs: the server
// profiles the user connects to, the default server, the user's settings,
// and the secrets that go with them.
//
// Profiles and settings live in one JSON file (see [Load]); it is written
// atomically with mode 0600 and never holds a secret. The global token and
// the Basic-auth passwords live in the OS keyring (see [Secrets]), behind a
// timeout and with an in-memory fallback when no keyring can be reached. On
// first run the profiles of the Agent Assistant Flutter client are imported
// (see [Store.FirstRunImport]).
//
// A typical start, in the app or in the doctor command:
//
//	dir, err := profiles.ResolveConfigDir(*configDirFlag)
//	store, err := profiles.Load(dir, profiles.Options{Logger: log})
//	// A *CorruptFileError or *NewerSchemaError comes with a usable store:
//	// show it, and go on. store.Notices() lists repairs made on load.
//	res, err := store.FirstRunImport(ctx, "") // nil when there was nothing to do
//	token, err := store.Secrets().Token(ctx)
//	pw, err := store.BasicPassword(ctx, p) // for the connection manager
//	store.Subscribe(func(c profiles.Change) { /* reconfigure c.ID */ })
//
// The package never imports Fyne: every call may block on disk or keyring
// I/O and belongs off the UI goroutine. All types are safe for concurrent use.
package profiles
