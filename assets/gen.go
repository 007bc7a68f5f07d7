//go:build ignore

// gen draws agentdesk's PNG icons: go run gen.go (from this folder).
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

func main() {
	write("icon.png", appIcon(256))
	write("tray_connected.png", trayIcon(64, color.NRGBA{0x2e, 0xa0, 0x43, 0xff}, false))
	write("tray_disconnected.png", trayIcon(64, color.NRGBA{0xd0, 0x3a, 0x2f, 0xff}, false))
	write("tray_pending.png", trayIcon(64, color.NRGBA{0xe0, 0x9b, 0x12, 0xff}, true))
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// cover returns how much of the pixel at (x, y) a shape covers, with 4x4
// supersampling for smooth edges.
func cover(x, y int, in func(fx, fy float64) bool) float64 {
	n := 0
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if in(float64(x)+(float64(i)+0.5)/4, float64(y)+(float64(j)+0.5)/4) {
				n++
			}
		}
	}
	return float64(n) / 16
}

func blend(img *image.NRGBA, x, y int, c color.NRGBA, a float64) {
	if a <= 0 {
		return
	}
	o := img.NRGBAAt(x, y)
	sa := a * float64(c.A) / 255
	da := float64(o.A) / 255
	oa := sa + da*(1-sa)
	mix := func(s, d uint8) uint8 {
		if oa == 0 {
			return 0
		}
		return uint8((float64(s)*sa + float64(d)*da*(1-sa)) / oa)
	}
	img.SetNRGBA(x, y, color.NRGBA{mix(c.R, o.R), mix(c.G, o.G), mix(c.B, o.B), uint8(oa * 255)})
}

func fill(img *image.NRGBA, c color.NRGBA, in func(fx, fy float64) bool) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			blend(img, x, y, c, cover(x, y, in))
		}
	}
}

func roundRect(x0, y0, x1, y1, r float64) func(x, y float64) bool {
	return func(x, y float64) bool {
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(x, x1-r))
		cy := math.Max(y0+r, math.Min(y, y1-r))
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

func circle(cx, cy, r float64) func(x, y float64) bool {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

// bubble is a speech bubble: a rounded body with a tail at the bottom left.
func bubble(s float64) func(x, y float64) bool {
	body := roundRect(0.18*s, 0.22*s, 0.82*s, 0.68*s, 0.12*s)
	return func(x, y float64) bool {
		if body(x, y) {
			return true
		}
		// tail: triangle (0.30,0.66) (0.46,0.66) (0.26,0.82)
		ax, ay, bx, by, cx, cy := 0.30*s, 0.66*s, 0.46*s, 0.66*s, 0.26*s, 0.82*s
		d := (by-cy)*(ax-cx) + (cx-bx)*(ay-cy)
		l1 := ((by-cy)*(x-cx) + (cx-bx)*(y-cy)) / d
		l2 := ((cy-ay)*(x-cx) + (ax-cx)*(y-cy)) / d
		return l1 >= 0 && l2 >= 0 && 1-l1-l2 >= 0
	}
}

func appIcon(n int) image.Image {
	s := float64(n)
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	fill(img, color.NRGBA{0x25, 0x63, 0xeb, 0xff}, roundRect(0.04*s, 0.04*s, 0.96*s, 0.96*s, 0.2*s))
	fill(img, color.NRGBA{0xff, 0xff, 0xff, 0xff}, bubble(s))
	dot := color.NRGBA{0x25, 0x63, 0xeb, 0xff}
	for _, x := range []float64{0.36, 0.5, 0.64} {
		fill(img, dot, circle(x*s, 0.45*s, 0.05*s))
	}
	return img
}

func trayIcon(n int, c color.NRGBA, pending bool) image.Image {
	s := float64(n)
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	fill(img, c, roundRect(0.02*s, 0.02*s, 0.98*s, 0.98*s, 0.22*s))
	fill(img, color.NRGBA{0xff, 0xff, 0xff, 0xff}, bubble(s))
	if pending {
		fill(img, color.NRGBA{0xff, 0xff, 0xff, 0xff}, circle(0.8*s, 0.2*s, 0.19*s))
		fill(img, color.NRGBA{0xd0, 0x3a, 0x2f, 0xff}, circle(0.8*s, 0.2*s, 0.14*s))
	}
	return img
}
