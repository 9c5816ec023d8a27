package chart

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the sample PNGs in testdata")

// TestWriteSamples renders the committed samples; with -update it writes
// them to testdata for a reviewer to look at.
func TestWriteSamples(t *testing.T) {
	w, err := Weekly(weeklyRU())
	if err != nil {
		t.Fatal(err)
	}
	q, err := Quarterly(quarterlyEN())
	if err != nil {
		t.Fatal(err)
	}
	if !*update {
		return
	}
	for name, b := range map[string][]byte{"weekly_ru.png": w, "quarterly_en.png": q} {
		if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func BenchmarkWeekly6x12(b *testing.B) {
	r := weekly6x12()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Weekly(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuarterly(b *testing.B) {
	r := quarterlyEN()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quarterly(r); err != nil {
			b.Fatal(err)
		}
	}
}

// isBluish reports whether c carries the actual-value blue: the blue at
// 20 % or more over any of the light backgrounds, or stronger.
func isBluish(c color.RGBA) bool {
	return int(c.B)-int(c.R) > 40 && int(c.B) > int(c.G)
}

func TestWeeklyGolden(t *testing.T) {
	r := weekly6x12()
	plots, err := weeklyPlots(r)
	if err != nil {
		t.Fatal(err)
	}
	b, geoms, err := renderGeom(r.Title, r.Subtitle, r.Legend, plots, true)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)

	// Size: 1080 wide, three rows of panels, the last row ending a margin
	// above the bottom.
	if got := img.Bounds(); got.Dx() != Width || got.Dy() != geoms[5].rect.Max.Y+margin {
		t.Fatalf("size %v, want %dx%d", got.Size(), Width, geoms[5].rect.Max.Y+margin)
	}
	if h := img.Bounds().Dy(); h < 1300 || h > 1700 {
		t.Errorf("height %d: a 3-row report should be about 1500 px", h)
	}

	// Panel count: walk down the middle of each column and count status
	// bands (runs of a status colour at least bandH-2 pixels tall).
	isStatus := func(c color.RGBA) bool {
		return c == colOnTrack || c == colBehind || c == colAtRisk || c == colNoData
	}
	bands := 0
	for _, x := range []int{geoms[0].rect.Min.X + 100, geoms[1].rect.Min.X + 100} {
		run := 0
		for y := 0; y < img.Bounds().Dy(); y++ {
			if isStatus(rgbaAt(img, x, y)) {
				run++
				continue
			}
			if run >= bandH-2 {
				bands++
			}
			run = 0
		}
	}
	if bands != 6 {
		t.Errorf("found %d status bands, want 6", bands)
	}

	for i, g := range geoms {
		p := r.Panels[i]
		// The status band has the panel's status colour.
		if got, want := rgbaAt(img, g.rect.Min.X+g.rect.Dx()/2, g.rect.Min.Y+3), statusColour(p.Status); got != want {
			t.Errorf("panel %d band %v, want %v", i, got, want)
		}
		// Every week with a value has an actual-blue dot at its centre.
		for w, v := range p.Values {
			if math.IsNaN(v) {
				continue
			}
			x, y := int(g.xOf(w)), int(g.yOf(v))
			if got := rgbaAt(img, x, y); got != colActual {
				t.Errorf("panel %d week %d: dot centre %v, want %v", i, w, got, colActual)
			}
		}
	}

	// The pace line of "Охват" passes half-way between weeks 8 and 9,
	// well clear of the actual line.
	g, p := geoms[0], r.Panels[0]
	px := (g.xOf(8) + g.xOf(9)) / 2
	py := g.yOf((p.Pace[8] + p.Pace[9]) / 2)
	if !anyNear(img, int(px), int(py), 1, func(c color.RGBA) bool { return c == colPace }) {
		t.Errorf("no pace colour at (%.0f, %.0f): %v", px, py, rgbaAt(img, int(px), int(py)))
	}

	// "Конверсии" has no data in weeks 3 and 7: their columns carry no
	// blue at all, while week 2's column does.
	g, p = geoms[2], r.Panels[2]
	column := func(w int) (blue int) {
		x := int(g.xOf(w))
		for y := g.plot.Min.Y; y < g.plot.Max.Y; y++ {
			for dx := -4; dx <= 4; dx++ {
				if isBluish(rgbaAt(img, x+dx, y)) {
					blue++
				}
			}
		}
		return blue
	}
	for _, w := range []int{3, 7} {
		if !math.IsNaN(p.Values[w]) {
			t.Fatalf("week %d is meant to be a gap", w)
		}
		if n := column(w); n != 0 {
			t.Errorf("gap week %d: %d actual-colour pixels in its column, want 0", w, n)
		}
	}
	if n := column(2); n < 20 {
		t.Errorf("week 2: %d actual-colour pixels, want a dot and lines", n)
	}

	// The Cyrillic titles render: every rune has a glyph in the font, and
	// the title line of each panel holds plenty of ink.
	f, _, _ := loadFont()
	for i, g := range geoms {
		for _, ch := range r.Panels[i].Title {
			if f.Index(ch) == 0 {
				t.Errorf("no glyph for %q", ch)
			}
		}
		ink := 0
		for y := g.rect.Min.Y + bandH + 10; y < g.rect.Min.Y+bandH+45; y++ {
			for x := g.rect.Min.X + pad; x < g.rect.Max.X-pad; x++ {
				if c := rgbaAt(img, x, y); int(c.R)+int(c.G)+int(c.B) < 300 {
					ink++
				}
			}
		}
		if ink < 400 {
			t.Errorf("panel %d: only %d dark pixels in the title line", i, ink)
		}
	}
}

// anyNear reports whether a pixel within d of (x, y) satisfies ok.
func anyNear(img image.Image, x, y, d int, ok func(color.RGBA) bool) bool {
	for dy := -d; dy <= d; dy++ {
		for dx := -d; dx <= d; dx++ {
			if ok(rgbaAt(img, x+dx, y+dy)) {
				return true
			}
		}
	}
	return false
}

func TestWeeklySampleLayout(t *testing.T) {
	// Five panels: two full rows and a third with the right cell empty.
	r := weeklyRU()
	plots, err := weeklyPlots(r)
	if err != nil {
		t.Fatal(err)
	}
	b, geoms, err := renderGeom(r.Title, r.Subtitle, r.Legend, plots, true)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if len(geoms) != 5 {
		t.Fatalf("%d panels drawn", len(geoms))
	}
	empty := geoms[4].rect.Add(image.Pt(geoms[1].rect.Min.X-geoms[0].rect.Min.X, 0))
	if got := rgbaAt(img, empty.Min.X+empty.Dx()/2, empty.Min.Y+3); got != colBackground {
		t.Errorf("empty sixth cell has %v at its band, want background", got)
	}
	// The lower-is-better panel shades the goal zone below its target.
	g := geoms[4]
	below := g.yOf(r.Panels[4].Target) + 6
	if got := rgbaAt(img, g.plot.Max.X-3, int(below)); got != colZone {
		t.Errorf("goal zone below the response-time target: %v, want %v", got, colZone)
	}
	above := g.yOf(r.Panels[4].Target) - 6
	if got := rgbaAt(img, g.plot.Max.X-3, int(above)); got == colZone {
		t.Errorf("goal zone above the response-time target")
	}
}

func TestQuarterlyGolden(t *testing.T) {
	r := quarterlyEN()
	plots, err := quarterPlots(r)
	if err != nil {
		t.Fatal(err)
	}
	b, geoms, err := renderGeom(r.Title, r.Subtitle, r.Legend, plots, true)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if got := img.Bounds(); got.Dx() != Width || got.Dy() != geoms[4].rect.Max.Y+margin {
		t.Fatalf("size %v", got.Size())
	}
	for i, g := range geoms {
		p := r.Panels[i]
		if got, want := rgbaAt(img, g.rect.Min.X+g.rect.Dx()/2, g.rect.Min.Y+3), statusColour(p.Status); got != want {
			t.Errorf("panel %d band %v, want %v", i, got, want)
		}
		// The end marker: green when achieved, vermillion when not.
		want := colAtRisk
		if p.Achieved {
			want = colOnTrack
		}
		x, y := int(g.xOf(len(p.Values)-1)), int(g.yOf(p.End))
		if got := rgbaAt(img, x, y); got != want {
			t.Errorf("panel %d end marker %v, want %v", i, got, want)
		}
	}
	// The plan line of "Orders" runs from Start to Target: half-way between
	// weeks 9 and 10 it is well above the actual line.
	g, p := geoms[2], r.Panels[2]
	n := float64(len(p.Values) - 1)
	plan := p.Start + (p.Target-p.Start)*9.5/n
	x, y := int((g.xOf(9)+g.xOf(10))/2), int(g.yOf(plan))
	if !anyNear(img, x, y, 1, func(c color.RGBA) bool { return c == colPace }) {
		t.Errorf("no plan line at (%d, %d): %v", x, y, rgbaAt(img, x, y))
	}
}

func TestSmallAndOddReports(t *testing.T) {
	nan := math.NaN()
	labels := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(i + 1)
		}
		return out
	}
	cases := map[string]Report{
		"one panel": {Title: "Один KPI", Panels: []Panel{{Title: "Охват", Labels: labels(26),
			Values: make([]float64, 26), Target: 10}}},
		"all empty": {Panels: []Panel{{Title: "x", Status: StatusNoData, Labels: labels(3),
			Values: []float64{nan, nan, nan}, Target: nan}}},
		"negative": {Panels: []Panel{{Labels: labels(4), Values: []float64{-5, -2, 1, 3}, Target: 4}}},
		"no weeks": {Panels: []Panel{{Title: "пусто", Target: 5}}},
		"emoji, arrows, check": {Title: "Итоги 🎉 → ✓", Panels: []Panel{{Title: "≥ 5 ₽ → ✓",
			Labels: labels(1), Values: []float64{5}, Forecast: []float64{6, 7}, ForecastLabels: labels(2)}}},
		"tiny percentages": {Panels: []Panel{{Labels: labels(2), Values: []float64{0.012, 0.018},
			Target: 0.02, FormatY: ruPercent, FromZero: true}}},
	}
	for name, r := range cases {
		b, err := Weekly(r)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		img := decode(t, b)
		if img.Bounds().Dx() != Width {
			t.Errorf("%s: width %d", name, img.Bounds().Dx())
		}
	}
	if got := decode(t, mustWeekly(t, cases["one panel"])).Bounds().Dy(); got > 800 {
		t.Errorf("one panel is %d px tall, want one row", got)
	}
}

func mustWeekly(t *testing.T, r Report) []byte {
	t.Helper()
	b, err := Weekly(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestErrors(t *testing.T) {
	if _, err := Weekly(Report{}); err != ErrNoPanels {
		t.Errorf("no panels: %v", err)
	}
	if _, err := Weekly(Report{Panels: make([]Panel, 7)}); err != ErrTooManyPanels {
		t.Errorf("7 panels: %v", err)
	}
	if _, err := Quarterly(QuarterReport{Panels: make([]QuarterPanel, 7)}); err != ErrTooManyPanels {
		t.Errorf("7 quarter panels: %v", err)
	}
	bad := []Panel{
		{Labels: []string{"a"}, Values: []float64{1, 2}},
		{Labels: []string{"a", "b"}, Values: []float64{1, 2}, Pace: []float64{1}},
		{Labels: []string{"a"}, Values: []float64{1}, Forecast: []float64{2}, ForecastLabels: []string{"b", "c"}},
	}
	for i, p := range bad {
		if _, err := Weekly(Report{Panels: []Panel{p}}); err != ErrLengthMismatch {
			t.Errorf("bad panel %d: %v", i, err)
		}
	}
	// Pace may run on over the forecast weeks.
	ok := Panel{Labels: []string{"a"}, Values: []float64{1}, Pace: []float64{1, 2},
		Forecast: []float64{2}, ForecastLabels: []string{"b"}}
	if _, err := Weekly(Report{Panels: []Panel{ok}}); err != nil {
		t.Errorf("pace over the forecast: %v", err)
	}
}

func TestSplit(t *testing.T) {
	sizes := func(parts [][]int) []int {
		var out []int
		for _, p := range parts {
			out = append(out, len(p))
		}
		return out
	}
	seq := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	for _, tc := range []struct {
		n, per int
		want   []int
	}{
		{0, 6, nil}, {1, 6, []int{1}}, {6, 6, []int{6}}, {7, 6, []int{4, 3}},
		{12, 6, []int{6, 6}}, {13, 6, []int{5, 4, 4}}, {5, 2, []int{2, 2, 1}},
		{8, 0, []int{4, 4}}, {8, 99, []int{4, 4}},
	} {
		parts := Split(seq(tc.n), tc.per)
		if got := sizes(parts); !slices.Equal(got, tc.want) {
			t.Errorf("Split(%d, %d) sizes %v, want %v", tc.n, tc.per, got, tc.want)
		}
		if got := slices.Concat(parts...); !slices.Equal(got, seq(tc.n)) && tc.n > 0 {
			t.Errorf("Split(%d, %d) lost the order: %v", tc.n, tc.per, got)
		}
	}
}

func TestNiceAxis(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fromZero bool
		vals     []float64
		lo, hi   float64 // expected bounds, NaN when not checked
	}{
		{"percent from zero", true, []float64{3.1, 4.2, 4.5}, 0, 5},
		{"reach in thousands", false, []float64{8200, 12500, 20000}, 5000, 25000},
		{"followers off zero", false, []float64{1180, 1460, 1600}, 1000, 1800},
		{"near zero starts at zero", false, []float64{2, 9, 40}, 0, 50},
		{"flat", false, []float64{7, 7}, math.NaN(), math.NaN()},
		{"all zero", false, []float64{0, 0}, 0, math.NaN()},
		{"negative", false, []float64{-5, 3}, math.NaN(), math.NaN()},
		{"nothing", false, []float64{math.NaN()}, 0, math.NaN()},
	} {
		ax := niceAxis(tc.fromZero, nil, tc.vals)
		if ax.n < 4 || ax.n > 7 {
			t.Errorf("%s: %d ticks", tc.name, ax.n)
		}
		if !math.IsNaN(tc.lo) && ax.lo != tc.lo || !math.IsNaN(tc.hi) && ax.hi != tc.hi {
			t.Errorf("%s: axis %v..%v, want %v..%v", tc.name, ax.lo, ax.hi, tc.lo, tc.hi)
		}
		allPos := true
		for _, v := range tc.vals {
			if !math.IsNaN(v) {
				allPos = allPos && v >= 0
				if v < ax.lo || v > ax.hi {
					t.Errorf("%s: %v outside %v..%v", tc.name, v, ax.lo, ax.hi)
				}
			}
		}
		if allPos && ax.lo < 0 {
			t.Errorf("%s: negative axis %v for non-negative data", tc.name, ax.lo)
		}
		if ax.tick(ax.n-1) != ax.hi {
			t.Errorf("%s: last tick %v, want %v", tc.name, ax.tick(ax.n-1), ax.hi)
		}
	}
	// Labels that would repeat at the chosen precision pick a coarser step.
	format := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	ax := niceAxis(true, func(ax yAxis) bool {
		for i := 1; i < ax.n; i++ {
			if format(ax.tick(i)) == format(ax.tick(i-1)) {
				return false
			}
		}
		return true
	}, []float64{0.5, 1.5, 2.2})
	if ax.step < 1 {
		t.Errorf("step %v repeats whole-number labels", ax.step)
	}
}

func TestXLabelsSpaced(t *testing.T) {
	// 12 weeks and 4 forecast weeks in a two-column panel: labels at least
	// minXLabel pixels apart.
	r := weeklyRU()
	plots, _ := weeklyPlots(r)
	_, geoms, err := renderGeom(r.Title, r.Subtitle, r.Legend, plots, true)
	if err != nil {
		t.Fatal(err)
	}
	g := geoms[0]
	n := len(r.Panels[0].Values) + len(r.Panels[0].Forecast)
	spacing := float64(g.xOf(1) - g.xOf(0))
	step := labelStep(n, spacing, minXLabel)
	if spacing*float64(step) < minXLabel || step > 1 && spacing*float64(step-1) >= minXLabel {
		t.Errorf("label step %d at %.1f px a week", step, spacing)
	}
}

func TestFitTruncates(t *testing.T) {
	c, err := getCanvas()
	if err != nil {
		t.Fatal(err)
	}
	defer putCanvas(c)
	long := "Вовлечённость аудитории в публикациях и сторис · 4,1 % · 91 % от цели"
	got := c.fit(facePanel, long, 300)
	if !strings.HasSuffix(got, "…") || c.measure(facePanel, got) > 300 {
		t.Errorf("fit: %q is %d px", got, c.measure(facePanel, got))
	}
	if short := "Охват"; c.fit(facePanel, short, 300) != short {
		t.Errorf("a short title was cut")
	}
}

func TestConcurrentDeterministic(t *testing.T) {
	want := mustWeekly(t, weeklyRU())
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				b, err := Weekly(weeklyRU())
				if err != nil || !bytes.Equal(b, want) {
					errs <- "a concurrent render differs"
					return
				}
				if _, err := Quarterly(quarterlyEN()); err != nil {
					errs <- err.Error()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkWeekly6x12Cold is the first report after the pool was emptied
// (as the garbage collector does between report bursts): every buffer and
// glyph cache is allocated afresh.
func BenchmarkWeekly6x12Cold(b *testing.B) {
	r := weekly6x12()
	b.ReportAllocs()
	for b.Loop() {
		canvasPool = sync.Pool{}
		if _, err := Weekly(r); err != nil {
			b.Fatal(err)
		}
	}
}

// The inks as the decoded PNG shows them.
var (
	colBackground = inkRGBA[inkBackground]
	colActual     = inkRGBA[inkActual]
	colPace       = inkRGBA[inkPace]
	colZone       = inkRGBA[inkZone]
	colOnTrack    = inkRGBA[inkOnTrack]
	colBehind     = inkRGBA[inkBehind]
	colAtRisk     = inkRGBA[inkAtRisk]
	colNoData     = inkRGBA[inkNoData]
)

func statusColour(s Status) color.RGBA { return inkRGBA[statusInk(s)] }
