package history

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// matchExpr turns what a user typed into an FTS5 query that cannot be a
// syntax error: every word becomes a quoted string (FTS5 operators such as
// AND, NEAR, *, ^, - and column filters lose their meaning), all words must
// match, and the last one matches as a prefix unless the user ended with a
// space. It returns "" when nothing searchable was typed.
//
// Inside a quoted string FTS5 applies the tokenizer, so "foo-bar" matches
// the two words in sequence, and a word of punctuation alone is ignored.
func matchExpr(typed string) string {
	typed = cutUTF8(typed, MaxQueryBytes)
	words := strings.FieldsFunc(typed, func(r rune) bool { return unicode.IsSpace(r) || r == 0 })
	if len(words) == 0 {
		return ""
	}
	// The last word typed is the one still being typed; if the query
	// was cut, it is not in the query at all.
	prefixLast := len(words) <= MaxQueryTerms && !endsWithSpace(typed)
	if len(words) > MaxQueryTerms {
		words = words[:MaxQueryTerms]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(w, `"`, `""`))
		b.WriteByte('"')
		if i == len(words)-1 && prefixLast && searchable(w) {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// searchable reports whether the tokenizer would find a word in w: a
// prefix query on nothing but punctuation would match every row.
func searchable(w string) bool {
	for _, r := range w {
		if !unicode.IsPunct(r) && !unicode.IsSpace(r) && !unicode.IsControl(r) {
			return true
		}
	}
	return false
}
