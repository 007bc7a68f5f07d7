package attach_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/attach"
	"github.com/agentdesk/agentdesk/conn/internal/cputime"
	"github.com/agentdesk/agentdesk/conn/wire"
	"github.com/agentdesk/agentdesk/profiles"
)

// photoPNG makes a noisy, photo-like PNG of about 20 MB: noise defeats
// compression, which is what makes a clipboard image that large.
func photoPNG(b *testing.B, w, h int) []byte {
	b.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			n := uint8(r.IntN(64))
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)+n, uint8(y*255/h)+n, uint8((x+y)*127/(w+h))+n/2, 255
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// screenshotPNG makes a UI-like PNG: flat panels and text-like rows.
func screenshotPNG(b *testing.B, w, h int) []byte {
	b.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 4))
	for y := range h {
		for x := range w {
			c := uint8(((x/300)*37 + (y/200)*91) % 255)
			if y%18 < 12 && r.IntN(3) == 0 {
				c = uint8(r.IntN(255))
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c, c/2, 255-c, 255
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / 1e6
}

// BenchmarkClipboardImageToChip measures a pasted image becoming a chip
// (attachment + thumbnail), against bare png.Decode of the same bytes
// measured in the same run (the part no thumbnailer can skip), and the
// heap before the paste, while the draft holds it, and after Clear.
func BenchmarkClipboardImageToChip(b *testing.B) {
	for _, tc := range []struct {
		name string
		make func(*testing.B) []byte
	}{
		{"photo-20MB", func(b *testing.B) []byte { return photoPNG(b, 3700, 2800) }},
		{"screenshot-2560x1440", func(b *testing.B) []byte { return screenshotPNG(b, 2560, 1440) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			clip := tc.make(b)
			limits := attach.Limits{PerFile: profiles.MaxAttachmentLimit, PerReply: profiles.MaxAttachmentLimit}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var shown, chip, bare, chipCPU []time.Duration
			var before, held, after float64
			for b.Loop() {
				start := time.Now()
				if _, err := png.Decode(bytes.NewReader(clip)); err != nil {
					b.Fatal(err)
				}
				bare = append(bare, time.Since(start))

				before = heapMB()
				pasted := bytes.Clone(clip) // what the clipboard read hands over
				d := attach.NewDraft(limits)
				var ready time.Duration
				d.OnChange = func() {
					// The attachment is ready (name, type, size) before its preview.
					if it := d.Items(); ready == 0 && len(it) == 1 && it[0].MIME != "" {
						ready = time.Since(start)
					}
				}
				start = time.Now()
				startCPU := threadCPU()
				it := d.AddBytes("", pasted)
				chipCPU = append(chipCPU, threadCPU()-startCPU)
				chip = append(chip, time.Since(start))
				shown = append(shown, ready)
				if it.Err != nil || it.Thumb == nil {
					b.Fatalf("chip = %+v", it)
				}
				pasted = nil
				held = heapMB()
				d.Clear()
				after = heapMB()
				runtime.KeepAlive(d)
			}
			med := func(ds []time.Duration) time.Duration { s := slices.Clone(ds); slices.Sort(s); return s[len(s)/2] }
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(float64(len(clip))/1e6, "png-MB")
			b.ReportMetric(ms(med(shown)), "ms/attachment")
			b.ReportMetric(ms(med(chip)), "ms/chip+thumb")
			b.ReportMetric(ms(med(bare)), "ms/bare-decode")
			if haveThreadCPU {
				// CPU time is the cost on a free core, whatever the load.
				b.ReportMetric(ms(med(chipCPU)), "cpu-ms/chip+thumb")
			}
			b.ReportMetric(float64(med(chip))/float64(med(bare)), "chip/bare")
			b.ReportMetric(before, "heap-before-MB")
			b.ReportMetric(held, "heap-held-MB")
			b.ReportMetric(after, "heap-after-MB")
		})
	}
}

// BenchmarkSendReleasesMemory pastes a 20 MB image, sends it with a reply
// to an agent over real sockets (in-process server) and reports the heap
// before the paste, while the draft holds it, and once the reply is
// delivered and the draft cleared: the manager lets go of the bytes after
// delivery.
func BenchmarkSendReleasesMemory(b *testing.B) {
	clip := photoPNG(b, 3700, 2800)
	s, err := aaserver.Start(aaserver.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	m := conn.NewManager(conn.Options{Token: "tok", Nickname: "me", ConfirmDelay: 20 * time.Millisecond})
	defer m.Close()
	m.Put(conn.ServerConfig{ID: "S", Label: "S", URL: s.URL(), Enabled: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.WaitClients(ctx, "tok", 1); err != nil {
		b.Fatal(err)
	}
	limits := attach.Limits{PerFile: profiles.MaxAttachmentLimit, PerReply: profiles.MaxAttachmentLimit}
	var before, held, after float64
	var took []time.Duration
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprint("q", i)
		answer := aatest.AskAsync(s, &wire.AskQuestionRequest{ID: id, UserToken: "tok",
			Request: &wire.McpAskQuestionRequest{Question: "screenshot?", Timeout: 120}})
		key := waitFor(b, m.Events(), func(e conn.RequestArrived) bool { return e.Request.ID == id }).Request.Key()

		before = heapMB()
		d := attach.NewDraft(limits)
		d.AddBytes("", bytes.Clone(clip))
		held = heapMB()
		start := time.Now()
		atts, err := d.Attachments()
		if err != nil {
			b.Fatal(err)
		}
		if err := m.ReplyWith(key, "here", atts); err != nil {
			b.Fatal(err)
		}
		atts = nil
		d.Clear()
		waitFor(b, m.Events(), func(e conn.ReplyUpdate) bool { return e.ID == id && e.Status == conn.ReplyDelivered })
		if r := <-answer; r.GetIsError() || len(r.GetContents()) != 2 {
			b.Fatalf("agent got %v", r.GetMeta())
		}
		took = append(took, time.Since(start))
		after = heapMB()
	}
	slices.Sort(took)
	b.ReportMetric(float64(len(clip))/1e6, "png-MB")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/send-to-delivered")
	b.ReportMetric(before, "heap-before-MB")
	b.ReportMetric(held, "heap-held-MB")
	b.ReportMetric(after, "heap-after-send-MB")
}

// waitFor returns the first event of type T that satisfies ok.
func waitFor[T conn.Event](b *testing.B, ch <-chan conn.Event, ok func(T) bool) T {
	b.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case e := <-ch:
			if v, is := e.(T); is && ok(v) {
				return v
			}
		case <-timeout:
			b.Fatalf("timed out waiting for %T", *new(T))
		}
	}
}

// threadCPU is the calling thread's CPU time (0 where it cannot be read).
func threadCPU() time.Duration {
	d, _ := cputime.Thread()
	return d
}

// haveThreadCPU says whether threadCPU reads anything here.
var _, haveThreadCPU = cputime.Thread()
