package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// settingsScreen replaces the main window's content while open: the
// status badge and a back button in its header, the user's settings, and
// the server list.
type settingsScreen struct {
	u       *UI
	root    fyne.CanvasObject
	visible bool

	badge     *StatusBadge
	nickname  *widget.Entry
	token     *widget.Entry
	affixes   *widget.Check
	prefix    *widget.Entry
	suffix    *widget.Entry
	preview   *widget.Label
	notifReq  *widget.Check
	notifChat *widget.Check
	save      *widget.Button
	saveMsg   *widget.Label

	servers   *fyne.Container
	rowsSig   string
	rowStates map[conn.ServerID]*serverRow
}

type serverRow struct {
	state  *widget.Label
	health *widget.Label
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u, rowStates: map[conn.ServerID]*serverRow{}}
	s.badge = NewStatusBadge(nil)
	s.badge.OnTapped = func() { u.showServerPopup(s.badge) }
	back := widget.NewButtonWithIcon(T("Back"), theme.NavigateBackIcon(), s.hide)
	title := widget.NewLabelWithStyle(T("Settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := container.NewBorder(nil, nil, container.NewHBox(s.badge, title), back)

	s.nickname = widget.NewEntry()
	s.nickname.Validator = func(v string) error { _, err := profiles.ValidateNickname(v); return err }
	s.token = widget.NewPasswordEntry()
	s.affixes = widget.NewCheck(T("Wrap every reply in a prefix and suffix"), func(bool) { s.onAffixesChanged() })
	s.prefix = widget.NewEntry()
	s.prefix.SetPlaceHolder(T("Prefix"))
	s.prefix.OnChanged = func(string) { s.onAffixesChanged() }
	s.suffix = widget.NewEntry()
	s.suffix.SetPlaceHolder(T("Suffix"))
	s.suffix.OnChanged = func(string) { s.onAffixesChanged() }
	s.preview = widget.NewLabel("")
	s.preview.Importance = widget.LowImportance
	s.preview.Wrapping = fyne.TextWrapWord
	s.notifReq = widget.NewCheck(T("New questions and work reports"), nil)
	s.notifChat = widget.NewCheck(T("Chat messages"), nil)
	s.save = widget.NewButtonWithIcon(T("Save settings"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.saveMsg = widget.NewLabel("")
	s.saveMsg.Wrapping = fyne.TextWrapWord

	form := widget.NewForm(
		widget.NewFormItem(T("Nickname"), s.nickname),
		widget.NewFormItem(T("Token"), s.token),
		widget.NewFormItem(T("Replies"), container.NewVBox(s.affixes, container.NewGridWithColumns(2, s.prefix, s.suffix), s.preview)),
		widget.NewFormItem(T("Notifications"), container.NewVBox(s.notifReq, s.notifChat)),
	)
	form.Items[0].HintText = T("Shown to other clients; sent to every server when saved.")

	s.servers = container.NewVBox()
	add := widget.NewButtonWithIcon(T("Add server"), theme.ContentAddIcon(), func() { u.showServerDialog(nil) })
	imp := widget.NewButtonWithIcon(T("Import from Agent Assistant app"), theme.DownloadIcon(), u.importFromFile)
	serversHead := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle(T("Servers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(imp, add))

	content := container.NewVBox(form, container.NewBorder(nil, nil, nil, s.save, s.saveMsg),
		widget.NewSeparator(), serversHead, s.servers)
	s.root = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(container.NewPadded(content)))
	return s
}

// show opens the settings screen with the saved values.
func (s *settingsScreen) show() {
	u := s.u
	st := u.core.Settings()
	s.nickname.SetText(st.Nickname)
	s.token.SetText("")
	switch {
	case u.core.TokenFromEnv():
		s.token.SetPlaceHolder(T("Set by AGENTDESK_TOKEN"))
		s.token.Disable()
	case u.core.HasToken():
		s.token.SetPlaceHolder(T("Stored in the keyring; type to replace"))
		s.token.Enable()
	default:
		s.token.SetPlaceHolder(T("Not set"))
		s.token.Enable()
	}
	s.affixes.SetChecked(st.ReplyAffixes)
	s.prefix.SetText(st.ReplyPrefix)
	s.suffix.SetText(st.ReplySuffix)
	s.notifReq.SetChecked(st.Notifications.Requests)
	s.notifChat.SetChecked(st.Notifications.Chat)
	s.saveMsg.SetText("")
	s.onAffixesChanged()
	if u.popup != nil {
		u.popup.hide()
	}
	s.visible = true
	s.rowsSig = ""
	s.refresh()
	u.win.SetContent(s.root)
}

// hide returns to the timeline.
func (s *settingsScreen) hide() {
	if !s.visible {
		return
	}
	s.visible = false
	if s.u.popup != nil {
		s.u.popup.hide()
	}
	s.u.win.SetContent(s.u.main.root)
}

func (s *settingsScreen) onAffixesChanged() {
	if s.affixes.Checked {
		s.prefix.Enable()
		s.suffix.Enable()
		s.preview.SetText(T("Example: {{.Text}}", map[string]any{"Text": s.prefix.Text + T("OK") + s.suffix.Text}))
	} else {
		s.prefix.Disable()
		s.suffix.Disable()
		s.preview.SetText("")
	}
}

func (s *settingsScreen) onSave() {
	u := s.u
	st := u.core.Settings()
	st.Nickname = strings.TrimSpace(s.nickname.Text)
	st.ReplyAffixes = s.affixes.Checked
	st.ReplyPrefix, st.ReplySuffix = s.prefix.Text, s.suffix.Text
	st.Notifications.Requests = s.notifReq.Checked
	st.Notifications.Chat = s.notifChat.Checked
	var token *string
	if t := strings.TrimSpace(s.token.Text); t != "" {
		token = &t
	}
	s.save.Disable()
	s.saveMsg.SetText(T("Saving…"))
	go func() {
		err := u.core.SaveSettings(context.Background(), st, token)
		u.bridge.Do(func() {
			s.save.Enable()
			switch {
			case err == nil:
				s.saveMsg.Importance = widget.SuccessImportance
				s.saveMsg.SetText(T("Saved."))
				if token != nil {
					s.token.SetText("")
					s.token.SetPlaceHolder(T("Stored in the keyring; type to replace"))
				}
			case errors.Is(err, profiles.ErrKeyringUnavailable):
				s.saveMsg.Importance = widget.WarningImportance
				s.saveMsg.SetText(err.Error())
			default:
				s.saveMsg.Importance = widget.DangerImportance
				s.saveMsg.SetText(err.Error())
			}
			s.saveMsg.Refresh()
		})
	}()
}

// refresh updates the server list; rows are rebuilt only when the set of
// servers changes, otherwise their state and health labels are updated.
func (s *settingsScreen) refresh() {
	u := s.u
	s.badge.Set(u.model.Connectivity())
	if !s.visible {
		return
	}
	profs := u.core.Profiles()
	def := u.core.DefaultID()
	var sig strings.Builder
	sig.WriteString(string(def))
	for _, p := range profs {
		sig.WriteString("|" + p.ID + p.Label() + p.URL)
		if p.Enabled {
			sig.WriteString("+")
		}
	}
	servers := map[conn.ServerID]model.Server{}
	for _, m := range u.model.Servers() {
		servers[m.ID] = m
	}
	if sig.String() != s.rowsSig {
		s.rowsSig = sig.String()
		clear(s.rowStates)
		objs := make([]fyne.CanvasObject, 0, len(profs)*2)
		if len(profs) == 0 {
			objs = append(objs, widget.NewLabel(T("No servers configured.")))
		}
		for i, p := range profs {
			if i > 0 {
				objs = append(objs, widget.NewSeparator())
			}
			objs = append(objs, s.row(p, conn.ServerID(p.ID) == def))
		}
		s.servers.Objects = objs
		s.servers.Refresh()
	}
	now := time.Now()
	for _, p := range profs {
		id := conn.ServerID(p.ID)
		r := s.rowStates[id]
		if r == nil {
			continue
		}
		st := servers[id].State
		text := StateText(st, now)
		if st.LastError != "" {
			text += " — " + st.LastError
		}
		r.state.SetText(text)
		r.health.SetText(healthText(u.core.Health(id)))
	}
}

func healthText(h conn.Health, ok bool) string {
	switch {
	case !ok:
		return T("Health: not checked yet")
	case h.OK && h.Version != "":
		return T("Health: OK (version {{.V}})", map[string]any{"V": h.Version})
	case h.OK:
		return T("Health: OK")
	case h.Err != nil:
		return T("Health: {{.Err}}", map[string]any{"Err": h.Err.Error()})
	}
	return T("Health: not answering")
}

func (s *settingsScreen) row(p profiles.Profile, isDefault bool) fyne.CanvasObject {
	u := s.u
	id := conn.ServerID(p.ID)
	title := p.Label()
	if isDefault {
		title += "  ★ " + T("default")
	}
	name := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	urlL := widget.NewLabel(p.URL)
	urlL.Truncation = fyne.TextTruncateEllipsis
	r := &serverRow{state: widget.NewLabel(""), health: widget.NewLabel("")}
	r.state.Wrapping = fyne.TextWrapWord
	r.health.Importance = widget.LowImportance
	r.health.Wrapping = fyne.TextWrapWord
	s.rowStates[id] = r

	muted := slices.Contains(u.core.Settings().Notifications.MutedServers, p.ID)
	notify := widget.NewCheck(T("Notify"), nil)
	notify.SetChecked(!muted)
	notify.OnChanged = func(on bool) {
		go func() {
			st := u.core.Settings()
			st.Notifications.MutedServers = slices.DeleteFunc(st.Notifications.MutedServers, func(m string) bool { return m == p.ID })
			if !on {
				st.Notifications.MutedServers = append(st.Notifications.MutedServers, p.ID)
			}
			if err := u.core.SaveSettings(context.Background(), st, nil); err != nil {
				u.bridge.Do(func() { u.showError(err) })
			}
		}()
	}
	enabled := widget.NewCheck(T("Enabled"), nil)
	enabled.SetChecked(p.Enabled)
	enabled.OnChanged = func(on bool) {
		go func() {
			err := u.core.SetEnabled(context.Background(), id, on)
			if err != nil {
				u.bridge.Do(func() { u.showError(err) })
			}
		}()
	}
	def := widget.NewButtonWithIcon(T("Make default"), theme.ConfirmIcon(), func() {
		go func() {
			if err := u.core.SetDefault(id); err != nil {
				u.bridge.Do(func() { u.showError(err) })
			}
		}()
	})
	if isDefault {
		def.Disable()
	}
	edit := widget.NewButtonWithIcon(T("Edit"), theme.DocumentCreateIcon(), func() {
		if cur, ok := u.core.Profile(id); ok {
			u.showServerDialog(&cur)
		}
	})
	del := widget.NewButtonWithIcon(T("Delete"), theme.DeleteIcon(), func() { u.confirmDelete(p) })
	del.Importance = widget.DangerImportance
	actions := container.NewCenter(container.NewHBox(enabled, notify, def, edit, del))
	return container.NewBorder(nil, nil, nil, actions, container.NewVBox(name, urlL, r.state, r.health))
}

// confirmDelete asks before deleting a server.
func (u *UI) confirmDelete(p profiles.Profile) {
	dialog.ShowConfirm(T("Delete server"),
		T("Delete the server {{.Name}}? Its requests disappear from the timeline and its stored password is removed.", map[string]any{"Name": p.Label()}),
		func(ok bool) {
			if !ok {
				return
			}
			go func() {
				err := u.core.DeleteServer(context.Background(), conn.ServerID(p.ID))
				if err != nil {
					u.bridge.Do(func() { u.showError(err) })
				}
			}()
		}, u.win)
}
