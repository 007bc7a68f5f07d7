package ui

import (
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/agentdesk/agentdesk/assets"
)

// Tray icons: every enabled server connected, not all connected, and
// requests waiting.
var (
	trayConnected    = fyne.NewStaticResource("tray_connected.png", assets.TrayConnected)
	trayDisconnected = fyne.NewStaticResource("tray_disconnected.png", assets.TrayDisconnected)
	trayPending      = fyne.NewStaticResource("tray_pending.png", assets.TrayPending)
)

// tray is the optional system tray icon with Show and Quit. Without a
// tray (or, on Linux, without a session bus, where systray can panic on
// quit) it does nothing and everything else works.
type tray struct {
	app  desktop.App
	icon *fyne.StaticResource
}

// newTray puts the icon in the tray; onShow raises the main window.
func newTray(a fyne.App, onShow func()) *tray {
	t := &tray{}
	da, ok := a.(desktop.App)
	if !ok || !trayAllowed() {
		return t
	}
	t.app = da
	show := fyne.NewMenuItem(T("Show agentdesk"), onShow)
	quit := fyne.NewMenuItem(T("Quit"), func() { a.Quit() })
	quit.IsQuit = true
	da.SetSystemTrayMenu(fyne.NewMenu("agentdesk", show, fyne.NewMenuItemSeparator(), quit))
	t.set(trayDisconnected)
	return t
}

// trayAllowed reports whether a tray can be used safely here.
func trayAllowed() bool {
	if os.Getenv("AGENTDESK_NO_TRAY") != "" {
		return false
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	}
	return true
}

// TrayIcon picks the tray icon: pending requests first, then whether
// every enabled server is connected.
func TrayIcon(pending, connected, enabled int) fyne.Resource {
	switch {
	case pending > 0:
		return trayPending
	case enabled > 0 && connected >= enabled:
		return trayConnected
	}
	return trayDisconnected
}

// refresh shows the icon for pending requests and connected of enabled
// servers.
func (t *tray) refresh(pending, connected, enabled int) {
	if t.app == nil {
		return
	}
	t.set(TrayIcon(pending, connected, enabled).(*fyne.StaticResource))
}

func (t *tray) set(r *fyne.StaticResource) {
	if t.icon == r {
		return
	}
	t.icon = r
	t.app.SetSystemTrayIcon(r)
}
