package history

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// matchExpr turns what a user typed into an FTS5 query that cannot be a
// syntax error: every word becomes a quoted string (FTS5 operators such as
// AND, NEAR, *, ^, - and column filters lose their meaning) and all words
// must match. The last word, still being typed unless followed by a space,
// matches as a prefix once it is minPrefixBytes long: a shorter prefix
// ("th") stands for thousands of words and would make the first page slow
// on a large history. It returns "" when nothing was typed.
//
// Inside a quoted string FTS5 applies the tokenizer, so "foo-bar" matches
// the two words in sequence, and a word of punctuation alone is ignored.
func matchExpr(typed string) string {
	typed = limits.Prefix(typed, MaxQueryBytes)
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
		if i == len(words)-1 && prefixLast && len(lastToken(w)) >= minPrefixBytes {
			b.WriteByte('*')
		}
	}
	return b.String()
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// minPrefixBytes is the shortest word matched as a prefix: four letters
// (served by the 4-character prefix index), or two CJK characters (which
// the tokenizer keeps in one run).
const minPrefixBytes = 4

// lastToken returns the run of word characters that ends w, as the
// tokenizer sees them: letters, numbers, marks, symbols (emoji) and
// private-use characters.
func lastToken(w string) string {
	end := len(w)
	i := end
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(w[:i])
		if !isTokenRune(r) {
			break
		}
		i -= size
	}
	return w[i:end]
}

func isTokenRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.M, unicode.So, unicode.Co)
}
