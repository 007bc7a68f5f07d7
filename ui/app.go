// Package ui is agentdesk's user interface: the main window with the
// timeline of requests from every server, the notice banners, the settings
// screen, the server dialog, chat windows, the status badge and its server
// popup, the tray icon and desktop notifications. It renders the UI-free
// model (conn/model) and sends user actions through the application core
// (conn/desk); no protocol logic lives here, and no state either beyond
// what is on screen: the model is its one home.
//
// The UI type below is the composition root. Every screen and dialog is a
// constructor with explicit inputs (what it reads, and callbacks for what
// it does), so its parameters say what it may touch; none holds the UI.
// Slow work runs through one worker (off the UI goroutine, cancelled at
// quit), and goroutines reach widgets only through the Bridge, which runs
// on the injected dispatcher (fyne.Do in the app) and coalesces bursts into
// one refresh per frame.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"github.com/agentdesk/agentdesk/assets"
	"github.com/agentdesk/agentdesk/assets/about"
	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// AppID is the application ID given to Fyne.
const AppID = "io.github.agentdesk"

// Options configure Run.
type Options struct {
	// ConfigDir is the config folder from --config-dir; "" resolves it
	// with profiles.ResolveConfigDir.
	ConfigDir string
	// Demo runs against the bundled demo servers with a temporary config.
	Demo bool
	// DataDir is the history folder from --data-dir; "" resolves it with
	// profiles.ResolveDataDir.
	DataDir string
	// About identifies this build, for the Settings "About" section.
	About about.Info
	// Raiser, when set, is the single-instance lock: a second start asks
	// through it for this window to come to the front.
	Raiser interface{ SetOnRaise(func()) }
}

// IconResource is the application icon.
var IconResource = fyne.NewStaticResource("icon.png", assets.Icon)

// Run creates the app and the main window, shows it, starts the core in
// the background and runs until the user quits. It returns an error only
// when it cannot start at all.
func Run(opts Options) error {
	dir, err := profiles.ResolveConfigDir(opts.ConfigDir)
	if err != nil && !opts.Demo {
		return err
	}
	data := ""
	if !opts.Demo { // the demo keeps its history with its temporary config
		if data, err = profiles.ResolveDataDir(opts.DataDir); err != nil {
			return err
		}
	}
	a := app.NewWithID(AppID)
	a.SetIcon(IconResource)
	a.Settings().SetTheme(newDeskTheme(theme.DefaultTheme()))
	core := desk.New(desk.Options{ConfigDir: dir, DataDir: data, Demo: opts.Demo})
	u := New(a, core, fyne.Do, opts.About)
	if opts.Raiser != nil {
		opts.Raiser.SetOnRaise(func() { fyne.Do(u.raise) })
	}
	a.Lifecycle().SetOnStarted(func() { u.Start() })
	u.win.ShowAndRun()
	u.stop()
	core.Close()
	return nil
}

// UI is the user interface of one running app: it builds the screens,
// wires them to the core and the model, and refreshes them.
type UI struct {
	app    fyne.App
	core   *desk.Core
	model  *model.Model
	bridge *Bridge
	work   *worker
	win    fyne.Window
	keys   *overlays

	main     *mainWindow
	tl       *timeline
	notices  *noticeBar
	settings *settingsScreen
	search   *searchView
	// searching is set while the search replaces the timeline.
	searching bool
	popup     *serverPopup
	chats     map[model.ChatKey]*chatWindow
	tray      *tray
	notes     *notifier
	comp      *completer
	// lastPickDir is where the file picker opens next.
	lastPickDir string

	// focused tracks whether the main window has the focus (for
	// notifications).
	focused bool
	// serverOrder is each server's place in the list, for tag colours.
	serverOrder map[conn.ServerID]int

	started bool
	start   startState
}

// New builds the main window for core without showing it or doing any
// I/O. dispatch runs a function on the UI goroutine: fyne.Do in the app;
// tests pass a queue they drain themselves.
// info identifies the build for the About section.
func New(a fyne.App, core *desk.Core, dispatch func(func()), info about.Info) *UI {
	loadTranslations()
	if _, ok := a.Settings().Theme().(*deskTheme); !ok {
		a.Settings().SetTheme(newDeskTheme(a.Settings().Theme()))
	}
	u := &UI{
		app:         a,
		core:        core,
		model:       core.Model(),
		bridge:      NewBridge(dispatch),
		chats:       map[model.ChatKey]*chatWindow{},
		serverOrder: map[conn.ServerID]int{},
		focused:     true,
		keys:        &overlays{},
	}
	u.work = newWorker(u.bridge)
	u.comp = newCompleter(u.work, u.bridge, func() profiles.Completion { return completionSettings(core.Settings()) })
	u.win = a.NewWindow("agentdesk")
	u.win.SetIcon(IconResource)
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.SetMaster()

	u.tl = newTimeline(timelineInput{
		model:    u.model,
		reply:    u.core.Reply,
		look:     u.look,
		shortcut: u.handleShortcut,
		canvas:   u.win.Canvas,
		copy:     u.copyMarkdown,
		rich: richActions{
			pickFiles: u.pickFiles,
			paste:     u.pasteInto,
			remove:    u.removeAttachment,
			save:      u.saveReceived,
			completer: u.comp,
		},
	})
	u.comp.onReady = u.tl.refreshCompletion
	u.win.SetOnDropped(u.onDropped)
	u.notices = newNoticeBar(u.model.DismissNotice)
	u.search = newSearchView(searchInput{
		model:  u.model,
		work:   u.work,
		after:  u.after,
		search: u.core.SearchHistory,
		count:  u.core.CountHistory,
		facets: u.core.HistoryFacets,
		look:   u.look,
		open:   u.showHistoryCard,
		close:  u.hideSearch,
	})
	u.notes = newNotifier(notifierInput{
		send:     a.SendNotification,
		settings: core.Settings,
		label:    u.model.Label,
		focused:  func() bool { return u.focused },
		raise:    func() { u.raise() },
	})
	u.main = newMainWindow(mainInput{
		model:    u.model,
		timeline: u.tl,
		notices:  u.notices,
		start:    func() startState { return u.start },
		search: func() fyne.CanvasObject {
			if u.searching {
				return u.search.root
			}
			return nil
		},
		onServers:   u.showServers,
		onSettings:  u.showSettings,
		onAddServer: func() { u.showServerDialog(nil) },
		onImport:    u.showImport,
		onDemo:      u.startDemo,
		onOpenChat:  func(k model.ChatKey, nick string) { u.openChat(k, nick) },
	})
	u.settings = newSettingsScreen(settingsInput{
		source:     core,
		model:      u.model,
		save:       u.saveSettings,
		setEnabled: u.setEnabled,
		setMuted:   u.setMuted,
		setDefault: u.setDefault,
		onBack:     u.hideSettings,
		onAdd:      func() { u.showServerDialog(nil) },
		onEdit:     func(p profiles.Profile) { u.showServerDialog(&p) },
		onDelete:   u.confirmDelete,
		onImport:   u.showImport,
		onServers:  u.showServers,
		about:      info,
		history: historySectionInput{
			work:   u.work,
			win:    u.win,
			stack:  u.keys,
			stats:  u.core.HistoryStats,
			clear:  u.core.ClearHistory,
			export: u.core.ExportHistory,
		},
	})
	u.popup = newServerPopup(u.win.Canvas(), u.keys, serverPopupInput{
		model: u.model,
		retry: func(id conn.ServerID) { u.work.run(func(context.Context) error { return u.core.RetryNow(id) }, nil) },
		after: u.after,
	})
	u.win.SetContent(u.main.root)
	u.registerShortcuts(u.win.Canvas())
	u.tray = newTray(a, u.raise)

	c := u.win.Canvas()
	c.SetOnTypedKey(u.keys.typedKey)
	c.SetOnTypedRune(func(r rune) {
		// Nothing has the keyboard: a character goes to the reply the
		// focus belongs to, rather than nowhere.
		if u.keys.open() == 0 && !u.settings.visible {
			u.tl.typeInto(r)
		}
	})
	u.keys.idle = func(k *fyne.KeyEvent) {
		switch {
		case k.Name != fyne.KeyEscape:
		case u.settings.visible:
			u.hideSettings()
		case u.searching:
			u.hideSearch()
		}
	}

	u.bridge.onRefresh(u.refresh)
	u.model.OnChange(u.bridge.Changed)
	core.OnStatus(u.bridge.Changed)
	core.OnEvent(u.onEvent)
	a.Lifecycle().SetOnEnteredForeground(func() { u.focused = true })
	a.Lifecycle().SetOnExitedForeground(func() { u.focused = false })
	u.refresh()
	return u
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Bridge returns the bridge goroutines use to reach widgets.
func (u *UI) Bridge() *Bridge { return u.bridge }

// Start starts the core in the background: config, keyring and network
// work never run on the UI goroutine. What it finds lands in the model as
// notices.
func (u *UI) Start() {
	if u.started {
		return
	}
	u.started = true
	u.start = startState{starting: true}
	u.work.run(func(ctx context.Context) error {
		return u.core.Start(ctx).Err
	}, func(err error) {
		u.start = startState{ready: u.core.Ready()}
		if err != nil && !u.start.ready {
			u.start.err = err.Error()
		}
		u.refresh()
	})
}

func (u *UI) stop() {
	u.work.stop()
	u.comp.close()
	u.bridge.Stop()
	u.popup.hide()
}

// after runs f on the UI goroutine after d; the result cancels it.
func (u *UI) after(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, func() { u.bridge.Do(f) })
	return func() { t.Stop() }
}

// raise shows and focuses the main window.
func (u *UI) raise() {
	u.win.Show()
	u.win.RequestFocus()
}

// startDemo switches to the demo servers.
func (u *UI) startDemo() {
	u.start = startState{starting: true}
	u.refresh()
	u.work.run(func(ctx context.Context) error {
		return u.core.StartDemoMode(ctx).Err
	}, func(error) {
		u.start = startState{ready: u.core.Ready()}
		u.refresh()
	})
}

// onEvent runs on the core's pump goroutine for every connection event.
func (u *UI) onEvent(e conn.Event) {
	switch v := e.(type) {
	case conn.RequestArrived:
		if !v.Recovered {
			r := v.Request
			u.bridge.Do(func() { u.notes.request(r) })
		}
	case conn.ChatReceived:
		m := v.Message
		u.bridge.Do(func() { u.chatReceived(m) })
	}
}

// look labels and colours a server's cards.
func (u *UI) look(id conn.ServerID) serverLook {
	return serverLook{label: u.model.Label(id), color: tagColor(u.serverOrder, id)}
}

// refresh brings every visible widget up to date with the model; the
// bridge calls it at most once per frame.
func (u *UI) refresh() {
	clear(u.serverOrder)
	for i, s := range u.model.Servers() {
		u.serverOrder[s.ID] = i
	}
	u.main.refresh()
	u.settings.refresh()
	if u.popup.visible() {
		u.popup.refresh()
	}
	for _, c := range u.chats {
		c.refresh()
	}
	pending := u.model.PendingTotal()
	title := "agentdesk"
	if u.core.Demo() {
		title += " — " + T("demo")
	}
	if pending > 0 {
		title = fmt.Sprintf("(%d) %s", pending, title)
	}
	if u.win.Title() != title {
		u.win.SetTitle(title)
	}
	connected, enabled := u.model.Connectivity()
	u.tray.refresh(pending, connected, enabled)
}

// copyMarkdown puts a card's question or reply on the clipboard, in full
// (read back from the history when the card shows a preview).
func (u *UI) copyMarkdown(k conn.RequestKey, part desk.CopyPart) {
	runFor(u.work, func(ctx context.Context) (string, error) { return u.core.Markdown(ctx, k, part) },
		func(md string, err error) {
			if err != nil {
				u.notifyError(titleCopyFailed, err)
				return
			}
			u.app.Clipboard().SetContent(md)
			u.main.status.Set(T("Copied as Markdown."), toneMuted, false)
		})
}

// notifyError shows a background failure as a banner.
func (u *UI) notifyError(title string, err error) {
	if err == nil {
		return
	}
	u.model.AddNotice(model.Notice{ID: "action:" + title, Level: model.NoticeError, Title: title, Details: err.Error()})
}

// showSearch replaces the timeline with the history search (Ctrl+F) and
// puts the keyboard in its field.
func (u *UI) showSearch() {
	u.hideSettings()
	if !u.searching {
		u.searching = true
		u.search.open()
		u.refresh()
	}
	u.win.Canvas().Focus(u.search.query)
}

// hideSearch goes back to the timeline.
func (u *UI) hideSearch() {
	if !u.searching {
		return
	}
	u.searching = false
	u.refresh()
	if k, ok := u.model.ReplyFocus(); ok {
		u.tl.focusCard(k)
	} else {
		u.win.Canvas().Focus(u.tl)
	}
}

// showServers opens the server popup under anchor.
func (u *UI) showServers(anchor fyne.CanvasObject) { u.popup.show(anchor) }

// showSettings replaces the timeline with the settings screen.
func (u *UI) showSettings() {
	u.popup.hide()
	u.settings.show()
	u.win.SetContent(u.settings.root)
	u.win.Canvas().Focus(u.settings.nickname)
}

// hideSettings returns to the timeline.
func (u *UI) hideSettings() {
	if !u.settings.visible {
		return
	}
	u.settings.visible = false
	u.popup.hide()
	u.win.SetContent(u.main.root)
	if k, ok := u.model.ReplyFocus(); ok {
		u.tl.focusCard(k)
	}
}

func (u *UI) saveSettings(st profiles.Settings, token *string, done func(error)) {
	u.work.run(func(ctx context.Context) error { return u.core.SaveSettings(ctx, st, token) }, done)
}

func (u *UI) setEnabled(id conn.ServerID, on bool) {
	u.work.run(func(ctx context.Context) error { return u.core.SetEnabled(ctx, id, on) },
		func(err error) { u.notifyError(titleChangeFailed, err) })
}

func (u *UI) setDefault(id conn.ServerID) {
	u.work.run(func(context.Context) error { return u.core.SetDefault(id) },
		func(err error) { u.notifyError(titleChangeFailed, err) })
}

func (u *UI) setMuted(id conn.ServerID, muted bool) {
	u.work.run(func(ctx context.Context) error {
		st := u.core.Settings()
		st.Notifications.MutedServers = removeString(st.Notifications.MutedServers, string(id))
		if muted {
			st.Notifications.MutedServers = append(st.Notifications.MutedServers, string(id))
		}
		return u.core.SaveSettings(ctx, st, nil)
	}, func(err error) { u.notifyError(titleSaveFailed, err) })
}

func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// showServerDialog opens the add (p nil) or edit server dialog and saves
// what it returns.
func (u *UI) showServerDialog(p *profiles.Profile) { u.openServerDialog(p) }

func (u *UI) openServerDialog(p *profiles.Profile) *serverDialog {
	if p != nil {
		cur, ok := u.core.Profile(conn.ServerID(p.ID))
		if !ok {
			return nil
		}
		p = &cur
	}
	editing := p != nil
	return showServerDialog(u.win.Canvas(), u.keys, u.work, serverDialogInput{
		edit:     p,
		existing: u.core.Profiles,
		test:     u.core.TestConnection,
		onSubmit: func(p profiles.Profile, pw *string, done func(error)) {
			u.work.run(func(ctx context.Context) error {
				var err error
				if !editing {
					s := ""
					if pw != nil {
						s = *pw
					}
					_, err = u.core.AddServer(ctx, p, s)
				} else {
					_, err = u.core.UpdateServer(ctx, p, pw)
				}
				return err
			}, func(err error) {
				if errors.Is(err, profiles.ErrKeyringUnavailable) || errors.Is(err, profiles.ErrNotRemembered) {
					// Saved; the password is only kept for this run.
					u.model.AddNotice(model.Notice{ID: "password:" + p.ID, Level: model.NoticeWarning,
						Title: titlePasswordMemory, Details: err.Error()})
					err = nil
				}
				done(err)
			})
		},
	})
}

// confirmDelete asks before deleting a server, and whether its history
// goes too.
func (u *UI) confirmDelete(p profiles.Profile) {
	m := confirm(u.win.Canvas(), u.keys, T("Delete server"),
		T("Delete the server {{.Name}}? It is disconnected and its stored password is removed; its pending requests disappear from the timeline.",
			map[string]any{"Name": oneLine(p.Label(), maxLabel)}),
		T("Delete"), true, nil, nil)
	withHistory := newScopedCheck(T("Also delete its history (answered and finished requests, chats)"), nil, m.scope)
	m.setExtra(withHistory)
	m.onYes = func() {
		all := withHistory.Checked
		u.work.run(func(ctx context.Context) error { return u.core.DeleteServer(ctx, conn.ServerID(p.ID), all) },
			func(err error) { u.notifyError(titleDeleteFailed, err) })
	}
}

// openChat opens (or raises) the conversation with one user.
func (u *UI) openChat(k model.ChatKey, nickname string) *chatWindow {
	if c := u.chats[k]; c != nil {
		c.win.RequestFocus()
		u.model.MarkRead(k)
		return c
	}
	c := newChatWindow(u.app, chatInput{model: u.model, send: u.sendChat}, k, nickname)
	c.win.SetOnClosed(func() { delete(u.chats, k) })
	u.chats[k] = c
	// The conversation opens with what was said before, from the history.
	u.work.run(func(ctx context.Context) error { return u.core.LoadChatHistory(ctx, k, nickname) }, nil)
	c.win.Show()
	c.win.Canvas().Focus(c.entry)
	u.model.MarkRead(k)
	return c
}

func (u *UI) sendChat(k model.ChatKey, nickname, text string) {
	// The line and its progress are in the model; nothing else to do.
	u.work.run(func(context.Context) error { return u.core.SendChat(k, nickname, text) }, nil)
}

// chatReceived opens the conversation of an incoming message, or updates
// it when its window is already open, and notifies while unfocused.
func (u *UI) chatReceived(m conn.ChatMessage) {
	k := model.ChatKey{Server: m.Server, ClientID: m.SenderClientID}
	if c := u.chats[k]; c != nil {
		c.refresh()
	} else {
		u.openChat(k, m.SenderNickname)
	}
	u.notes.chat(m)
}

// registerShortcuts adds the window shortcuts: Ctrl+J (oldest pending),
// Ctrl+F (search the history), Ctrl+0…9 (server filter), Ctrl+, (settings),
// Ctrl+N (add server) and Ctrl+Q (quit).
func (u *UI) registerShortcuts(c fyne.Canvas) {
	add := func(k fyne.KeyName) {
		s := &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
		c.AddShortcut(s, func(fyne.Shortcut) { u.handleShortcut(s) })
	}
	add(fyne.KeyJ)
	add(fyne.KeyF)
	add(fyne.KeyQ)
	add(fyne.KeyComma)
	add(fyne.KeyN)
	for _, k := range digitKeys {
		add(k)
	}
}

var digitKeys = []fyne.KeyName{fyne.Key0, fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}

// handleShortcut runs a window shortcut; it reports whether it was one.
// While a dialog is open, only the dialog hears the keyboard.
func (u *UI) handleShortcut(s *desktop.CustomShortcut) bool {
	if s.Modifier != fyne.KeyModifierShortcutDefault || u.keys.open() > 0 {
		return false
	}
	switch s.KeyName {
	case fyne.KeyJ:
		u.hideSettings()
		u.hideSearch()
		u.main.onJump()
		return true
	case fyne.KeyF:
		u.showSearch()
		return true
	case fyne.KeyQ:
		u.app.Quit()
		return true
	case fyne.KeyComma:
		if u.settings.visible {
			u.hideSettings()
		} else {
			u.showSettings()
		}
		return true
	case fyne.KeyN:
		u.showServerDialog(nil)
		return true
	}
	for i, k := range digitKeys {
		if s.KeyName == k {
			u.main.selectServer(i)
			return true
		}
	}
	return false
}

// Titles of the banners the UI raises itself. Like the core's, they are
// English templates translated when shown.
const (
	titleImported             = desk.NoticeImported
	titleChangeFailed         = "Could not change the server"
	titleSaveFailed           = "Could not save the settings"
	titleDeleteFailed         = "Could not delete the server"
	titlePasswordMemory       = "Password not remembered"
	titleCopyFailed           = "Could not copy"
	titleHistoryFailed        = "Could not read the history"
	titleSaveAttachmentFailed = "Could not save the attachment"
)
