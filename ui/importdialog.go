package ui

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// importDialogInput is what the import dialog needs.
type importDialogInput struct {
	// defaultPath is the Flutter client's settings file on this platform,
	// or "" when it has none.
	defaultPath string
	// onSubmit imports from path; done runs on the UI goroutine with a
	// summary for the user, or the error.
	onSubmit func(path string, done func(summary string, err error))
}

// importDialog imports servers, token and nickname from the Agent
// Assistant app's settings file. The path starts at the app's own file;
// Browse opens a file picker. Enter imports, Escape cancels.
type importDialog struct {
	in     importDialogInput
	dlg    *modal
	path   *scopedEntry
	result *toneText
	run    *scopedButton
}

// showImportDialog opens the dialog on win.
func showImportDialog(win fyne.Window, stack *overlays, in importDialogInput) *importDialog {
	d := &importDialog{in: in}
	scope := &keyScope{}
	scope.submit = d.onImport
	d.path = newScopedEntry(scope)
	d.path.SetText(in.defaultPath)
	d.path.SetPlaceHolder("shared_preferences.json")
	d.result = newToneText(toneNormal, true)
	browse := newScopedButton(T("Browse…"), theme.FolderOpenIcon(), func() { d.browse(win, stack) }, scope)
	cancel := newScopedButton(T("Cancel"), theme.CancelIcon(), func() { d.dlg.hide() }, scope)
	d.run = newScopedButton(T("Import"), theme.DownloadIcon(), d.onImport, scope)
	d.run.Importance = widget.HighImportance
	intro := widget.NewLabel(T("Servers you already have are skipped, and a stored token is never replaced. The file is only read."))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, bordered(nil, nil, nil, browse, d.path), d.result)
	d.dlg = newModal(win.Canvas(), stack, scope, T("Import from Agent Assistant app"), content, cancel, d.run)
	d.dlg.show(560, d.path)
	return d
}

func (d *importDialog) onImport() {
	path := strings.TrimSpace(d.path.Text)
	if path == "" || d.run.Disabled() {
		return
	}
	d.run.Disable()
	d.result.Set(T("Importing…"), toneMuted, false)
	d.in.onSubmit(path, func(summary string, err error) {
		d.run.Enable()
		if err != nil {
			d.result.Set(cut(err.Error(), maxLine), toneDanger, false)
			return
		}
		d.dlg.hide()
	})
}

// browse picks the file with Fyne's file dialog, starting in the folder
// of the path typed (or the Flutter client's).
func (d *importDialog) browse(win fyne.Window, stack *overlays) {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		d.path.SetText(r.URI().Path())
		r.Close()
		win.Canvas().Focus(d.path)
	}, win)
	start := strings.TrimSpace(d.path.Text)
	if start == "" {
		start = d.in.defaultPath
	}
	if start != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(start))); err == nil {
			fd.SetLocation(dir)
		}
	}
	showEscapable(fd, win, stack)
}

// showImport opens the import dialog and runs the import it returns.
func (u *UI) showImport() {
	def, _ := profiles.FlutterPrefsPath()
	showImportDialog(u.win, u.keys, importDialogInput{
		defaultPath: def,
		onSubmit: func(path string, done func(string, error)) {
			runFor(u.work, func(ctx context.Context) (*profiles.ImportResult, error) {
				return u.core.ImportFromFile(ctx, path)
			}, func(res *profiles.ImportResult, err error) {
				if err != nil {
					done("", err)
					return
				}
				u.model.AddNotice(model.Notice{ID: "import", Level: model.NoticeInfo, Title: titleImported,
					Args: map[string]any{"N": len(res.Imported)}, Details: res.Summary()})
				done(res.Summary(), nil)
			})
		},
	})
}
