package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/profiles"
)

// serverDialogInput is what the add/edit server dialog needs. It never
// saves anything itself: it hands the result to onSubmit, and the caller
// decides what to do with it.
type serverDialogInput struct {
	// edit is the profile being edited; nil adds a new one.
	edit *profiles.Profile
	// existing lists the saved profiles, to refuse a duplicate address.
	existing func() []profiles.Profile
	// test connects once with what was entered (off the UI goroutine: the
	// dialog runs it through the worker).
	test func(ctx context.Context, p profiles.Profile, password *string) (conn.CheckResult, error)
	// onSubmit gets the profile as entered and the password (nil: keep the
	// stored one); it calls done on the UI goroutine with the outcome. The
	// dialog closes on success; warn, when not empty, is shown as a notice
	// by the caller (a password kept for this run only).
	onSubmit func(p profiles.Profile, password *string, done func(err error))
}

// serverDialog adds or edits one server. It validates as the user types
// (showing the normalized address or why it is not valid, and duplicate
// addresses), never shows a stored password, and can test the connection
// without saving. Escape cancels; Enter saves.
type serverDialog struct {
	in    serverDialogInput
	work  *worker
	dlg   *modal
	scope *keyScope

	alias    *scopedEntry
	address  *scopedEntry
	preview  *toneText
	enabled  *scopedCheck
	basic    *scopedCheck
	user     *scopedEntry
	password *scopedEntry
	test     *scopedButton
	result   *toneText
	cancel   *scopedButton
	save     *scopedButton
	saveErr  *toneText

	normalized string
}

// showServerDialog opens the dialog on c.
func showServerDialog(c fyne.Canvas, stack *overlays, work *worker, in serverDialogInput) *serverDialog {
	d := newServerDialog(c, stack, work, in)
	d.dlg.show(560, d.address)
	return d
}

func newServerDialog(c fyne.Canvas, stack *overlays, work *worker, in serverDialogInput) *serverDialog {
	d := &serverDialog{in: in, work: work}
	d.scope = &keyScope{}
	d.scope.submit = d.onSave
	d.alias = newScopedEntry(d.scope)
	d.alias.SetPlaceHolder(T("Optional, for example Work"))
	d.address = newScopedEntry(d.scope)
	d.address.SetPlaceHolder("ws://localhost:2000/ws")
	d.preview = newToneText(toneMuted, true)
	d.enabled = newScopedCheck(T("Connect to this server"), nil, d.scope)
	d.enabled.SetChecked(true)
	d.basic = newScopedCheck(T("The server is behind HTTP Basic auth"), nil, d.scope)
	d.user = newScopedEntry(d.scope)
	d.user.SetPlaceHolder(T("User name"))
	d.password = newScopedPasswordEntry(d.scope)
	d.password.SetPlaceHolder(T("Password"))
	d.result = newToneText(toneNormal, true)
	d.test = newScopedButton(T("Test connection"), theme.SearchIcon(), d.onTest, d.scope)
	d.saveErr = newToneText(toneDanger, true)

	title := T("Add server")
	if p := in.edit; p != nil {
		title = T("Edit server")
		d.alias.SetText(p.Alias)
		d.address.SetText(p.URL)
		d.enabled.SetChecked(p.Enabled)
		d.basic.SetChecked(p.BasicAuth)
		d.user.SetText(p.BasicUser)
		if p.BasicAuth {
			d.password.SetPlaceHolder(T("Unchanged (leave empty to keep the stored password)"))
		}
	}
	d.basic.OnChanged = func(bool) { d.validate() }
	d.address.OnChanged = func(string) { d.validate() }
	d.user.OnChanged = func(string) { d.validate() }
	d.alias.OnChanged = func(string) { d.validate() }

	form := widget.NewForm(
		widget.NewFormItem(T("Name"), d.alias),
		widget.NewFormItem(T("Address"), container.NewVBox(d.address, d.preview)),
		widget.NewFormItem("", d.enabled),
		widget.NewFormItem(T("Basic auth"), container.NewVBox(d.basic, d.user, d.password)),
		widget.NewFormItem("", container.NewVBox(d.test, d.result)),
	)
	d.cancel = newScopedButton(T("Cancel"), theme.CancelIcon(), func() { d.dlg.hide() }, d.scope)
	d.save = newScopedButton(T("Save"), theme.DocumentSaveIcon(), d.onSave, d.scope)
	d.save.Importance = widget.HighImportance
	d.dlg = newModal(c, stack, d.scope, title, container.NewVBox(form, d.saveErr), d.cancel, d.save)
	d.validate()
	return d
}

// validate checks the fields as typed; it reports whether Save may run.
func (d *serverDialog) validate() bool {
	ok := true
	u, err := profiles.NormalizeURL(d.address.Text)
	d.normalized = u
	switch {
	case strings.TrimSpace(d.address.Text) == "":
		d.preview.Set(T("Enter the server address, for example localhost:2000"), toneMuted, false)
		ok = false
	case err != nil:
		d.preview.Set(cut(strings.TrimPrefix(err.Error(), profiles.ErrInvalidURL.Error()+": "), maxLine), toneDanger, false)
		ok = false
	default:
		if other, dup := d.duplicate(u); dup {
			d.preview.Set(T("The server {{.Name}} already uses the address {{.URL}}",
				map[string]any{"Name": oneLine(other.Label(), maxLabel), "URL": oneLine(u, maxLabel)}), toneDanger, false)
			ok = false
		} else {
			d.preview.Set(T("Connects to {{.URL}}", map[string]any{"URL": oneLine(u, maxLabel)}), toneOK, false)
		}
	}
	if d.basic.Checked {
		d.user.Enable()
		d.password.Enable()
		if strings.TrimSpace(d.user.Text) == "" {
			ok = false
		}
	} else {
		d.user.Disable()
		d.password.Disable()
	}
	if ok {
		d.save.Enable()
		d.test.Enable()
	} else {
		d.save.Disable()
		d.test.Disable()
	}
	return ok
}

func (d *serverDialog) duplicate(u string) (profiles.Profile, bool) {
	for _, p := range d.in.existing() {
		if p.URL == u && (d.in.edit == nil || p.ID != d.in.edit.ID) {
			return p, true
		}
	}
	return profiles.Profile{}, false
}

// profile is the profile as entered.
func (d *serverDialog) profile() profiles.Profile {
	var p profiles.Profile
	if d.in.edit != nil {
		p = *d.in.edit
	}
	p.Alias = strings.TrimSpace(d.alias.Text)
	p.URL = d.address.Text
	p.Enabled = d.enabled.Checked
	p.BasicAuth = d.basic.Checked
	p.BasicUser = strings.TrimSpace(d.user.Text)
	return p
}

// passwordValue is nil when the stored password should be kept.
func (d *serverDialog) passwordValue() *string {
	if !d.basic.Checked {
		if d.in.edit != nil && d.in.edit.BasicAuth {
			empty := ""
			return &empty
		}
		return nil
	}
	if d.password.Text == "" && d.in.edit != nil {
		return nil
	}
	pw := d.password.Text
	return &pw
}

func (d *serverDialog) onTest() {
	if !d.validate() {
		return
	}
	p, pw := d.profile(), d.passwordValue()
	if !d.basic.Checked {
		pw = nil
	}
	d.test.Disable()
	d.result.Set(T("Testing…"), toneMuted, false)
	runFor(d.work, func(ctx context.Context) (conn.CheckResult, error) { return d.in.test(ctx, p, pw) },
		func(res conn.CheckResult, err error) {
			d.test.Enable()
			d.showResult(res, err)
		})
}

func (d *serverDialog) showResult(res conn.CheckResult, err error) {
	if err != nil {
		d.result.Set(cut(err.Error(), maxLine), toneDanger, false)
		return
	}
	var lines []string
	switch {
	case res.Health.OK && res.Health.Version != "":
		lines = append(lines, T("Health: OK (version {{.V}})", map[string]any{"V": oneLine(res.Health.Version, 40)}))
	case res.Health.OK:
		lines = append(lines, T("Health: OK"))
	case res.Health.Err != nil:
		lines = append(lines, T("Health: {{.Err}}", map[string]any{"Err": res.Health.Err.Error()}))
	default:
		lines = append(lines, T("Health: not answering"))
	}
	tn := toneOK
	if res.Connected() {
		lines = append(lines, T("Login: OK in {{.Ms}} ms", map[string]any{"Ms": res.Latency.Milliseconds()}))
		if res.Pending >= 0 {
			lines = append(lines, fmt.Sprintf("%s: %d", T("Pending requests"), res.Pending))
		}
		if res.Online >= 0 {
			lines = append(lines, fmt.Sprintf("%s: %d", T("Other clients online"), res.Online))
		}
	} else {
		lines = append(lines, T("Login failed: {{.Err}}", map[string]any{"Err": res.Err.Error()}))
		tn = toneDanger
	}
	d.result.Set(cut(strings.Join(lines, "\n"), maxLine), tn, false)
}

func (d *serverDialog) onSave() {
	if !d.validate() || d.save.Disabled() {
		return
	}
	d.save.Disable()
	d.in.onSubmit(d.profile(), d.passwordValue(), func(err error) {
		d.save.Enable()
		if err != nil {
			d.saveErr.Set(cut(err.Error(), maxLine), toneDanger, false)
			return
		}
		d.dlg.hide()
	})
}
