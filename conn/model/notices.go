package model

import "slices"

// NoticeLevel says how much a notice matters.
type NoticeLevel int

const (
	// NoticeInfo is news, such as what the first-run import did.
	NoticeInfo NoticeLevel = iota
	// NoticeWarning is something the user may want to act on, such as a
	// keyring that could not be reached.
	NoticeWarning
	// NoticeError is something that stops part of the app from working.
	NoticeError
)

// Notice is news for the user that needs no decision: shown as a banner in
// the main window until dismissed, never as a modal dialog.
type Notice struct {
	// ID identifies the notice; adding a notice with the same ID replaces
	// it, so repeated news does not pile up.
	ID    string
	Level NoticeLevel
	// Title is the one-line summary, in English: the ui translates it as
	// a template filled with Args. Details is the full text, shown on
	// demand.
	Title   string
	Args    map[string]any
	Details string
}

// maxNotices bounds the banners kept; the oldest go first.
const maxNotices = 8

// AddNotice shows a notice, replacing one with the same ID.
func (m *Model) AddNotice(n Notice) {
	m.mu.Lock()
	m.notices = slices.DeleteFunc(m.notices, func(x Notice) bool { return x.ID == n.ID })
	m.notices = append(m.notices, n)
	if len(m.notices) > maxNotices {
		m.notices = slices.Delete(m.notices, 0, len(m.notices)-maxNotices)
	}
	m.changed()
}

// DismissNotice removes a notice.
func (m *Model) DismissNotice(id string) {
	m.mu.Lock()
	n := len(m.notices)
	m.notices = slices.DeleteFunc(m.notices, func(x Notice) bool { return x.ID == id })
	if len(m.notices) == n {
		m.mu.Unlock()
		return
	}
	m.changed()
}

// Notices returns the notices to show, oldest first.
func (m *Model) Notices() []Notice {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.notices)
}
