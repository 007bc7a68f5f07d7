package limits

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks where a value was cut. It counts as one character and
// three bytes against the limit it was cut to.
const Ellipsis = "…"

// Cut returns s cut to at most maxChars characters, "…" included, on a
// character boundary. The result is always valid UTF-8: invalid bytes
// become U+FFFD. Only the part of s that can be kept is scanned, so cutting
// a huge string costs as much as cutting a short one.
func Cut(s string, maxChars int) string {
	if len(s) <= maxChars {
		// No more characters than bytes; an invalid byte stays one character.
		return valid(s)
	}
	return clip(s, maxChars, len(s)*utf8.UTFMax+len(Ellipsis))
}

// CutBytes returns s cut to at most maxBytes bytes of UTF-8, "…" included,
// without splitting a character. Like Cut, it returns valid UTF-8 and scans
// only what it keeps.
func CutBytes(s string, maxBytes int) string {
	if len(s) <= maxBytes && utf8.ValidString(s) {
		return s
	}
	// No string of maxBytes bytes has more than maxBytes characters.
	return clip(s, maxBytes, maxBytes)
}

// Prefix returns the longest start of s that is at most maxBytes bytes
// and does not end inside a character. Unlike CutBytes it adds no "…" and
// leaves the bytes it keeps as they are (valid or not): for keys, queries
// and names that are cut silently.
func Prefix(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	if maxBytes <= 0 {
		return ""
	}
	i := maxBytes
	for i > 0 && i > maxBytes-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Label returns s cut like Cut, and made fit for a one-line label:
// newlines, other control characters and bidirectional overrides become
// spaces, so a name cannot break a layout or reorder the text around it.
func Label(s string, maxChars int) string {
	if len(s) <= maxChars && printableASCII(s) {
		return s // the usual case, decided in one pass
	}
	return strings.Map(labelRune, Cut(s, maxChars))
}

// printableASCII reports whether s is all printable ASCII.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// labelRune maps characters that do not belong in a one-line label to a
// space. Each replaced character is at least one byte and one character, so
// mapping never makes a cut value longer.
func labelRune(r rune) rune {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029',
		r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return ' '
	}
	return r
}

// Fits reports whether s has at most maxChars characters, counting each
// invalid byte as one. It stops counting at the limit, so a huge s costs
// no more than a short one.
func Fits(s string, maxChars int) bool {
	if len(s) <= maxChars {
		return true
	}
	n := 0
	for i := 0; i < len(s); n++ {
		if n == maxChars {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return true
}

// clip keeps the longest prefix of s that fits both limits; when s does not
// fit whole, the prefix leaves room for the ellipsis. Invalid bytes are
// counted as the three-byte U+FFFD they become.
func clip(s string, maxChars, maxBytes int) string {
	if maxChars <= 0 || maxBytes <= 0 {
		return ""
	}
	chars, size := 0, 0
	cutAt := -1 // end of the longest prefix that still leaves room for "…"
	for i := 0; i < len(s); {
		if chars+1 <= maxChars && size+len(Ellipsis) <= maxBytes {
			cutAt = i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		w := n
		if r == utf8.RuneError && n == 1 {
			w = len(string(utf8.RuneError))
		}
		if chars+1 > maxChars || size+w > maxBytes {
			if cutAt < 0 {
				return "" // not even the ellipsis fits
			}
			return valid(s[:cutAt]) + Ellipsis
		}
		chars++
		size += w
		i += n
	}
	return valid(s)
}

// valid returns s with each invalid byte replaced by U+FFFD (as clip
// counted it), without copying valid input.
func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*utf8.UTFMax)
	for _, r := range s {
		b.WriteRune(r) // range yields RuneError for each invalid byte
	}
	return b.String()
}
