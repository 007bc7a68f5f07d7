package ui

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
)

// serverLook is how a server is labelled and coloured on its cards.
type serverLook struct {
	label string
	color color.Color
}

// timelineInput is what the timeline needs: the model to read, and the
// actions it may take.
type timelineInput struct {
	model *model.Model
	// reply sends what was typed for a card; it returns at once and the
	// progress shows in the model. A non-nil error means it was not sent.
	reply func(k conn.RequestKey, typed string) error
	// look labels and colours a server.
	look func(conn.ServerID) serverLook
	// shortcut runs a window shortcut typed while a reply field has the
	// focus; it reports whether it was one.
	shortcut func(*desktop.CustomShortcut) bool
	// canvas is the window's canvas, for moving the keyboard focus.
	canvas func() fyne.Canvas
	// copy puts a card's question or reply, as Markdown, on the clipboard.
	copy func(k conn.RequestKey, part desk.CopyPart)
	// rich is what cards do for attachments, completion and saving.
	rich richActions
}

// overscan is how far beyond the viewport cards are kept built, so a
// small scroll does not rebuild anything.
const overscan = 200

// defaultCardHeight is the height assumed for a card never shown, until
// real measurements give a better average.
const defaultCardHeight = 170

// timeline shows the model's current view, newest first, as a virtualised
// list keyed by request. A card view is built only for the cards in view
// and stays with its card for as long as the card is on screen, so the
// reply being typed never moves to another card; the view whose reply
// field has the keyboard focus is kept even when scrolled away. Rows are
// positioned by per-card heights, measured when first shown (estimated
// before), and the viewport stays anchored on the card at its top when
// cards arrive or leave above it.
//
// The reply focus is data (model.ReplyFocus), not a widget: after every
// refresh it is where the model says, whichever view shows the card.
type timeline struct {
	widget.BaseWidget
	in timelineInput

	scroll *container.Scroll
	rows   *fyne.Container

	// keys is the view, oldest first, as the model has it; row r on
	// screen (newest first) is keys[len(keys)-1-r]. idxOf maps a key to
	// its index in keys plus base: an arrival (appended) or the oldest
	// cards leaving (base moves) cost no work for the other keys.
	keys     []conn.RequestKey
	idxOf    map[conn.RequestKey]int
	base     int
	hs       []float32 // row heights incl. the gap, aligned with keys
	byRow    []float32 // scratch for resetHeights
	version  uint64
	heights  rowHeights // the same heights, by row
	measured map[conn.RequestKey]measurement
	sumH     float64 // sum and count of measured heights, for the estimate
	nH       int
	width    float32

	views map[conn.RequestKey]*cardView
	spare []*cardView

	// selected is the card the keyboard is on when the list itself has the
	// focus (after Escape, or when the card being answered closed).
	selected conn.RequestKey
	focused  bool

	buf       []conn.RequestKey
	laying    bool
	loaded    bool
	onChanged func() // tests: called after every refresh
}

// measurement is one card's measured height at a width and revision.
type measurement struct {
	h     float32
	width float32
	rev   uint64
	look  serverLook
	// gen is the view's own layout generation: a completion list opening
	// changes a card's height without the model changing.
	gen uint64
}

func newTimeline(in timelineInput) *timeline {
	t := &timeline{
		in:       in,
		idxOf:    map[conn.RequestKey]int{},
		measured: map[conn.RequestKey]measurement{},
		views:    map[conn.RequestKey]*cardView{},
	}
	t.rows = container.New(&rowsLayout{t: t})
	t.scroll = container.NewVScroll(t.rows)
	t.scroll.OnScrolled = func(fyne.Position) { t.layoutRows() }
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer shows the scroll container.
func (t *timeline) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.scroll)
}

// Resize lays the cards out again for the new size.
func (t *timeline) Resize(s fyne.Size) {
	t.BaseWidget.Resize(s)
	t.scroll.Resize(s)
	t.layoutRows()
}

// gap is the space between two cards.
func gap() float32 { return theme.Padding() }

// estimate is the height assumed for a card not measured yet.
func (t *timeline) estimate() float32 {
	if t.nH == 0 {
		return defaultCardHeight
	}
	return float32(t.sumH / float64(t.nH))
}

// len is the number of cards shown.
func (t *timeline) len() int { return len(t.keys) }

// refresh brings the list up to date with the model; the UI calls it at
// most once per frame.
func (t *timeline) refresh() {
	if v := t.in.model.ViewVersion(); v != t.version || !t.loaded {
		t.reload()
	}
	for k, v := range t.views {
		if cd, ok := t.in.model.Card(k); ok {
			look := t.in.look(k.Server)
			if cd.Rev != v.rev || look != v.look {
				t.bindView(v, cd, look)
			}
		}
	}
	t.layoutRows()
	if t.onChanged != nil {
		t.onChanged()
	}
}

// rowOf returns the row that shows k.
func (t *timeline) rowOf(k conn.RequestKey) (int, bool) {
	i, ok := t.idxOf[k]
	if !ok {
		return 0, false
	}
	return len(t.keys) - 1 - (i - t.base), true
}

// keyAt returns the key shown in row r.
func (t *timeline) keyAt(r int) conn.RequestKey { return t.keys[len(t.keys)-1-r] }

// reload takes the model's view again, keeping the viewport on the card
// at its top (or on the newest card when the list was at the very top and
// nobody is typing). When the new view is the old one with cards added
// at the newest end and removed from the oldest (what arrivals and the
// cap on finished cards do), only those cards cost any work; anything
// else rebuilds the index.
func (t *timeline) reload() {
	anchor, delta, hadAnchor := t.anchor()
	atTop := t.scroll.Offset.Y <= 0 && !t.typing()

	old := t.keys
	fresh, version := t.in.model.ViewKeys(t.buf)
	t.version, t.loaded = version, true
	est := t.estimate() + gap()
	heightOf := func(k conn.RequestKey) float32 {
		if m, ok := t.measured[k]; ok && m.width == t.width {
			return m.h + gap()
		}
		return est
	}
	aligned := false
	if len(fresh) > 0 && len(old) > 0 {
		if a, ok := t.idxOf[fresh[0]]; ok {
			k := a - t.base // fresh[0] is old[k]
			m := min(len(old)-k, len(fresh))
			if k >= 0 && slices.Equal(old[k:k+m], fresh[:m]) {
				for _, key := range old[:k] {
					t.forget(key)
				}
				for _, key := range old[k+m:] {
					t.forget(key)
				}
				t.base += k
				t.hs = t.hs[k : k+m]
				for i := m; i < len(fresh); i++ {
					t.idxOf[fresh[i]] = t.base + i
					t.hs = append(t.hs, heightOf(fresh[i]))
				}
				aligned = true
			}
		}
	}
	if !aligned {
		for _, key := range old {
			t.forget(key)
		}
		clear(t.idxOf)
		t.base = 0
		t.hs = t.hs[:0:0]
		for i, key := range fresh {
			t.idxOf[key] = i
			t.hs = append(t.hs, heightOf(key))
		}
	}
	t.keys, t.buf = fresh, old[:0]
	t.resetHeights()
	if _, ok := t.idxOf[t.selected]; !ok {
		t.selected = conn.RequestKey{}
	}
	t.syncContentSize()
	switch {
	case atTop || !hadAnchor:
		t.scrollTo(0)
	default:
		if r, ok := t.rowOf(anchor); ok {
			t.scrollTo(t.heights.top(r) + delta)
		}
	}
}

// resetHeights rebuilds the by-row heights from t.hs.
func (t *timeline) resetHeights() {
	n := len(t.hs)
	t.byRow = slices.Grow(t.byRow[:0], n)[:n]
	for i, h := range t.hs {
		t.byRow[n-1-i] = h
	}
	t.heights.reset(t.byRow)
}

// forget drops what is kept for a card that left the view: its
// measurement and its view.
func (t *timeline) forget(k conn.RequestKey) {
	delete(t.idxOf, k)
	delete(t.measured, k)
	if v := t.views[k]; v != nil {
		t.release(k, v, true)
	}
}

// anchor is the card at the top of the viewport and how far into it the
// viewport starts.
func (t *timeline) anchor() (conn.RequestKey, float32, bool) {
	if t.heights.len() == 0 {
		return conn.RequestKey{}, 0, false
	}
	y := t.scroll.Offset.Y
	r := t.heights.rowAt(y)
	return t.keyAt(r), y - t.heights.top(r), true
}

// typing reports whether a reply field of the timeline has the focus.
func (t *timeline) typing() bool {
	c := t.in.canvas()
	if c == nil {
		return false
	}
	for _, v := range t.views {
		if c.Focused() == v.entry {
			return true
		}
	}
	return false
}

// syncContentSize tells the scroll container the new total height. It
// refreshes the scroll bars only: refreshing the scroll container itself
// would refresh every card in it.
func (t *timeline) syncContentSize() {
	h := t.heights.total()
	if t.rows.Size().Height != h || t.rows.Size().Width != t.width {
		t.rows.Resize(fyne.NewSize(t.width, h))
		if maxY := max(0, h-t.scroll.Size().Height); t.scroll.Offset.Y > maxY {
			t.scroll.ScrollToOffset(fyne.NewPos(0, maxY))
		} else {
			t.scroll.Base.Refresh()
		}
	}
}

// scrollTo moves the viewport's top to y (clamped).
func (t *timeline) scrollTo(y float32) {
	maxY := t.heights.total() - t.scroll.Size().Height
	y = min(y, maxY)
	y = max(y, 0)
	t.scroll.ScrollToOffset(fyne.NewPos(0, y))
}

// layoutRows builds, measures and places the views of the cards in (and
// near) the viewport, and lets go of the others.
func (t *timeline) layoutRows() {
	if t.laying {
		return
	}
	t.laying = true
	defer func() { t.laying = false }()

	w := t.scroll.Size().Width
	vh := t.scroll.Size().Height
	if w <= 0 || vh <= 0 {
		return
	}
	if w != t.width {
		t.width = w // every height is measured again, lazily
	}
	n := t.heights.len()
	y := t.scroll.Offset.Y
	keep := map[conn.RequestKey]bool{}
	if n > 0 {
		first := t.heights.rowAt(max(0, y-overscan))
		for r := first; r < n && t.heights.top(r) < y+vh+overscan; r++ {
			k := t.keyAt(r)
			v := t.viewFor(k)
			if v == nil {
				continue
			}
			keep[k] = true
			t.measure(r, k, v)
		}
	}
	// The view being typed into stays, wherever it scrolled to.
	if fk, ok := t.in.model.ReplyFocus(); ok {
		if v := t.views[fk]; v != nil {
			keep[fk] = true
			if r, ok := t.rowOf(fk); ok {
				t.measure(r, fk, v)
			}
		}
	}
	for k, v := range t.views {
		if !keep[k] {
			t.release(k, v, false)
		}
	}
	t.syncContentSize()
	t.place()
}

// place positions the bound views at their rows, in row order (which is
// also the Tab order).
func (t *timeline) place() {
	objs := t.rows.Objects[:0]
	for _, v := range t.views {
		objs = append(objs, v)
	}
	slices.SortFunc(objs, func(a, b fyne.CanvasObject) int {
		ra, _ := t.rowOf(a.(*cardView).key)
		rb, _ := t.rowOf(b.(*cardView).key)
		return ra - rb
	})
	t.rows.Objects = objs
	g := gap()
	for _, o := range objs {
		v := o.(*cardView)
		r, _ := t.rowOf(v.key)
		v.Move(fyne.NewPos(0, t.heights.top(r)))
		v.Resize(fyne.NewSize(t.width, t.heights.height(r)-g))
	}
	// Moved and resized views repaint themselves; the container only needs
	// redrawing, not a refresh of every card in it.
	canvas.Refresh(t.rows)
}

// measure makes sure row r's height is its card's real height.
func (t *timeline) measure(r int, k conn.RequestKey, v *cardView) {
	if m, ok := t.measured[k]; ok && m.width == t.width && m.rev == v.rev && m.look == v.look && m.gen == v.gen {
		t.heights.set(r, m.h+gap())
		t.hs[len(t.hs)-1-r] = m.h + gap()
		return
	}
	v.Resize(fyne.NewSize(t.width, v.MinSize().Height))
	h := v.MinSize().Height
	if _, seen := t.measured[k]; !seen {
		t.sumH += float64(h)
		t.nH++
	}
	t.measured[k] = measurement{h: h, width: t.width, rev: v.rev, look: v.look, gen: v.gen}
	// A row above the viewport that changes height would move what the
	// user is looking at: keep the viewport where it was.
	old := t.heights.height(r)
	t.heights.set(r, h+gap())
	t.hs[len(t.hs)-1-r] = h + gap()
	d := h + gap() - old
	if d != 0 && t.heights.top(r)+old <= t.scroll.Offset.Y {
		t.scroll.Offset.Y += d
	}
	// The card being typed into grew (a completion list, chips): keep its
	// bottom, where the typing happens, in view.
	if d > 0 && old > 0 {
		if c := t.in.canvas(); c != nil && c.Focused() == v.entry {
			if bottom, vh := t.heights.top(r)+h, t.scroll.Size().Height; bottom > t.scroll.Offset.Y+vh {
				t.scroll.Offset.Y = bottom - vh
			}
		}
	}
}

// viewFor returns the view bound to k, binding a spare or new one.
func (t *timeline) viewFor(k conn.RequestKey) *cardView {
	if v := t.views[k]; v != nil {
		return v
	}
	cd, ok := t.in.model.Card(k)
	if !ok {
		return nil
	}
	var v *cardView
	if n := len(t.spare); n > 0 {
		v, t.spare = t.spare[n-1], t.spare[:n-1]
	} else {
		v = newCardView(t)
	}
	v.key = conn.RequestKey{}
	t.views[k] = v
	t.bindView(v, cd, t.in.look(k.Server))
	return v
}

// bindView shows cd in v, and moves the keyboard focus off a reply field
// whose card can no longer be answered.
func (t *timeline) bindView(v *cardView, cd model.Card, look serverLook) {
	c := t.in.canvas()
	hadFocus := c != nil && c.Focused() == v.entry
	v.bind(cd, look, t.in.model.Draft(cd.Key()), cd.Key() == t.selected && t.focused)
	if hadFocus && !cd.Answerable() && cd.Submit != model.Submitting {
		// Answered elsewhere or cancelled under the user's fingers: the
		// focus goes to the list, on this card, not into nowhere.
		t.selected = cd.Key()
		t.in.model.SetReplyFocus(conn.RequestKey{})
		c.Focus(t)
	}
}

// release unbinds a view and keeps it for reuse. A view whose reply field
// has the focus hands the focus to the list first; gone says the card left
// the view, so the reply focus cannot stay with it.
func (t *timeline) release(k conn.RequestKey, v *cardView, gone bool) {
	if c := t.in.canvas(); c != nil && c.Focused() == v.entry {
		c.Focus(t)
	}
	if fk, ok := t.in.model.ReplyFocus(); ok && fk == k && gone {
		t.in.model.SetReplyFocus(conn.RequestKey{})
	}
	delete(t.views, k)
	v.unbind()
	if len(t.spare) < 8 {
		t.spare = append(t.spare, v)
	}
}

// focusCard scrolls to a card and puts the keyboard in its reply field.
func (t *timeline) focusCard(k conn.RequestKey) bool {
	r, ok := t.rowOf(k)
	if !ok {
		return false
	}
	t.in.model.SetReplyFocus(k)
	t.selected = k
	t.revealRow(r)
	v := t.views[k]
	if v == nil || !v.reply.Visible() {
		return false
	}
	if c := t.in.canvas(); c != nil {
		c.Focus(v.entry)
		v.entry.moveCursorToEnd()
	}
	return true
}

// revealRow scrolls just enough to show row r whole (its top when it is
// taller than the viewport), then lays out.
func (t *timeline) revealRow(r int) {
	if v := t.viewFor(t.keyAt(r)); v != nil {
		t.measure(r, t.keyAt(r), v)
		t.syncContentSize()
	}
	top, h := t.heights.top(r), t.heights.height(r)
	y, vh := t.scroll.Offset.Y, t.scroll.Size().Height
	switch {
	case top < y || h > vh:
		t.scrollTo(top)
	case top+h > y+vh:
		t.scrollTo(top + h - vh)
	}
	t.layoutRows()
}

// jumpToOldestPending focuses the reply of the oldest card the user can
// answer in the current view.
func (t *timeline) jumpToOldestPending() bool {
	t.refresh()
	k, _, ok := t.in.model.OldestPending()
	if !ok {
		return false
	}
	return t.focusCard(k)
}

// send hands what was typed for k to the core, then moves the focus to the
// next oldest request that waits for an answer (or to the list when none
// does), so fifty questions are answered with Ctrl+J, typing and
// Ctrl+Enter without a keystroke going astray.
func (t *timeline) send(k conn.RequestKey, typed string) {
	wasFocused := false
	if c := t.in.canvas(); c != nil {
		if v := t.views[k]; v != nil && c.Focused() == v.entry {
			wasFocused = true
		}
	}
	if err := t.in.reply(k, typed); err != nil {
		return
	}
	if !wasFocused {
		return
	}
	t.refresh()
	if next, ok := t.in.model.NextAnswerable(k); ok && t.focusCard(next) {
		return
	}
	t.selected = k
	t.in.model.SetReplyFocus(conn.RequestKey{})
	if c := t.in.canvas(); c != nil {
		c.Focus(t)
	}
}

// typeInto types r into the focused card's reply when nothing else has
// the keyboard (the window's fallback), so a keystroke is not lost.
func (t *timeline) typeInto(r rune) bool {
	k, ok := t.in.model.ReplyFocus()
	if !ok {
		return false
	}
	if cd, ok := t.in.model.Card(k); !ok || !cd.Answerable() {
		return false
	}
	if !t.focusCard(k) {
		return false
	}
	t.views[k].entry.TypedRune(r)
	return true
}

// FocusGained shows the selected card highlighted.
func (t *timeline) FocusGained() {
	t.focused = true
	t.closeCompletions(conn.RequestKey{})
	if t.selected.ID == "" && len(t.keys) > 0 {
		t.selected = t.keyAt(t.heights.rowAt(t.scroll.Offset.Y))
	}
	t.refreshSelection()
}

// FocusLost removes the highlight.
func (t *timeline) FocusLost() {
	t.focused = false
	t.refreshSelection()
}

func (t *timeline) refreshSelection() {
	for k, v := range t.views {
		v.setSelected(t.focused && k == t.selected)
	}
}

// TypedRune starts a reply on the selected card when it can be answered.
func (t *timeline) TypedRune(r rune) {
	k := t.selected
	if cd, ok := t.in.model.Card(k); ok && cd.Answerable() && t.focusCard(k) {
		t.views[k].entry.TypedRune(r)
	}
}

// TypedKey moves the selection with Up and Down, and opens the selected
// card's reply with Enter.
func (t *timeline) TypedKey(e *fyne.KeyEvent) {
	r, ok := t.rowOf(t.selected)
	switch e.Name {
	case fyne.KeyUp:
		if ok && r > 0 {
			t.selected = t.keyAt(r - 1)
			t.revealRow(r - 1)
		}
	case fyne.KeyDown:
		if ok && r < len(t.keys)-1 {
			t.selected = t.keyAt(r + 1)
			t.revealRow(r + 1)
		} else if !ok && len(t.keys) > 0 {
			t.selected = t.keyAt(0)
			t.revealRow(0)
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if ok {
			t.focusCard(t.selected)
		}
		return
	}
	t.refreshSelection()
}

// TypedShortcut passes window shortcuts on while the list has the focus.
func (t *timeline) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && t.in.shortcut != nil {
		t.in.shortcut(cs)
	}
}

// rowsLayout sizes the list's content to the total height of its rows;
// the timeline places the views itself.
type rowsLayout struct{ t *timeline }

// Layout places the views for the content's width.
func (l *rowsLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.t.width && size.Width > 0 && !l.t.laying {
		l.t.layoutRows()
	}
}

// MinSize is the height of every row.
func (l *rowsLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(0, l.t.heights.total())
}
