package chart

import (
	"image"
	"math"
)

// Layout, in pixels at Width = 1080.
const (
	margin     = 28  // around the image
	gutter     = 20  // between panels
	panelH2    = 430 // panel height with two columns
	panelH1    = 540 // panel height with one column
	pad        = 18  // inside a panel
	bandH      = 8   // status band on top of a panel
	legendRowH = 34
	minXLabel  = 75 // at least this many pixels per x label
)

// plot is what Weekly and Quarterly panels have in common.
type plot struct {
	title, statusText string
	status            Status
	labels            []string
	values, pace      []float64
	target            float64
	forecast          []float64
	forecastLabels    []string
	formatY           func(float64) string
	lowerBetter       bool
	fromZero          bool

	quarter  bool // mark the end value
	end      float64
	achieved bool
}

// legendItem is one entry of the legend row.
type legendItem struct {
	kind  int // legendActual, …
	label string
	x, w  int // position within its row, total width
	row   int
}

const (
	legendActual = iota
	legendPace
	legendTarget
	legendForecast
	legendZone
)

const legendSwatch = 40 // width of a legend sample

// layoutLegend places the non-empty legend entries in rows of at most
// width pixels.
func layoutLegend(c *canvas, lg Legend, width int) ([]legendItem, int) {
	var items []legendItem
	x, row := 0, 0
	for kind, label := range [...]string{lg.Actual, lg.Pace, lg.Target, lg.Forecast, lg.Zone} {
		if label == "" {
			continue
		}
		label = c.fit(faceLabel, label, width-legendSwatch-10)
		w := legendSwatch + 10 + c.measure(faceLabel, label)
		if x > 0 && x+w > width {
			x, row = 0, row+1
		}
		items = append(items, legendItem{kind: kind, label: label, x: x, w: w, row: row})
		x += w + 30
	}
	if len(items) == 0 {
		return nil, 0
	}
	return items, row + 1
}

// geom is where a panel was drawn; tests use it to sample pixels.
type geom struct {
	rect, plot image.Rectangle
	xOf        func(i int) float32
	yOf        func(v float64) float32
}

// render lays the report out, draws it and encodes it.
func render(title, subtitle string, lg Legend, plots []plot) ([]byte, error) {
	png, _, err := renderGeom(title, subtitle, lg, plots, false)
	return png, err
}

// renderGeom is render that also returns, when withGeom is set, where each
// panel was drawn.
func renderGeom(title, subtitle string, lg Legend, plots []plot, withGeom bool) ([]byte, []geom, error) {
	c, err := getCanvas()
	if err != nil {
		return nil, nil, err
	}
	defer putCanvas(c)

	cols := 2
	if len(plots) == 1 {
		cols = 1
	}
	rows := (len(plots) + cols - 1) / cols
	panelW := (Width - 2*margin - (cols-1)*gutter) / cols
	panelH := panelH2
	if cols == 1 {
		panelH = panelH1
	}
	inner := Width - 2*margin

	// Header: title, subtitle, legend.
	y := margin
	titleBase := y + c.ascent[faceTitle]
	y = titleBase + c.descnt[faceTitle]
	subBase := 0
	if subtitle != "" {
		subBase = y + 6 + c.ascent[faceSub]
		y = subBase + c.descnt[faceSub]
	}
	items, legendRows := layoutLegend(c, lg, inner)
	legendTop := y + 14
	if legendRows > 0 {
		y = legendTop + legendRows*legendRowH
	}
	panelsTop := y + 16
	height := panelsTop + rows*panelH + (rows-1)*gutter + margin

	c.reset(Width, height)
	c.text(faceTitle, c.fit(faceTitle, title, inner), margin, titleBase, inkInk)
	if subtitle != "" {
		c.text(faceSub, c.fit(faceSub, subtitle, inner), margin, subBase, inkInkSoft)
	}
	for _, it := range items {
		drawLegendItem(c, it, margin, legendTop+it.row*legendRowH, legendRowH)
	}

	var geoms []geom
	for i := range plots {
		x := margin + (i%cols)*(panelW+gutter)
		y := panelsTop + (i/cols)*(panelH+gutter)
		g := drawPlot(c, image.Rect(x, y, x+panelW, y+panelH), &plots[i])
		if withGeom {
			geoms = append(geoms, g)
		}
	}
	png, err := c.encode()
	return png, geoms, err
}

func drawLegendItem(c *canvas, it legendItem, x0, top, h int) {
	x := float32(x0 + it.x)
	cy := float32(top) + float32(h)/2
	switch it.kind {
	case legendActual:
		c.polyline([]float32{x + 2, x + legendSwatch - 2}, []float32{cy, cy}, 3)
		c.fill(inkActual)
		c.circle(x+legendSwatch/2, cy, 6)
		c.fill(inkBackground)
		c.circle(x+legendSwatch/2, cy, 4.5)
		c.fill(inkActual)
	case legendPace:
		c.polyline([]float32{x + 2, x + legendSwatch - 2}, []float32{cy, cy}, 3)
		c.fill(inkPace)
	case legendTarget:
		c.hdash(int(x), int(x)+legendSwatch, int(cy)-1, 2, 7, 4, inkTarget)
	case legendForecast:
		c.dashed([]float32{x + 1, x + legendSwatch}, []float32{cy, cy}, 3, 7, 5)
		c.fill(inkActual)
	case legendZone:
		c.rect(image.Rect(int(x), int(cy)-9, int(x)+legendSwatch, int(cy)+9), inkZone)
	}
	base := int(cy) + (c.ascent[faceLabel]-c.descnt[faceLabel])/2 - 1
	c.text(faceLabel, it.label, int(x)+legendSwatch+10, base, inkInk)
}

// drawPlot draws one panel into r.
func drawPlot(c *canvas, r image.Rectangle, p *plot) geom {
	// Card, status band, title, status line.
	c.frame(r, inkBorder)
	sc := statusInk(p.status)
	c.rect(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+bandH), sc)
	if p.status == StatusBehind {
		c.rect(image.Rect(r.Min.X, r.Min.Y+bandH-2, r.Max.X, r.Min.Y+bandH), inkBehindDk)
	}
	left, right := r.Min.X+pad, r.Max.X-pad
	titleBase := r.Min.Y + bandH + 14 + c.ascent[facePanel]
	c.text(facePanel, c.fit(facePanel, p.title, right-left), left, titleBase, inkInk)
	statusMid := titleBase + c.descnt[facePanel] + 8 + 12
	if p.statusText != "" {
		mx, my := float32(left)+8, float32(statusMid)
		if p.status == StatusBehind {
			c.circle(mx, my, 8)
			c.fill(inkBehindDk)
			c.circle(mx, my, 6.5)
			c.fill(inkBehind)
		} else {
			c.circle(mx, my, 8)
			c.fill(sc)
		}
		base := statusMid + (c.ascent[faceLabel]-c.descnt[faceLabel])/2 - 1
		c.text(faceLabel, c.fit(faceLabel, p.statusText, right-left-26), left+24, base, inkInkSoft)
	}

	// Axes.
	extra := []float64{p.target}
	if p.quarter {
		extra = append(extra, p.end)
	}
	format := p.formatY
	if format == nil {
		format = plainNumber
	}
	distinct := func(ax yAxis) bool {
		prev := ""
		for i := 0; i < ax.n; i++ {
			l := format(ax.tick(i))
			if i > 0 && l == prev {
				return false
			}
			prev = l
		}
		return true
	}
	ax := niceAxis(p.fromZero || p.lowerBetter, distinct, p.values, p.pace, p.forecast, extra)
	tickW := 0
	tickLabels := make([]string, ax.n)
	for i := range tickLabels {
		tickLabels[i] = format(ax.tick(i))
		tickW = max(tickW, c.measure(faceTick, tickLabels[i]))
	}
	tickW = min(tickW, (right-left)/3)
	plotL, plotR := left+tickW+12, right
	xLabelBase := r.Max.Y - 14 - c.descnt[faceTick]
	plotT := statusMid + 12 + 18
	plotB := xLabelBase - c.ascent[faceTick] - 12
	yOf := func(v float64) float32 {
		return float32(plotB) - float32((v-ax.lo)/(ax.hi-ax.lo))*float32(plotB-plotT)
	}

	// Goal zone, grid, ticks.
	if !math.IsNaN(p.target) && p.target > ax.lo && p.target < ax.hi {
		ty := int(math.Round(float64(yOf(p.target))))
		if p.lowerBetter {
			c.rect(image.Rect(plotL, ty, plotR, plotB), inkZone)
		} else {
			c.rect(image.Rect(plotL, plotT, plotR, ty), inkZone)
		}
	}
	tickShift := (c.ascent[faceTick] - c.descnt[faceTick]) / 2
	for i := 0; i < ax.n; i++ {
		gy := int(math.Round(float64(yOf(ax.tick(i)))))
		if i == 0 {
			c.rect(image.Rect(plotL, gy, plotR, gy+1), inkAxis)
		} else {
			c.rect(image.Rect(plotL, gy, plotR, gy+1), inkGrid)
		}
		lab := c.fit(faceTick, tickLabels[i], tickW)
		c.text(faceTick, lab, plotL-10-c.measure(faceTick, lab), gy+tickShift, inkInkSoft)
	}

	// X positions and labels.
	nAct := len(p.values)
	n := nAct + len(p.forecast)
	innerL, innerR := float32(plotL+16), float32(plotR-14)
	xOf := func(i int) float32 {
		if n <= 1 {
			return (innerL + innerR) / 2
		}
		return innerL + float32(i)*(innerR-innerL)/float32(n-1)
	}
	labelOf := func(i int) string {
		if i < nAct {
			return p.labels[i]
		}
		if j := i - nAct; j < len(p.forecastLabels) {
			return p.forecastLabels[j]
		}
		return ""
	}
	maxLW := 0
	for i := 0; i < n; i++ {
		maxLW = max(maxLW, c.measure(faceTick, labelOf(i)))
	}
	spacing := 0.0
	if n > 1 {
		spacing = float64(innerR-innerL) / float64(n-1)
	}
	step := labelStep(n, spacing, math.Max(minXLabel, float64(maxLW+14)))
	// Every step-th week counted from the latest one keeps its label. The
	// latest week's label is placed first and always stays; a label pushed
	// inwards at the panel's edge is dropped if it would crowd its
	// neighbour.
	anchor := max(nAct-1, 0)
	type xLabel struct {
		text string
		x, w int
	}
	at := func(i int) xLabel {
		l := xLabel{text: labelOf(i)}
		l.w = c.measure(faceTick, l.text)
		l.x = max(r.Min.X+6, min(int(xOf(i))-l.w/2, r.Max.X-6-l.w))
		return l
	}
	a := at(anchor)
	if a.text != "" {
		c.text(faceTick, a.text, a.x, xLabelBase, inkInkSoft)
	}
	leftEdge, rightEdge := a.x, a.x+a.w
	for i := anchor - step; i >= 0; i -= step {
		if l := at(i); l.text != "" && l.x+l.w <= leftEdge-10 {
			c.text(faceTick, l.text, l.x, xLabelBase, inkInkSoft)
			leftEdge = l.x
		}
	}
	for i := anchor + step; i < n; i += step {
		if l := at(i); l.text != "" && l.x >= rightEdge+10 {
			c.text(faceTick, l.text, l.x, xLabelBase, inkInkSoft)
			rightEdge = l.x + l.w
		}
	}

	// Target.
	if !math.IsNaN(p.target) && p.target >= ax.lo && p.target <= ax.hi {
		ty := int(math.Round(float64(yOf(p.target)))) - 1
		c.hdash(plotL, plotR, ty, 2, 9, 5, inkTarget)
	}

	// Pace: a solid line with gaps where the pace is unknown.
	xs, ys := make([]float32, 0, n), make([]float32, 0, n)
	runs := func(vals []float64, each func(xs, ys []float32)) {
		xs, ys = xs[:0], ys[:0]
		for i, v := range vals {
			if math.IsNaN(v) {
				if len(xs) > 0 {
					each(xs, ys)
				}
				xs, ys = xs[:0], ys[:0]
				continue
			}
			xs, ys = append(xs, xOf(i)), append(ys, yOf(v))
		}
		if len(xs) > 0 {
			each(xs, ys)
		}
	}
	runs(p.pace, func(xs, ys []float32) { c.polyline(xs, ys, 3) })
	c.fill(inkPace)

	// Forecast: dashed, from the last week when it has a value.
	if len(p.forecast) > 0 {
		xs, ys = xs[:0], ys[:0]
		if nAct > 0 && !math.IsNaN(p.values[nAct-1]) {
			xs, ys = append(xs, xOf(nAct-1)), append(ys, yOf(p.values[nAct-1]))
		}
		for j, v := range p.forecast {
			if !math.IsNaN(v) {
				xs, ys = append(xs, xOf(nAct+j)), append(ys, yOf(v))
			}
		}
		c.dashed(xs, ys, 3, 8, 6)
		c.fill(inkActual)
		if len(xs) > 0 {
			lx, ly := xs[len(xs)-1], ys[len(ys)-1]
			c.circle(lx, ly, 6)
			c.fill(inkActual)
			c.circle(lx, ly, 3.5)
			c.fill(inkBackground)
		}
	}

	// Actual values: a line through consecutive weeks, a dot on every week
	// with a value, nothing on a week without one.
	runs(p.values, func(xs, ys []float32) { c.polyline(xs, ys, 3.5) })
	c.fill(inkActual)
	for i, v := range p.values {
		if !math.IsNaN(v) {
			c.circle(xOf(i), yOf(v), 6.5)
		}
	}
	c.fill(inkBackground)
	for i, v := range p.values {
		if !math.IsNaN(v) {
			c.circle(xOf(i), yOf(v), 4.5)
		}
	}
	c.fill(inkActual)

	sp := newSpace(p, image.Rect(plotL, plotT, plotR, plotB), xOf, yOf)
	if !math.IsNaN(p.target) && p.target >= ax.lo && p.target <= ax.hi {
		sp.targetY = int(yOf(p.target))
		if !onTick(ax, p.target) {
			drawTargetTag(c, sp, p.lowerBetter, format(p.target), yOf(p.target))
		}
	}
	if p.quarter && !math.IsNaN(p.end) && nAct > 0 {
		drawEnd(c, sp, p.achieved, xOf(nAct-1), yOf(p.end), format(p.end))
	}
	return geom{rect: r, plot: image.Rect(plotL, plotT, plotR, plotB), xOf: xOf, yOf: yOf}
}

// space tells where a label can go in a plot without covering data.
type space struct {
	plot     image.Rectangle
	series   [][]float64 // actual, pace and forecast by x slot; NaN is a gap
	xOf      func(int) float32
	yOf      func(float64) float32
	taken    []image.Rectangle // labels already placed
	targetY  int               // the target line, -1 when none
	avoidTgt bool              // whether the target line counts as data
}

func newSpace(p *plot, plotR image.Rectangle, xOf func(int) float32, yOf func(float64) float32) *space {
	nAct := len(p.values)
	s := &space{plot: plotR, xOf: xOf, yOf: yOf, targetY: -1, series: [][]float64{p.values, p.pace}}
	if len(p.forecast) > 0 {
		fc := make([]float64, nAct+len(p.forecast))
		for i := range fc {
			fc[i] = math.NaN()
		}
		if nAct > 0 {
			fc[nAct-1] = p.values[nAct-1]
		}
		copy(fc[nAct:], p.forecast)
		s.series = append(s.series, fc)
	}
	return s
}

// free reports whether box, grown by 4 px, stays inside the plot and clear
// of every line, dot and label placed so far.
func (s *space) free(box image.Rectangle) bool {
	box = box.Inset(-4)
	if box.Min.Y < s.plot.Min.Y-4 || box.Max.Y > s.plot.Max.Y+4 ||
		box.Min.X < s.plot.Min.X || box.Max.X > s.plot.Max.X+4 {
		return false
	}
	if s.avoidTgt && s.targetY >= box.Min.Y && s.targetY < box.Max.Y {
		return false
	}
	for _, t := range s.taken {
		if t.Overlaps(box) {
			return false
		}
	}
	for _, vs := range s.series {
		for i := 0; i+1 < len(vs); i++ {
			if math.IsNaN(vs[i]) || math.IsNaN(vs[i+1]) {
				continue
			}
			x0, x1 := s.xOf(i), s.xOf(i+1)
			if max(x0, x1) < float32(box.Min.X) || min(x0, x1) > float32(box.Max.X) {
				continue
			}
			y0, y1 := s.yOf(vs[i]), s.yOf(vs[i+1])
			for t := float32(0); t <= 1; t += 0.05 {
				if image.Pt(int(x0+(x1-x0)*t), int(y0+(y1-y0)*t)).In(box) {
					return false
				}
			}
		}
		for i, v := range vs {
			if !math.IsNaN(v) && image.Pt(int(s.xOf(i)), int(s.yOf(v))).In(box.Inset(-4)) {
				return false
			}
		}
	}
	return true
}

// place returns the first of tries that is free (the first when none
// is) and marks it taken.
func (s *space) place(tries ...image.Rectangle) image.Rectangle {
	box := tries[0]
	for _, b := range tries {
		if s.free(b) {
			box = b
			break
		}
	}
	s.taken = append(s.taken, box)
	return box
}

// drawEnd marks the quarter's end value at (x, y) with a large dot, green
// when the target was achieved and vermillion when not, and writes the
// value in a framed box beside it where it covers no data.
func drawEnd(c *canvas, sp *space, achieved bool, x, y float32, label string) {
	col := inkAtRisk
	if achieved {
		col = inkOnTrack
	}
	c.circle(x, y, 10)
	c.fill(inkBackground)
	c.circle(x, y, 8)
	c.fill(col)

	w := c.measure(faceLabel, label) + 16
	h := c.ascent[faceLabel] + c.descnt[faceLabel] + 8
	ix, iy := int(x), int(y)
	at := func(x, y int) image.Rectangle { return image.Rect(x, y, x+w, y+h) }
	sp.avoidTgt = true
	box := sp.place(
		at(ix-w+10, iy-16-h), // above, to the left
		at(ix-w+10, iy+16),   // below, to the left
		at(ix-w-16, iy-h/2),  // left
		at(ix-w-16, iy-22-h), // further up
		at(ix-w-16, iy+22),   // further down
	)
	box = box.Intersect(c.img.Rect)
	c.rect(box, col)
	c.rect(box.Inset(2), inkBackground)
	c.text(faceLabel, label, box.Min.X+8, box.Min.Y+4+c.ascent[faceLabel], inkInk)
}

// onTick reports whether v sits on one of the axis's labelled ticks, where
// a target needs no label of its own.
func onTick(ax yAxis, v float64) bool {
	k := (v - ax.lo) / ax.step
	return math.Abs(k-math.Round(k)) < 0.01
}

// drawTargetTag writes the target's value next to its line at height ty:
// on the goal zone's side first, at the left or the right end, wherever no
// line or dot runs through the text.
func drawTargetTag(c *canvas, sp *space, lowerBetter bool, tag string, ty float32) {
	w := c.measure(faceTick, tag)
	h := c.ascent[faceTick] + c.descnt[faceTick]
	above := !lowerBetter
	iy := int(math.Round(float64(ty)))
	var tries []image.Rectangle
	for _, up := range []bool{above, !above} {
		top := iy + 6
		if up {
			top = iy - 6 - h
		}
		tries = append(tries,
			image.Rect(sp.plot.Min.X+8, top, sp.plot.Min.X+8+w, top+h),
			image.Rect(sp.plot.Max.X-8-w, top, sp.plot.Max.X-8, top+h))
	}
	box := sp.place(tries...)
	c.text(faceTick, tag, box.Min.X, box.Min.Y+c.ascent[faceTick], inkTarget)
}
