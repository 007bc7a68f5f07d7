package complete

import (
	"path"
	"strings"

	"github.com/agentdesk/agentdesk/profiles"
)

// BuiltinIgnores are folders never worth suggesting: version control,
// dependencies, build output, caches and virtual environments. They match
// at any depth and can be re-included by a custom "!name/" pattern.
var BuiltinIgnores = []string{
	".git/", ".hg/", ".svn/", "node_modules/", "dist/", "build/", "target/", "out/",
	".next/", ".nuxt/", "__pycache__/", ".venv/", "venv/", ".tox/", ".mypy_cache/",
	".pytest_cache/", ".dart_tool/", ".gradle/",
}

// maxIgnoreFileBytes bounds how much of one .gitignore is read.
const maxIgnoreFileBytes = 256 << 10

// rule is one compiled gitignore pattern.
type rule struct {
	negate  bool
	dirOnly bool
	// base is the folder (relative to the root, "" for the root) whose
	// ignore file holds the rule; anchored rules match below it only.
	base string
	// anchored rules match the path relative to base; the others match
	// the last path element at any depth.
	anchored bool
	// segs are the pattern's path elements; "**" matches any number of
	// elements.
	segs []string
	// fast paths for the commonest unanchored shapes.
	kind    matchKind
	literal string
}

type matchKind uint8

const (
	matchGlob     matchKind = iota
	matchLiteral            // "node_modules"
	matchSuffix             // "*.log"
	matchPrefix             // "tmp*"
	matchAnything           // "*"
)

// parseRules compiles the lines of an ignore file kept in folder base.
// Blank lines, comments and malformed patterns are skipped.
func parseRules(text, base string) []rule {
	var out []rule
	for _, line := range strings.Split(text, "\n") {
		if r, ok := parseRule(line, base); ok {
			out = append(out, r)
		}
	}
	return out
}

// parseRule compiles one line of gitignore syntax (gitignore(5)).
func parseRule(line, base string) (rule, bool) {
	line = strings.TrimSuffix(line, "\r")
	// One bound for .gitignore lines and the patterns the settings accept.
	if len(line) > profiles.MaxIgnorePattern {
		return rule{}, false
	}
	line = trimTrailingSpaces(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return rule{}, false
	}
	r := rule{base: base}
	if strings.HasPrefix(line, "!") {
		r.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	// A slash at the start or in the middle anchors the pattern to base.
	if strings.Contains(line, "/") {
		r.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	r.segs = strings.Split(line, "/")
	for _, s := range r.segs {
		if s == "" {
			return rule{}, false // "a//b"
		}
		if _, err := path.Match(s, ""); err != nil {
			return rule{}, false // a malformed class such as "[a"
		}
	}
	if !r.anchored {
		r.kind, r.literal = classify(r.segs[0])
	}
	return r, true
}

// trimTrailingSpaces drops trailing spaces unless escaped with a backslash.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

const globMeta = `*?[\`

// classify finds a fast matcher for one path element pattern.
func classify(p string) (matchKind, string) {
	switch {
	case p == "*" || p == "**":
		return matchAnything, ""
	case !strings.ContainsAny(p, globMeta):
		return matchLiteral, p
	case strings.HasPrefix(p, "*") && !strings.ContainsAny(p[1:], globMeta):
		return matchSuffix, p[1:]
	case strings.HasSuffix(p, "*") && !strings.ContainsAny(p[:len(p)-1], globMeta):
		return matchPrefix, p[:len(p)-1]
	}
	return matchGlob, ""
}

// match reports whether the rule matches rel, a slash-separated path
// relative to the root whose last element is name.
func (r *rule) match(rel, name string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if !r.anchored {
		switch r.kind {
		case matchLiteral:
			return name == r.literal
		case matchSuffix:
			return strings.HasSuffix(name, r.literal)
		case matchPrefix:
			return strings.HasPrefix(name, r.literal)
		case matchAnything:
			return true
		}
		ok, _ := path.Match(r.segs[0], name)
		return ok
	}
	if r.base != "" {
		var ok bool
		rel, ok = strings.CutPrefix(rel, r.base+"/")
		if !ok {
			return false
		}
	}
	return matchSegs(r.segs, strings.Split(rel, "/"))
}

// matchSegs matches pattern elements against path elements, "**" matching
// zero or more of them.
func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			if len(rest) == 0 {
				return len(name) > 0 // "a/**" matches what is inside a
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// applyRules applies rules in order to the verdict out (ignored or not),
// the last match winning, as git does. Starting from an earlier verdict
// lets built-in, .gitignore and custom rules chain; a rule that could not
// change the verdict is not even matched.
func applyRules(rules []rule, rel, name string, isDir bool, out bool) bool {
	for i := range rules {
		r := &rules[i]
		if r.negate == out && r.match(rel, name, isDir) {
			out = !r.negate
		}
	}
	return out
}
