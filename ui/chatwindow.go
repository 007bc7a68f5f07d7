package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles/limits"
)

// maxChatChars bounds one chat message shown.
const maxChatChars = limits.ChatMessageBytes

// chatInput is what a chat window needs: the model to read, and how to
// send (in the background; the line's progress shows in the model).
type chatInput struct {
	model *model.Model
	send  func(k model.ChatKey, nickname, text string)
}

// chatWindow is a conversation with one user on one server, titled
// nickname@server. Messages go through that server only.
type chatWindow struct {
	in    chatInput
	key   model.ChatKey
	nick  string
	win   fyne.Window
	lines *widget.List
	snap  []model.Line
	entry *chatEntry
	send  *widget.Button
	state *toneText
}

// newChatWindow builds (but does not show) the window for one
// conversation.
func newChatWindow(a fyne.App, in chatInput, k model.ChatKey, nickname string) *chatWindow {
	c := &chatWindow{in: in, key: k, nick: nickname}
	c.win = a.NewWindow(c.title())
	c.win.SetIcon(IconResource)
	c.lines = widget.NewList(
		func() int { return len(c.snap) },
		func() fyne.CanvasObject { return newToneText(toneNormal, true) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(c.snap) {
				return
			}
			c.showLine(c.snap[id], o.(*toneText))
			c.lines.SetItemHeight(id, o.MinSize().Height)
		})
	c.entry = newChatEntry(c.onSend)
	c.send = widget.NewButtonWithIcon(T("Send"), theme.MailSendIcon(), c.onSend)
	c.state = newToneText(toneMuted, false)
	bottom := bordered(nil, nil, nil, c.send, c.entry)
	c.win.SetContent(bordered(c.state, bottom, nil, nil, c.lines))
	c.win.Resize(fyne.NewSize(420, 480))
	c.refresh()
	return c
}

func (c *chatWindow) showLine(ln model.Line, t *toneText) {
	text := cut(ln.Text, maxChatChars)
	t.SetItalic(ln.System)
	switch {
	case ln.System:
		t.Set(text, toneMuted, false)
	case ln.FromMe:
		head := T("me") + " " + ln.At.Format("15:04")
		tn := toneNormal
		switch ln.Status {
		case model.LineSending:
			head += " · " + T("sending…")
			tn = toneMuted
		case model.LineFailed:
			head += " · " + T("not sent: {{.Err}}", map[string]any{"Err": oneLine(friendlyError(ln.Err), maxLabel)})
			tn = toneDanger
		}
		t.Set(head+"\n"+text, tn, false)
	default:
		t.Set(oneLine(c.nick, 40)+" "+ln.At.Format("15:04")+"\n"+text, toneNormal, false)
	}
}

func (c *chatWindow) title() string {
	return oneLine(c.nick, 40) + "@" + oneLine(c.in.model.Label(c.key.Server), 64)
}

// refresh shows new lines and whether the peer and our server are online.
func (c *chatWindow) refresh() {
	m := c.in.model
	ch, _ := m.Chat(c.key)
	if ch.Nickname != "" {
		c.nick = ch.Nickname
	}
	grew := len(ch.Lines) != len(c.snap)
	c.snap = ch.Lines
	if t := c.title(); c.win.Title() != t {
		c.win.SetTitle(t)
	}
	srv, _ := m.Server(c.key.Server)
	label := oneLine(m.Label(c.key.Server), 64)
	switch {
	case srv.State.Phase != conn.PhaseConnected:
		c.state.Set(T("{{.Server}} is offline: messages cannot be sent", map[string]any{"Server": label}), toneWarn, false)
		c.send.Disable()
	case !m.Online(c.key):
		c.state.Set(T("{{.Nick}} is offline", map[string]any{"Nick": oneLine(c.nick, 40)}), toneWarn, false)
		c.send.Disable()
	default:
		c.state.Set(T("{{.Nick}} is online on {{.Server}}", map[string]any{"Nick": oneLine(c.nick, 40), "Server": label}), toneMuted, false)
		c.send.Enable()
	}
	c.lines.Refresh()
	if grew {
		c.lines.ScrollToBottom()
		if ch.Unread > 0 {
			m.MarkRead(c.key)
		}
	}
}

func (c *chatWindow) onSend() {
	text := c.entry.Text
	if text == "" || c.send.Disabled() {
		return
	}
	if len(text) > limits.ChatMessageBytes {
		// Refused, and kept in the field to shorten.
		c.state.Set(T("The message is too long: at most {{.N}} KB", map[string]any{"N": limits.ChatMessageBytes >> 10}), toneDanger, false)
		return
	}
	c.entry.SetText("")
	c.in.send(c.key, c.nick, text)
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
