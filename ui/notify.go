package ui

import (
	"slices"

	"fyne.io/fyne/v2"

	"github.com/agentdesk/agentdesk/conn"
)

// notifier raises desktop notifications for new requests and chat
// messages while the main window is not focused, as the settings allow.
type notifier struct {
	u *UI
}

func newNotifier(u *UI) *notifier { return &notifier{u: u} }

func (n *notifier) allowed(server conn.ServerID) bool {
	st := n.u.core.Settings()
	return !n.u.focused && !slices.Contains(st.Notifications.MutedServers, string(server))
}

// request notifies about one new request.
func (n *notifier) request(r *conn.Request) {
	if !n.u.core.Settings().Notifications.Requests || !n.allowed(r.Server) {
		return
	}
	n.u.app.SendNotification(requestNotification(n.u.model.Label(r.Server), r))
}

// chat notifies about one chat message.
func (n *notifier) chat(m conn.ChatMessage) {
	if !n.u.core.Settings().Notifications.Chat || !n.allowed(m.Server) {
		return
	}
	n.u.app.SendNotification(fyne.NewNotification(m.SenderNickname+"@"+n.u.model.Label(m.Server), truncate(m.Content, 200)))
}

func requestNotification(label string, r *conn.Request) *fyne.Notification {
	kind := T("Question")
	if r.Kind == conn.KindWorkReport {
		kind = T("Work report")
	}
	title := "[" + label + "] " + kind
	if r.AgentName != "" {
		title += " · " + r.AgentName
	}
	return fyne.NewNotification(title, truncate(r.Text, 200))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
