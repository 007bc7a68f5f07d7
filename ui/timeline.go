package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
)

// timeline is the one list of requests from every server. It is a
// widget.List, so only visible rows exist; each row's height is measured
// when the row is shown (lazily), never for all rows at once.
type timeline struct {
	u    *UI
	list *widget.List

	drafts  map[conn.RequestKey]string
	sending map[conn.RequestKey]bool
	errs    map[conn.RequestKey]string
	focused conn.RequestKey

	// heights is what the list was told per row; measured caches
	// measurements by card revision and width.
	heights  map[widget.ListItemID]float32
	measured map[measureKey]float32
	byKey    map[conn.RequestKey]float32
	width    float32

	// n is the number of rows shown, taken from the model once per frame.
	n int
	// focusOnBind asks the row that shows this card to take the focus.
	focusOnBind conn.RequestKey
}

type measureKey struct {
	key   conn.RequestKey
	rev   string
	width float32
}

func newTimeline(u *UI) *timeline {
	tl := &timeline{
		u:        u,
		drafts:   map[conn.RequestKey]string{},
		sending:  map[conn.RequestKey]bool{},
		errs:     map[conn.RequestKey]string{},
		heights:  map[widget.ListItemID]float32{},
		measured: map[measureKey]float32{},
		byKey:    map[conn.RequestKey]float32{},
	}
	tl.list = widget.NewList(
		func() int { return tl.n },
		func() fyne.CanvasObject { return newCardView(tl) },
		tl.updateItem,
	)
	return tl
}

// index maps a row (newest first) to the model's view (oldest first).
func (tl *timeline) index(id widget.ListItemID) int { return tl.n - 1 - id }

// row maps a model view index to a row.
func (tl *timeline) row(i int) widget.ListItemID { return tl.n - 1 - i }

func (tl *timeline) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	cv := o.(*cardView)
	cd, ok := tl.u.model.At(tl.index(id))
	if !ok {
		return
	}
	cv.bind(cd)
	if tl.focusOnBind == cd.Key() && cd.State.Open() {
		tl.focusOnBind = conn.RequestKey{}
		if c := fyne.CurrentApp().Driver().CanvasForObject(tl.list); c != nil {
			c.Focus(cv.entry)
			cv.entry.moveCursorToEnd()
		}
	}
	w := tl.list.Size().Width
	if w <= 0 {
		return
	}
	mk := measureKey{cd.Key(), cv.rev, w}
	h, ok := tl.measured[mk]
	if !ok {
		cv.Resize(fyne.NewSize(w, cv.MinSize().Height))
		h = cv.MinSize().Height
		if len(tl.measured) > 4096 {
			clear(tl.measured)
			clear(tl.byKey)
		}
		tl.measured[mk] = h
	}
	tl.byKey[cd.Key()] = h
	tl.setHeight(id, h)
}

func (tl *timeline) setHeight(id widget.ListItemID, h float32) {
	if tl.heights[id] != h {
		tl.heights[id] = h
		tl.list.SetItemHeight(id, h)
	}
}

// refresh redraws the visible rows after the model changed.
func (tl *timeline) refresh() {
	n := tl.u.model.Len()
	if n != tl.n {
		// Rows moved: re-apply known heights to the first rows at once,
		// so the visible part does not jump; the rest are corrected
		// lazily when they scroll into view.
		tl.n = n
		// Only the rows near the top are re-applied (the list starts at
		// the newest card); each change costs the list a re-layout.
		covered, limit := float32(0), 2*tl.list.Size().Height
		for id := 0; id < n && id < 32 && covered <= limit; id++ {
			cd, ok := tl.u.model.At(tl.index(id))
			if !ok {
				break
			}
			h, ok := tl.byKey[cd.Key()]
			if !ok {
				break
			}
			covered += h
			if tl.heights[id] != h {
				tl.heights[id] = h
				tl.list.SetItemHeight(id, h)
			}
		}
	}
	tl.list.Refresh()
	// A card whose row was reused while the user typed in it takes the
	// focus back in its new row.
	if k := tl.focusOnBind; k.ID != "" {
		if i := tl.u.model.IndexOf(k); i >= 0 {
			tl.list.RefreshItem(tl.row(i))
		} else {
			tl.focusOnBind = conn.RequestKey{}
		}
	}
}

func (tl *timeline) draft(k conn.RequestKey) string { return tl.drafts[k] }

func (tl *timeline) setDraft(k conn.RequestKey, s string) {
	if s == "" {
		delete(tl.drafts, k)
		return
	}
	tl.drafts[k] = s
}

func (tl *timeline) sendState(k conn.RequestKey) (bool, string) {
	return tl.sending[k], tl.errs[k]
}

// send replies to the card's own server; blank confirms by default.
func (tl *timeline) send(k conn.RequestKey, text string) {
	if k.ID == "" || tl.sending[k] {
		return
	}
	tl.sending[k] = true
	delete(tl.errs, k)
	tl.list.Refresh()
	core, b := tl.u.core, tl.u.bridge
	go func() {
		_, err := core.Reply(k, text)
		b.Do(func() {
			delete(tl.sending, k)
			if err != nil {
				tl.errs[k] = friendlyError(err)
			} else {
				delete(tl.drafts, k)
			}
			if tl.focused == k {
				tl.focused = conn.RequestKey{}
			}
			tl.list.Refresh()
		})
	}()
}

// jumpToOldestPending scrolls to the oldest open card in the current
// filter and focuses its reply field.
func (tl *timeline) jumpToOldestPending() bool {
	k, i, ok := tl.u.model.OldestPending()
	if !ok {
		return false
	}
	tl.refresh()
	tl.focusOnBind = k
	tl.list.ScrollTo(tl.row(i))
	tl.list.RefreshItem(tl.row(i))
	return true
}

func friendlyError(err error) string {
	switch {
	case errors.Is(err, conn.ErrNotPending):
		return T("this request is no longer waiting for an answer")
	case errors.Is(err, conn.ErrAlreadyReplied):
		return T("a reply is already on its way")
	case errors.Is(err, context.DeadlineExceeded):
		return T("timed out")
	}
	return err.Error()
}
