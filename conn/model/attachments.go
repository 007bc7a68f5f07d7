package model

import (
	"image"
	"slices"
	"sync/atomic"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
)

// MaxReceivedBytes bounds the bytes of other people's attachments the
// model keeps for Save, over every card: the newest replies keep theirs,
// older ones keep their name, type, size and preview only (Omitted). A
// thousand finished cards could otherwise hold 24 MB each.
const MaxReceivedBytes = 64 << 20

// Received is one image, file or audio clip of someone else's reply, as a
// card shows it.
type Received struct {
	conn.ReceivedAttachment
	// Thumb is a small preview of an image, once one is made (nil before,
	// and for what cannot be decoded).
	Thumb image.Image
}

// richState is what the person at the keyboard adds to replies besides
// text: attachment drafts and structured-choice answers, per request. The
// drafts hold file bytes, so they are released as soon as the card closes
// or the reply is on its way.
type richState struct {
	drafts  map[conn.RequestKey]*draftRef
	choices map[conn.RequestKey][]conn.ChoiceAnswer
	// unsent names the attachments a card held when it closed unsent.
	unsent map[conn.RequestKey][]string
}

// draftRef is a draft and the switch that stops its changes from reaching
// the model once it is released (a file may still be loading into it).
type draftRef struct {
	d        *attach.Draft
	released atomic.Bool
}

func newRichState() richState {
	return richState{drafts: map[conn.RequestKey]*draftRef{}, choices: map[conn.RequestKey][]conn.ChoiceAnswer{},
		unsent: map[conn.RequestKey][]string{}}
}

// forget drops everything kept for a card that left the model.
func (r *richState) forget(k conn.RequestKey) {
	r.release(k)
	delete(r.choices, k)
	delete(r.unsent, k)
}

// release lets go of a card's draft: its bytes are freed once nothing
// still loads into it.
func (r *richState) release(k conn.RequestKey) {
	if ref := r.drafts[k]; ref != nil {
		ref.released.Store(true)
		delete(r.drafts, k)
	}
}

// AttachmentDraft returns the attachment draft of request k, creating it
// with limits l (an existing draft takes l for what is added next). It
// returns nil when k cannot be answered now (unknown, closed, or a reply
// already on its way). Every change to the draft, such as a file finishing
// loading on a background goroutine, gives the card a new revision and
// notifies, so the chips are redrawn.
func (m *Model) AttachmentDraft(k conn.RequestKey, l attach.Limits) *attach.Draft {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byKey[k]
	if c == nil || !c.Answerable() {
		return nil
	}
	if ref := m.rich.drafts[k]; ref != nil {
		ref.d.SetLimits(l)
		return ref.d
	}
	ref := &draftRef{d: attach.NewDraft(l)}
	ref.d.OnChange = func() {
		if !ref.released.Load() {
			m.touch(k)
		}
	}
	m.rich.drafts[k] = ref
	delete(m.rich.unsent, k)
	return ref.d
}

// Attachments returns request k's draft if it has one, without creating
// it (nil otherwise).
func (m *Model) Attachments(k conn.RequestKey) *attach.Draft {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ref := m.rich.drafts[k]; ref != nil {
		return ref.d
	}
	return nil
}

// AttachmentItems returns what the chips of request k show, in the order
// added; nil when it has no attachments.
func (m *Model) AttachmentItems(k conn.RequestKey) []attach.Item {
	d := m.Attachments(k)
	if d == nil {
		return nil
	}
	return d.Items()
}

// ReleaseAttachments drops request k's attachment draft and its bytes,
// after the reply carrying them was handed to the connection.
func (m *Model) ReleaseAttachments(k conn.RequestKey) {
	m.mu.Lock()
	_, had := m.rich.drafts[k]
	m.rich.release(k)
	if c := m.byKey[k]; c != nil && had {
		m.touchLocked(c)
		m.changed()
		return
	}
	m.mu.Unlock()
}

// UnsentAttachments names the attachments request k held when it closed
// before the user sent them (their bytes are gone; the names tell the user
// what to send elsewhere).
func (m *Model) UnsentAttachments(k conn.RequestKey) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.rich.unsent[k])
}

// closeDraftLocked lets go of a closing card's draft, remembering the names
// of what it held.
func (m *Model) closeDraftLocked(k conn.RequestKey) {
	ref := m.rich.drafts[k]
	if ref == nil {
		return
	}
	var names []string
	for _, it := range ref.d.Items() {
		if it.Err == nil {
			names = append(names, it.Name)
		}
	}
	m.rich.release(k)
	if len(names) > 0 {
		m.rich.unsent[k] = names
	}
}

// touch gives a card a new revision and notifies, from any goroutine.
func (m *Model) touch(k conn.RequestKey) {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil {
		m.mu.Unlock()
		return
	}
	m.touchLocked(c)
	m.changed()
}

// ChoiceAnswers returns what the user picked so far for request k's
// structured choices: one answer per choice, in order (empty answers for
// choices not touched).
func (m *Model) ChoiceAnswers(k conn.RequestKey) []conn.ChoiceAnswer {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byKey[k]
	if c == nil {
		return nil
	}
	out := make([]conn.ChoiceAnswer, len(c.Request.Choices))
	for i, a := range m.rich.choices[k] {
		if i < len(out) {
			out[i] = conn.ChoiceAnswer{Selected: slices.Clone(a.Selected), Custom: a.Custom}
		}
	}
	return out
}

// answersLocked returns request c's answers, sized to its choices, for
// changing in place.
func (m *Model) answersLocked(c *Card) []conn.ChoiceAnswer {
	k := c.Key()
	a := m.rich.choices[k]
	if len(a) < len(c.Request.Choices) {
		a = append(a, make([]conn.ChoiceAnswer, len(c.Request.Choices)-len(a))...)
		m.rich.choices[k] = a
	}
	return a
}

// SelectOption picks (on) or unpicks option opt of choice ch of request k.
// A single-answer choice keeps one option: picking another replaces it.
// It ignores closed cards and indexes out of range, and reports whether
// anything changed.
func (m *Model) SelectOption(k conn.RequestKey, ch, opt int, on bool) bool {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil || !c.Answerable() || ch < 0 || ch >= len(c.Request.Choices) || opt < 0 || opt >= len(c.Request.Choices[ch].Options) {
		m.mu.Unlock()
		return false
	}
	a := m.answersLocked(c)
	sel := a[ch].Selected
	has := slices.Contains(sel, opt)
	switch {
	case on == has:
		m.mu.Unlock()
		return false
	case !on:
		sel = slices.DeleteFunc(slices.Clone(sel), func(i int) bool { return i == opt })
	case c.Request.Choices[ch].Multiple:
		sel = append(slices.Clone(sel), opt)
		slices.Sort(sel)
	default:
		sel = []int{opt}
	}
	a[ch].Selected = sel
	m.touchLocked(c)
	m.changed()
	return true
}

// ToggleOption flips the n-th option of request k counting through all
// its choices from 0 (what the number keys pick): it picks an unpicked
// option and unpicks a picked one. It reports false when there is no such
// option.
func (m *Model) ToggleOption(k conn.RequestKey, n int) bool {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil || n < 0 {
		m.mu.Unlock()
		return false
	}
	ch, opt, found := 0, n, false
	for i, choice := range c.Request.Choices {
		if opt < len(choice.Options) {
			ch, found = i, true
			break
		}
		opt -= len(choice.Options)
	}
	on := true
	if found && ch < len(m.rich.choices[k]) {
		on = !slices.Contains(m.rich.choices[k][ch].Selected, opt)
	}
	m.mu.Unlock()
	if !found {
		return false
	}
	return m.SelectOption(k, ch, opt, on)
}

// SetChoiceCustom keeps the user's own words for choice ch of request k.
// Like SetDraft it does not notify: the field that typed them shows them.
func (m *Model) SetChoiceCustom(k conn.RequestKey, ch int, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.byKey[k]
	if c == nil || ch < 0 || ch >= len(c.Request.Choices) {
		return
	}
	m.answersLocked(c)[ch].Custom = text
}

// ClearChoices forgets request k's choice answers, after they were sent.
func (m *Model) ClearChoices(k conn.RequestKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rich.choices, k)
}

// receivedFrom turns the attachments of a reply notification into what a
// card keeps.
func receivedFrom(atts []conn.ReceivedAttachment) []Received {
	if len(atts) == 0 {
		return nil
	}
	out := make([]Received, len(atts))
	for i, a := range atts {
		out[i] = Received{ReceivedAttachment: a}
	}
	return out
}

// budgetReceivedLocked keeps the bytes of other people's attachments
// within MaxReceivedBytes, newest cards first; older ones keep everything
// but their bytes. Slices are replaced, never changed in place, since
// copies of cards given out share them.
func (m *Model) budgetReceivedLocked() {
	kept := 0
	for i := len(m.cards) - 1; i >= 0; i-- {
		c := m.cards[i]
		var fresh []Received
		for j, r := range c.Received {
			if r.Data == nil {
				continue
			}
			if kept+len(r.Data) <= MaxReceivedBytes {
				kept += len(r.Data)
				continue
			}
			if fresh == nil {
				fresh = slices.Clone(c.Received)
			}
			fresh[j].Data, fresh[j].Omitted = nil, true
		}
		if fresh != nil {
			c.Received = fresh
			m.touchLocked(c)
		}
	}
}

// SetReceivedThumb records the preview of the i-th received attachment of
// request k, made off the UI goroutine.
func (m *Model) SetReceivedThumb(k conn.RequestKey, i int, thumb image.Image) {
	m.mu.Lock()
	c := m.byKey[k]
	if c == nil || i < 0 || i >= len(c.Received) || thumb == nil {
		m.mu.Unlock()
		return
	}
	fresh := slices.Clone(c.Received)
	fresh[i].Thumb = thumb
	c.Received = fresh
	m.touchLocked(c)
	m.changed()
}
