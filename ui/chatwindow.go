package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

// chatWindow is a conversation with one user on one server, titled
// nickname@server. Messages go through that server only.
type chatWindow struct {
	u     *UI
	key   model.ChatKey
	nick  string
	win   fyne.Window
	lines *widget.List
	snap  []model.Line
	entry *chatEntry
	send  *widget.Button
	state *widget.Label
}

// openChat opens (or raises) the conversation with one user.
func (u *UI) openChat(k model.ChatKey, nickname string) *chatWindow {
	if c := u.chats[k]; c != nil {
		c.win.RequestFocus()
		u.model.MarkRead(k)
		return c
	}
	c := &chatWindow{u: u, key: k, nick: nickname}
	c.win = u.app.NewWindow(c.title())
	c.win.SetIcon(IconResource)
	c.lines = widget.NewList(
		func() int { return len(c.snap) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Wrapping = fyne.TextWrapWord
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.snap) {
				return
			}
			ln := c.snap[id]
			l := o.(*widget.Label)
			switch {
			case ln.System:
				l.Importance = widget.LowImportance
				l.TextStyle = fyne.TextStyle{Italic: true}
				l.Alignment = fyne.TextAlignCenter
				l.SetText(ln.Text)
			case ln.FromMe:
				l.Importance = widget.HighImportance
				l.TextStyle = fyne.TextStyle{}
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(T("me") + " " + ln.At.Format("15:04") + "\n" + ln.Text)
			default:
				l.Importance = widget.MediumImportance
				l.TextStyle = fyne.TextStyle{}
				l.Alignment = fyne.TextAlignLeading
				l.SetText(c.nick + " " + ln.At.Format("15:04") + "\n" + ln.Text)
			}
			c.lines.SetItemHeight(id, l.MinSize().Height)
		})
	c.entry = newChatEntry(c.onSend)
	c.send = widget.NewButtonWithIcon(T("Send"), theme.MailSendIcon(), c.onSend)
	c.state = widget.NewLabel("")
	c.state.Importance = widget.LowImportance
	bottom := container.NewBorder(nil, nil, nil, c.send, c.entry)
	c.win.SetContent(container.NewBorder(c.state, bottom, nil, nil, c.lines))
	c.win.Resize(fyne.NewSize(420, 480))
	c.win.SetOnClosed(func() { delete(u.chats, k) })
	u.chats[k] = c
	c.refresh()
	c.win.Show()
	c.win.Canvas().Focus(c.entry)
	u.model.MarkRead(k)
	return c
}

func (c *chatWindow) title() string {
	return c.nick + "@" + c.u.model.Label(c.key.Server)
}

// refresh shows new lines and whether the peer and our server are online.
func (c *chatWindow) refresh() {
	u := c.u
	ch, _ := u.model.Chat(c.key)
	if ch.Nickname != "" {
		c.nick = ch.Nickname
	}
	grew := len(ch.Lines) != len(c.snap)
	c.snap = ch.Lines
	if t := c.title(); c.win.Title() != t {
		c.win.SetTitle(t)
	}
	serverUp := false
	for _, s := range u.model.Servers() {
		if s.ID == c.key.Server {
			serverUp = s.State.Phase == conn.PhaseConnected
		}
	}
	switch {
	case !serverUp:
		c.state.SetText(T("{{.Server}} is offline: messages cannot be sent", map[string]any{"Server": u.model.Label(c.key.Server)}))
		c.send.Disable()
	case !u.model.Online(c.key):
		c.state.SetText(T("{{.Nick}} is offline", map[string]any{"Nick": c.nick}))
		c.send.Disable()
	default:
		c.state.SetText(T("{{.Nick}} is online on {{.Server}}", map[string]any{"Nick": c.nick, "Server": u.model.Label(c.key.Server)}))
		c.send.Enable()
	}
	c.lines.Refresh()
	if grew {
		c.lines.ScrollToBottom()
		if ch.Unread > 0 {
			u.model.MarkRead(c.key)
		}
	}
}

func (c *chatWindow) onSend() {
	text := c.entry.Text
	if text == "" || c.send.Disabled() {
		return
	}
	c.entry.SetText("")
	u, k, nick := c.u, c.key, c.nick
	go func() { _ = u.core.SendChat(k, nick, text) }()
}

// chatReceived opens the conversation of an incoming message, or badges it
// when its window is already open, and notifies while unfocused.
func (u *UI) chatReceived(m conn.ChatMessage) {
	k := model.ChatKey{Server: m.Server, ClientID: m.SenderClientID}
	if c := u.chats[k]; c != nil {
		c.refresh()
	} else {
		u.openChat(k, m.SenderNickname)
	}
	u.notes.chat(m)
}

// chatEntry sends on Enter; Shift+Enter adds a line.
type chatEntry struct {
	widget.Entry
	onSend func()
}

func newChatEntry(send func()) *chatEntry {
	e := &chatEntry{onSend: send}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.SetPlaceHolder(T("Message (Enter sends)"))
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey sends on Enter.
func (e *chatEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0 {
			e.Entry.TypedKey(k)
			return
		}
		e.onSend()
		return
	}
	e.Entry.TypedKey(k)
}
