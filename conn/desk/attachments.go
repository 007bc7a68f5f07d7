package desk

import (
	"context"
	"errors"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/attach"
)

// AttachmentLimits returns the attachment limits the settings choose.
func (c *Core) AttachmentLimits() attach.Limits { return c.Settings().Attachments }

// draft returns the attachment draft of k, or ErrNotAnswerable.
func (c *Core) draft(k conn.RequestKey) (*attach.Draft, error) {
	d := c.model.AttachmentDraft(k, c.AttachmentLimits())
	if d == nil {
		return nil, ErrNotAnswerable
	}
	return d, nil
}

// AttachFiles reads files into the reply draft of request k, one chip
// each; a file that cannot be attached becomes a chip with the reason. It
// reads the files, so call it off the UI goroutine; the chips appear in
// the model at once (loading) and settle as each file is read.
func (c *Core) AttachFiles(k conn.RequestKey, paths []string) error {
	d, err := c.draft(k)
	if err != nil {
		return err
	}
	for _, p := range paths {
		d.AddFile(p)
	}
	return nil
}

// AttachClipboard attaches what the system clipboard holds to request k's
// reply: an image, or the files a file manager copied. An empty clipboard,
// or one this system cannot read images from, becomes a chip saying so
// (dropped at send, since it holds nothing). It runs a clipboard tool and
// may wait on the program owning the clipboard: call it off the UI
// goroutine.
func (c *Core) AttachClipboard(ctx context.Context, k conn.RequestKey) error {
	d, err := c.draft(k)
	if err != nil {
		return err
	}
	_, err = d.AddClipboard(ctx)
	if err != nil {
		d.AddProblem("clipboard", err)
	}
	return nil
}

// RemoveAttachment drops one chip of request k's draft and its bytes.
func (c *Core) RemoveAttachment(k conn.RequestKey, id int) {
	if d := c.model.Attachments(k); d != nil {
		d.Remove(id)
	}
}

// harmless reports whether a failed item only reports something that
// holds nothing (an empty clipboard): sending without it loses nothing.
func harmless(err error) bool {
	return errors.Is(err, attach.ErrEmptyClipboard) || errors.Is(err, attach.ErrClipboardUnsupported)
}

// replyAttachments returns what request k's draft sends, dropping notes
// that hold nothing; it fails while an item is loading or cannot be sent.
func (c *Core) replyAttachments(k conn.RequestKey) ([]conn.Attachment, error) {
	d := c.model.Attachments(k)
	if d == nil {
		return nil, nil
	}
	for _, it := range d.Items() {
		if it.Err != nil && harmless(it.Err) {
			d.Remove(it.ID)
		}
	}
	return d.Attachments()
}

// maxThumbnailsPerReply bounds the previews made for one reply
// notification; the rest show as files.
const maxThumbnailsPerReply = 16

// receivedThumbnails makes the previews of images someone else's reply
// carried, in the background, one reply at a time so that a burst of
// big images does not take every core.
func (c *Core) receivedThumbnails(ev conn.Event) {
	v, ok := ev.(conn.RequestAnswered)
	if !ok {
		return
	}
	k := conn.RequestKey{Server: v.Server, ID: v.ID}
	var todo []int
	for i, a := range v.Attachments {
		if a.Kind == conn.AttachmentImage && a.Data != nil && a.Problem == "" && len(todo) < maxThumbnailsPerReply {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return
	}
	c.background.Add(1)
	go func() {
		defer c.background.Done()
		c.thumbLock.Lock()
		defer c.thumbLock.Unlock()
		for _, i := range todo {
			if c.isClosed() {
				return
			}
			if th, err := attach.Thumbnail(v.Attachments[i].Data, attach.ThumbBox); err == nil {
				c.model.SetReceivedThumb(k, i, th)
			}
		}
	}()
}

func (c *Core) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
