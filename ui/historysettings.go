package ui

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/profiles"
)

// historySectionInput is what the settings' history section needs.
type historySectionInput struct {
	work  *worker
	win   fyne.Window
	stack *overlays
	scope *keyScope
	stats func(ctx context.Context) ([]history.ServerStats, history.Status, error)
	clear func(ctx context.Context, id conn.ServerID) error
	// export writes the history of servers (all when none) in format f.
	export func(ctx context.Context, w io.Writer, f desk.ExportFormat, servers ...conn.ServerID) error
}

// historySection is the History part of the settings: how long history is
// kept (saved with the other settings), where it is, its size per server
// with Clear, and exports of one server or all.
type historySection struct {
	in   historySectionInput
	root fyne.CanvasObject

	days      *scopedEntry
	perServer *scopedEntry
	keepBytes *scopedCheck
	where     *toneText
	rows      *fyne.Container
	msg       *toneText
}

func newHistorySection(in historySectionInput) *historySection {
	h := &historySection{in: in}
	h.days = newScopedEntry(in.scope)
	h.days.SetPlaceHolder(T("0 keeps it forever"))
	h.days.Validator = func(s string) error { _, err := retentionNumber(s, profiles.MaxRetentionDays); return err }
	h.perServer = newScopedEntry(in.scope)
	h.perServer.SetPlaceHolder(T("0 means no limit"))
	h.perServer.Validator = func(s string) error { _, err := retentionNumber(s, profiles.MaxRetentionPerServer); return err }
	h.keepBytes = newScopedCheck(T("Also keep the contents of attachments (not only their names and sizes)"), nil, in.scope)
	h.where = newToneText(toneMuted, true)
	h.rows = container.NewVBox()
	h.msg = newToneText(toneNormal, true)
	exportAll := func(f desk.ExportFormat) func() { return func() { h.exportTo(f, "", nil) } }
	buttons := container.NewHBox(
		newScopedButton(T("Export all as JSON Lines…"), theme.DocumentSaveIcon(), exportAll(desk.ExportJSONLines), in.scope),
		newScopedButton(T("Export all as Markdown…"), theme.DocumentSaveIcon(), exportAll(desk.ExportMarkdown), in.scope))
	form := widget.NewForm(
		widget.NewFormItem(T("Delete after (days)"), h.days),
		widget.NewFormItem(T("Keep per server"), h.perServer),
		widget.NewFormItem("", h.keepBytes),
	)
	form.Items[1].HintText = T("Finished requests and chat lines beyond these are deleted from the history; pending ones never are.")
	h.root = container.NewVBox(
		widget.NewLabelWithStyle(T("History"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, h.where, h.rows, buttons, h.msg)
	return h
}

// retentionNumber reads a whole number from 0 to max ("" is 0).
func retentionNumber(s string, max int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, fmt.Errorf("%s", T("a whole number from 0 to {{.Max}}", map[string]any{"Max": max}))
	}
	return n, nil
}

// show fills the fields from the saved settings and reads the sizes.
func (h *historySection) show(st profiles.HistorySettings) {
	h.days.SetText(numberOrEmpty(st.RetentionDays))
	h.perServer.SetText(numberOrEmpty(st.RetentionPerServer))
	h.keepBytes.SetChecked(st.KeepAttachmentBytes)
	h.msg.Set("", toneNormal, false)
	h.reload()
}

func numberOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// apply puts the fields into st; it fails on a number out of range.
func (h *historySection) apply(st *profiles.HistorySettings) error {
	days, err := retentionNumber(h.days.Text, profiles.MaxRetentionDays)
	if err != nil {
		return fmt.Errorf("%s: %w", T("Delete after (days)"), err)
	}
	per, err := retentionNumber(h.perServer.Text, profiles.MaxRetentionPerServer)
	if err != nil {
		return fmt.Errorf("%s: %w", T("Keep per server"), err)
	}
	st.RetentionDays, st.RetentionPerServer, st.KeepAttachmentBytes = days, per, h.keepBytes.Checked
	return nil
}

// reload reads the history's size per server, off the UI goroutine.
func (h *historySection) reload() {
	type result struct {
		stats  []history.ServerStats
		status history.Status
	}
	runFor(h.in.work, func(ctx context.Context) (result, error) {
		st, status, err := h.in.stats(ctx)
		return result{st, status}, err
	}, func(r result, err error) {
		if err != nil {
			h.where.Set(cut(err.Error(), maxLine), toneDanger, false)
			return
		}
		where := T("Kept in memory for this run only")
		if r.status.Path != "" {
			where = T("Kept in {{.Path}}", map[string]any{"Path": oneLine(r.status.Path, maxLabel)})
		}
		tn := toneMuted
		if r.status.Problem != nil {
			where += "\n" + cut(r.status.Problem.Error(), maxLine)
			tn = toneWarn
		}
		h.where.Set(where, tn, false)
		h.showStats(r.stats)
	})
}

func (h *historySection) showStats(stats []history.ServerStats) {
	objs := make([]fyne.CanvasObject, 0, len(stats))
	if len(stats) == 0 {
		t := newToneText(toneMuted, false)
		t.Set(T("Nothing in the history yet."), toneMuted, false)
		objs = append(objs, t)
	}
	for _, s := range stats {
		id := conn.ServerID(s.Server)
		label := oneLine(s.Label, 60)
		if label == "" {
			label = oneLine(s.Server, 60)
		}
		line := newToneText(toneNormal, true)
		line.Set(T("{{.Server}}: {{.Requests}} requests, {{.Lines}} chat lines, {{.Size}}", map[string]any{
			"Server": label, "Requests": s.Requests, "Lines": s.ChatLines, "Size": formatBytes(s.Bytes)}), toneNormal, false)
		clearBtn := newScopedButton(T("Clear"), theme.DeleteIcon(), func() { h.confirmClear(id, label) }, h.in.scope)
		var exportBtn *scopedButton
		exportBtn = newScopedButton(T("Export…"), theme.DocumentSaveIcon(), func() {
			h.exportMenu(exportBtn, s.Server, id)
		}, h.in.scope)
		objs = append(objs, bordered(nil, nil, nil, container.NewHBox(exportBtn, clearBtn), line))
	}
	h.rows.Objects = objs
	h.rows.Refresh()
}

// exportMenu offers the two export formats for one server under its
// button.
func (h *historySection) exportMenu(anchor fyne.CanvasObject, name string, id conn.ServerID) {
	one := []conn.ServerID{id}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(T("As JSON Lines…"), func() { h.exportTo(desk.ExportJSONLines, name, one) }),
		fyne.NewMenuItem(T("As Markdown…"), func() { h.exportTo(desk.ExportMarkdown, name, one) }))
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).Add(fyne.NewPos(0, anchor.Size().Height))
	widget.ShowPopUpMenuAtPosition(menu, h.in.win.Canvas(), pos)
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (h *historySection) confirmClear(id conn.ServerID, label string) {
	confirm(h.in.win.Canvas(), h.in.stack, T("Clear history"),
		T("Delete the history of {{.Server}}: its finished requests and chat lines? Pending requests stay.", map[string]any{"Server": label}),
		T("Clear"), true, nil, func() {
			h.msg.Set(T("Clearing…"), toneMuted, false)
			h.in.work.run(func(ctx context.Context) error { return h.in.clear(ctx, id) }, func(err error) {
				if err != nil {
					h.msg.Set(cut(err.Error(), maxLine), toneDanger, false)
					return
				}
				h.msg.Set(T("Cleared."), toneOK, false)
				h.reload()
			})
		})
}

// exportTo asks where to save an export and writes it there.
func (h *historySection) exportTo(f desk.ExportFormat, name string, servers []conn.ServerID) {
	if name == "" {
		name = "agentdesk-history"
	}
	name += "-" + time.Now().Format("20060102")
	if f == desk.ExportMarkdown {
		name += ".md"
	} else {
		name += ".jsonl"
	}
	saveFile(h.in.win, h.in.stack, name, func(w fyne.URIWriteCloser) {
		h.msg.Set(T("Exporting…"), toneMuted, false)
		h.in.work.run(func(ctx context.Context) error {
			err := h.in.export(ctx, w, f, servers...)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return err
		}, func(err error) {
			if err != nil {
				h.msg.Set(cut(err.Error(), maxLine), toneDanger, false)
				return
			}
			h.msg.Set(T("Exported to {{.Path}}", map[string]any{"Path": oneLine(w.URI().Path(), maxLabel)}), toneOK, false)
		})
	})
}

// saveFile asks where to save name with Fyne's save dialog (which Escape
// closes through the window's key handler) and calls write with the open
// file.
func saveFile(win fyne.Window, stack *overlays, name string, write func(fyne.URIWriteCloser)) {
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		write(w)
	}, win)
	fd.SetFileName(name)
	showEscapable(fd, win, stack)
}

// fyneDialog is one of Fyne's own dialogs.
type fyneDialog interface {
	Show()
	Dismiss()
	SetOnClosed(func())
}

// showEscapable shows one of Fyne's own dialogs, which ignore Escape, so
// that Escape still closes it: while nothing in it has the keyboard, the
// window's key handler hears Escape and closes the topmost dialog, this
// one, through its scope.
func showEscapable(d fyneDialog, win fyne.Window, stack *overlays) {
	scope := &keyScope{cancel: d.Dismiss}
	d.SetOnClosed(func() { stack.remove(scope) })
	stack.push(scope)
	d.Show()
	win.Canvas().Unfocus()
}
