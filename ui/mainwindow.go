package ui

import (
	"context"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// mainWindow is the main window's content: a toolbar (status badge, server
// filter, pending only, jump, settings), the timeline or the empty state,
// and the online users beside it.
type mainWindow struct {
	u    *UI
	root *fyne.Container

	badge       *StatusBadge
	filter      *widget.Select
	filterIDs   []conn.ServerID
	pendingOnly *widget.Check
	jump        *widget.Button
	settingsBtn *widget.Button
	status      *widget.Label

	body      *fyne.Container // timeline or empty state
	timeline  fyne.CanvasObject
	empty     fyne.CanvasObject
	starting  fyne.CanvasObject
	failed    *widget.Label
	failedBox fyne.CanvasObject

	users     *widget.List
	userSnap  []conn.OnlineUser
	unread    map[model.ChatKey]int
	usersHead *widget.Label

	updating bool
}

func newMainWindow(u *UI) *mainWindow {
	m := &mainWindow{u: u, unread: map[model.ChatKey]int{}}
	m.badge = NewStatusBadge(nil)
	m.badge.OnTapped = func() { u.showServerPopup(m.badge) }
	m.filter = widget.NewSelect(nil, m.onFilterChanged)
	m.filter.PlaceHolder = T("All servers")
	m.pendingOnly = widget.NewCheck(T("Pending only"), m.onPendingOnlyChanged)
	m.jump = widget.NewButtonWithIcon(T("Oldest pending"), theme.MoveUpIcon(), func() { m.onJump() })
	m.settingsBtn = widget.NewButtonWithIcon(T("Settings"), theme.SettingsIcon(), func() { u.settings.show() })
	m.status = widget.NewLabel("")
	m.status.Importance = widget.LowImportance
	m.status.Truncation = fyne.TextTruncateEllipsis

	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(m.badge, container.New(layout.NewGridWrapLayout(fyne.NewSize(240, m.filter.MinSize().Height)), m.filter), m.pendingOnly),
		container.NewHBox(m.jump, m.settingsBtn), m.status)

	m.timeline = u.tl.list
	m.empty = m.emptyState()
	m.starting = container.NewCenter(widget.NewLabel(T("Starting…")))
	m.failed = widget.NewLabel("")
	m.failed.Wrapping = fyne.TextWrapWord
	m.failed.Importance = widget.DangerImportance
	m.failedBox = container.NewPadded(m.failed)
	m.body = container.NewStack(m.starting)

	m.usersHead = widget.NewLabelWithStyle(T("Online"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.users = widget.NewList(
		func() int { return len(m.userSnap) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(m.userSnap) {
				return
			}
			usr := m.userSnap[id]
			l := o.(*fyne.Container).Objects[0].(*widget.Label)
			text := T("{{.Nick}} @ {{.Server}}", map[string]any{"Nick": usr.Nickname, "Server": u.model.Label(usr.Server)})
			if n := m.unread[model.ChatKey{Server: usr.Server, ClientID: usr.ClientID}]; n > 0 {
				text = fmt.Sprintf("%s  (%d)", text, n)
				l.TextStyle.Bold = true
			} else {
				l.TextStyle.Bold = false
			}
			l.SetText(text)
		})
	m.users.OnSelected = func(id widget.ListItemID) {
		m.users.UnselectAll()
		if id < len(m.userSnap) {
			usr := m.userSnap[id]
			u.openChat(model.ChatKey{Server: usr.Server, ClientID: usr.ClientID}, usr.Nickname)
		}
	}
	side := container.NewBorder(m.usersHead, nil, nil, nil, m.users)
	split := container.NewHSplit(m.body, side)
	split.Offset = 0.76
	m.root = container.NewBorder(container.NewVBox(toolbar, widget.NewSeparator()), nil, nil, nil, split)
	return m
}

// emptyState offers the ways to get started when no server is configured.
func (m *mainWindow) emptyState() fyne.CanvasObject {
	u := m.u
	title := widget.NewLabelWithStyle(T("No servers yet"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	text := widget.NewLabelWithStyle(T("Connect to your Agent Assistant servers to answer your agents' questions here."), fyne.TextAlignCenter, fyne.TextStyle{})
	text.Wrapping = fyne.TextWrapWord
	add := widget.NewButtonWithIcon(T("Add server"), theme.ContentAddIcon(), func() { u.showServerDialog(nil) })
	add.Importance = widget.HighImportance
	imp := widget.NewButtonWithIcon(T("Import from Agent Assistant app"), theme.DownloadIcon(), func() { u.importFromFile() })
	demo := widget.NewButtonWithIcon(T("Try the demo"), theme.MediaPlayIcon(), func() { u.startDemo() })
	icon := widget.NewIcon(IconResource)
	iconBox := container.New(layout.NewGridWrapLayout(fyne.NewSize(96, 96)), icon)
	box := container.NewVBox(container.NewCenter(iconBox), title, text, add, imp, demo)
	return container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(420, box.MinSize().Height)), box))
}

func (m *mainWindow) onFilterChanged(string) {
	if m.updating {
		return
	}
	i := m.filter.SelectedIndex()
	f := m.u.model.Filter()
	f.Server = ""
	if i > 0 && i-1 < len(m.filterIDs) {
		f.Server = m.filterIDs[i-1]
	}
	m.u.model.SetFilter(f)
	m.u.tl.refresh()
}

func (m *mainWindow) onPendingOnlyChanged(on bool) {
	if m.updating {
		return
	}
	f := m.u.model.Filter()
	f.PendingOnly = on
	m.u.model.SetFilter(f)
	m.u.tl.refresh()
}

// selectServer sets the server filter: 0 is all servers, n the n-th.
func (m *mainWindow) selectServer(n int) {
	if n < 0 || n > len(m.filterIDs) {
		return
	}
	m.filter.SetSelectedIndex(n)
}

func (m *mainWindow) onJump() {
	if !m.u.tl.jumpToOldestPending() {
		m.status.SetText(T("Nothing is waiting for you."))
	}
}

// registerShortcuts adds the window shortcuts: Ctrl+J (oldest pending),
// Ctrl+0…9 (server filter), Ctrl+, (settings) and Ctrl+N (add server).
func (m *mainWindow) registerShortcuts(c fyne.Canvas) {
	add := func(k fyne.KeyName) {
		s := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		c.AddShortcut(s, func(sh fyne.Shortcut) { m.u.handleShortcut(s) })
	}
	add(fyne.KeyJ)
	add(fyne.KeyComma)
	add(fyne.KeyN)
	for _, k := range digitKeys {
		add(k)
	}
}

var digitKeys = []fyne.KeyName{fyne.Key0, fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}

// handleShortcut runs a window shortcut; it reports whether it was one.
func (u *UI) handleShortcut(s *desktop.CustomShortcut) bool {
	if s.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch s.KeyName {
	case fyne.KeyJ:
		u.settings.hide()
		u.main.onJump()
		return true
	case fyne.KeyComma:
		u.settings.show()
		return true
	case fyne.KeyN:
		u.showServerDialog(nil)
		return true
	}
	for i, k := range digitKeys {
		if s.KeyName == k {
			u.main.selectServer(i)
			return true
		}
	}
	return false
}

func (m *mainWindow) refresh() {
	u := m.u
	servers := u.model.Servers()

	// Filter options with pending counts.
	total := 0
	for _, s := range servers {
		total += s.Pending
	}
	opts := []string{fmt.Sprintf("%s (%d)", T("All servers"), total)}
	ids := make([]conn.ServerID, 0, len(servers))
	for i, s := range servers {
		label := fmt.Sprintf("%s (%d)", s.Label, s.Pending)
		if i < 9 {
			label = fmt.Sprintf("%d. %s", i+1, label)
		}
		opts = append(opts, label)
		ids = append(ids, s.ID)
	}
	f := u.model.Filter()
	sel := 0
	for i, id := range ids {
		if id == f.Server {
			sel = i + 1
		}
	}
	m.updating = true
	if !equalStrings(m.filter.Options, opts) {
		m.filter.Options = opts
		m.filterIDs = ids
		m.filter.Refresh()
	}
	if m.filter.SelectedIndex() != sel || m.filter.Selected != opts[sel] {
		m.filter.SetSelectedIndex(sel)
	}
	if m.pendingOnly.Checked != f.PendingOnly {
		m.pendingOnly.SetChecked(f.PendingOnly)
	}
	m.updating = false

	m.badge.Set(u.model.Connectivity())

	// Body: starting, empty state or timeline.
	var want fyne.CanvasObject
	switch {
	case !u.starting && !u.core.Ready() && u.startErr != "":
		m.failed.SetText(T("agentdesk could not start: {{.Err}}", map[string]any{"Err": u.startErr}))
		want = m.failedBox
	case u.starting || !u.core.Ready():
		want = m.starting
	case len(servers) == 0:
		want = m.empty
	default:
		want = m.timeline
	}
	if len(m.body.Objects) != 1 || m.body.Objects[0] != want {
		m.body.Objects = []fyne.CanvasObject{want}
		m.body.Refresh()
	}
	if want == m.timeline {
		u.tl.refresh()
	}
	if n := u.model.Len(); n == 0 && want == m.timeline {
		m.status.SetText(T("No requests yet: questions and work reports from your agents appear here."))
	} else if m.status.Text != "" && n > 0 {
		m.status.SetText("")
	}

	// Online users and unread chats.
	m.userSnap = u.model.Users()
	clear(m.unread)
	for _, c := range u.model.Chats() {
		if c.Unread > 0 {
			m.unread[c.Key] = c.Unread
		}
	}
	m.usersHead.SetText(fmt.Sprintf("%s (%d)", T("Online"), len(m.userSnap)))
	m.users.Refresh()
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// importFromFile lets the user pick the Flutter client's settings file.
func (u *UI) importFromFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		go func() {
			res, err := u.core.ImportFromFile(context.Background(), path)
			u.bridge.Do(func() {
				if err != nil {
					u.showError(err)
					return
				}
				dialog.ShowInformation(T("Import"), res.Summary(), u.win)
			})
		}()
	}, u.win)
	// Start where the Flutter client keeps its settings, when it has any.
	if path, err := profiles.FlutterPrefsPath(); err == nil {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(path))); err == nil {
			d.SetLocation(dir)
		}
	}
	d.Show()
}
