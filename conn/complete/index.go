package complete

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
)

// IndexOptions say what a path index leaves out.
type IndexOptions struct {
	// Gitignore honours .gitignore files (root and nested) and
	// .git/info/exclude.
	Gitignore bool
	// Ignore are extra patterns in gitignore syntax, relative to the
	// project folder; they apply last, so "!dist/" brings a built-in
	// ignore back.
	Ignore []string
	// MaxEntries caps the index (default DefaultMaxEntries). Past it the
	// walk stops and the index says Truncated.
	MaxEntries int
}

// DefaultMaxEntries bounds an index: about 25 MB for long paths.
const DefaultMaxEntries = 200_000

// ErrUnavailable wraps why a folder cannot be indexed here.
var ErrUnavailable = errors.New("@ completion is unavailable")

// Index is a snapshot of the files and folders under a project folder,
// ready for fuzzy queries. It is immutable and safe for concurrent use.
type Index struct {
	// Root is the folder the paths are relative to.
	Root string
	// Built is when the walk finished; Took is how long it ran.
	Built time.Time
	Took  time.Duration
	// Truncated is set when MaxEntries stopped the walk.
	Truncated bool
	// Unreadable counts folders that could not be listed.
	Unreadable int

	entries []entry
}

// entry is one indexed path; lower and mask serve fuzzy matching.
type entry struct {
	path  string // slash-separated, relative to Root
	lower string
	mask  uint64 // which characters lower contains
	base  int    // where the last element starts
	stem  int    // where its extension starts (len(path) without one)
	dir   bool
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// CheckRoot says whether a request's project folder can be indexed on
// this machine; the error is worded for the suggestion list.
func CheckRoot(root string) error {
	if strings.TrimSpace(root) == "" {
		return fmt.Errorf("%w: the request names no project folder", ErrUnavailable)
	}
	if err := checkRootPath(root, runtime.GOOS == "windows"); err != nil {
		return err
	}
	st, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: the project folder %s does not exist on this machine", ErrUnavailable, root)
	case err != nil:
		return fmt.Errorf("%w: the project folder %s cannot be read (%v)", ErrUnavailable, root, unwrapPath(err))
	case !st.IsDir():
		return fmt.Errorf("%w: %s is not a folder", ErrUnavailable, root)
	}
	return nil
}

// checkRootPath applies the path rules of Windows (windows set) or of
// Unix to a project folder before anything touches the disk. A folder
// named by an agent on another system is reported as missing here, not
// as relative; on Windows a network or device path (\\host\share) is
// refused, since even looking at it would connect to that host.
func checkRootPath(root string, windows bool) error {
	if conn.IsLocalAbsPath(root, windows) {
		return nil
	}
	if windows {
		switch {
		case strings.HasPrefix(root, `\\`) || strings.HasPrefix(root, "//"):
			return fmt.Errorf("%w: the project folder %s is a network or device path; only folders on this machine's drives are indexed", ErrUnavailable, root)
		case strings.HasPrefix(root, "/"):
			return fmt.Errorf("%w: the project folder %s does not exist on this machine (it is a Unix path)", ErrUnavailable, root)
		}
	} else if conn.IsLocalAbsPath(root, true) || strings.HasPrefix(root, `\\`) {
		return fmt.Errorf("%w: the project folder %s does not exist on this machine (it is a Windows path)", ErrUnavailable, root)
	}
	return fmt.Errorf("%w: the project folder %q is not an absolute path", ErrUnavailable, root)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walkDir is a folder waiting to be listed, with the git rules that apply
// inside it.
type walkDir struct {
	rel   string
	rules []rule
}

// Build walks root and indexes what is not ignored. It never follows
// symbolic links (they are listed, not entered), so link loops cannot
// hang it; folders it cannot list are counted and skipped.
// It stops early, with ctx's error, when ctx ends.
func Build(ctx context.Context, root string, opts IndexOptions) (*Index, error) {
	if err := CheckRoot(root); err != nil {
		return nil, err
	}
	start := time.Now()
	root = filepath.Clean(root)
	max := opts.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	builtin := parseRules(strings.Join(BuiltinIgnores, "\n"), "")
	var custom []rule
	for _, p := range opts.Ignore {
		if r, ok := parseRule(p, ""); ok {
			custom = append(custom, r)
		}
	}
	var rootRules []rule
	if opts.Gitignore {
		rootRules = append(rootRules, readRules(filepath.Join(root, ".git", "info", "exclude"), "")...)
	}

	ix := &Index{Root: root}
	// Breadth first, so the shallow entries come first: an empty query
	// lists the top of the project.
	queue := []walkDir{{rel: "", rules: rootRules}}
	for len(queue) > 0 && !ix.Truncated {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d := queue[0]
		queue = queue[1:]
		names, err := listDir(filepath.Join(root, filepath.FromSlash(d.rel)))
		if err != nil {
			ix.Unreadable++
			continue
		}
		rules := d.rules
		if opts.Gitignore && slices.ContainsFunc(names, func(n dirName) bool { return n.name == ".gitignore" && !n.dir }) {
			own := readRules(filepath.Join(root, filepath.FromSlash(d.rel), ".gitignore"), d.rel)
			rules = append(slices.Clip(rules), own...)
		}
		for _, n := range names {
			rel := n.name
			if d.rel != "" {
				rel = d.rel + "/" + n.name
			}
			out := applyRules(builtin, rel, n.name, n.dir, false)
			out = applyRules(rules, rel, n.name, n.dir, out)
			out = applyRules(custom, rel, n.name, n.dir, out)
			if out {
				continue
			}
			if len(ix.entries) >= max {
				ix.Truncated = true
				break
			}
			ix.entries = append(ix.entries, newEntry(rel, n.dir))
			if n.dir {
				queue = append(queue, walkDir{rel: rel, rules: rules})
			}
		}
	}
	ix.Took = time.Since(start)
	ix.Built = time.Now()
	return ix, nil
}

type dirName struct {
	name string
	dir  bool // a real folder; a link to one is not entered
}

// listDir lists a folder; a variable so that tests running as root, where
// permissions do not stop reading, can make one fail.
var listDir = readDirSorted

// readDirSorted lists one folder, sorted by name.
func readDirSorted(dir string) ([]dirName, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	if err != nil && len(des) == 0 {
		return nil, err
	}
	out := make([]dirName, 0, len(des))
	for _, de := range des {
		out = append(out, dirName{name: de.Name(), dir: de.Type().IsDir()})
	}
	slices.SortFunc(out, func(a, b dirName) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// readRules reads an ignore file; a missing or unreadable one has no rules.
func readRules(file, base string) []rule {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxIgnoreFileBytes))
	if err != nil {
		return nil
	}
	return parseRules(string(b), base)
}

func newEntry(rel string, dir bool) entry {
	lower := strings.ToLower(rel)
	base := strings.LastIndexByte(rel, '/') + 1
	stem := len(rel)
	if dot := strings.LastIndexByte(rel[base:], '.'); dot > 0 {
		stem = base + dot
	}
	return entry{path: rel, lower: lower, mask: charMask(lower), base: base, stem: stem, dir: dir}
}
