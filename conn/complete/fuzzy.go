package complete

import (
	"container/heap"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// MaxQueryLen bounds a query, in bytes; longer ones are cut.
const MaxQueryLen = 256

// Match is one suggestion.
type Match struct {
	// Path is relative to the index root, slash-separated.
	Path string
	Dir  bool
	// Score ranks matches; higher is better.
	Score int
	// Positions are the byte offsets in Path of the matched characters,
	// ascending, for highlighting.
	Positions []int
}

// charMask records which characters occur in s (lower case), so most
// candidates are rejected without scanning them.
func charMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		m |= charBit(s[i])
	}
	return m
}

func charBit(c byte) uint64 {
	switch {
	case c >= 'a' && c <= 'z':
		return 1 << (c - 'a')
	case c >= '0' && c <= '9':
		return 1 << (26 + c - '0')
	case c >= 0x80:
		return 1 << 36
	}
	return 1 << (37 + c%27)
}

// Query returns the n best fuzzy matches of q in the index, best first.
// Matching is case-insensitive subsequence matching on the path ("mgr"
// finds "conn/manager.go"); the score prefers matches in the file name,
// at word starts and in runs, and shorter paths. An empty query lists
// the first n entries, shallowest first.
func (ix *Index) Query(q string, n int) []Match {
	if n <= 0 || ix == nil {
		return nil
	}
	if len(q) > MaxQueryLen {
		q = limits.Prefix(q, MaxQueryLen)
	}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		out := make([]Match, 0, min(n, len(ix.entries)))
		for _, e := range ix.entries[:min(n, len(ix.entries))] {
			out = append(out, Match{Path: e.path, Dir: e.dir})
		}
		return out
	}
	qmask := charMask(q)
	// One goroutine: measured on a loaded 2-core machine, splitting the
	// scan over both cores made the slowest queries wait for the second
	// core (p99 35 ms against 7.5 ms).
	top := &topN{n: n}
	ix.scan(q, qmask, 0, len(ix.entries), top)
	out := make([]Match, top.Len())
	for i := len(out) - 1; i >= 0; i-- {
		s := heap.Pop(top).(scored)
		e := ix.entries[s.idx]
		out[i] = Match{Path: e.path, Dir: e.dir, Score: s.score, Positions: s.pos}
	}
	return out
}

// scan scores entries [lo, hi) into top.
func (ix *Index) scan(q string, qmask uint64, lo, hi int, top *topN) {
	var m matcher
	for i := lo; i < hi; i++ {
		e := &ix.entries[i]
		if e.mask&qmask != qmask || len(e.lower) < len(q) {
			continue
		}
		score, ok := m.scoreEntry(q, e)
		if !ok {
			continue
		}
		if top.Len() == top.n && score <= top.items[0].score {
			continue // not better than the worst kept; ties keep the shallower
		}
		top.offer(scored{score: score, idx: i, pos: slices.Clone(m.best)})
	}
}

// Score weights.
const (
	scoreChar        = 16
	bonusRun         = 14 // the previous character matched too
	bonusWordStart   = 12 // after / _ - . space, or a lower→upper change
	bonusBase        = 6  // in the file name
	bonusAllInBase   = 24 // every character in the file name
	bonusBaseStart   = 16 // the first character starts the file name
	bonusExactBase   = 60 // the file name is the query (extension aside)
	penaltyGap       = 1  // per skipped character inside the match
	penaltyGapMax    = 30
	penaltyLenDivide = 4 // one point per this many path bytes
)

// matcher holds one scan's scratch space, so scoring allocates nothing.
type matcher struct {
	tmp, best []int
}

// scoreEntry matches q (lower case) against e. It tries the match inside
// the file name and the tightest match over the whole path, and keeps the
// better; m.best receives its positions.
func (m *matcher) scoreEntry(q string, e *entry) (int, bool) {
	// Most candidates fail here, in one pass over the path.
	end, ok := forward(q, e.lower, 0)
	if !ok {
		return 0, false
	}
	best, found := 0, false
	// 1. Within the file name, from each place the first character occurs.
	s := e.lower
	tried := false
	for start := e.base; len(s)-start >= len(q); start++ {
		// Only the first occurrence and word starts can give the best
		// alignment: later plain occurrences only lose bonuses.
		if s[start] != q[0] || (tried && !wordStart(e.path, start)) {
			continue
		}
		tried = true
		bend, ok := forward(q, s, start)
		if !ok {
			break // no later start can match either
		}
		m.tmp = tighten(q, s, start, bend, m.tmp)
		if sc := score(q, e, m.tmp); !found || sc > best {
			best, found = sc, true
			m.best = append(m.best[:0], m.tmp...)
		}
	}
	if found {
		return best, true
	}
	// 2. Over the whole path: the first complete match, tightened.
	start := strings.IndexByte(s, q[0])
	m.tmp = tighten(q, e.lower, start, end, m.tmp)
	m.best = append(m.best[:0], m.tmp...)
	return score(q, e, m.tmp), true
}

// forward finds q as a subsequence of s from start; end is the position
// of the last matched character. A plain loop: paths are short, and
// IndexByte's call costs more than it saves on them.
func forward(q, s string, start int) (end int, ok bool) {
	i := 0
	for j := start; j < len(s); j++ {
		if s[j] == q[i] {
			i++
			if i == len(q) {
				return j, true
			}
		}
	}
	return 0, false
}

// tighten walks back from end to find the shortest match ending there
// (as fzf's v1 algorithm does) and returns its positions.
func tighten(q, s string, start, end int, out []int) []int {
	out = slices.Grow(out[:0], len(q))[:len(q)]
	j := end
	for i := len(q) - 1; i >= 0; i-- {
		for j >= start && s[j] != q[i] {
			j--
		}
		out[i] = j
		j--
	}
	return out
}

// score rates matched positions in e.
func score(q string, e *entry, pos []int) int {
	s := 0
	inBase := 0
	for i, p := range pos {
		s += scoreChar
		if i > 0 && p == pos[i-1]+1 {
			s += bonusRun
		}
		if wordStart(e.path, p) {
			s += bonusWordStart
		}
		if p >= e.base {
			s += bonusBase
			inBase++
		}
	}
	if inBase == len(pos) {
		s += bonusAllInBase
	}
	if pos[0] == e.base {
		s += bonusBaseStart
	}
	if e.lower[e.base:] == q || e.lower[e.base:e.stem] == q {
		s += bonusExactBase
	}
	gap := pos[len(pos)-1] - pos[0] + 1 - len(pos)
	s -= min(gap*penaltyGap, penaltyGapMax)
	s -= len(e.path) / penaltyLenDivide
	return s
}

// wordStart reports whether the byte at i begins a word of s.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	switch s[i-1] {
	case '/', '_', '-', '.', ' ':
		return true
	}
	c, p := s[i], s[i-1]
	return c >= 'A' && c <= 'Z' && p >= 'a' && p <= 'z'
}

// scored is a candidate in the top-N heap.
type scored struct {
	score int
	idx   int
	pos   []int
}

// topN keeps the n best candidates; the worst is at the root. Ties go to
// the entry found first (shallower in the breadth-first index), so
// results are stable.
type topN struct {
	n     int
	items []scored
}

func (t *topN) offer(s scored) {
	if len(t.items) < t.n {
		heap.Push(t, s)
		return
	}
	t.items[0] = s
	heap.Fix(t, 0)
}

func (t *topN) Len() int           { return len(t.items) }
func (t *topN) Less(i, j int) bool { return worse(t.items[i], t.items[j]) }
func (t *topN) Swap(i, j int)      { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *topN) Push(x any)         { t.items = append(t.items, x.(scored)) }
func (t *topN) Pop() any {
	last := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return last
}

// worse orders candidates: lower score, or equal score and found later
// (deeper in the breadth-first index).
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.idx > b.idx
}
