package ui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/assets/about"
	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// settingsSource is what the settings screen reads besides the model:
// the saved settings and profiles (desk.Core provides it).
type settingsSource interface {
	Settings() profiles.Settings
	Profiles() []profiles.Profile
	DefaultID() conn.ServerID
	HasToken() bool
	TokenFromEnv() bool
}

// settingsInput is what the settings screen needs: what to read, and what
// its controls do. Actions run in the background and report back through
// done (on the UI goroutine) or through the model.
type settingsInput struct {
	source settingsSource
	model  *model.Model
	save   func(st profiles.Settings, token *string, done func(error))
	// setEnabled, setMuted and setDefault change one server.
	setEnabled func(id conn.ServerID, on bool)
	setMuted   func(id conn.ServerID, muted bool)
	setDefault func(id conn.ServerID)
	onBack     func()
	onAdd      func()
	onEdit     func(p profiles.Profile)
	onDelete   func(p profiles.Profile)
	onImport   func()
	onServers  func(anchor fyne.CanvasObject)
	// about identifies this build.
	about about.Info
	// history is what the History section needs (its scope is set here).
	history historySectionInput
}

// settingsScreen replaces the main window's content while open: the
// status badge and a back button in its header, the user's settings, and
// the server list. Escape goes back.
type settingsScreen struct {
	in      settingsInput
	root    fyne.CanvasObject
	scope   *keyScope
	visible bool

	badge        *StatusBadge
	back         *scopedButton
	nickname     *scopedEntry
	token        *scopedEntry
	affixes      *scopedCheck
	prefix       *scopedEntry
	suffix       *scopedEntry
	preview      *toneText
	attQuestions *scopedSelect
	attReports   *scopedSelect
	attChat      *scopedSelect
	save         *scopedButton
	saveMsg      *toneText
	rich         *richSettings

	servers   *fyne.Container
	history   *historySection
	about     *toneText
	rowsSig   string
	rowStates map[conn.ServerID]*settingsRow
}

type settingsRow struct {
	state  *toneText
	health *toneText
}

func newSettingsScreen(in settingsInput) *settingsScreen {
	s := &settingsScreen{in: in, rowStates: map[conn.ServerID]*settingsRow{}}
	s.scope = &keyScope{cancel: in.onBack}
	s.badge = NewStatusBadge(nil)
	s.badge.OnTapped = func() { in.onServers(s.badge) }
	s.back = newScopedButton(T("Back"), theme.NavigateBackIcon(), in.onBack, s.scope)
	title := widget.NewLabelWithStyle(T("Settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	header := bordered(nil, nil, container.NewHBox(s.badge, title), s.back, nil)

	s.nickname = newScopedEntry(s.scope)
	s.nickname.Validator = func(v string) error { _, err := profiles.ValidateNickname(v); return err }
	s.token = newScopedPasswordEntry(s.scope)
	s.affixes = newScopedCheck(T("Wrap every reply in a prefix and suffix"), func(bool) { s.onAffixesChanged() }, s.scope)
	s.prefix = newScopedEntry(s.scope)
	s.prefix.SetPlaceHolder(T("Prefix"))
	s.prefix.OnChanged = func(string) { s.onAffixesChanged() }
	s.suffix = newScopedEntry(s.scope)
	s.suffix.SetPlaceHolder(T("Suffix"))
	s.suffix.OnChanged = func(string) { s.onAffixesChanged() }
	s.preview = newToneText(toneMuted, true)
	s.attQuestions = newScopedSelect(attentionLabels(), nil, s.scope)
	s.attReports = newScopedSelect(attentionLabels(), nil, s.scope)
	s.attChat = newScopedSelect(attentionLabels(), nil, s.scope)
	s.save = newScopedButton(T("Save settings"), theme.DocumentSaveIcon(), s.onSave, s.scope)
	s.save.Importance = widget.HighImportance
	s.scope.submit = s.onSave
	s.saveMsg = newToneText(toneNormal, true)

	form := widget.NewForm(
		widget.NewFormItem(T("Nickname"), s.nickname),
		widget.NewFormItem(T("Token"), s.token),
		widget.NewFormItem(T("Replies"), container.NewVBox(s.affixes, container.NewGridWithColumns(2, s.prefix, s.suffix), s.preview)),
		widget.NewFormItem(T("Questions"), s.attQuestions),
		widget.NewFormItem(T("Work reports"), s.attReports),
		widget.NewFormItem(T("Chat messages"), s.attChat),
	)
	form.Items[5].HintText = T("How new things get your attention while agentdesk is in the background. Muted servers never do.")
	form.Items[0].HintText = T("Shown to other clients; sent to every server when saved.")
	s.rich = newRichSettings(s.scope)
	for _, it := range s.rich.items() {
		form.AppendItem(it)
	}

	s.servers = container.NewVBox()
	add := newScopedButton(T("Add server"), theme.ContentAddIcon(), in.onAdd, s.scope)
	imp := newScopedButton(T("Import from Agent Assistant app"), theme.DownloadIcon(), in.onImport, s.scope)
	serversHead := bordered(nil, nil,
		widget.NewLabelWithStyle(T("Servers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(imp, add), nil)

	in.history.scope = s.scope
	s.history = newHistorySection(in.history)
	s.about = newToneText(toneNormal, true)
	s.about.seg.Style.TextStyle.Monospace = true // the same lines as agentdesk --version
	s.about.Set(in.about.String(), toneNormal, false)
	content := container.NewVBox(form, bordered(nil, nil, nil, s.save, s.saveMsg),
		widget.NewSeparator(), serversHead, s.servers,
		widget.NewSeparator(), s.history.root,
		widget.NewSeparator(), widget.NewLabelWithStyle(T("About"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.about)
	s.root = bordered(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(container.NewPadded(content)))
	return s
}

// show fills the screen with the saved values.
func (s *settingsScreen) show() {
	src := s.in.source
	st := src.Settings()
	s.nickname.SetText(st.Nickname)
	s.token.SetText("")
	switch {
	case src.TokenFromEnv():
		s.token.SetPlaceHolder(T("Set by AGENTDESK_TOKEN"))
		s.token.Disable()
	case src.HasToken():
		s.token.SetPlaceHolder(T("Stored in the keyring; type to replace"))
		s.token.Enable()
	default:
		s.token.SetPlaceHolder(T("Not set"))
		s.token.Enable()
	}
	s.affixes.SetChecked(st.ReplyAffixes)
	s.prefix.SetText(st.ReplyPrefix)
	s.suffix.SetText(st.ReplySuffix)
	s.attQuestions.SetSelectedIndex(attentionIndex(st.Notifications.Questions))
	s.attReports.SetSelectedIndex(attentionIndex(st.Notifications.WorkReports))
	s.attChat.SetSelectedIndex(attentionIndex(st.Notifications.Chat))
	s.rich.load(st)
	s.saveMsg.Set("", toneNormal, false)
	s.history.show(st.History)
	s.onAffixesChanged()
	s.visible = true
	s.rowsSig = ""
	s.refresh()
}

func (s *settingsScreen) onAffixesChanged() {
	if s.affixes.Checked {
		s.prefix.Enable()
		s.suffix.Enable()
		s.preview.Set(T("Example: {{.Text}}", map[string]any{"Text": cut(s.prefix.Text+T("OK")+s.suffix.Text, maxLine)}), toneMuted, false)
	} else {
		s.prefix.Disable()
		s.suffix.Disable()
		s.preview.Set("", toneMuted, false)
	}
}

func (s *settingsScreen) onSave() {
	st := s.in.source.Settings()
	st.Nickname = strings.TrimSpace(s.nickname.Text)
	st.ReplyAffixes = s.affixes.Checked
	st.ReplyPrefix, st.ReplySuffix = s.prefix.Text, s.suffix.Text
	st.Notifications.Questions = profiles.AttentionModes[max(0, s.attQuestions.SelectedIndex())]
	st.Notifications.WorkReports = profiles.AttentionModes[max(0, s.attReports.SelectedIndex())]
	st.Notifications.Chat = profiles.AttentionModes[max(0, s.attChat.SelectedIndex())]
	if err := s.rich.apply(&st); err != nil {
		s.saveMsg.Set(cut(err.Error(), maxLine), toneDanger, false)
		return
	}
	if err := s.history.apply(&st.History); err != nil {
		s.saveMsg.Set(cut(err.Error(), maxLine), toneDanger, false)
		return
	}
	var token *string
	if t := strings.TrimSpace(s.token.Text); t != "" {
		token = &t
	}
	s.save.Disable()
	s.saveMsg.Set(T("Saving…"), toneMuted, false)
	s.in.save(st, token, func(err error) {
		s.save.Enable()
		switch {
		case err == nil:
			s.saveMsg.Set(T("Saved."), toneOK, false)
			if token != nil {
				s.token.SetText("")
				s.token.SetPlaceHolder(T("Stored in the keyring; type to replace"))
			}
		case errors.Is(err, profiles.ErrKeyringUnavailable):
			s.saveMsg.Set(cut(err.Error(), maxLine), toneWarn, false)
		default:
			s.saveMsg.Set(cut(err.Error(), maxLine), toneDanger, false)
		}
	})
}

// refresh updates the server list; rows are rebuilt only when the set of
// servers changes, otherwise their state and health are updated.
func (s *settingsScreen) refresh() {
	s.badge.Set(s.in.model.Connectivity())
	if !s.visible {
		return
	}
	src := s.in.source
	profs := src.Profiles()
	def := src.DefaultID()
	muted := src.Settings().Notifications.MutedServers
	var sig strings.Builder
	sig.WriteString(string(def))
	for _, p := range profs {
		sig.WriteString("|" + p.ID + p.Label() + p.URL)
		if p.Enabled {
			sig.WriteString("+")
		}
		if slices.Contains(muted, p.ID) {
			sig.WriteString("m")
		}
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
			objs = append(objs, s.row(p, conn.ServerID(p.ID) == def, slices.Contains(muted, p.ID)))
		}
		s.servers.Objects = objs
		s.servers.Refresh()
	}
	now := time.Now()
	for _, p := range profs {
		id := conn.ServerID(p.ID)
		r := s.rowStates[id]
		srv, ok := s.in.model.Server(id)
		if r == nil || !ok {
			continue
		}
		text := StateText(srv.State, now)
		if more := overflowText(srv.State.PendingOverflow); more != "" {
			text += "\n" + more
		}
		tn := toneNormal
		if srv.State.LastError != "" {
			text += " — " + srv.State.LastError
			if srv.State.Phase != conn.PhaseConnected {
				tn = toneDanger
			}
		}
		r.state.Set(cut(text, maxLine), tn, false)
		r.health.Set(cut(healthText(srv.Health), maxLine), toneMuted, false)
	}
}

func healthText(h model.Health) string {
	switch {
	case !h.Checked:
		return T("Health: not checked yet")
	case h.OK && h.Version != "":
		return T("Health: OK (version {{.V}})", map[string]any{"V": oneLine(h.Version, 40)})
	case h.OK:
		return T("Health: OK")
	case h.Err != "":
		return T("Health: {{.Err}}", map[string]any{"Err": h.Err})
	}
	return T("Health: not answering")
}

func (s *settingsScreen) row(p profiles.Profile, isDefault, muted bool) fyne.CanvasObject {
	id := conn.ServerID(p.ID)
	title := oneLine(p.Label(), maxLabel)
	if isDefault {
		title += "  ★ " + T("default")
	}
	name := newToneText(toneNormal, false)
	name.Set(title, toneNormal, true)
	urlL := newToneText(toneMuted, false)
	urlL.Set(oneLine(p.URL, maxLabel), toneMuted, false)
	r := &settingsRow{state: newToneText(toneNormal, true), health: newToneText(toneMuted, true)}
	s.rowStates[id] = r

	enabled := newScopedCheck(T("Enabled"), nil, s.scope)
	enabled.SetChecked(p.Enabled)
	enabled.OnChanged = func(on bool) { s.in.setEnabled(id, on) }
	notify := newScopedCheck(T("Notify"), nil, s.scope)
	notify.SetChecked(!muted)
	notify.OnChanged = func(on bool) { s.in.setMuted(id, !on) }
	def := newScopedButton(T("Make default"), theme.ConfirmIcon(), func() { s.in.setDefault(id) }, s.scope)
	if isDefault {
		def.Disable()
	}
	edit := newScopedButton(T("Edit"), theme.DocumentCreateIcon(), func() { s.in.onEdit(p) }, s.scope)
	del := newScopedButton(T("Delete"), theme.DeleteIcon(), func() { s.in.onDelete(p) }, s.scope)
	del.Importance = widget.DangerImportance
	actions := container.NewCenter(container.NewHBox(enabled, notify, def, edit, del))
	return bordered(nil, nil, nil, actions, container.NewVBox(name, urlL, r.state, r.health))
}

// attentionLabels names the attention modes, in profiles.AttentionModes
// order.
func attentionLabels() []string {
	return []string{T("Show in the window only"), T("Notify"), T("Notify and bring the window to the front")}
}

// attentionIndex is a mode's place in attentionLabels.
func attentionIndex(a profiles.Attention) int {
	for i, m := range profiles.AttentionModes {
		if m == a {
			return i
		}
	}
	return 1
}
