package ui

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// maxMarkdown bounds how much of one agent text is rendered.
const maxMarkdown = limits.DisplayTextBytes

// safeSegments parses untrusted Markdown from an agent into RichText
// segments that are safe to draw: image segments (which RichText would load
// from disk or the network while drawing) are removed, and links stay links
// only for http and https, opened by the app only when clicked.
func safeSegments(md string, open func(*url.URL)) []widget.RichTextSegment {
	if len(md) > maxMarkdown {
		cut := maxMarkdown
		for cut > 0 && !utf8.RuneStart(md[cut]) {
			cut-- // never split a character (CJK text is 3 bytes a rune)
		}
		md = md[:cut] + "…"
	}
	return sanitize(widget.NewRichTextFromMarkdown(md).Segments, open)
}

func sanitize(in []widget.RichTextSegment, open func(*url.URL)) []widget.RichTextSegment {
	out := in[:0]
	for _, s := range in {
		switch v := s.(type) {
		case *widget.ImageSegment:
			continue
		case *widget.HyperlinkSegment:
			if !safeURL(v.URL) {
				out = append(out, &widget.TextSegment{Text: v.Text, Style: widget.RichTextStyleInline})
				continue
			}
			u := v.URL
			v.OnTapped = func() { open(u) }
		case *widget.ListSegment:
			v.Items = sanitize(v.Items, open)
		case *widget.ParagraphSegment:
			v.Texts = sanitize(v.Texts, open)
		case *widget.TableSegment:
			for i := range v.Headers {
				v.Headers[i] = sanitize(v.Headers[i], open)
			}
			for _, row := range v.Rows {
				for i := range row {
					row[i] = sanitize(row[i], open)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// safeURL reports whether a link may be opened: http or https with a host.
func safeURL(u *url.URL) bool {
	if u == nil {
		return false
	}
	s := strings.ToLower(u.Scheme)
	return (s == "http" || s == "https") && u.Host != ""
}

// openURL opens a link in the browser, re-checking its scheme.
func openURL(u *url.URL) {
	if !safeURL(u) {
		return
	}
	if err := fyne.CurrentApp().OpenURL(u); err != nil {
		fyne.LogError("opening link", err)
	}
}
