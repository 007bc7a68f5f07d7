// Package complete holds the data behind reply completion, without any
// UI: an index of the files under a request's project folder for "@"
// completion (gitignore rules, built-in and custom ignores, fuzzy
// matching, caching and refresh on change), the commands and skills the
// requesting agent can run for "/" completion (mapped from the request's
// MCP client name as the Flutter client maps it), and pure caret helpers
// that find the token being completed and apply a suggestion.
//
// It never imports Fyne. Index building does disk I/O: Paths runs it in
// the background and reports through a callback.
package complete
