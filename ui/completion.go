package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/complete"
	"github.com/agentdesk/agentdesk/profiles"
)

// Completion list sizes.
const (
	// completionRows is how many suggestions the list shows at once.
	completionRows = 8
	// completionFetch is how many are ranked; Up and Down scroll through
	// them.
	completionFetch = 50
	// toolsTTL is how long a listing of commands and skills is reused.
	toolsTTL = 30 * time.Second
)

// suggestion is one line of the completion list.
type suggestion struct {
	// label is what the line shows; marks are the byte offsets of the
	// characters the query matched, for highlighting.
	label string
	marks []int
	// detail is shown muted after the label (a command's description).
	detail string
	// insert replaces the "@…" or "/…" word when the line is picked.
	insert string
}

// suggestions is what the list shows for a token: lines, or a note
// (unavailable, still indexing, nothing matches) when there are none.
type suggestions struct {
	items []suggestion
	note  string
}

// completer finds suggestions for "@" paths and "/" commands and skills.
// The path indexes are built and refreshed in the background by
// complete.Paths, and tool listings are read by the worker, so a query
// never waits for the disk: while an index or listing is not ready the
// list says so, and fills in when it is (onReady).
type completer struct {
	paths    *complete.Paths
	work     *worker
	settings func() profiles.Completion
	// onReady runs on the UI goroutine when an index or listing finished.
	onReady func()

	indexOpts complete.IndexOptions
	tools     map[toolsKey]*toolsEntry
}

type toolsKey struct{ client, root string }

type toolsEntry struct {
	tools   []complete.Tool
	err     error
	loading bool
	at      time.Time
}

func newCompleter(work *worker, bridge *Bridge, settings func() profiles.Completion) *completer {
	c := &completer{work: work, settings: settings, tools: map[toolsKey]*toolsEntry{}}
	st := settings()
	c.indexOpts = complete.IndexOptions{Gitignore: st.Gitignore, Ignore: slices.Clone(st.IgnorePatterns)}
	c.paths = complete.NewPaths(complete.PathsOptions{Index: c.indexOpts}, func(string) {
		bridge.Do(func() {
			if c.onReady != nil {
				c.onReady()
			}
		})
	})
	return c
}

// close stops watching project folders.
func (c *completer) close() { c.paths.Close() }

// syncSettings applies changed ignore settings to the path indexes.
func (c *completer) syncSettings() profiles.Completion {
	st := c.settings()
	o := complete.IndexOptions{Gitignore: st.Gitignore, Ignore: st.IgnorePatterns}
	if o.Gitignore != c.indexOpts.Gitignore || !slices.Equal(o.Ignore, c.indexOpts.Ignore) {
		o.Ignore = slices.Clone(o.Ignore)
		c.indexOpts = o
		c.paths.SetIndexOptions(o)
	}
	return st
}

// suggest returns the suggestions for tok typed in a reply to r; ok is
// false when no list should show.
func (c *completer) suggest(r *conn.Request, tok complete.Token) (suggestions, bool) {
	st := c.syncSettings()
	if tok.Trigger == '@' {
		return c.suggestPaths(r.ProjectDirectory, tok.Query), true
	}
	return c.suggestTools(r, tok.Query, st)
}

func (c *completer) suggestPaths(root, q string) suggestions {
	matches, l := c.paths.Query(root, q, completionFetch)
	switch {
	case l.Index == nil && l.Err != nil:
		return suggestions{note: T("@ is not available: {{.Reason}}", map[string]any{"Reason": unavailableReason(l.Err)})}
	case l.Index == nil:
		return suggestions{note: T("Indexing the project folder…")}
	case len(matches) == 0:
		return suggestions{note: T("No file or folder matches {{.Query}}", map[string]any{"Query": oneLine(q, 60)})}
	}
	out := suggestions{items: make([]suggestion, 0, len(matches))}
	for _, m := range matches {
		label := m.Path
		if m.Dir {
			label += "/"
		}
		out.items = append(out.items, suggestion{label: label, marks: m.Positions, insert: complete.PathInsert(m)})
	}
	return out
}

// suggestTools lists commands and skills. A "/" also starts paths and
// fractions in ordinary text, so the list stays away unless something
// matches, or only "/" is typed (then it says why nothing can show).
func (c *completer) suggestTools(r *conn.Request, q string, st profiles.Completion) (suggestions, bool) {
	root := r.ProjectDirectory
	if err := complete.CheckRoot(root); err != nil {
		return suggestions{note: T("/ is not available: {{.Reason}}", map[string]any{"Reason": unavailableReason(err)})}, q == ""
	}
	key := toolsKey{client: r.MCPClient, root: root}
	e := c.tools[key]
	if e == nil || (!e.loading && time.Since(e.at) > toolsTTL) {
		c.loadTools(key)
		e = c.tools[key]
	}
	if e.tools == nil {
		switch {
		case e.loading:
			return suggestions{note: T("Looking for commands and skills…")}, q == ""
		case e.err != nil:
			return suggestions{note: T("/ is not available: {{.Reason}}", map[string]any{"Reason": oneLine(e.err.Error(), maxLabel)})}, q == ""
		}
	}
	matches := complete.MatchTools(e.tools, complete.Show(st.Show), q, completionFetch)
	if len(matches) == 0 {
		if q == "" {
			return suggestions{note: T("This project has no commands or skills for {{.Client}}", map[string]any{"Client": clientName(r.MCPClient)})}, true
		}
		return suggestions{}, false
	}
	out := suggestions{items: make([]suggestion, 0, len(matches))}
	for _, m := range matches {
		marks := make([]int, len(m.Positions))
		for i, p := range m.Positions {
			marks[i] = p + 1 // after the "/"
		}
		tpl := st.CommandTemplate
		if m.Kind == complete.KindSkill {
			tpl = st.SkillTemplate
		}
		detail := T("command")
		if m.Kind == complete.KindSkill {
			detail = T("skill")
		}
		if m.Description != "" {
			detail += " · " + m.Description
		}
		out.items = append(out.items, suggestion{label: "/" + m.Name, marks: marks, detail: detail,
			insert: complete.FillTemplate(tpl, m.Tool)})
	}
	return out, true
}

// loadTools lists a project's commands and skills with the worker.
func (c *completer) loadTools(key toolsKey) {
	e := c.tools[key]
	if e == nil {
		c.evictTools()
		e = &toolsEntry{}
		c.tools[key] = e
	}
	e.loading = true
	runFor(c.work, func(ctx context.Context) ([]complete.Tool, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		tools, _, err := complete.ListTools(ctx, key.client, key.root)
		return tools, err
	}, func(tools []complete.Tool, err error) {
		e.loading, e.at = false, time.Now()
		e.err = err
		if err == nil {
			e.tools = tools
			if e.tools == nil {
				e.tools = []complete.Tool{}
			}
		}
		if c.onReady != nil {
			c.onReady()
		}
	})
}

// maxToolListings bounds the projects whose commands are kept.
const maxToolListings = 32

// evictTools drops the oldest listing when the cache is full.
func (c *completer) evictTools() {
	if len(c.tools) < maxToolListings {
		return
	}
	var oldest toolsKey
	var at time.Time
	first := true
	for k, e := range c.tools {
		if !e.loading && (first || e.at.Before(at)) {
			oldest, at, first = k, e.at, false
		}
	}
	if !first {
		delete(c.tools, oldest)
	}
}

// unavailableReason is why "@" or "/" cannot complete, without the
// package's own prefix.
func unavailableReason(err error) string {
	msg := err.Error()
	if errors.Is(err, complete.ErrUnavailable) {
		msg = strings.TrimPrefix(msg, complete.ErrUnavailable.Error()+": ")
	}
	return oneLine(msg, maxLabel)
}

func clientName(c string) string {
	if strings.TrimSpace(c) == "" {
		return T("this agent")
	}
	return oneLine(c, 60)
}

// completionList shows suggestions under a reply box: Up and Down move the
// selection, Enter or Tab insert it, Escape closes the list (the reply
// field keeps the keyboard throughout; see replyEntry). It lives inside
// the card rather than in an overlay, since a Fyne overlay takes the
// keyboard focus away from the reply.
type completionList struct {
	box   *fyne.Container
	rows  []*completionRow
	note  *toneText
	items []suggestion
	sel   int
	first int // the first item shown
	tok   complete.Token
	open  bool
	// dismissed is set when Escape closed the list, until the text
	// changes: a background update must not bring it back.
	dismissed bool
	// pick runs when a line is tapped.
	pick func(i int)
}

func newCompletionList(pick func(i int)) *completionList {
	l := &completionList{pick: pick}
	l.note = newToneText(toneMuted, true)
	objs := []fyne.CanvasObject{l.note}
	for i := range completionRows {
		r := newCompletionRow(func() { l.pick(l.first + i) })
		l.rows = append(l.rows, r)
		objs = append(objs, r)
	}
	l.box = container.NewVBox(objs...)
	l.box.Hide()
	return l
}

// show fills the list for tok, keeping the selection on the same line
// when it is still there.
func (l *completionList) show(tok complete.Token, s suggestions) {
	var keep string
	if l.open && l.sel < len(l.items) {
		keep = l.items[l.sel].label
	}
	l.tok, l.items, l.open = tok, s.items, true
	l.sel, l.first = 0, 0
	for i, it := range l.items {
		if it.label == keep {
			l.sel = i
			break
		}
	}
	l.note.Set(cut(s.note, maxLine), toneMuted, false)
	l.scrollToSel()
	l.box.Show()
}

// hide closes the list; it reports whether it was open.
func (l *completionList) hide() bool {
	was := l.open
	l.open, l.items = false, nil
	l.box.Hide()
	return was
}

// move moves the selection by d, wrapping around.
func (l *completionList) move(d int) {
	if len(l.items) == 0 {
		return
	}
	l.sel = (l.sel + d + len(l.items)) % len(l.items)
	l.scrollToSel()
}

// selected returns the selected suggestion.
func (l *completionList) selected() (suggestion, bool) {
	if !l.open || l.sel >= len(l.items) {
		return suggestion{}, false
	}
	return l.items[l.sel], true
}

func (l *completionList) scrollToSel() {
	if l.sel < l.first {
		l.first = l.sel
	}
	if l.sel >= l.first+completionRows {
		l.first = l.sel - completionRows + 1
	}
	for i, r := range l.rows {
		j := l.first + i
		if j >= len(l.items) {
			r.Hide()
			continue
		}
		r.set(l.items[j], j == l.sel)
		r.Show()
	}
}

// completionRow is one suggestion: the label with the matched characters
// in bold, a muted detail, and a frame around the selected line.
type completionRow struct {
	widget.BaseWidget
	text   *widget.RichText
	frame  *canvas.Rectangle
	tapped func()
	sig    string
}

func newCompletionRow(tapped func()) *completionRow {
	r := &completionRow{tapped: tapped, text: widget.NewRichText()}
	r.text.Truncation = fyne.TextTruncateClip
	r.frame = canvas.NewRectangle(theme.Color(colorNameCard))
	r.frame.StrokeWidth = 2
	r.frame.CornerRadius = 4
	r.ExtendBaseWidget(r)
	return r
}

// set shows s, framed when selected.
func (r *completionRow) set(s suggestion, selected bool) {
	sig := fmt.Sprint(s.label, s.marks, s.detail, selected)
	if sig == r.sig {
		return
	}
	r.sig = sig
	r.text.Segments = highlightSegments(cut(s.label, maxLabel), s.marks, cut(s.detail, maxLabel))
	r.frame.FillColor = theme.Color(colorNameCard)
	r.frame.StrokeColor = theme.Color(colorNameCard)
	if selected {
		r.frame.StrokeColor = theme.Color(theme.ColorNameFocus)
	}
	r.text.Refresh()
	r.frame.Refresh()
}

// highlightSegments shows label with the runes starting at marks (byte
// offsets) bold in the info colour, then detail muted.
func highlightSegments(label string, marks []int, detail string) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	add := func(text string, marked bool) {
		if text == "" {
			return
		}
		st := widget.RichTextStyleInline
		st.ColorName = theme.ColorNameForeground
		if marked {
			st.ColorName = colorNameInfo
			st.TextStyle.Bold = true
		}
		segs = append(segs, &widget.TextSegment{Text: text, Style: st})
	}
	start, in := 0, false
	for i := range label {
		m := slices.Contains(marks, i)
		if i > 0 && m != in {
			add(label[start:i], in)
			start = i
		}
		in = m
	}
	add(label[start:], in)
	if detail != "" {
		st := widget.RichTextStyleInline
		st.ColorName = colorNameMuted
		segs = append(segs, &widget.TextSegment{Text: "  " + detail, Style: st})
	}
	return segs
}

// Tapped picks the line.
func (r *completionRow) Tapped(*fyne.PointEvent) {
	if r.tapped != nil {
		r.tapped()
	}
}

// CreateRenderer draws the frame behind the text.
func (r *completionRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.frame, r.text))
}
