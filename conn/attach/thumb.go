package attach

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	// Decoders for the formats a thumbnail is made of.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// ThumbBox is the default thumbnail size: it fits in ThumbBox×ThumbBox.
const ThumbBox = 96

// MaxThumbPixels bounds the images a thumbnail is made of: decoding holds
// 4 bytes a pixel, so a small file that claims a huge canvas (a
// decompression bomb) is refused instead of taking gigabytes.
const MaxThumbPixels = 60_000_000

// ErrNoThumbnail: the data is not an image this build can decode.
var ErrNoThumbnail = errors.New("no preview for this file")

// Thumbnail decodes an image (PNG, JPEG, GIF, WebP, BMP) and scales it to
// fit a box×box square, keeping its aspect ratio. The result is small (at
// most box² pixels) and holds no reference to data, so data can be freed
// while the thumbnail stays on screen. It runs in about the time decoding
// takes: call it off the UI goroutine.
func Thumbnail(data []byte, box int) (image.Image, error) {
	if box <= 0 {
		box = ThumbBox
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoThumbnail, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxThumbPixels {
		return nil, fmt.Errorf("%w: the image is %d×%d pixels", ErrNoThumbnail, cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoThumbnail, err)
	}
	return scaleToFit(src, box), nil
}

// samples is how many source pixels per axis are averaged into one
// thumbnail pixel: enough to keep text-like detail from aliasing into
// noise, few enough to cost nothing next to decoding.
const samples = 4

// scaleToFit shrinks src into a box×box square (never enlarging it) by
// averaging a samples×samples grid of source pixels for each output pixel.
func scaleToFit(src image.Image, box int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if w > box || h > box {
		if w >= h {
			tw, th = box, max(1, h*box/w)
		} else {
			tw, th = max(1, w*box/h), box
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	if tw == w && th == h {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	for y := range th {
		y0, y1 := b.Min.Y+y*h/th, b.Min.Y+(y+1)*h/th
		for x := range tw {
			x0, x1 := b.Min.X+x*w/tw, b.Min.X+(x+1)*w/tw
			dst.SetRGBA(x, y, average(src, x0, x1, y0, y1))
		}
	}
	return dst
}

// average is the mean colour (premultiplied) of up to samples² pixels
// spread over [x0,x1)×[y0,y1).
func average(src image.Image, x0, x1, y0, y1 int) color.RGBA {
	var r, g, bl, a, n uint64
	for sy := range samples {
		py := y0 + (y1-y0)*(2*sy+1)/(2*samples)
		for sx := range samples {
			px := x0 + (x1-x0)*(2*sx+1)/(2*samples)
			cr, cg, cb, ca := src.At(px, py).RGBA()
			r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
		}
	}
	return color.RGBA{R: uint8(r / n >> 8), G: uint8(g / n >> 8), B: uint8(bl / n >> 8), A: uint8(a / n >> 8)}
}
