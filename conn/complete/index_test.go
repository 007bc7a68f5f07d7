package complete_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/conn/complete/completetest"
)

func paths(ix *complete.Index) []string {
	var out []string
	for _, m := range ix.Query("", ix.Len()) {
		p := m.Path
		if m.Dir {
			p += "/"
		}
		out = append(out, p)
	}
	return out
}

func build(t *testing.T, root string, opts complete.IndexOptions) *complete.Index {
	t.Helper()
	ix, err := complete.Build(context.Background(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

var project = map[string]string{
	".gitignore":            "*.log\n/secrets/\n!keep.log\nbin/\n",
	"main.go":               "",
	"app.log":               "",
	"keep.log":              "",
	"secrets/key.pem":       "",
	"conn/manager.go":       "",
	"conn/.gitignore":       "gen/\n/local.txt\n",
	"conn/gen/x.go":         "",
	"conn/local.txt":        "",
	"conn/sub/local.txt":    "",
	"conn/bin/tool":         "",
	"node_modules/lib/a.js": "",
	"dist/bundle.js":        "",
	"web/.next/cache":       "",
	"py/__pycache__/m.pyc":  "",
	".git/HEAD":             "",
	".git/info/exclude":     "excluded.txt\n",
	"excluded.txt":          "",
	"docs/notes.md":         "",
	"docs/drafts/old.md":    "",
	"build/out.o":           "",
}

func TestBuildHonoursIgnores(t *testing.T) {
	dir := t.TempDir()
	completetest.WriteTree(t, dir, project)
	got := paths(build(t, dir, complete.IndexOptions{Gitignore: true}))
	want := []string{".gitignore", "conn/", "docs/", "keep.log", "main.go", "py/", "web/",
		"conn/.gitignore", "conn/manager.go", "conn/sub/", "docs/drafts/", "docs/notes.md",
		"conn/sub/local.txt", "docs/drafts/old.md"}
	if !slices.Equal(got, want) {
		t.Errorf("with .gitignore:\n got %q\nwant %q", got, want)
	}

	// Off: only built-in ignores apply.
	got = paths(build(t, dir, complete.IndexOptions{Gitignore: false}))
	for _, p := range []string{"app.log", "secrets/key.pem", "conn/gen/x.go", "conn/local.txt", "conn/bin/tool", "excluded.txt"} {
		if !slices.Contains(got, p) {
			t.Errorf("with .gitignore off, %s is missing", p)
		}
	}
	for _, p := range []string{"node_modules/", "dist/", "web/.next/", "py/__pycache__/", ".git/", "build/"} {
		if slices.Contains(got, p) {
			t.Errorf("built-in ignore %s was indexed", p)
		}
	}

	// Custom patterns apply last: they can hide more and bring a
	// built-in ignore back.
	got = paths(build(t, dir, complete.IndexOptions{Gitignore: true, Ignore: []string{"docs/drafts/", "!dist/", "*.md"}}))
	if slices.Contains(got, "docs/drafts/") || slices.Contains(got, "docs/notes.md") || !slices.Contains(got, "dist/bundle.js") {
		t.Errorf("custom patterns: %q", got)
	}
}

// Links are listed, never entered: a loop cannot hang the walk.
func TestBuildSurvivesSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{"a/file.go": ""})
	symlink(t, dir, filepath.Join(dir, "a", "loop"))
	symlink(t, filepath.Join(dir, "self"), filepath.Join(dir, "self"))
	done := make(chan *complete.Index, 1)
	go func() { done <- build(t, dir, complete.IndexOptions{}) }()
	select {
	case ix := <-done:
		if got := strings.Join(paths(ix), " "); got != "a/ self a/file.go a/loop" {
			t.Fatalf("indexed %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the walk hung on a symlink loop")
	}
}

func TestBuildCapsEntries(t *testing.T) {
	dir := t.TempDir()
	bigTree(t, dir, 500)
	ix := build(t, dir, complete.IndexOptions{MaxEntries: 100})
	if ix.Len() != 100 || !ix.Truncated {
		t.Fatalf("len %d truncated %v", ix.Len(), ix.Truncated)
	}
	if full := build(t, dir, complete.IndexOptions{}); full.Truncated || full.Len() <= 100 {
		t.Fatalf("uncapped: len %d truncated %v", full.Len(), full.Truncated)
	}
}

func TestUnavailableRoots(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.txt")
	completetest.WriteTree(t, filepath.Dir(file), map[string]string{"f.txt": "x"})
	missing := filepath.Join(filepath.Dir(file), "no", "such")
	cases := map[string]string{
		"":                       "names no project folder",
		"relative/dir":           "not an absolute path",
		"/no/such/dir/agentdesk": "does not exist on this machine",
		missing:                  "does not exist on this machine",
		file:                     "is not a folder",
	}
	// A folder an agent on the other kind of system names.
	if runtime.GOOS == "windows" {
		cases["/home/me/agentdesk"] = "does not exist on this machine (it is a Unix path)"
		cases[`\\agentdesk.invalid\share`] = "is a network or device path"
	} else {
		cases[`C:\Users\me\agentdesk`] = "does not exist on this machine (it is a Windows path)"
	}
	for root, want := range cases {
		_, err := complete.Build(context.Background(), root, complete.IndexOptions{})
		if !errors.Is(err, complete.ErrUnavailable) || !strings.Contains(err.Error(), want) {
			t.Errorf("Build(%q) = %v, want %q", root, err, want)
		}
	}
	p := complete.NewPaths(complete.PathsOptions{}, nil)
	defer p.Close()
	if l := p.Lookup("/no/such/dir/agentdesk"); !errors.Is(l.Err, complete.ErrUnavailable) || l.Index != nil {
		t.Errorf("Lookup of a missing folder = %+v", l)
	}
}

func TestQueryRanking(t *testing.T) {
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{
		"conn/manager.go":              "",
		"conn/manager_test.go":         "",
		"migrations/generated/readme":  "",
		"ui/mainwindow.go":             "",
		"docs/MGR.md":                  "",
		"internal/messaging/router.go": "",
		"Makefile":                     "",
		"profiles/settings.go":         "",
		"profiles/settings_test.go":    "",
		"ui/settings.go":               "",
	})
	ix := build(t, dir, complete.IndexOptions{})

	first := func(q string) complete.Match {
		t.Helper()
		ms := ix.Query(q, 5)
		if len(ms) == 0 {
			t.Fatalf("%q found nothing", q)
		}
		return ms[0]
	}
	if m := first("mgr"); m.Path != "docs/MGR.md" {
		t.Errorf("mgr: exact file name first, got %q", m.Path)
	}
	ms := ix.Query("mgr", 10)
	rank := map[string]int{}
	for i, m := range ms {
		rank[m.Path] = i
	}
	if _, ok := rank["conn/manager.go"]; !ok {
		t.Fatalf("mgr did not find conn/manager.go: %v", ms)
	}
	if rank["conn/manager.go"] > rank["conn/manager_test.go"] || rank["conn/manager.go"] > rank["migrations/generated/readme"] {
		t.Errorf("mgr: shorter, file-name match should lead: %v", ms)
	}
	if m := first("manager"); m.Path != "conn/manager.go" || !slices.Equal(m.Positions, []int{5, 6, 7, 8, 9, 10, 11}) {
		t.Errorf("manager: %+v", m)
	}
	if m := first("settings"); m.Path != "ui/settings.go" {
		t.Errorf("settings: the shortest path should win, got %q", m.Path)
	}
	if m := first("prof/set"); !strings.HasPrefix(m.Path, "profiles/settings") {
		t.Errorf("prof/set: %q", m.Path)
	}
	if m := first("MAKE"); m.Path != "Makefile" {
		t.Errorf("case-insensitive: %q", m.Path)
	}
	if m := first("mw"); m.Path != "ui/mainwindow.go" {
		t.Errorf("mw: word starts, got %q", m.Path)
	}
	if got := ix.Query("qqq", 5); len(got) != 0 {
		t.Errorf("no match expected, got %v", got)
	}
	for _, m := range ix.Query("ss", 20) {
		for i := 1; i < len(m.Positions); i++ {
			if m.Positions[i] <= m.Positions[i-1] || !strings.EqualFold(m.Path[m.Positions[i]:m.Positions[i]+1], "s") {
				t.Errorf("positions %v in %q", m.Positions, m.Path)
			}
		}
	}
	if got := ix.Query(strings.Repeat("a", 10_000), 5); got != nil && len(got) != 0 {
		t.Errorf("a huge query matched %v", got)
	}
	top := ix.Query("", 3)
	if len(top) != 3 || strings.Contains(top[0].Path, "/") {
		t.Errorf("empty query should list the top level first: %v", top)
	}
}

func TestPathsCacheRefreshesOnChange(t *testing.T) {
	dir := t.TempDir()
	completetest.WriteTree(t, dir, map[string]string{"a/one.go": ""})
	var updates atomic.Int32
	p := complete.NewPaths(complete.PathsOptions{Debounce: 50 * time.Millisecond}, func(string) { updates.Add(1) })
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	first := p.Lookup(dir)
	if first.Index != nil || !first.Building {
		t.Fatalf("first lookup = %+v, want a build started", first)
	}
	ix, err := p.Wait(ctx, dir)
	if err != nil || ix.Len() != 2 {
		t.Fatalf("Wait = %v, %v", ix, err)
	}
	if l := p.Lookup(dir); !l.Watching || l.Index != ix {
		t.Fatalf("second lookup = %+v, want the cached, watched index", l)
	}

	completetest.WriteTree(t, dir, map[string]string{"a/two.go": ""})
	for {
		if ms, _ := p.Query(dir, "two", 5); len(ms) == 1 && ms[0].Path == "a/two.go" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("a new file never showed up")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if updates.Load() < 2 {
		t.Errorf("onUpdate called %d times, want a call per build", updates.Load())
	}

	// New options make the next lookup rebuild.
	p.SetIndexOptions(complete.IndexOptions{Ignore: []string{"*.go"}})
	ix, err = p.Wait(ctx, dir)
	if err != nil || ix.Len() != 1 {
		t.Fatalf("after SetIndexOptions: %v entries, %v", ix.Len(), err)
	}
}

// Without watching (too many folders), an index older than TTL is rebuilt
// on use; idle and surplus folders are dropped.
func TestPathsTTLAndEviction(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	completetest.WriteTree(t, a, map[string]string{"x/1.go": "", "y/2.go": ""})
	completetest.WriteTree(t, b, map[string]string{"b.go": ""})
	completetest.WriteTree(t, c, map[string]string{"c.go": ""})
	p := complete.NewPaths(complete.PathsOptions{MaxWatches: 1, TTL: 50 * time.Millisecond, MaxRoots: 2}, nil)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	ix, err := p.Wait(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	// No lookup until the TTL has passed: a lookup is what rebuilds.
	completetest.WriteTree(t, a, map[string]string{"x/3.go": ""})
	time.Sleep(60 * time.Millisecond)
	if l := p.Lookup(a); !l.Building || l.Index != ix || l.Watching {
		t.Fatalf("an expired, unwatched index should be served while it is rebuilt: %+v", l)
	}
	if ix2, err := p.Wait(ctx, a); err != nil || ix2.Len() != ix.Len()+1 {
		t.Fatalf("rebuilt index has %d entries, want %d (%v)", ix2.Len(), ix.Len()+1, err)
	}

	if _, err := p.Wait(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(ctx, c); err != nil { // a is the least recently used: dropped
		t.Fatal(err)
	}
	if l := p.Lookup(a); l.Index != nil {
		t.Fatalf("the least recently used folder was kept: %+v", l)
	}
}

// symlink makes a symbolic link, or skips the test where the system cannot
// make one: Windows needs Developer Mode or the SeCreateSymbolicLink
// privilege, and Wine (8.0) answers success without making anything.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	err := os.Symlink(target, link)
	if err != nil && runtime.GOOS == "windows" {
		t.Skipf("cannot make a symbolic link (Windows needs Developer Mode or the SeCreateSymbolicLink privilege): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); err != nil && runtime.GOOS == "windows" {
		t.Skipf("the symbolic link was reported made but is not there (Wine's CreateSymbolicLinkW is a stub that only reports success): %v", err)
	} else if err != nil {
		t.Fatal(err)
	}
}
