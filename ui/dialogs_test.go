package ui

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/profiles"
)

// overlaysOpen counts what is drawn over the main window.
func (h *harness) overlaysOpen() int { return len(h.u.win.Canvas().Overlays().List()) }

// TestEscapeClosesEveryDialogAndPopup opens each dialog and popup, and
// closes it with Escape: once with a field focused inside it, once with
// nothing focused.
func TestEscapeClosesEveryDialogAndPopup(t *testing.T) {
	h := newHarness(t, "Home")
	p := h.core.Profiles()[0]
	opens := map[string]func(){
		"add server":  func() { h.u.showServerDialog(nil) },
		"edit server": func() { h.u.showServerDialog(&p) },
		"delete":      func() { h.u.confirmDelete(p) },
		"import":      func() { h.u.showImport() },
		"servers":     func() { h.u.showServers(h.u.main.badge) },
	}
	names := make([]string, 0, len(opens))
	for n := range opens {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, unfocused := range []bool{false, true} {
			opens[name]()
			h.q.drain()
			if h.overlaysOpen() != 1 || h.u.keys.open() != 1 {
				t.Fatalf("%s: %d overlays, %d key scopes open", name, h.overlaysOpen(), h.u.keys.open())
			}
			if unfocused {
				h.u.win.Canvas().Unfocus()
			}
			h.pressKey(fyne.KeyEscape)
			if h.overlaysOpen() != 0 || h.u.keys.open() != 0 {
				t.Fatalf("%s (unfocused %v): Escape left %d overlays", name, unfocused, h.overlaysOpen())
			}
		}
	}
	if len(h.core.Profiles()) != 1 {
		t.Fatal("Escape on the delete confirmation deleted the server")
	}
	// The settings screen is not a dialog, but Escape goes back from it.
	h.u.showSettings()
	h.pressKey(fyne.KeyEscape)
	if h.u.win.Content() != h.u.main.root {
		t.Fatal("Escape did not leave the settings")
	}
}

// TestEnterRunsTheDefaultButton: Enter confirms a delete, and saves the
// server dialog from any one-line field.
func TestEnterRunsTheDefaultButton(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	h.u.confirmDelete(h.core.Profiles()[1])
	h.pressKey(fyne.KeyReturn)
	h.waitFor("deleted", func() bool { return len(h.core.Profiles()) == 1 })
	if h.overlaysOpen() != 0 {
		t.Fatal("the confirmation stayed open")
	}

	s := aatest.Start(t, aaserver.Config{})
	d := h.u.openServerDialog(nil)
	h.typeKeys(s.URL()) // the address field has the focus
	test.FocusNext(h.u.win.Canvas())
	h.pressKey(fyne.KeyReturn)
	h.waitFor("saved", func() bool { return len(h.core.Profiles()) == 2 })
	h.waitFor("closed", func() bool { return h.overlaysOpen() == 0 })
	_ = d
}

// TestShortcutsWaitWhileADialogIsOpen: window shortcuts do not act behind
// a dialog.
func TestShortcutsWaitWhileADialogIsOpen(t *testing.T) {
	h := newHarness(t, "Home")
	h.u.showServerDialog(nil)
	if h.u.handleShortcut(ctrlJ) {
		t.Fatal("Ctrl+J ran behind a dialog")
	}
	h.pressKey(fyne.KeyEscape)
	if !h.u.handleShortcut(ctrlJ) {
		t.Fatal("Ctrl+J did not run after the dialog closed")
	}
}

// readingOrder checks that Tab visits the focusable widgets under root
// top to bottom, and left to right on one line.
func readingOrder(t *testing.T, h *harness, what string, first fyne.Focusable, wantAtLeast int) {
	t.Helper()
	c := h.u.win.Canvas()
	// From nothing focused, Tab starts at the first widget on screen.
	c.Unfocus()
	test.FocusNext(c)
	if c.Focused() != first {
		t.Errorf("%s: the first Tab goes to %T, not the first widget %T", what, c.Focused(), first)
	}
	c.Focus(first)
	type stop struct {
		obj fyne.Focusable
		pos fyne.Position
	}
	var stops []stop
	seen := map[fyne.Focusable]bool{}
	for i := 0; i < 60; i++ {
		f := c.Focused()
		if f == nil || seen[f] {
			break
		}
		seen[f] = true
		stops = append(stops, stop{f, fyne.CurrentApp().Driver().AbsolutePositionForObject(f.(fyne.CanvasObject))})
		test.FocusNext(c)
	}
	if len(stops) < wantAtLeast {
		t.Fatalf("%s: Tab visited only %d widgets", what, len(stops))
	}
	for i := 1; i < len(stops); i++ {
		a, b := stops[i-1].pos, stops[i].pos
		sameLine := b.Y > a.Y-4 && b.Y < a.Y+4
		if b.Y < a.Y-4 || (sameLine && b.X < a.X) {
			t.Errorf("%s: Tab goes from %T at %v back to %T at %v", what, stops[i-1].obj, a, stops[i].obj, b)
		}
	}
}

func TestTabOrderFollowsTheLayout(t *testing.T) {
	h := newHarness(t, "Home")
	d := h.u.openServerDialog(nil)
	d.address.SetText("localhost:2001")
	d.basic.SetChecked(true)
	d.user.SetText("bob")
	readingOrder(t, h, "server dialog", d.alias, 9)
	d.dlg.hide()

	h.u.showSettings()
	h.q.drain()
	readingOrder(t, h, "settings", h.u.settings.back, 10)
}

// TestFirstRunImportIsABannerNotAModal starts with the Flutter client's
// settings present: the import is news in a banner, nothing blocks the
// timeline, and the banner's details and dismiss work.
func TestFirstRunImportIsABannerNotAModal(t *testing.T) {
	srv := aatest.Start(t, aaserver.Config{})
	servers, _ := json.Marshal([]map[string]any{{"name": "Flutter box", "url": srv.URL()}})
	raw, _ := json.Marshal(map[string]any{"flutter.server_configs": string(servers), "flutter.user_nickname": "flutter-nick"})
	prefs := filepath.Join(t.TempDir(), "shared_preferences.json")
	if err := os.WriteFile(prefs, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarnessOpts(t, 0, func(o *desk.Options) { o.SkipFirstRunImport = false; o.FlutterPrefs = prefs })
	h.waitFor("banner", func() bool { return len(h.u.notices.titles()) == 1 })
	if got := h.u.notices.titles()[0]; got != "Imported 1 server(s) from the Agent Assistant app" {
		t.Fatalf("banner %q", got)
	}
	if h.overlaysOpen() != 0 {
		t.Fatal("a modal covers the timeline")
	}
	if !hasText(h.u.notices.box, "Imported 1 server(s)") || hasText(h.u.notices.box, "Flutter box") {
		t.Fatal("details shown before they were asked for")
	}
	test.Tap(findButton(h.u.notices.box, "Details"))
	if !hasText(h.u.notices.box, `"Flutter box"`) {
		t.Fatal("Details did not show the import summary")
	}
	dismiss := findButton(h.u.notices.box, "") // the ✕
	if dismiss == nil {
		t.Fatal("no dismiss button")
	}
	test.Tap(dismiss)
	h.q.drain()
	if len(h.u.model.Notices()) != 0 || len(h.u.notices.box.Objects) != 0 {
		t.Fatal("dismiss left the banner")
	}
}

// brokenKeyring is a keyring whose Secret Service cannot be reached.
type brokenKeyring struct{}

func (brokenKeyring) Get(string, string) (string, error) { return "", errNoService }
func (brokenKeyring) Set(string, string, string) error   { return errNoService }
func (brokenKeyring) Delete(string, string) error        { return errNoService }

var errNoService = errors.New("org.freedesktop.secrets was not provided by any .service files")

// TestKeyringWarningIsABanner: a keyring that cannot be reached at start
// is reported in a banner, and the app runs.
func TestKeyringWarningIsABanner(t *testing.T) {
	sec := profiles.NewSecrets(profiles.SecretsOptions{Keyring: brokenKeyring{}, Getenv: func(string) string { return "" }})
	h := newHarnessOpts(t, 0, func(o *desk.Options) { o.Secrets = sec })
	h.waitFor("banner", func() bool { return len(h.u.notices.titles()) > 0 })
	if got := h.u.notices.titles(); got[0] != "Secrets are kept for this session only" || h.overlaysOpen() != 0 {
		t.Fatalf("banners %q, overlays %d", got, h.overlaysOpen())
	}
	if _, err := h.core.AddServer(context.Background(), profiles.Profile{URL: "ws://127.0.0.1:1"}, ""); err != nil {
		t.Fatalf("the app does not run without a keyring: %v", err)
	}
}
