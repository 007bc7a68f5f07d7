package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/profiles"
)

// serverDialog adds or edits one server. It validates as the user types
// (showing the normalized address or why it is not valid, and duplicate
// addresses), never shows a stored password, and can test the connection
// without saving.
type serverDialog struct {
	u    *UI
	edit *profiles.Profile // nil when adding
	dlg  dialog.Dialog

	alias    *widget.Entry
	address  *widget.Entry
	preview  *widget.Label
	enabled  *widget.Check
	basic    *widget.Check
	user     *widget.Entry
	password *widget.Entry
	test     *widget.Button
	result   *widget.Label
	save     *widget.Button
	saveErr  *widget.Label

	normalized string
}

// showServerDialog opens the dialog; p nil adds a new server.
func (u *UI) showServerDialog(p *profiles.Profile) {
	d := newServerDialog(u, p)
	d.dlg.Show()
	u.win.Canvas().Focus(d.address)
}

func newServerDialog(u *UI, p *profiles.Profile) *serverDialog {
	d := &serverDialog{u: u, edit: p}
	d.alias = widget.NewEntry()
	d.alias.SetPlaceHolder(T("Optional, for example Work"))
	d.address = widget.NewEntry()
	d.address.SetPlaceHolder("ws://localhost:2000/ws")
	d.preview = widget.NewLabel("")
	d.preview.Wrapping = fyne.TextWrapWord
	d.enabled = widget.NewCheck(T("Connect to this server"), nil)
	d.enabled.SetChecked(true)
	d.basic = widget.NewCheck(T("The server is behind HTTP Basic auth"), nil)
	d.user = widget.NewEntry()
	d.user.SetPlaceHolder(T("User name"))
	d.password = widget.NewPasswordEntry()
	d.password.SetPlaceHolder(T("Password"))
	d.result = widget.NewLabel("")
	d.result.Wrapping = fyne.TextWrapWord
	d.test = widget.NewButtonWithIcon(T("Test connection"), theme.SearchIcon(), d.onTest)
	d.saveErr = widget.NewLabel("")
	d.saveErr.Wrapping = fyne.TextWrapWord
	d.saveErr.Importance = widget.DangerImportance

	title := T("Add server")
	if p != nil {
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
	cancel := widget.NewButtonWithIcon(T("Cancel"), theme.CancelIcon(), func() { d.dlg.Hide() })
	d.save = widget.NewButtonWithIcon(T("Save"), theme.DocumentSaveIcon(), d.onSave)
	d.save.Importance = widget.HighImportance
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(cancel, d.save), d.saveErr)
	d.dlg = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, widget.NewSeparator(), buttons), u.win)
	d.dlg.Resize(fyne.NewSize(560, 0))
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
		d.preview.SetText(T("Enter the server address, for example localhost:2000"))
		d.preview.Importance = widget.LowImportance
		ok = false
	case err != nil:
		d.preview.SetText(strings.TrimPrefix(err.Error(), profiles.ErrInvalidURL.Error()+": "))
		d.preview.Importance = widget.DangerImportance
		ok = false
	default:
		if other, dup := d.duplicate(u); dup {
			d.preview.SetText(T("The server {{.Name}} already uses the address {{.URL}}", map[string]any{"Name": other.Label(), "URL": u}))
			d.preview.Importance = widget.DangerImportance
			ok = false
		} else {
			d.preview.SetText(T("Connects to {{.URL}}", map[string]any{"URL": u}))
			d.preview.Importance = widget.SuccessImportance
		}
	}
	d.preview.Refresh()
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
	for _, p := range d.u.core.Profiles() {
		if p.URL == u && (d.edit == nil || p.ID != d.edit.ID) {
			return p, true
		}
	}
	return profiles.Profile{}, false
}

// profile is the profile as entered.
func (d *serverDialog) profile() profiles.Profile {
	var p profiles.Profile
	if d.edit != nil {
		p = *d.edit
	}
	p.Alias = strings.TrimSpace(d.alias.Text)
	p.URL = d.address.Text
	p.Enabled = d.enabled.Checked
	p.BasicAuth = d.basic.Checked
	p.BasicUser = strings.TrimSpace(d.user.Text)
	return p
}

// password is nil when the stored password should be kept.
func (d *serverDialog) passwordValue() *string {
	if !d.basic.Checked {
		if d.edit != nil && d.edit.BasicAuth {
			empty := ""
			return &empty
		}
		return nil
	}
	if d.password.Text == "" && d.edit != nil {
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
	d.result.Importance = widget.MediumImportance
	d.result.SetText(T("Testing…"))
	u := d.u
	go func() {
		res, err := u.core.TestConnection(context.Background(), p, pw)
		u.bridge.Do(func() {
			d.test.Enable()
			d.showResult(res, err)
		})
	}()
}

func (d *serverDialog) showResult(res conn.CheckResult, err error) {
	if err != nil {
		d.result.Importance = widget.DangerImportance
		d.result.SetText(err.Error())
		d.result.Refresh()
		return
	}
	var lines []string
	switch {
	case res.Health.OK && res.Health.Version != "":
		lines = append(lines, T("Health: OK (version {{.V}})", map[string]any{"V": res.Health.Version}))
	case res.Health.OK:
		lines = append(lines, T("Health: OK"))
	case res.Health.Err != nil:
		lines = append(lines, T("Health: {{.Err}}", map[string]any{"Err": res.Health.Err.Error()}))
	default:
		lines = append(lines, T("Health: not answering"))
	}
	if res.Connected() {
		lines = append(lines, T("Login: OK in {{.Ms}} ms", map[string]any{"Ms": res.Latency.Milliseconds()}))
		if res.Pending >= 0 {
			lines = append(lines, fmt.Sprintf("%s: %d", T("Pending requests"), res.Pending))
		}
		if res.Online >= 0 {
			lines = append(lines, fmt.Sprintf("%s: %d", T("Other clients online"), res.Online))
		}
		d.result.Importance = widget.SuccessImportance
	} else {
		lines = append(lines, T("Login failed: {{.Err}}", map[string]any{"Err": res.Err.Error()}))
		d.result.Importance = widget.DangerImportance
	}
	d.result.SetText(strings.Join(lines, "\n"))
	d.result.Refresh()
}

func (d *serverDialog) onSave() {
	if !d.validate() {
		return
	}
	p, pw := d.profile(), d.passwordValue()
	d.save.Disable()
	u := d.u
	go func() {
		var err error
		if d.edit == nil {
			s := ""
			if pw != nil {
				s = *pw
			}
			_, err = u.core.AddServer(context.Background(), p, s)
		} else {
			_, err = u.core.UpdateServer(context.Background(), p, pw)
		}
		u.bridge.Do(func() {
			d.save.Enable()
			if err != nil && !errors.Is(err, profiles.ErrKeyringUnavailable) {
				d.saveErr.SetText(err.Error())
				return
			}
			d.dlg.Hide()
			if err != nil {
				// Saved; the password is only kept for this run.
				dialog.ShowInformation(T("Password not remembered"), err.Error(), u.win)
			}
		})
	}()
}
