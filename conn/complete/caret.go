package complete

import (
	"strings"
	"unicode"
)

// Token is the "@path" or "/command" word being typed at the caret.
type Token struct {
	// Trigger is '@' (paths) or '/' (commands and skills).
	Trigger rune
	// Start and End delimit the whole word, trigger included, as rune
	// offsets into the text (Fyne entries count the caret in runes).
	Start, End int
	// Query is what follows the trigger, up to the caret.
	Query string
}

// ActiveToken finds the completion token under the caret (a rune offset
// into text): a word that starts with '@' or '/' at the start of the
// text or after white space, with the caret inside it or just after it.
// A trigger in the middle of a word (an e-mail address, a URL's slashes,
// a/b) is not a token.
func ActiveToken(text string, caret int) (Token, bool) {
	rs := []rune(text)
	if caret < 0 || caret > len(rs) {
		return Token{}, false
	}
	start := caret
	for start > 0 && !unicode.IsSpace(rs[start-1]) {
		start--
	}
	// The trigger must be before the caret, at the word's start.
	if start == caret || (rs[start] != '@' && rs[start] != '/') {
		return Token{}, false
	}
	end := caret
	for end < len(rs) && !unicode.IsSpace(rs[end]) {
		end++
	}
	return Token{Trigger: rs[start], Start: start, End: end, Query: string(rs[start+1 : caret])}, true
}

// PathInsert is what picking a path inserts: "@path", with a slash after a
// folder so the list can go on into it, and a space after a file so typing
// goes on.
func PathInsert(m Match) string {
	if m.Dir {
		return "@" + m.Path + "/"
	}
	return "@" + m.Path + " "
}

// Apply replaces the token's whole word with insert and returns the new
// text and the caret (a rune offset) just after the insert.
func Apply(text string, tok Token, insert string) (string, int) {
	rs := []rune(text)
	if tok.Start < 0 || tok.End > len(rs) || tok.Start > tok.End {
		return text, len(rs)
	}
	var b strings.Builder
	b.WriteString(string(rs[:tok.Start]))
	b.WriteString(insert)
	caret := tok.Start + len([]rune(insert))
	b.WriteString(string(rs[tok.End:]))
	return b.String(), caret
}
