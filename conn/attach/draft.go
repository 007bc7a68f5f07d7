package attach

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/agentdesk/agentdesk/conn"
)

// Item is one attachment of a draft: what a chip shows.
type Item struct {
	// ID identifies the item within its draft, for Remove.
	ID   int
	Name string
	MIME string
	// Size is the file size in bytes (0 while unknown).
	Size int64
	Kind conn.AttachmentKind
	// Thumb is a small preview of an image, nil until made or when the
	// image cannot be decoded.
	Thumb image.Image
	// Loading is set while the file is read or the preview is made.
	Loading bool
	// Err says why the item cannot be sent (over a limit, unreadable…);
	// the chip shows it, and Attachments refuses to send until it is
	// removed.
	Err error
}

// Label is the chip's text: "name · size", or the problem.
func (it Item) Label() string {
	if it.Err != nil {
		return it.Err.Error()
	}
	if it.Size == 0 {
		return it.Name
	}
	return it.Name + " · " + FormatSize(it.Size)
}

// Draft collects the attachments of one reply being written. It is safe
// for concurrent use: load files on background goroutines and read Items
// from the UI. OnChange, when set, is called after every change, on the
// goroutine that made it (wrap it in fyne.Do).
type Draft struct {
	// OnChange is called after every change; it must not call back into
	// the draft synchronously with a lock of its own held.
	OnChange func()

	mu     sync.Mutex
	limits Limits
	next   int
	items  []*entry
}

type entry struct {
	item Item
	data []byte
	wire int64 // bytes reserved against the per-reply limit
}

// NewDraft returns an empty draft with the given limits (the defaults when
// they are unusable).
func NewDraft(l Limits) *Draft { return &Draft{limits: usable(l)} }

// SetLimits changes the limits for attachments added from now on.
func (d *Draft) SetLimits(l Limits) {
	d.mu.Lock()
	d.limits = usable(l)
	d.mu.Unlock()
}

func (d *Draft) changed() {
	if f := d.OnChange; f != nil {
		f()
	}
}

// Items returns a snapshot of the items, in the order they were added.
func (d *Draft) Items() []Item {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Item, len(d.items))
	for i, e := range d.items {
		out[i] = e.item
	}
	return out
}

// Len is the number of items, failed ones included.
func (d *Draft) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.items)
}

// Remove drops an item and frees its bytes.
func (d *Draft) Remove(id int) {
	d.mu.Lock()
	n := len(d.items)
	d.items = slices.DeleteFunc(d.items, func(e *entry) bool { return e.item.ID == id })
	removed := n != len(d.items)
	d.mu.Unlock()
	if removed {
		d.changed()
	}
}

// Clear drops every item, after a send or when the card closes.
func (d *Draft) Clear() {
	d.mu.Lock()
	n := len(d.items)
	d.items = nil
	d.mu.Unlock()
	if n > 0 {
		d.changed()
	}
}

// Attachments returns what to pass to conn.Manager.ReplyWith. It fails,
// naming every offending item, while any item is still loading or cannot
// be sent: nothing is sent half-way.
func (d *Draft) Attachments() ([]conn.Attachment, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []conn.Attachment
	var problems []string
	for _, e := range d.items {
		switch {
		case e.item.Loading:
			problems = append(problems, e.item.Name+" is still loading")
		case e.item.Err != nil:
			problems = append(problems, e.item.Err.Error())
		default:
			out = append(out, conn.Attachment{Name: e.item.Name, MIME: e.item.MIME, Data: e.data})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("remove the attachments that cannot be sent, then send again: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// add appends a loading item and returns its entry.
func (d *Draft) add(name string) *entry {
	d.mu.Lock()
	d.next++
	e := &entry{item: Item{ID: d.next, Name: name, Loading: true, Kind: conn.AttachmentFile}}
	d.items = append(d.items, e)
	d.mu.Unlock()
	d.changed()
	return e
}

// reserve checks an attachment of wire size against the per-reply limit
// and, if it fits, counts it. Items removed meanwhile free their share.
func (d *Draft) reserve(e *entry, wire int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	used := int64(0)
	for _, o := range d.items {
		if o != e {
			used += o.wire
		}
	}
	if used+wire > d.limits.PerReply {
		return fmt.Errorf("%s does not fit: the attachments would add %s to the reply, and the limit is %s per reply: %w",
			e.item.Name, FormatSize(used+wire), FormatSize(d.limits.PerReply), ErrTooLarge)
	}
	e.wire = wire
	return nil
}

// finish records the outcome of loading e; a removed item stays removed.
func (d *Draft) finish(e *entry, update func(*entry)) Item {
	d.mu.Lock()
	update(e)
	it := e.item
	d.mu.Unlock()
	d.changed()
	return it
}

// AddFile reads a file into the draft and makes its preview. It blocks:
// call it off the UI goroutine. The item appears at once (Loading), so a
// chip can show before the file is read. Failures become an item with Err.
func (d *Draft) AddFile(path string) Item {
	e := d.add(conn.SafeAttachmentName(filepath.Base(path), "file"))
	a, err := FromFile(path, d.currentLimits())
	return d.load(e, a, err)
}

// AddBytes adds pasted bytes (a clipboard image); see FromBytes.
func (d *Draft) AddBytes(name string, data []byte) Item {
	e := d.add(conn.SafeAttachmentName(name, "pasted"))
	a, err := FromBytes(name, data, d.currentLimits())
	return d.load(e, a, err)
}

// AddPaste handles pasted text: when it is a list of files (see
// ParseURIList) each file is added and handled is true; otherwise the
// text is left alone for the reply box and handled is false.
func (d *Draft) AddPaste(text string) (items []Item, handled bool) {
	list, ok := ParseURIList(text)
	if !ok {
		return nil, false
	}
	for _, p := range list.Paths {
		items = append(items, d.AddFile(p))
	}
	return items, true
}

func (d *Draft) currentLimits() Limits {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.limits
}

// load settles a loading entry with a read attachment, then makes the
// preview of an image.
func (d *Draft) load(e *entry, a conn.Attachment, err error) Item {
	if err == nil {
		err = d.reserve(e, a.WireSize())
	}
	if err != nil {
		return d.finish(e, func(e *entry) {
			e.item.Loading, e.item.Err = false, err
			if e.item.Size == 0 && len(a.Data) > 0 {
				e.item.Size = int64(len(a.Data))
			}
		})
	}
	it := d.finish(e, func(e *entry) {
		e.data = a.Data
		e.item.Name, e.item.MIME, e.item.Size, e.item.Kind = a.Name, a.MIME, int64(len(a.Data)), a.Kind()
		e.item.Loading = a.Kind() == conn.AttachmentImage
	})
	if !it.Loading {
		return it
	}
	thumb, terr := Thumbnail(a.Data, ThumbBox)
	return d.finish(e, func(e *entry) {
		e.item.Loading = false
		if terr == nil {
			e.item.Thumb = thumb
		}
	})
}

// IsLimit reports whether err is about a limit (as opposed to a file that
// cannot be read), for a chip that words the two differently.
func IsLimit(err error) bool { return errors.Is(err, ErrTooLarge) }

// AddProblem adds an item that only says why something could not be
// attached (an empty clipboard, no clipboard tool…), so the chip row shows
// the message where the user looked. It holds no bytes; Attachments
// refuses to send while it is there, like any failed item.
func (d *Draft) AddProblem(name string, err error) Item {
	e := d.add(conn.SafeAttachmentName(name, "attachment"))
	return d.finish(e, func(e *entry) { e.item.Loading, e.item.Err = false, err })
}
