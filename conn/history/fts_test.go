package history

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestMatchExpr(t *testing.T) {
	cases := map[string]string{
		"":                 "",
		"   ":              "",
		"deploy":           `"deploy"*`,
		"dep":              `"dep"`,
		"東京":               `"東京"*`,
		"the,":             `"the,"`,
		"foo-bar":          `"foo-bar"`,
		"foo-barb":         `"foo-barb"*`,
		"deploy ":          `"deploy"`,
		"fix the bugs":     `"fix" "the" "bugs"*`,
		`say "hi"`:         `"say" """hi"""`,
		"a OR b":           `"a" "OR" "b"`,
		"NEAR(a b)":        `"NEAR(a" "b)"`,
		"text:col -x ^y *": `"text:col" "-x" "^y" "*"`,
		"!!!":              `"!!!"`,
		"nul\x00bytes":     `"nul" "bytes"*`,
	}
	for typed, want := range cases {
		if got := matchExpr(typed); got != want {
			t.Errorf("matchExpr(%q) = %s, want %s", typed, got, want)
		}
	}
	many := strings.Repeat("w ", MaxQueryTerms+10) + "last"
	if got := strings.Count(matchExpr(many), `"w"`); got != MaxQueryTerms {
		t.Errorf("%d terms kept, want %d", got, MaxQueryTerms)
	}
	if got := matchExpr(strings.Repeat("é", MaxQueryBytes)); len(got) > MaxQueryBytes+4 {
		t.Errorf("query of %d bytes kept", len(got))
	}
}

// hostileQueries are things a user may type that are FTS5 syntax.
var hostileQueries = []string{
	`"`, `""`, `"""`, `*`, `**`, `^`, `-`, `+`, `:`, `(`, `)`, `()`, `AND`, `OR`, `NOT`, `NEAR`,
	`NEAR(a b, 3)`, `a AND`, `OR b`, `text:deploy`, `{text reply}:x`, `- deploy`, `deploy*`, `"unterminated`,
	`a"b`, `\`, `'`, `';DROP TABLE requests;--`, "\x00", "\uFFFD", "\xff\xfe", "🙂", "é", `%`, `_`,
	strings.Repeat("(", 500), strings.Repeat(`"`, 1000), strings.Repeat("a ", 2000),
}

// TestUserQueriesNeverFail runs hostile input through a real search and
// count: none may produce an FTS syntax error.
func TestUserQueriesNeverFail(t *testing.T) {
	s := openT(t, t.TempDir())
	fillServer(t, s, "home", 5, `deploy the "thing" now: AND OR NOT (x) * ^ -`)
	for _, q := range hostileQueries {
		if _, err := s.Search(ctxT(t), Query{Text: q}); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
		if _, err := s.Count(ctxT(t), Query{Text: q}); err != nil {
			t.Errorf("Count(%q): %v", q, err)
		}
	}
	// Operators are plain words: searching for them finds the text.
	for _, q := range []string{"AND", "(x)", `"thing"`, "now:"} {
		if p, _ := s.Search(ctxT(t), Query{Text: q}); len(p.Entries) != 5 {
			t.Errorf("Search(%q) found %d, want 5", q, len(p.Entries))
		}
	}
	// A prefix on the word being typed; a finished word matches whole.
	if p, _ := s.Search(ctxT(t), Query{Text: "depl"}); len(p.Entries) != 5 {
		t.Errorf("prefix search found %d, want 5", len(p.Entries))
	}
	if p, _ := s.Search(ctxT(t), Query{Text: "depl "}); len(p.Entries) != 0 {
		t.Errorf("a finished word matched as a prefix: %d", len(p.Entries))
	}
	// Too short to be a fast prefix: only the whole word matches.
	if p, _ := s.Search(ctxT(t), Query{Text: "dep"}); len(p.Entries) != 0 {
		t.Errorf("a 3-letter word matched as a prefix: %d", len(p.Entries))
	}
	// Only punctuation: nothing to search for, nothing found (not all).
	if p, _ := s.Search(ctxT(t), Query{Text: "!!!"}); len(p.Entries) != 0 {
		t.Errorf("punctuation-only search found %d", len(p.Entries))
	}
}

// FuzzSearchText checks that no typed text makes a search fail. Its seeds
// run in every `go test`; `go test -fuzz FuzzSearchText` explores further.
func FuzzSearchText(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	s, err := Open("", Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	_ = s.RecordRequest(Request{Server: "s", ID: "1", Kind: KindQuestion, Text: "deploy the thing"})
	_ = s.Flush(context.Background())
	f.Fuzz(func(t *testing.T, typed string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := s.Search(ctx, Query{Text: typed}); err != nil {
			t.Fatalf("Search(%q): %v", typed, err)
		}
	})
}
