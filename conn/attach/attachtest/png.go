// Package attachtest makes attachment content for tests: real images that
// decode, thumbnail and travel as a pasted screenshot would.
package attachtest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// PNG encodes a w×h PNG with a colour gradient, so that it has detail to
// scale and compresses like a screenshot rather than a flat fill.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 140, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
