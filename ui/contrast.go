package ui

import (
	"image/color"
	"math"
)

// MinContrast is the WCAG 2 AA contrast ratio for normal text. Every text
// agentdesk draws meets it against what it is drawn on, in both themes;
// colours are derived by measuring, never picked by eye.
const MinContrast = 4.5

// contrastTarget is what derived colours aim for: a little above the
// minimum, so rounding to 8-bit channels never lands below it.
const contrastTarget = 4.7

// linear converts one sRGB channel (0–1) to linear light.
func linear(c float64) float64 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// Luminance is the WCAG relative luminance of an opaque colour.
func Luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return 0.2126*linear(float64(n.R)/255) + 0.7152*linear(float64(n.G)/255) + 0.0722*linear(float64(n.B)/255)
}

// ContrastRatio is the WCAG contrast ratio of two opaque colours, 1 to 21.
func ContrastRatio(a, b color.Color) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composites fg on an opaque bg, as the renderer does.
func over(fg, bg color.Color) color.NRGBA {
	f := color.NRGBAModel.Convert(fg).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 0xff}
}

// blend mixes a toward b by t (0: a, 1: b).
func blend(a, b color.NRGBA, t float64) color.NRGBA {
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

var (
	black = color.NRGBA{A: 0xff}
	white = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

// minContrastOn is the lowest contrast of fg against any of bgs.
func minContrastOn(fg color.Color, bgs []color.Color) float64 {
	lowest := math.Inf(1)
	for _, bg := range bgs {
		lowest = min(lowest, ContrastRatio(fg, bg))
	}
	return lowest
}

// readableOn returns fg, moved toward black (on light backgrounds) or white
// (on dark ones) just far enough that its contrast against every one of
// bgs reaches contrastTarget. The hue is kept as far as possible, so a
// green stays recognisably green. bgs must be all light or all dark.
func readableOn(fg color.Color, bgs ...color.Color) color.NRGBA {
	start := color.NRGBAModel.Convert(fg).(color.NRGBA)
	start.A = 0xff
	if minContrastOn(start, bgs) >= contrastTarget {
		return start
	}
	toward := white
	if minContrastOn(black, bgs) > minContrastOn(white, bgs) {
		toward = black
	}
	lo, hi := 0.0, 1.0
	for range 24 {
		mid := (lo + hi) / 2
		if minContrastOn(blend(start, toward, mid), bgs) >= contrastTarget {
			hi = mid
		} else {
			lo = mid
		}
	}
	return blend(start, toward, hi)
}

// textOn picks black or white, whichever reads better on bg (for text on
// coloured badges and tags).
func textOn(bg color.Color) color.NRGBA {
	if ContrastRatio(black, bg) >= ContrastRatio(white, bg) {
		return black
	}
	return white
}
