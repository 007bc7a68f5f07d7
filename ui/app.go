// Package ui is agentdesk's user interface: the main window with the
// timeline of requests from every server, the settings screen, the server
// dialog, chat windows, the status badge, the tray icon and desktop
// notifications. It renders the UI-free model (conn/model) and sends user
// actions through the application core (conn/desk); no protocol logic lives
// here.
//
// Goroutines never touch widgets directly: everything they change goes
// through one Bridge, which runs on the injected dispatcher (fyne.Do in the
// app) and coalesces bursts into one refresh per frame.
package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"

	"github.com/agentdesk/agentdesk/assets"
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
	// MaxFinished caps the finished cards kept in memory (default 1000).
	MaxFinished int
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
	a := app.NewWithID(AppID)
	a.SetIcon(IconResource)
	core := desk.New(desk.Options{ConfigDir: dir, Demo: opts.Demo, MaxFinished: opts.MaxFinished})
	u := New(a, core, fyne.Do)
	a.Lifecycle().SetOnStarted(func() { u.Start(context.Background()) })
	u.win.ShowAndRun()
	u.stop()
	core.Close()
	return nil
}

// UI is the user interface of one running app.
type UI struct {
	app    fyne.App
	core   *desk.Core
	model  *model.Model
	bridge *Bridge
	win    fyne.Window

	main     *mainWindow
	tl       *timeline
	settings *settingsScreen
	popup    *serverPopup
	chats    map[model.ChatKey]*chatWindow
	tray     *tray
	notes    *notifier

	// focused tracks whether the main window has the focus (for
	// notifications).
	focused bool
	// serverOrder is each server's place in the list, for tag colours.
	serverOrder map[conn.ServerID]int

	started  bool
	starting bool
	// startErr says why the core could not start, if it could not.
	startErr string
}

// New builds the main window for core without showing it or doing any
// I/O. dispatch runs a function on the UI goroutine: fyne.Do in the app;
// tests pass a queue they drain themselves.
func New(a fyne.App, core *desk.Core, dispatch func(func())) *UI {
	loadTranslations()
	u := &UI{
		app:         a,
		core:        core,
		model:       core.Model(),
		bridge:      NewBridge(dispatch),
		chats:       map[model.ChatKey]*chatWindow{},
		serverOrder: map[conn.ServerID]int{},
		focused:     true,
	}
	u.win = a.NewWindow("agentdesk")
	u.win.SetIcon(IconResource)
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.SetMaster()
	u.tl = newTimeline(u)
	u.notes = newNotifier(u)
	u.main = newMainWindow(u)
	u.settings = newSettingsScreen(u)
	u.win.SetContent(u.main.root)
	u.main.registerShortcuts(u.win.Canvas())
	u.tray = newTray(u)

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
// work never run on the UI goroutine. Problems found are shown in dialogs.
func (u *UI) Start(ctx context.Context) {
	if u.started {
		return
	}
	u.started, u.starting = true, true
	go func() {
		res := u.core.Start(ctx)
		u.bridge.Do(func() {
			u.starting = false
			u.startErr = ""
			if res.Err != nil && !u.core.Ready() {
				u.startErr = res.Err.Error()
			}
			u.showStartResult(res)
		})
		u.bridge.Changed()
	}()
}

func (u *UI) stop() {
	u.bridge.Stop()
	if u.popup != nil {
		u.popup.hide()
	}
}

// startDemo switches to the demo servers.
func (u *UI) startDemo() {
	u.starting = true
	u.refresh()
	go func() {
		res := u.core.StartDemoMode(context.Background())
		u.bridge.Do(func() {
			u.starting = false
			u.showStartResult(res)
		})
		u.bridge.Changed()
	}()
}

func (u *UI) showStartResult(res desk.StartResult) {
	var msgs []string
	if res.Err != nil {
		msgs = append(msgs, res.Err.Error())
	}
	msgs = append(msgs, res.Notices...)
	if res.Imported != nil && len(res.Imported.Imported) > 0 {
		msgs = append(msgs, res.Imported.Summary())
	}
	if len(msgs) == 0 {
		return
	}
	text := ""
	for i, m := range msgs {
		if i > 0 {
			text += "\n\n"
		}
		text += m
	}
	dialog.ShowInformation(T("agentdesk"), text, u.win)
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

// refresh brings every visible widget up to date with the model; the
// bridge calls it at most once per frame.
func (u *UI) refresh() {
	clear(u.serverOrder)
	for i, s := range u.model.Servers() {
		u.serverOrder[s.ID] = i
	}
	u.main.refresh()
	u.settings.refresh()
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
	u.tray.refresh(pending)
}

// showError shows an error in a dialog over the main window.
func (u *UI) showError(err error) {
	if err != nil {
		dialog.ShowError(err, u.win)
	}
}
