package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne delivers a key to the focused widget only, and its dialogs ignore
// Escape. So every dialog and popup here has a keyScope, and its focusable
// widgets are the scoped kinds below, which hand Escape and Enter to the
// scope: Escape cancels, Enter runs the default action. When nothing in
// the window has the focus, the window's own key handler sends the keys to
// the topmost open scope (see overlays).

// keyScope is what Escape and Enter do inside one dialog or popup.
type keyScope struct {
	// cancel runs on Escape (close without doing anything).
	cancel func()
	// submit runs on Enter outside multi-line fields (the default button);
	// nil when the dialog has none.
	submit func()
}

func (s *keyScope) escape() {
	if s != nil && s.cancel != nil {
		s.cancel()
	}
}

func (s *keyScope) enter() {
	if s != nil && s.submit != nil {
		s.submit()
	}
}

// handleKey runs Escape or Enter; it reports whether the key was one.
func (s *keyScope) handleKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape:
		s.escape()
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		s.enter()
		return true
	}
	return false
}

// scopedEntry is an entry whose Escape and (single-line) Enter go to its
// scope.
type scopedEntry struct {
	widget.Entry
	scope *keyScope
}

func newScopedEntry(s *keyScope) *scopedEntry {
	e := &scopedEntry{scope: s}
	e.ExtendBaseWidget(e)
	return e
}

func newScopedPasswordEntry(s *keyScope) *scopedEntry {
	e := newScopedEntry(s)
	e.Password = true
	return e
}

// TypedKey hands Escape, and Enter in a one-line entry, to the scope.
func (e *scopedEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape || (!e.MultiLine && (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter)) {
		e.scope.handleKey(k)
		return
	}
	e.Entry.TypedKey(k)
}

// scopedButton is a button that Enter and Space press, and whose Escape
// goes to its scope.
type scopedButton struct {
	widget.Button
	scope *keyScope
}

func newScopedButton(label string, icon fyne.Resource, tapped func(), s *keyScope) *scopedButton {
	b := &scopedButton{scope: s}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter, and hands Escape to the scope.
func (b *scopedButton) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		b.scope.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	default:
		b.Button.TypedKey(k)
	}
}

// scopedCheck is a check box whose Escape and Enter go to its scope.
type scopedCheck struct {
	widget.Check
	scope *keyScope
}

func newScopedCheck(label string, changed func(bool), s *keyScope) *scopedCheck {
	c := &scopedCheck{scope: s}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey hands Escape and Enter to the scope.
func (c *scopedCheck) TypedKey(k *fyne.KeyEvent) {
	if !c.scope.handleKey(k) {
		c.Check.TypedKey(k)
	}
}

// scopedSelect is a drop-down whose Escape and Enter go to its scope.
type scopedSelect struct {
	widget.Select
	scope *keyScope
}

func newScopedSelect(options []string, changed func(string), s *keyScope) *scopedSelect {
	c := &scopedSelect{scope: s}
	c.Options, c.OnChanged = options, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey hands Escape and Enter to the scope.
func (c *scopedSelect) TypedKey(k *fyne.KeyEvent) {
	if !c.scope.handleKey(k) {
		c.Select.TypedKey(k)
	}
}

// overlays is the stack of open dialogs and popups of one window: the
// window's key handler, which only hears keys when nothing has the focus,
// sends Escape and Enter to the topmost.
type overlays struct {
	stack []*keyScope
	// idle handles keys when no overlay is open (nil: ignore them).
	idle func(*fyne.KeyEvent)
}

func (o *overlays) push(s *keyScope) { o.stack = append(o.stack, s) }

func (o *overlays) remove(s *keyScope) {
	o.stack = slices.DeleteFunc(o.stack, func(x *keyScope) bool { return x == s })
}

// open reports how many dialogs and popups are open.
func (o *overlays) open() int { return len(o.stack) }

// typedKey is the window canvas's key handler.
func (o *overlays) typedKey(k *fyne.KeyEvent) {
	if n := len(o.stack); n > 0 {
		o.stack[n-1].handleKey(k)
		return
	}
	if o.idle != nil {
		o.idle(k)
	}
}

// modal is a dialog built from scoped widgets: a title, content and a row
// of buttons, over the window, closed by Escape.
type modal struct {
	pop    *widget.PopUp
	ok     *scopedButton // the default button, when the modal has one
	scope  *keyScope
	stack  *overlays
	canvas fyne.Canvas
	shown  bool
	// onHidden runs once the dialog is gone, however it was closed.
	onHidden func()
}

// newModal builds a dialog on c. scope's cancel is wrapped so that Escape
// also closes the dialog; the caller adds its buttons (scoped to scope) to
// buttons, the default one last.
func newModal(c fyne.Canvas, stack *overlays, scope *keyScope, title string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) *modal {
	m := &modal{scope: scope, stack: stack, canvas: c}
	cancel := scope.cancel
	scope.cancel = func() {
		if cancel != nil {
			cancel()
		}
		m.hide()
	}
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	row := container.NewHBox(append([]fyne.CanvasObject{layout.NewSpacer()}, buttons...)...)
	body := container.NewVBox(head, content, widget.NewSeparator(), row)
	m.pop = widget.NewModalPopUp(container.NewPadded(body), c)
	return m
}

// show opens the dialog, at least width wide, and focuses first.
func (m *modal) show(width float32, first fyne.Focusable) {
	if m.shown {
		return
	}
	m.shown = true
	m.stack.push(m.scope)
	m.fit(width)
	m.pop.Show()
	if first != nil {
		m.canvas.Focus(first)
	} else {
		m.canvas.Unfocus()
	}
}

// fit sizes the dialog to its content, at least width wide. Wrapped text
// is only as tall as its width allows, so it sizes twice.
func (m *modal) fit(width float32) {
	size := m.pop.Content.MinSize()
	size.Width = max(size.Width, width)
	if cs := m.canvas.Size(); cs.Width > 0 {
		size.Width = min(size.Width, cs.Width-2*theme.Padding())
	}
	m.pop.Resize(size)
	size.Height = m.pop.Content.MinSize().Height
	m.pop.Resize(size)
}

// hide closes the dialog; closing twice is harmless.
func (m *modal) hide() {
	if !m.shown {
		return
	}
	m.shown = false
	m.stack.remove(m.scope)
	// The window's own focus comes back: what had the keyboard before the
	// dialog has it again.
	m.pop.Hide()
	if m.onHidden != nil {
		m.onHidden()
	}
}

// confirmModal is an open yes/no question.
type confirmModal struct {
	*modal
	// onYes runs when the user confirms.
	onYes func()
	extra *fyne.Container
}

// setExtra puts o (options such as a check box) between the question and
// the buttons.
func (c *confirmModal) setExtra(o fyne.CanvasObject) {
	c.extra.Objects = []fyne.CanvasObject{o}
	c.extra.Refresh()
	c.fit(420)
}

// confirm asks a yes/no question in a modal; Enter confirms, Escape
// cancels. onYes may be set later, on the result.
func confirm(c fyne.Canvas, stack *overlays, title, question, yes string, danger bool, extra fyne.CanvasObject, onYes func()) *confirmModal {
	scope := &keyScope{}
	cm := &confirmModal{onYes: onYes, extra: container.NewVBox()}
	ok := newScopedButton(yes, nil, func() {
		cm.hide()
		if cm.onYes != nil {
			cm.onYes()
		}
	}, scope)
	ok.Importance = widget.HighImportance
	if danger {
		ok.Importance = widget.DangerImportance
	}
	cancel := newScopedButton(T("Cancel"), nil, func() { cm.hide() }, scope)
	scope.submit = ok.OnTapped
	text := widget.NewLabel(question)
	text.Wrapping = fyne.TextWrapWord
	if extra != nil {
		cm.extra.Objects = []fyne.CanvasObject{extra}
	}
	cm.modal = newModal(c, stack, scope, title, container.NewVBox(text, cm.extra), cancel, ok)
	cm.show(420, ok)
	cm.ok = ok
	return cm
}
