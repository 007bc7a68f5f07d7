package ui

import (
	"slices"

	"fyne.io/fyne/v2"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/profiles"
)

// notifierInput is what the notifier needs: where to send notifications,
// the settings that allow them, server labels, and whether the main
// window has the focus.
type notifierInput struct {
	send     func(*fyne.Notification)
	settings func() profiles.Settings
	label    func(conn.ServerID) string
	focused  func() bool
	// raise brings the main window to the front.
	raise func()
}

// notifier draws attention to new requests and chat messages while the
// main window is not focused, as the attention mode of each kind says:
// nothing, a desktop notification, or a notification and the window
// raised. Muted servers never draw attention.
type notifier struct {
	in notifierInput
}

func newNotifier(in notifierInput) *notifier { return &notifier{in: in} }

// attend applies mode for news from server; it reports whether it
// notified.
func (n *notifier) attend(mode profiles.Attention, server conn.ServerID, note func() *fyne.Notification) bool {
	st := n.in.settings()
	if n.in.focused() || slices.Contains(st.Notifications.MutedServers, string(server)) {
		return false
	}
	if mode.Raises() && n.in.raise != nil {
		n.in.raise()
	}
	if mode.Notifies() {
		n.in.send(note())
		return true
	}
	return false
}

// request draws attention to one new request.
func (n *notifier) request(r *conn.Request) {
	mode := n.in.settings().Notifications.Questions
	if r.Kind == conn.KindWorkReport {
		mode = n.in.settings().Notifications.WorkReports
	}
	n.attend(mode, r.Server, func() *fyne.Notification { return requestNotification(n.in.label(r.Server), r) })
}

// chat draws attention to one chat message.
func (n *notifier) chat(m conn.ChatMessage) {
	n.attend(n.in.settings().Notifications.Chat, m.Server, func() *fyne.Notification {
		return fyne.NewNotification(oneLine(m.SenderNickname, 40)+"@"+oneLine(n.in.label(m.Server), 64), cut(m.Content, 200))
	})
}

func requestNotification(label string, r *conn.Request) *fyne.Notification {
	kind := T("Question")
	if r.Kind == conn.KindWorkReport {
		kind = T("Work report")
	}
	title := "[" + oneLine(label, 64) + "] " + kind
	if r.AgentName != "" {
		title += " · " + oneLine(r.AgentName, 64)
	}
	return fyne.NewNotification(title, cut(r.Text, 200))
}
