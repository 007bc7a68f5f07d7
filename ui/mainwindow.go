package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

// bordered is container.NewBorder with its objects in visual order (top,
// left, centre, right, bottom), which is also the Tab order; NewBorder puts
// the centre first.
func bordered(top, bottom, left, right, center fyne.CanvasObject) *fyne.Container {
	var objs []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left, center, right, bottom} {
		if o != nil {
			objs = append(objs, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objs...)
}

// startState is how far the core's start got.
type startState struct {
	starting bool
	ready    bool
	// err says why the core could not start, if it could not.
	err string
}

// mainInput is what the main window needs: the model to read, the
// timeline and notice bar to show, and what its buttons do.
type mainInput struct {
	model    *model.Model
	timeline *timeline
	notices  *noticeBar
	start    func() startState
	// search is the history search while it replaces the timeline, else
	// nil.
	search func() fyne.CanvasObject
	// onServers opens the server status popup under anchor.
	onServers   func(anchor fyne.CanvasObject)
	onSettings  func()
	onAddServer func()
	onImport    func()
	onDemo      func()
	onOpenChat  func(k model.ChatKey, nickname string)
}

// mainWindow is the main window's content: a toolbar (status badge, server
// filter, pending only, jump, settings), the notice banners, the timeline
// or the empty state, and the online users beside it.
type mainWindow struct {
	in   mainInput
	root *fyne.Container

	badge       *StatusBadge
	filter      *widget.Select
	filterIDs   []conn.ServerID
	pendingOnly *widget.Check
	jump        *widget.Button
	settingsBtn *widget.Button
	status      *toneText

	body      *fyne.Container // timeline or empty state
	empty     fyne.CanvasObject
	starting  fyne.CanvasObject
	failed    *toneText
	failedBox fyne.CanvasObject

	users     *widget.List
	userSnap  []conn.OnlineUser
	userText  []string
	unread    map[model.ChatKey]int
	usersHead *widget.Label

	updating bool
}

func newMainWindow(in mainInput) *mainWindow {
	m := &mainWindow{in: in, unread: map[model.ChatKey]int{}}
	m.badge = NewStatusBadge(nil)
	m.badge.OnTapped = func() { in.onServers(m.badge) }
	m.filter = widget.NewSelect(nil, m.onFilterChanged)
	m.filter.PlaceHolder = T("All servers")
	m.pendingOnly = widget.NewCheck(T("Pending only"), m.onPendingOnlyChanged)
	m.jump = widget.NewButtonWithIcon(T("Oldest pending"), theme.MoveUpIcon(), func() { m.onJump() })
	m.settingsBtn = widget.NewButtonWithIcon(T("Settings"), theme.SettingsIcon(), in.onSettings)
	m.status = newToneText(toneMuted, false)

	toolbar := bordered(nil, nil,
		container.NewHBox(m.badge, container.New(layout.NewGridWrapLayout(fyne.NewSize(240, m.filter.MinSize().Height)), m.filter), m.pendingOnly),
		container.NewHBox(m.jump, m.settingsBtn), m.status)

	m.empty = m.emptyState()
	m.starting = container.NewCenter(widget.NewLabel(T("Starting…")))
	m.failed = newToneText(toneDanger, true)
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
			l.TextStyle.Bold = m.unread[model.ChatKey{Server: usr.Server, ClientID: usr.ClientID}] > 0
			l.SetText(m.userText[id])
		})
	m.users.OnSelected = func(id widget.ListItemID) {
		m.users.UnselectAll()
		if id < len(m.userSnap) {
			usr := m.userSnap[id]
			in.onOpenChat(model.ChatKey{Server: usr.Server, ClientID: usr.ClientID}, usr.Nickname)
		}
	}
	side := bordered(m.usersHead, nil, nil, nil, m.users)
	split := container.NewHSplit(bordered(in.notices.box, nil, nil, nil, m.body), side)
	split.Offset = 0.76
	m.root = bordered(container.NewVBox(toolbar, widget.NewSeparator()), nil, nil, nil, split)
	return m
}

// emptyState offers the ways to get started when no server is configured.
func (m *mainWindow) emptyState() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(T("No servers yet"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	text := widget.NewLabelWithStyle(T("Connect to your Agent Assistant servers to answer your agents' questions here."), fyne.TextAlignCenter, fyne.TextStyle{})
	text.Wrapping = fyne.TextWrapWord
	add := widget.NewButtonWithIcon(T("Add server"), theme.ContentAddIcon(), m.in.onAddServer)
	add.Importance = widget.HighImportance
	imp := widget.NewButtonWithIcon(T("Import from Agent Assistant app"), theme.DownloadIcon(), m.in.onImport)
	demo := widget.NewButtonWithIcon(T("Try the demo"), theme.MediaPlayIcon(), m.in.onDemo)
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
	f := m.in.model.Filter()
	f.Server = ""
	if i > 0 && i-1 < len(m.filterIDs) {
		f.Server = m.filterIDs[i-1]
	}
	m.in.model.SetFilter(f)
	m.in.timeline.refresh()
}

func (m *mainWindow) onPendingOnlyChanged(on bool) {
	if m.updating {
		return
	}
	f := m.in.model.Filter()
	f.PendingOnly = on
	m.in.model.SetFilter(f)
	m.in.timeline.refresh()
}

// selectServer sets the server filter: 0 is all servers, n the n-th.
func (m *mainWindow) selectServer(n int) {
	if n < 0 || n > len(m.filterIDs) {
		return
	}
	m.filter.SetSelectedIndex(n)
}

func (m *mainWindow) onJump() {
	if !m.in.timeline.jumpToOldestPending() {
		m.status.Set(T("Nothing is waiting for you."), toneMuted, false)
	}
}

func (m *mainWindow) refresh() {
	servers := m.in.model.Servers()

	// Filter options with pending counts.
	total := 0
	for _, s := range servers {
		total += s.Pending
	}
	opts := []string{fmt.Sprintf("%s (%d)", T("All servers"), total)}
	ids := make([]conn.ServerID, 0, len(servers))
	for i, s := range servers {
		count := fmt.Sprint(s.Pending)
		if more := s.State.PendingOverflow; more > 0 {
			count = fmt.Sprintf("%d+%d", s.Pending, more)
		}
		label := fmt.Sprintf("%s (%s)", oneLine(s.Label, 40), count)
		if i < 9 {
			label = fmt.Sprintf("%d. %s", i+1, label)
		}
		opts = append(opts, label)
		ids = append(ids, s.ID)
	}
	f := m.in.model.Filter()
	sel := 0
	for i, id := range ids {
		if id == f.Server {
			sel = i + 1
		}
	}
	m.updating = true
	if !slices.Equal(m.filter.Options, opts) {
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

	m.badge.Set(m.in.model.Connectivity())

	// Body: starting, empty state or timeline.
	st := m.in.start()
	var want fyne.CanvasObject
	switch {
	case !st.starting && !st.ready && st.err != "":
		m.failed.Set(T("agentdesk could not start: {{.Err}}", map[string]any{"Err": cut(st.err, maxLine)}), toneDanger, false)
		want = m.failedBox
	case st.starting || !st.ready:
		want = m.starting
	case m.in.search() != nil:
		want = m.in.search()
	case len(servers) == 0 && m.in.timeline.len() == 0:
		want = m.empty
	default:
		want = m.in.timeline
	}
	if len(m.body.Objects) != 1 || m.body.Objects[0] != want {
		m.body.Objects = []fyne.CanvasObject{want}
		m.body.Refresh()
	}
	if want == m.in.timeline {
		m.in.timeline.refresh()
	}
	if n := m.in.model.Len(); n == 0 && want == m.in.timeline {
		m.status.Set(T("No requests yet: questions and work reports from your agents appear here."), toneMuted, false)
	} else if m.status.Text() != "" && n > 0 {
		m.status.Set("", toneMuted, false)
	}
	m.in.notices.show(m.in.model.Notices())

	// Online users and unread chats.
	m.userSnap = m.in.model.Users()
	clear(m.unread)
	for _, c := range m.in.model.Chats() {
		if c.Unread > 0 {
			m.unread[c.Key] = c.Unread
		}
	}
	m.userText = m.userText[:0]
	for _, usr := range m.userSnap {
		text := T("{{.Nick}} @ {{.Server}}", map[string]any{"Nick": oneLine(usr.Nickname, 40), "Server": oneLine(m.in.model.Label(usr.Server), 40)})
		if n := m.unread[model.ChatKey{Server: usr.Server, ClientID: usr.ClientID}]; n > 0 {
			text = fmt.Sprintf("%s  (%d)", text, n)
		}
		m.userText = append(m.userText, text)
	}
	m.usersHead.SetText(fmt.Sprintf("%s (%d)", T("Online"), len(m.userSnap)))
	m.users.Refresh()
}
