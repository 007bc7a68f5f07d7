package complete

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
)

func TestGitignoreRules(t *testing.T) {
	type probe struct {
		rel   string
		dir   bool
		want  bool
		label string
	}
	cases := []struct {
		rules  string
		base   string
		probes []probe
	}{
		{"*.log\n", "", []probe{
			{"a.log", false, true, "glob at the root"},
			{"deep/er/b.log", false, true, "unanchored matches at any depth"},
			{"a.log.txt", false, false, "suffix only"},
		}},
		{"build/\n", "", []probe{
			{"build", true, true, "dir-only matches a folder"},
			{"build", false, false, "dir-only skips a file"},
			{"src/build", true, true, "dir-only at depth"},
		}},
		{"/todo.txt\n", "", []probe{
			{"todo.txt", false, true, "anchored at the root"},
			{"sub/todo.txt", false, false, "anchored is not at depth"},
		}},
		{"doc/*.md\n", "", []probe{
			{"doc/a.md", false, true, "slash in the middle anchors"},
			{"x/doc/a.md", false, false, "anchored pattern is not at depth"},
			{"doc/sub/a.md", false, false, "* does not cross /"},
		}},
		{"**/logs\n", "", []probe{
			{"logs", true, true, "leading ** matches at the root"},
			{"a/b/logs", true, true, "leading ** matches at depth"},
		}},
		{"a/**/z\n", "", []probe{
			{"a/z", false, true, "/**/ matches zero folders"},
			{"a/b/c/z", false, true, "/**/ matches several"},
			{"b/a/z", false, false, "anchored"},
		}},
		{"out/**\n", "", []probe{
			{"out/x", false, true, "trailing ** matches inside"},
			{"out", true, false, "trailing ** does not match the folder itself"},
		}},
		{"*.log\n!keep.log\n", "", []probe{
			{"x.log", false, true, "ignored"},
			{"keep.log", false, false, "negation re-includes"},
		}},
		{"!keep.log\n*.log\n", "", []probe{
			{"keep.log", false, true, "the last matching rule wins"},
		}},
		{"# comment\n\n\\#hash\n\\!bang\ntrailing   \nesc\\ \n", "", []probe{
			{"# comment", false, false, "comments are not patterns"},
			{"#hash", false, true, "escaped #"},
			{"!bang", false, true, "escaped !"},
			{"trailing", false, true, "trailing spaces trimmed"},
			{"esc ", false, true, "escaped trailing space kept"},
		}},
		{"te?t.[ch]\n[a\n", "", []probe{
			{"test.c", false, true, "? and classes"},
			{"text.h", false, true, "classes"},
			{"test.o", false, false, "class miss"},
			{"[a", false, false, "a malformed class is skipped, not an error"},
		}},
		{"/gen/\n*.tmp\n", "pkg", []probe{
			{"pkg/gen", true, true, "nested file: anchored relative to its folder"},
			{"gen", true, false, "nested file: not above its folder"},
			{"pkg/a/b.tmp", false, true, "nested file: unanchored below it"},
		}},
	}
	for _, tc := range cases {
		rules := parseRules(tc.rules, tc.base)
		for _, p := range tc.probes {
			name := p.rel[strings.LastIndexByte(p.rel, '/')+1:]
			if got := applyRules(rules, p.rel, name, p.dir, false); got != p.want {
				t.Errorf("%s: rules %q, path %q (dir %v): ignored = %v, want %v", p.label, tc.rules, p.rel, p.dir, got, p.want)
			}
		}
	}
	if _, ok := parseRule(strings.Repeat("a", profiles.MaxIgnorePattern+1), ""); ok {
		t.Error("an over-long pattern was accepted")
	}
}

// A folder that cannot be listed is counted and skipped; the rest of the
// tree is indexed. Where chmod cannot make a folder unreadable the failure
// is injected at the one OS call: as root, permissions do not stop
// reading, and on Windows chmod only sets the read-only attribute, which
// does not stop listing (denying needs an ACL, which Wine ignores).
func TestUnreadableFolderIsSkipped(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"ok/a.go", "locked/secret.go", "z.go"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	} else {
		real := listDir
		listDir = func(d string) ([]dirName, error) {
			if filepath.Base(d) == "locked" {
				return nil, &os.PathError{Op: "open", Path: d, Err: syscall.EACCES}
			}
			return real(d)
		}
		t.Cleanup(func() { listDir = real })
	}
	ix, err := Build(context.Background(), dir, IndexOptions{Gitignore: true})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range ix.entries {
		paths = append(paths, e.path)
	}
	if got := strings.Join(paths, " "); got != "locked ok z.go ok/a.go" || ix.Unreadable != 1 {
		t.Fatalf("indexed %q with %d unreadable", got, ix.Unreadable)
	}
}

func TestBuildStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, t.TempDir(), IndexOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
