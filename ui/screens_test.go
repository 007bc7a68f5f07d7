package ui

import (
	"image/color"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

func TestStatusBadgeCountsAndColours(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	b := h.u.main.badge
	if c, e := b.Counts(); c != 2 || e != 2 || b.circle.FillColor != colorAllUp {
		t.Fatalf("badge %d/%d %v", c, e, b.circle.FillColor)
	}
	h.srvs[1].Close()
	h.waitFor("amber", func() bool { return b.circle.FillColor == colorSomeUp })
	if c, _ := b.Counts(); c != 1 || b.count.Text != "1" {
		t.Fatalf("badge shows %q", b.count.Text)
	}
	if h.u.settings.badge.circle.FillColor != colorSomeUp {
		t.Fatal("settings header badge not updated")
	}
	h.srvs[0].Close()
	h.waitFor("red", func() bool { return b.circle.FillColor == colorNoneUp })
}

func TestBadgeColor(t *testing.T) {
	for _, c := range []struct {
		up, enabled int
		want        color.Color
	}{{2, 2, colorAllUp}, {1, 2, colorSomeUp}, {0, 2, colorNoneUp}, {0, 0, colorIdle}} {
		if got := BadgeColor(c.up, c.enabled); got != c.want {
			t.Errorf("BadgeColor(%d, %d) = %v", c.up, c.enabled, got)
		}
	}
}

func TestServerPopupListsServersWithRetry(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	h.srvs[1].Close()
	h.waitFor("work reconnecting", func() bool {
		st, _ := h.core.State(h.ids[1])
		return st.Phase == conn.PhaseReconnecting
	})
	test.Tap(h.u.main.badge)
	p := h.u.popup
	if !p.visible() {
		t.Fatal("no popup")
	}
	defer p.hide()
	if !hasText(p.box, "Home") || !hasText(p.box, "Work") || !hasText(p.box, h.srvs[0].URL()) {
		t.Fatal("popup lacks server labels or URLs")
	}
	if !hasText(p.box, "Connected") || !hasText(p.box, "next try in") {
		t.Fatal("popup lacks states or countdown")
	}
	retry := findButton(p.box, "Retry now")
	if retry == nil {
		t.Fatal("no Retry now button for the offline server")
	}
	test.Tap(retry)
}

func TestStateText(t *testing.T) {
	now := time.Now()
	st := conn.State{Phase: conn.PhaseReconnecting, Attempt: 3, NextTry: now.Add(75 * time.Second)}
	if got := StateText(st, now); got != "Reconnecting: attempt 3, next try in 2 min" {
		t.Fatalf("%q", got)
	}
	st = conn.State{Phase: conn.PhaseAuthFailed, NextTry: now.Add(299 * time.Second)}
	if got := StateText(st, now); got != "Login refused: check the user name and password; next try in 5 min" {
		t.Fatalf("%q", got)
	}
}

func TestOnlineUsersPerServerAndChat(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	for _, id := range h.ids {
		h.u.model.Apply(conn.UserStatus{Origin: conn.Origin{Server: id}, Online: true,
			User: conn.OnlineUser{Server: id, ClientID: "c-" + string(id), Nickname: "alice"}})
	}
	h.waitFor("users", func() bool { return len(h.u.main.userSnap) == 2 })
	if !hasText(h.u.main.users, "alice @ Home") || !hasText(h.u.main.users, "alice @ Work") {
		t.Fatal("users not tagged with their server")
	}
	// Opening a user opens nickname@server; the message goes to that server.
	h.u.main.users.Select(1)
	k := model.ChatKey{Server: h.ids[1], ClientID: "c-" + string(h.ids[1])}
	c := h.u.chats[k]
	if c == nil || c.win.Title() != "alice@Work" {
		t.Fatalf("chat window %v", c)
	}
	// Too long a message is refused and kept to be shortened.
	long := strings.Repeat("é", 9000) // 18 KB
	c.entry.SetText(long)
	c.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c.entry.Text != long || !strings.Contains(c.state.Text(), "too long") {
		t.Fatalf("a 18 KB message: entry kept %v, state %q", c.entry.Text == long, c.state.Text())
	}
	c.entry.SetText("")
	test.Type(c.entry, "hello")
	c.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("own line", func() bool {
		ch, _ := h.u.model.Chat(k)
		return len(ch.Lines) == 1
	})
	if c.entry.Text != "" {
		t.Fatalf("entry not cleared: %q", c.entry.Text)
	}
	ch, _ := h.u.model.Chat(k)
	if !ch.Lines[0].FromMe || ch.Lines[0].Text != "hello" {
		t.Fatalf("lines %+v", ch.Lines)
	}
	// The peer leaves: the conversation says so and sending is off.
	h.u.model.Apply(conn.UserStatus{Origin: conn.Origin{Server: h.ids[1]}, Online: false,
		User: conn.OnlineUser{Server: h.ids[1], ClientID: k.ClientID, Nickname: "alice"}})
	h.waitFor("offline notice", func() bool { return hasText(c.state, "alice is offline") })
	if !c.send.Disabled() {
		t.Fatal("send enabled for an offline peer")
	}
	// An incoming message from someone else opens their conversation.
	msg := conn.ChatMessage{Server: h.ids[0], SenderClientID: "c-bob", SenderNickname: "bob", Content: "hi", SentAt: time.Now()}
	h.u.model.Apply(conn.ChatReceived{Origin: conn.Origin{Server: h.ids[0]}, Message: msg})
	h.u.chatReceived(msg)
	if c := h.u.chats[model.ChatKey{Server: h.ids[0], ClientID: "c-bob"}]; c == nil || c.win.Title() != "bob@Home" {
		t.Fatal("incoming message did not open its conversation")
	}
}

func TestSettingsSaveNicknameAndToken(t *testing.T) {
	h := newHarness(t, "Home")
	test.Tap(h.u.main.settingsBtn)
	s := h.u.settings
	if h.u.win.Content() != s.root {
		t.Fatal("settings not shown")
	}
	if s.token.Text != "" || !strings.Contains(s.token.PlaceHolder, "keyring") || !s.token.Password {
		t.Fatalf("token field shows %q / %q", s.token.Text, s.token.PlaceHolder)
	}
	if !hasText(s.servers, "Home") || !hasText(s.servers, "Connected") {
		t.Fatal("server row lacks label or state")
	}
	s.nickname.SetText("")
	test.Type(s.nickname, "carol")
	test.Type(s.token, "tok-new")
	test.Tap(s.save)
	h.waitFor("saved", func() bool { return s.saveMsg.Text() == "Saved." })
	if h.core.Settings().Nickname != "carol" {
		t.Fatalf("nickname %q", h.core.Settings().Nickname)
	}
	h.waitFor("new login", func() bool {
		cl := h.srvs[0].Clients()
		return len(cl) == 1 && cl[0].Nickname == "carol" && cl[0].Token == "tok-new"
	})
	// The About section says what agentdesk --version says.
	if !hasText(s.root, testAbout.String()) || !hasText(s.root, "agentdesk 9.8.7 (build 3)") {
		t.Fatal("no About section with the version")
	}
	test.Tap(findButton(s.root, "Back"))
	if h.u.win.Content() != h.u.main.root {
		t.Fatal("back did not return to the timeline")
	}
}

func TestSettingsEnableToggleAndDeleteConfirm(t *testing.T) {
	h := newHarness(t, "Home", "Work")
	h.u.settings.show()
	h.q.drain()
	var checks []*scopedCheck
	walk(h.u.settings.servers, func(o fyne.CanvasObject) {
		if c, ok := o.(*scopedCheck); ok && c.Text == "Enabled" {
			checks = append(checks, c)
		}
	})
	if len(checks) != 2 {
		t.Fatalf("%d enable toggles", len(checks))
	}
	checks[1].SetChecked(false)
	h.waitFor("work disabled", func() bool { st, _ := h.core.State(h.ids[1]); return st.Phase == conn.PhaseDisabled })
	h.waitFor("row says disabled", func() bool { return hasText(h.u.settings.servers, "Disabled") })

	test.Tap(findButton(h.u.settings.servers, "Delete"))
	// Nothing is deleted before the user confirms.
	if len(h.core.Profiles()) != 2 {
		t.Fatal("deleted without confirmation")
	}
	ov := h.u.win.Canvas().Overlays().Top()
	if ov == nil || !hasText(ov, "Delete the server Home?") {
		t.Fatal("no confirmation dialog")
	}
	test.Tap(findButton(ov, "Delete"))
	h.waitFor("deleted", func() bool { return len(h.core.Profiles()) == 1 && len(h.u.model.Servers()) == 1 })
}

func TestServerDialogValidatesAndTests(t *testing.T) {
	h := newHarness(t, "Home")
	d := h.u.openServerDialog(nil)
	defer d.dlg.hide()
	if !d.save.Disabled() {
		t.Fatal("save enabled with no address")
	}
	test.Type(d.address, "ftp://x")
	if !d.save.Disabled() || !strings.Contains(d.preview.Text(), "not supported") {
		t.Fatalf("bad scheme: %q", d.preview.Text())
	}
	d.address.SetText("")
	test.Type(d.address, "LocalHost:2000")
	if d.save.Disabled() || d.preview.Text() != "Connects to ws://localhost:2000/ws" {
		t.Fatalf("preview %q", d.preview.Text())
	}
	d.address.SetText(h.srvs[0].URL())
	if !d.save.Disabled() || !strings.Contains(d.preview.Text(), "already uses") {
		t.Fatalf("duplicate not caught: %q", d.preview.Text())
	}
	// Basic auth needs a user name.
	d.address.SetText("localhost:2000")
	test.Tap(d.basic)
	if !d.save.Disabled() {
		t.Fatal("basic auth without user accepted")
	}
	test.Type(d.user, "bob")
	if d.save.Disabled() {
		t.Fatal("valid input refused")
	}

	// Test connection against a live server, without saving.
	s2 := aatest.Start(t, aaserver.Config{})
	d.basic.SetChecked(false)
	d.address.SetText(s2.URL())
	test.Tap(d.test)
	h.waitFor("test result", func() bool { return strings.Contains(d.result.Text(), "Login") })
	if !strings.Contains(d.result.Text(), "Health: OK") || !strings.Contains(d.result.Text(), "Login: OK") {
		t.Fatalf("result %q", d.result.Text())
	}
	if len(h.core.Profiles()) != 1 {
		t.Fatal("test connection saved the server")
	}
	test.Type(d.alias, "Build box")
	test.Tap(d.save)
	h.waitFor("saved", func() bool { return len(h.core.Profiles()) == 2 })
	if got := h.core.Profiles()[1].Label(); got != "Build box" {
		t.Fatalf("saved %q", got)
	}
}

func TestServerDialogNeverShowsStoredPassword(t *testing.T) {
	h := newHarness(t)
	s := aatest.Start(t, aaserver.Config{})
	p, err := h.core.AddServer(t.Context(), profileFor(s.URL(), "P", "bob"), "secret")
	if err != nil {
		t.Fatal(err)
	}
	d := h.u.openServerDialog(&p)
	defer d.dlg.hide()
	if d.password.Text != "" || !strings.Contains(d.password.PlaceHolder, "Unchanged") {
		t.Fatalf("password field %q / %q", d.password.Text, d.password.PlaceHolder)
	}
	if d.passwordValue() != nil {
		t.Fatal("an untouched password field would replace the stored one")
	}
}

func TestEmptyStateOffersWaysToStart(t *testing.T) {
	h := newHarness(t)
	if len(h.u.main.body.Objects) != 1 || h.u.main.body.Objects[0] != h.u.main.empty {
		t.Fatal("empty state not shown")
	}
	for _, b := range []string{"Add server", "Import from Agent Assistant app", "Try the demo"} {
		if findButton(h.u.main.empty, b) == nil {
			t.Fatalf("no %q button", b)
		}
	}
	test.Tap(findButton(h.u.main.empty, "Add server"))
	if ov := h.u.win.Canvas().Overlays().Top(); ov == nil || !hasText(ov, "Test connection") {
		t.Fatal("Add server did not open the server dialog")
	}
}

func TestMarkdownIsSanitized(t *testing.T) {
	var opened []string
	segs := safeSegments("Look ![x](file:///etc/passwd) at [site](https://example.com) and [bad](javascript:alert(1)) or [f](file:///tmp/x)\n\n- ![y](http://e/y.png) item",
		func(u *url.URL) { opened = append(opened, u.String()) })
	rt := widget.NewRichText(segs...)
	var links []*widget.HyperlinkSegment
	var walkSegs func([]widget.RichTextSegment)
	walkSegs = func(ss []widget.RichTextSegment) {
		for _, s := range ss {
			switch v := s.(type) {
			case *widget.ImageSegment:
				t.Fatalf("image segment kept: %v", v.Source)
			case *widget.HyperlinkSegment:
				links = append(links, v)
			case *widget.ParagraphSegment:
				walkSegs(v.Texts)
			case *widget.ListSegment:
				walkSegs(v.Items)
			}
		}
	}
	walkSegs(rt.Segments)
	if len(links) != 1 || links[0].URL.String() != "https://example.com" {
		t.Fatalf("links %+v", links)
	}
	if len(opened) != 0 {
		t.Fatal("a link opened without a click")
	}
	links[0].OnTapped()
	if len(opened) != 1 {
		t.Fatal("click did not open the link")
	}
	if !strings.Contains(rt.String(), "bad") {
		t.Fatal("unsafe link text dropped")
	}
}

func TestNotificationOnlyWhenUnfocused(t *testing.T) {
	h := newHarness(t, "Home")
	r := &conn.Request{Server: h.ids[0], ID: "n1", Kind: conn.KindQuestion, Text: "Deploy?", AgentName: "claude"}
	test.AssertNotificationSent(t, nil, func() { h.u.notes.request(r) })
	h.u.focused = false
	test.AssertNotificationSent(t, fyne.NewNotification("[Home] Question · claude", "Deploy?"), func() { h.u.notes.request(r) })
}

func TestTrayIconVariants(t *testing.T) {
	if TrayIcon(1, 2, 2) != trayPending || TrayIcon(0, 2, 2) != trayConnected || TrayIcon(0, 1, 2) != trayDisconnected {
		t.Fatal("wrong tray icon")
	}
	for _, r := range []fyne.Resource{trayPending, trayConnected, trayDisconnected, IconResource} {
		if !strings.HasPrefix(string(r.Content()), "\x89PNG") {
			t.Fatalf("%s is not a PNG", r.Name())
		}
	}
}

func TestBridgeCoalescesBursts(t *testing.T) {
	q := &queue{}
	b := NewBridge(q.dispatch)
	refreshes, jobs := 0, 0
	b.onRefresh(func() { refreshes++ })
	for i := 0; i < 1000; i++ {
		b.Changed()
		b.Do(func() { jobs++ })
	}
	if q.n != 1 {
		t.Fatalf("%d dispatches for one burst", q.n)
	}
	q.drain()
	if refreshes != 1 || jobs != 1000 {
		t.Fatalf("refreshes %d, jobs %d", refreshes, jobs)
	}
	b.Changed()
	q.drain()
	if refreshes != 2 || q.n != 2 {
		t.Fatalf("second burst: refreshes %d, dispatches %d", refreshes, q.n)
	}
}

func TestTryTheDemoFromEmptyState(t *testing.T) {
	a, b := aatest.Start(t, aaserver.Config{}), aatest.Start(t, aaserver.Config{})
	h := newHarnessOpts(t, 0, func(o *desk.Options) {
		o.StartDemo = func() (desk.DemoBackend, error) {
			return demoBackend{servers: []conn.ServerConfig{
				{ID: "d1", Label: "Demo Home", URL: a.URL(), Enabled: true},
				{ID: "d2", Label: "Demo Work", URL: b.URL(), Enabled: true},
			}}, nil
		}
	})
	test.Tap(findButton(h.u.main.empty, "Try the demo"))
	h.waitFor("demo connected", func() bool { c, e := h.u.model.Connectivity(); return c == 2 && e == 2 })
	if h.u.main.body.Objects[0] != h.u.tl {
		t.Fatal("timeline not shown in demo mode")
	}
	if got := h.u.win.Title(); got != "agentdesk — demo" {
		t.Fatalf("title %q", got)
	}
}

type demoBackend struct{ servers []conn.ServerConfig }

func (d demoBackend) Servers() []conn.ServerConfig { return d.servers }
func (d demoBackend) Token() string                { return testToken }
func (d demoBackend) Nickname() string             { return "you" }
func (d demoBackend) Close()                       {}

func TestStatusTextForEveryState(t *testing.T) {
	cases := []struct {
		c    model.Card
		want string
	}{
		{model.Card{State: model.Pending}, ""},
		{model.Card{State: model.Sending, Reply: "yes"}, "Sending your reply: yes"},
		{model.Card{State: model.Queued, Reply: "yes"}, "Queued: the server is offline; your reply is sent when it is back: yes"},
		{model.Card{State: model.AnsweredByMe, Reply: "yes"}, "Answered by you: yes"},
		{model.Card{State: model.AnsweredElsewhere, By: "bob", ByText: "no"}, "Answered elsewhere by bob: no"},
		{model.Card{State: model.Cancelled, Reason: "timeout"}, "Cancelled: timeout"},
		{model.Card{State: model.Gone}, "Answered or cancelled while this app was offline"},
		{model.Card{State: model.Undeliverable, Reason: "cancelled"}, "Undeliverable: cancelled"},
	}
	for _, c := range cases {
		if got, _ := statusText(c.c); got != c.want {
			t.Errorf("%v: %q, want %q", c.c.State, got, c.want)
		}
	}
}

func TestMutedServerDoesNotNotify(t *testing.T) {
	h := newHarness(t, "Home")
	st := h.core.Settings()
	st.Notifications.MutedServers = []string{string(h.ids[0])}
	if err := h.core.SaveSettings(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	h.u.focused = false
	r := &conn.Request{Server: h.ids[0], ID: "n1", Kind: conn.KindQuestion, Text: "Deploy?"}
	test.AssertNotificationSent(t, nil, func() { h.u.notes.request(r) })
}

func TestStartFailureIsShown(t *testing.T) {
	test.NewTempApp(t)
	file := t.TempDir() + "/not-a-dir"
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	core := desk.New(desk.Options{ConfigDir: file + "/sub", SkipFirstRunImport: true, HealthInterval: -1})
	t.Cleanup(core.Close)
	q := &queue{}
	u := New(fyne.CurrentApp(), core, q.dispatch, testAbout)
	if u.main.body.Objects[0] != u.main.starting {
		t.Fatal("no starting view before Start")
	}
	u.Start()
	deadline := time.Now().Add(5 * time.Second)
	for u.start.starting && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		q.drain()
	}
	if u.main.body.Objects[0] != u.main.failedBox || !strings.Contains(u.main.failed.Text(), "could not start") {
		t.Fatalf("failure not shown: %q", u.main.failed.Text())
	}
}

func TestBridgeStopDropsWork(t *testing.T) {
	q := &queue{}
	b := NewBridge(q.dispatch)
	ran := false
	b.onRefresh(func() { ran = true })
	b.Stop()
	b.Changed()
	b.Do(func() { ran = true })
	q.drain()
	if ran || q.n != 0 {
		t.Fatal("work ran after Stop")
	}
}

// Long agent texts are cut at a character boundary, never mid-rune.
func TestLongMarkdownIsCutOnACharacter(t *testing.T) {
	md := "x" + strings.Repeat("界", maxMarkdown) // 1 + 3 bytes a rune: the byte limit lands mid-rune
	rt := widget.NewRichText(safeSegments(md, func(*url.URL) {})...)
	text := rt.String()
	if !utf8.ValidString(text) || !strings.HasSuffix(text, "界…") {
		t.Fatalf("cut text is not valid UTF-8 ending in a whole character: …%q", text[max(0, len(text)-12):])
	}
}

// TestAttentionModesPerKind: none stays quiet, notify notifies, raise also
// brings the window forward; a muted server does neither.
func TestAttentionModesPerKind(t *testing.T) {
	h := newHarness(t, "Home")
	raised := 0
	h.u.notes.in.raise = func() { raised++ }
	st := h.core.Settings()
	st.Notifications.Questions = profiles.AttentionRaise
	st.Notifications.WorkReports = profiles.AttentionNone
	st.Notifications.Chat = profiles.AttentionNotify
	if err := h.core.SaveSettings(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	h.u.focused = false
	q := &conn.Request{Server: h.ids[0], ID: "q", Kind: conn.KindQuestion, Text: "Deploy?", AgentName: "claude"}
	test.AssertNotificationSent(t, fyne.NewNotification("[Home] Question · claude", "Deploy?"), func() { h.u.notes.request(q) })
	if raised != 1 {
		t.Fatalf("a question in raise mode raised %d times", raised)
	}
	w := &conn.Request{Server: h.ids[0], ID: "w", Kind: conn.KindWorkReport, Text: "Done"}
	test.AssertNotificationSent(t, nil, func() { h.u.notes.request(w) })
	m := conn.ChatMessage{Server: h.ids[0], SenderNickname: "alex", Content: "hi"}
	test.AssertNotificationSent(t, fyne.NewNotification("alex@Home", "hi"), func() { h.u.notes.chat(m) })
	st.Notifications.MutedServers = []string{string(h.ids[0])}
	if err := h.core.SaveSettings(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	test.AssertNotificationSent(t, nil, func() { h.u.notes.request(q) })
	if raised != 1 {
		t.Fatal("a muted server raised the window")
	}
}
