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
}

// notifier raises desktop notifications for new requests and chat
// messages while the main window is not focused, as the settings allow.
type notifier struct {
	in notifierInput
}

func newNotifier(in notifierInput) *notifier { return &notifier{in: in} }

func (n *notifier) allowed(server conn.ServerID) bool {
	st := n.in.settings()
	return !n.in.focused() && !slices.Contains(st.Notifications.MutedServers, string(server))
}

// request notifies about one new request.
func (n *notifier) request(r *conn.Request) {
	if !n.in.settings().Notifications.Requests || !n.allowed(r.Server) {
		return
	}
	n.in.send(requestNotification(n.in.label(r.Server), r))
}

// chat notifies about one chat message.
func (n *notifier) chat(m conn.ChatMessage) {
	if !n.in.settings().Notifications.Chat || !n.allowed(m.Server) {
		return
	}
	n.in.send(fyne.NewNotification(oneLine(m.SenderNickname, 40)+"@"+oneLine(n.in.label(m.Server), 64), cut(m.Content, 200)))
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
