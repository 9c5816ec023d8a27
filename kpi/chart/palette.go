package chart

import (
	"image/color"
)

// ink is one of the few colours a report draws with. Its value is also its
// index in palette, so an opaque fill writes the ink itself.
type ink uint8

// The inks of a report. Data colours are Okabe-Ito (colour-blind safe).
const (
	inkBackground ink = iota
	inkInk            // titles
	inkInkSoft        // subtitle, ticks, status text
	inkGrid
	inkAxis
	inkBorder
	inkZone     // goal zone: bluish green at 9 %
	inkActual   // Okabe-Ito blue
	inkPace     // Okabe-Ito orange
	inkTarget   // near black, dashed
	inkAtRisk   // Okabe-Ito vermillion
	inkOnTrack  // Okabe-Ito bluish green
	inkBehind   // Okabe-Ito yellow
	inkBehindDk // darker yellow: the yellow marker's rim and band edge on white
	inkNoData   // grey
	numInks
)

var inkRGBA = [numInks]color.RGBA{
	inkBackground: {0xff, 0xff, 0xff, 0xff},
	inkInk:        {0x1f, 0x23, 0x28, 0xff},
	inkInkSoft:    {0x57, 0x5f, 0x68, 0xff},
	inkGrid:       {0xe4, 0xe7, 0xeb, 0xff},
	inkAxis:       {0xa9, 0xb0, 0xb8, 0xff},
	inkBorder:     {0xd9, 0xdd, 0xe2, 0xff},
	inkZone:       {0xe9, 0xf5, 0xf0, 0xff},
	inkActual:     {0x00, 0x72, 0xb2, 0xff},
	inkPace:       {0xe6, 0x9f, 0x00, 0xff},
	inkTarget:     {0x3a, 0x3f, 0x45, 0xff},
	inkAtRisk:     {0xd5, 0x5e, 0x00, 0xff},
	inkOnTrack:    {0x00, 0x9e, 0x73, 0xff},
	inkBehind:     {0xf0, 0xe4, 0x42, 0xff},
	inkBehindDk:   {0xc2, 0xb1, 0x00, 0xff},
	inkNoData:     {0x9a, 0x9f, 0xa6, 0xff},
}

// statusInk is the band and marker colour of a status.
func statusInk(s Status) ink {
	switch s {
	case StatusOnTrack, StatusAchieved:
		return inkOnTrack
	case StatusBehind:
		return inkBehind
	case StatusAtRisk:
		return inkAtRisk
	}
	return inkNoData
}

// palette is the fixed palette every report is drawn in: the inks first,
// then antialiasing shades of each ink over the backgrounds it is drawn
// on. Blends the list misses map to the nearest entry.
var palette, palRGB = buildPalette()

func buildPalette() (color.Palette, [][3]int32) {
	type pair struct {
		fg, bg ink
		levels int
	}
	pairs := []pair{
		{inkInk, inkBackground, 16}, {inkInkSoft, inkBackground, 16},
		{inkActual, inkBackground, 16}, {inkPace, inkBackground, 14}, {inkTarget, inkBackground, 12},
		{inkAtRisk, inkBackground, 12}, {inkOnTrack, inkBackground, 12}, {inkBehindDk, inkBackground, 8},
		{inkNoData, inkBackground, 6}, {inkAxis, inkBackground, 4},
		{inkActual, inkZone, 12}, {inkPace, inkZone, 10}, {inkTarget, inkZone, 8}, {inkInkSoft, inkZone, 6},
		{inkActual, inkGrid, 6}, {inkPace, inkGrid, 6}, {inkInk, inkGrid, 4},
		{inkActual, inkPace, 6}, {inkPace, inkActual, 4}, {inkOnTrack, inkActual, 4},
		{inkAtRisk, inkActual, 4}, {inkBackground, inkActual, 6},
	}
	var p color.Palette
	seen := map[color.RGBA]bool{}
	add := func(c color.RGBA) {
		if !seen[c] && len(p) < 256 {
			seen[c] = true
			p = append(p, c)
		}
	}
	for _, c := range inkRGBA {
		add(c)
	}
	for _, pr := range pairs {
		for k := 1; k < pr.levels; k++ {
			add(blend(inkRGBA[pr.fg], inkRGBA[pr.bg], float64(k)/float64(pr.levels)))
		}
	}
	rgb := make([][3]int32, len(p))
	for i, c := range p {
		c := c.(color.RGBA)
		rgb[i] = [3]int32{int32(c.R), int32(c.G), int32(c.B)}
	}
	return p, rgb
}

// blend returns fg over bg at opacity a.
func blend(fg, bg color.RGBA, a float64) color.RGBA {
	m := func(f, b uint8) uint8 { return uint8(float64(f)*a + float64(b)*(1-a) + 0.5) }
	return color.RGBA{m(fg.R, bg.R), m(fg.G, bg.G), m(fg.B, bg.B), 0xff}
}

// nearest returns the index of the palette colour closest to c, weighing
// green most as the eye does.
func nearest(c color.RGBA) uint8 {
	best, bestD := 0, int32(1<<31-1)
	for i, p := range palRGB {
		dr, dg, db := p[0]-int32(c.R), p[1]-int32(c.G), p[2]-int32(c.B)
		d := 3*dr*dr + 4*dg*dg + 2*db*db
		if d < bestD {
			best, bestD = i, d
			if d == 0 {
				break
			}
		}
	}
	return uint8(best)
}

// alphaLevels is how finely coverage is blended: 0 (none) to alphaLevels
// (full).
const alphaLevels = 32

// blendTable caches "ink k at coverage level a over palette colour d" as
// the nearest palette index; known marks the entries computed so far.
// Each canvas keeps its own, filled as colours are met.
type blendTable struct {
	idx   []uint8
	known []uint64
}

func newBlendTable() blendTable {
	n := 256 * int(numInks) * (alphaLevels + 1)
	return blendTable{idx: make([]uint8, n), known: make([]uint64, (n+63)/64)}
}

// over returns the palette index of ink k at coverage m (0-255) over the
// palette colour d.
func (t blendTable) over(d uint8, k ink, m uint8) uint8 {
	a := (int(m)*alphaLevels + 127) / 255
	switch a {
	case 0:
		return d
	case alphaLevels:
		return uint8(k)
	}
	i := (int(d)*int(numInks)+int(k))*(alphaLevels+1) + a
	if t.known[i/64]&(1<<(i%64)) != 0 {
		return t.idx[i]
	}
	idx := nearest(blend(inkRGBA[k], palette[d].(color.RGBA), float64(a)/alphaLevels))
	t.idx[i] = idx
	t.known[i/64] |= 1 << (i % 64)
	return idx
}
