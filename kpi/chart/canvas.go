package chart

import (
	"bytes"
	"encoding/binary"
	"image"
	imagedraw "image/draw"
	"image/png"
	"math"
	"sync"

	"github.com/golang/freetype/truetype"
	"github.com/wcharczuk/go-chart/v2/roboto"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// faceID names one of the few text sizes a report uses. Sizes are pixels
// at Width = 1080.
type faceID int

const (
	faceTitle faceID = iota // report title
	faceSub                 // report subtitle
	facePanel               // panel title
	faceLabel               // legend, status text, value labels
	faceTick                // axis ticks
	numFaces
)

var faceSizes = [numFaces]float64{34, 21, 23, 18, 17}

var (
	fontOnce   sync.Once
	fontErr    error
	robotoTT   *truetype.Font // go-chart's Roboto Medium: Latin, Cyrillic, ₽
	fallbackTT *truetype.Font // Go Medium: arrows and geometric shapes Roboto lacks
)

// loadFont parses the two embedded fonts once.
func loadFont() (*truetype.Font, *truetype.Font, error) {
	fontOnce.Do(func() {
		robotoTT, fontErr = truetype.Parse(roboto.Roboto)
		if fontErr == nil {
			fallbackTT, fontErr = truetype.Parse(gomedium.TTF)
		}
	})
	return robotoTT, fallbackTT, fontErr
}

// canvas is the one image a report is drawn into, with what drawing and
// encoding need. It is paletted from the start: every primitive blends
// its ink into the pixel's palette colour through a lookup table, so the
// canvas is one byte a pixel, needs no conversion before encoding, and
// the PNG encoder compresses a quarter of the bytes an RGBA image has.
//
// Canvases are pooled: a truetype face keeps a glyph cache that must not
// be shared between goroutines, and the image, the rasterizer's buffers
// and the encoder's zlib state are better reused than allocated per
// report.
type canvas struct {
	img    image.Paletted
	blend  blendTable
	ras    vector.Rasterizer
	mask   image.Alpha       // coverage of the shape being filled
	pts    []float32         // x, y pairs of the shape being built
	polys  []int             // index in pts where each polygon of the shape starts
	boxes  []image.Rectangle // bounds of each polygon
	which  []int             // polygons crossing the strip being filled
	faces  [numFaces]font.Face
	fback  [numFaces]font.Face
	ascent [numFaces]int
	descnt [numFaces]int
	out    bytes.Buffer
	enc    png.Encoder
	encBuf *png.EncoderBuffer
}

// glyphCache is the number of glyph masks each face keeps: enough for the
// glyphs of a report in the sizes used many times, few in the sizes used
// once (the masks of the largest face are 4.7 KB each).
var glyphCache = [numFaces]int{32, 32, 128, 128, 128}

var canvasPool sync.Pool

func getCanvas() (*canvas, error) {
	if c, ok := canvasPool.Get().(*canvas); ok {
		return c, nil
	}
	f, fb, err := loadFont()
	if err != nil {
		return nil, err
	}
	c := &canvas{blend: newBlendTable()}
	for i, size := range faceSizes {
		c.faces[i] = truetype.NewFace(f, &truetype.Options{
			Size: size, DPI: 72, Hinting: font.HintingNone,
			GlyphCacheEntries: glyphCache[i], SubPixelsX: 2, SubPixelsY: 1,
		})
		c.fback[i] = truetype.NewFace(fb, &truetype.Options{
			Size: size, DPI: 72, Hinting: font.HintingNone,
			GlyphCacheEntries: 8, SubPixelsX: 1, SubPixelsY: 1,
		})
		m := c.faces[i].Metrics()
		c.ascent[i] = m.Ascent.Ceil()
		c.descnt[i] = m.Descent.Ceil()
	}
	c.enc = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: (*encPool)(c)}
	return c, nil
}

func putCanvas(c *canvas) {
	if c.out.Cap() > 4<<20 { // an unusual report: do not keep the memory
		c.out = bytes.Buffer{}
	}
	canvasPool.Put(c)
}

// encPool gives the png encoder its canvas's one EncoderBuffer back.
type encPool canvas

func (p *encPool) Get() *png.EncoderBuffer  { return p.encBuf }
func (p *encPool) Put(b *png.EncoderBuffer) { p.encBuf = b }

// reset sizes the canvas to w×h and paints it with the background.
func (c *canvas) reset(w, h int) {
	if cap(c.img.Pix) < w*h {
		c.img.Pix = make([]byte, w*h)
	}
	c.img.Pix = c.img.Pix[:w*h]
	clear(c.img.Pix) // index 0 is inkBackground
	c.img.Stride = w
	c.img.Rect = image.Rect(0, 0, w, h)
	c.img.Palette = palette
	c.pts, c.polys = c.pts[:0], c.polys[:0]
}

// rect fills r with the ink k.
func (c *canvas) rect(r image.Rectangle, k ink) {
	r = r.Intersect(c.img.Rect)
	if r.Empty() {
		return
	}
	first := c.img.Pix[r.Min.Y*c.img.Stride+r.Min.X : r.Min.Y*c.img.Stride+r.Max.X]
	first[0] = uint8(k)
	for n := 1; n < len(first); n *= 2 {
		copy(first[n:], first[:n])
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		copy(c.img.Pix[y*c.img.Stride+r.Min.X:], first)
	}
}

// frame draws a one-pixel frame just inside r.
func (c *canvas) frame(r image.Rectangle, k ink) {
	c.rect(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), k)
	c.rect(image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), k)
	c.rect(image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), k)
	c.rect(image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), k)
}

// hdash draws a horizontal dashed line of thickness t from x0 to x1 with
// its top at y.
func (c *canvas) hdash(x0, x1, y, t, dash, gap int, k ink) {
	for x := x0; x < x1; x += dash + gap {
		c.rect(image.Rect(x, y, min(x+dash, x1), y+t), k)
	}
}

// poly adds a closed polygon (x, y pairs) to the current shape.
func (c *canvas) poly(xy ...float32) {
	c.polys = append(c.polys, len(c.pts))
	c.pts = append(c.pts, xy...)
}

// segment adds a straight stroke of width w from (x0, y0) to (x1, y1)
// without caps.
func (c *canvas) segment(x0, y0, x1, y1, w float32) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Hypot(float64(dx), float64(dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	c.poly(x0+nx, y0+ny, x1+nx, y1+ny, x1-nx, y1-ny, x0-nx, y0-ny)
}

// circle adds a disc of radius r.
func (c *canvas) circle(cx, cy, r float32) {
	n := 12
	if r > 5 {
		n = 20
	}
	c.polys = append(c.polys, len(c.pts))
	for i := 0; i < n; i++ {
		s, co := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		c.pts = append(c.pts, cx+r*float32(co), cy+r*float32(s))
	}
}

// polyline adds a stroke of width w through the points with round joins
// and caps.
func (c *canvas) polyline(xs, ys []float32, w float32) {
	for i := 1; i < len(xs); i++ {
		c.segment(xs[i-1], ys[i-1], xs[i], ys[i], w)
	}
	if len(xs) > 1 {
		for i := range xs {
			c.circle(xs[i], ys[i], w/2)
		}
	}
}

// dashed adds a dashed stroke of width w through the points.
func (c *canvas) dashed(xs, ys []float32, w, dash, gap float32) {
	on, left := true, dash // drawing a dash, and how much of it is left
	for i := 1; i < len(xs); i++ {
		x0, y0 := xs[i-1], ys[i-1]
		dx, dy := xs[i]-x0, ys[i]-y0
		l := float32(math.Hypot(float64(dx), float64(dy)))
		for at := float32(0); at < l; {
			step := min(left, l-at)
			if on {
				a, b := at/l, (at+step)/l
				c.segment(x0+dx*a, y0+dy*a, x0+dx*b, y0+dy*b, w)
			}
			at += step
			left -= step
			if left <= 0 {
				on = !on
				left = gap
				if on {
					left = dash
				}
			}
		}
	}
}

// stripW is the width of the strips a wide shape is rasterized in.
const stripW = 64

// fill paints the current shape in the ink k and starts a new one.
//
// A wide shape (a line across the plot) is rasterized in vertical strips,
// each only as tall as the polygons crossing it: the rasterizer's work
// and buffers grow with the box it covers, and a slanted line's box is
// mostly empty.
func (c *canvas) fill(k ink) {
	defer func() { c.pts, c.polys = c.pts[:0], c.polys[:0] }()
	if len(c.pts) == 0 {
		return
	}
	c.boxes = c.boxes[:0]
	all := image.Rectangle{}
	for i, start := range c.polys {
		end := len(c.pts)
		if i+1 < len(c.polys) {
			end = c.polys[i+1]
		}
		minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
		maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
		for j := start; j < end; j += 2 {
			minX, maxX = min(minX, c.pts[j]), max(maxX, c.pts[j])
			minY, maxY = min(minY, c.pts[j+1]), max(maxY, c.pts[j+1])
		}
		b := image.Rect(int(math.Floor(float64(minX))), int(math.Floor(float64(minY))),
			int(math.Ceil(float64(maxX))), int(math.Ceil(float64(maxY))))
		c.boxes = append(c.boxes, b)
		all = all.Union(b)
	}
	all = all.Intersect(c.img.Rect)
	if all.Empty() {
		return
	}
	if all.Dx()*all.Dy() <= 4*stripW*stripW {
		c.fillPart(k, all, nil)
		return
	}
	for x := all.Min.X; x < all.Max.X; x += stripW {
		strip := image.Rect(x, all.Min.Y, min(x+stripW, all.Max.X), all.Max.Y)
		part := image.Rectangle{}
		c.which = c.which[:0]
		for i, b := range c.boxes {
			if b.Min.X < strip.Max.X && b.Max.X > strip.Min.X {
				part = part.Union(b)
				c.which = append(c.which, i)
			}
		}
		part.Min.X, part.Max.X = strip.Min.X, strip.Max.X
		if part = part.Intersect(strip); !part.Empty() {
			c.fillPart(k, part, c.which)
		}
	}
}

// fillPart rasterizes the polygons numbered in which (all when nil) within
// r and blends the ink k into the covered pixels. Polygons are emitted
// with one orientation so that overlaps add up instead of cancelling out
// in the rasterizer's accumulation.
func (c *canvas) fillPart(k ink, r image.Rectangle, which []int) {
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	w, h := r.Dx(), r.Dy()
	if cap(c.mask.Pix) < w*h {
		c.mask.Pix = make([]byte, w*h)
	}
	c.mask.Pix, c.mask.Stride, c.mask.Rect = c.mask.Pix[:w*h], w, image.Rect(0, 0, w, h)
	c.ras.Reset(w, h)
	c.ras.DrawOp = imagedraw.Src
	n := len(c.polys)
	if which != nil {
		n = len(which)
	}
	for wi := 0; wi < n; wi++ {
		i := wi
		if which != nil {
			i = which[wi]
		}
		start, end := c.polys[i], len(c.pts)
		if i+1 < len(c.polys) {
			end = c.polys[i+1]
		}
		p := c.pts[start:end]
		var area float32
		for i := 0; i < len(p); i += 2 {
			j := (i + 2) % len(p)
			area += p[i]*p[j+1] - p[j]*p[i+1]
		}
		if area >= 0 {
			c.ras.MoveTo(p[0]-ox, p[1]-oy)
			for i := 2; i < len(p); i += 2 {
				c.ras.LineTo(p[i]-ox, p[i+1]-oy)
			}
		} else {
			n := len(p)
			c.ras.MoveTo(p[n-2]-ox, p[n-1]-oy)
			for i := n - 4; i >= 0; i -= 2 {
				c.ras.LineTo(p[i]-ox, p[i+1]-oy)
			}
		}
		c.ras.ClosePath()
	}
	// Rasterize into an alpha mask (the rasterizer's SIMD path), then
	// blend only the covered pixels.
	c.ras.Draw(&c.mask, c.mask.Rect, image.Opaque, image.Point{})
	for y := 0; y < h; y++ {
		row := c.mask.Pix[y*w : (y+1)*w]
		pix := c.img.Pix[c.img.PixOffset(r.Min.X, r.Min.Y+y):]
		for x := 0; x < w; x++ {
			if x+8 <= w && binary.LittleEndian.Uint64(row[x:]) == 0 {
				x += 7
				continue
			}
			if m := row[x]; m != 0 {
				pix[x] = c.blend.over(pix[x], k, m)
			}
		}
	}
}

// text draws s with its baseline at y and returns its advance.
func (c *canvas) text(f faceID, s string, x, y int, k ink) int {
	return c.str(f, s, x, y, k, true)
}

// measure returns the advance of s.
func (c *canvas) measure(f faceID, s string) int {
	return c.str(f, s, 0, 0, 0, false)
}

// str draws (when draw is set) and measures s. A rune Roboto lacks is
// taken from Go Medium (arrows, ●, ▲); a check mark is drawn as strokes;
// a rune neither font has (emoji) is left out rather than drawn as a box.
func (c *canvas) str(f faceID, s string, x, y int, k ink, draw bool) int {
	dot := fixed.P(x, y)
	prev, prevFace := rune(-1), font.Face(nil)
	for _, r := range s {
		face := c.faces[f]
		if r >= 0x2000 && robotoTT.Index(r) == 0 {
			switch {
			case r == '✓' || r == '✔':
				em := float32(faceSizes[f])
				if draw {
					x0, y0 := float32(dot.X)/64, float32(dot.Y)/64
					c.polyline([]float32{x0 + 0.12*em, x0 + 0.36*em, x0 + 0.82*em},
						[]float32{y0 - 0.36*em, y0 - 0.1*em, y0 - 0.66*em}, 0.11*em)
					c.fill(k)
				}
				dot.X += fixed.Int26_6(0.92 * em * 64)
				prev = -1
				continue
			case fallbackTT.Index(r) != 0:
				face = c.fback[f]
			default:
				prev = -1
				continue
			}
		}
		if prev >= 0 && face == prevFace {
			dot.X += face.Kern(prev, r)
		}
		if draw {
			dr, mask, mp, adv, ok := face.Glyph(dot, r)
			if a, isAlpha := mask.(*image.Alpha); ok && isAlpha {
				c.glyph(dr, a, mp, k)
			}
			dot.X += adv
		} else {
			adv, _ := face.GlyphAdvance(r)
			dot.X += adv
		}
		prev, prevFace = r, face
	}
	return (dot.X - fixed.I(x)).Ceil()
}

// glyph blends the ink k into dr through the glyph mask at mp.
func (c *canvas) glyph(dr image.Rectangle, mask *image.Alpha, mp image.Point, k ink) {
	clipped := dr.Intersect(c.img.Rect)
	mp = mp.Add(clipped.Min.Sub(dr.Min))
	for y := 0; y < clipped.Dy(); y++ {
		mrow := mask.Pix[mask.PixOffset(mp.X, mp.Y+y):][:clipped.Dx()]
		pix := c.img.Pix[c.img.PixOffset(clipped.Min.X, clipped.Min.Y+y):][:clipped.Dx()]
		for x, m := range mrow {
			if m != 0 {
				pix[x] = c.blend.over(pix[x], k, m)
			}
		}
	}
}

// fit returns s, cut and ended with "…" when it is wider than w pixels.
func (c *canvas) fit(f faceID, s string, w int) string {
	if c.measure(f, s) <= w {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs) // the longest prefix that fits is in [lo, hi)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if c.measure(f, string(rs[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	for lo > 0 && (rs[lo-1] == ' ' || rs[lo-1] == '\u00a0' || rs[lo-1] == '·') {
		lo--
	}
	return string(rs[:lo]) + "…"
}

// encode encodes the canvas as PNG into a fresh slice the caller owns.
func (c *canvas) encode() ([]byte, error) {
	c.out.Reset()
	if err := c.enc.Encode(&c.out, &c.img); err != nil {
		return nil, err
	}
	return bytes.Clone(c.out.Bytes()), nil
}
