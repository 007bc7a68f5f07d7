package ui

import (
	"fyne.io/fyne/v2"

	"github.com/agentdesk/agentdesk/conn"
)

// cardAt returns the card drawn at pos (window coordinates), for files
// dropped on the window.
func (t *timeline) cardAt(pos fyne.Position) (conn.RequestKey, bool) {
	app := fyne.CurrentApp()
	if app == nil {
		return conn.RequestKey{}, false
	}
	d := app.Driver()
	sp := d.AbsolutePositionForObject(t.scroll)
	ss := t.scroll.Size()
	if pos.X < sp.X || pos.Y < sp.Y || pos.X >= sp.X+ss.Width || pos.Y >= sp.Y+ss.Height {
		return conn.RequestKey{}, false
	}
	for k, v := range t.views {
		p, s := d.AbsolutePositionForObject(v), v.Size()
		if pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+s.Width && pos.Y < p.Y+s.Height {
			return k, true
		}
	}
	return conn.RequestKey{}, false
}

// cardResized measures v's card again after its height changed without
// the model changing (a completion list opening or closing), and scrolls
// just enough to keep o (what grew) in view.
func (t *timeline) cardResized(v *cardView, o fyne.CanvasObject) {
	v.gen++
	r, ok := t.rowOf(v.key)
	if !ok {
		return
	}
	t.measure(r, v.key, v)
	t.syncContentSize()
	t.layoutRows()
	if o == nil || !o.Visible() {
		return
	}
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	d := app.Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(t.scroll).Y
	bottom := top + o.Size().Height
	vh := t.scroll.Size().Height
	switch {
	case top < 0:
		t.scrollTo(t.scroll.Offset.Y + top)
	case bottom > vh:
		// Down far enough to show it whole, but never past its top.
		t.scrollTo(t.scroll.Offset.Y + min(bottom-vh, top))
	default:
		return
	}
	t.layoutRows()
}

// closeCompletions closes every completion list but the one of keep's
// card: the keyboard went elsewhere.
func (t *timeline) closeCompletions(keep conn.RequestKey) {
	for k, v := range t.views {
		if k != keep {
			v.hideCompletion()
		}
	}
}

// refreshCompletion brings the focused card's completion list up to date
// after an index or a listing of commands finished in the background: it
// may open now for what was typed while the listing was read, unless
// Escape closed it.
func (t *timeline) refreshCompletion() {
	if k, ok := t.in.model.ReplyFocus(); ok {
		if v := t.views[k]; v != nil && v.entry.hasFocus && !v.comp.dismissed {
			v.updateCompletion()
		}
	}
}
