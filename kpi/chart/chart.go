// Package chart renders the weekly and quarterly KPI reports as PNG images
// that read well on a phone (1080 px wide).
//
// The package knows nothing of languages, Telegram or storage: every label
// arrives already translated and formatted, and the result is PNG bytes.
// All panels of a report are drawn into one shared canvas with a few
// primitives (antialiased polygons from golang.org/x/image/vector, text from
// the Roboto font embedded in go-chart, which covers Latin, Cyrillic and ₽),
// then encoded once as a paletted PNG. Canvases, glyph caches and encoder
// buffers are pooled, so a report costs a few milliseconds and little
// garbage; Weekly and Quarterly are safe for concurrent use.
//
// Colours follow the Okabe-Ito colour-blind-safe palette: actual values in
// blue, the pace line in orange, and a status colour per panel (bluish green
// on track or achieved, yellow behind, vermillion at risk, grey no data)
// shown as a band on top of the panel and as a marker beside the status text.
package chart

import (
	"errors"
	"math"
)

// MaxPanels is the most panels one image holds; Split cuts longer lists.
const MaxPanels = 6

// Width is the width of every image, in pixels.
const Width = 1080

// Status is a KPI's state, shown as the panel's colour.
type Status int

// The statuses of a KPI (SPEC section 7).
const (
	StatusOnTrack  Status = iota // at or ahead of pace: bluish green
	StatusBehind                 // behind pace by less than the threshold: yellow
	StatusAtRisk                 // further behind, or projected to miss: vermillion
	StatusNoData                 // nothing logged in the last period: grey
	StatusAchieved               // target reached: bluish green
)

// Panel is one KPI of the weekly report.
type Panel struct {
	// Title is the whole title line, already formatted, for example
	// "Охват · 12 500 · 62 % от цели". It is cut with "…" when wider than
	// the panel.
	Title string
	// Status chooses the panel's colour; StatusText, when not empty, is
	// written beside the status marker ("в графике", "at risk").
	Status     Status
	StatusText string
	// Labels are the x labels, one per week, oldest first ("W37", "02.11").
	// Labels are thinned to about one per 75 px; the latest week always
	// keeps its label.
	Labels []string
	// Values holds one value per week; math.NaN() marks a week with no
	// data, drawn as a gap and never as zero.
	Values []float64
	// Pace is the pace line's value per week: as many as Values, or as
	// many as Values and Forecast together to carry the line on to the
	// deadline. NaN leaves a gap; an empty Pace draws no line.
	Pace []float64
	// Target is drawn as a dashed horizontal line with its value written
	// beside it; NaN draws none.
	Target float64
	// Forecast optionally continues the trend after the last week, drawn
	// dashed; ForecastLabels are the x labels of those points.
	Forecast       []float64
	ForecastLabels []string
	// FormatY formats the y axis ticks ("12 тыс.", "4,2 %"); nil writes
	// plain numbers.
	FormatY func(float64) string
	// LowerBetter marks KPIs such as response time: the axis still goes up
	// and starts at zero, and the goal zone is shaded below the target
	// instead of above it.
	LowerBetter bool
	// FromZero starts the y axis at zero (percentages, rates). Without it
	// the axis starts at zero only when the data come close to it. The axis
	// never goes below zero when no value is negative.
	FromZero bool
}

// Legend holds the translated legend entries; an empty entry is left out of
// the legend (the element is still drawn).
type Legend struct {
	Actual   string // weekly values (blue line with dots)
	Pace     string // the pace line (orange)
	Target   string // the target (dark dashed line)
	Forecast string // the trend continued (blue dashed line)
	Zone     string // the shaded area where the goal is met
}

// Report is a weekly report: a header and at most MaxPanels panels.
type Report struct {
	Title    string // "Отчёт за неделю 47 · Кофейня «Зерно»"
	Subtitle string // "17–23 ноября · 3 из 5 KPI в графике"; optional
	Legend   Legend
	Panels   []Panel
}

// QuarterPanel is one KPI over a closed quarter.
type QuarterPanel struct {
	Title      string // "Reach · 9,800 → 13,100 · target 12,000"
	Status     Status
	StatusText string // "achieved", "missed"; optional
	Labels     []string
	Values     []float64 // one per week of the quarter; NaN is a gap
	// Start and End are the KPI's value at the start and the end of the
	// quarter; the plan line runs from Start to Target, and End is marked
	// and labelled on the last week.
	Start, End, Target float64
	Achieved           bool // the end marker is green when true, vermillion when not
	FormatY            func(float64) string
	LowerBetter        bool
	FromZero           bool
}

// QuarterReport is a quarterly report: a header and at most MaxPanels panels.
type QuarterReport struct {
	Title, Subtitle string
	Legend          Legend // Pace labels the plan line from Start to Target
	Panels          []QuarterPanel
}

// Errors returned by Weekly and Quarterly.
var (
	ErrNoPanels       = errors.New("chart: a report needs at least one panel")
	ErrTooManyPanels  = errors.New("chart: more than 6 panels in one image; use Split")
	ErrLengthMismatch = errors.New("chart: labels, values and pace differ in length")
)

// Weekly renders the weekly report as a PNG, Width pixels wide, with two
// columns of panels (one column for a single panel) and as many rows as
// needed.
func Weekly(r Report) ([]byte, error) {
	plots, err := weeklyPlots(r)
	if err != nil {
		return nil, err
	}
	return render(r.Title, r.Subtitle, r.Legend, plots)
}

func weeklyPlots(r Report) ([]plot, error) {
	if err := checkCount(len(r.Panels)); err != nil {
		return nil, err
	}
	plots := make([]plot, len(r.Panels))
	for i, p := range r.Panels {
		if len(p.Labels) != len(p.Values) ||
			(len(p.Pace) != 0 && len(p.Pace) != len(p.Values) && len(p.Pace) != len(p.Values)+len(p.Forecast)) ||
			(len(p.ForecastLabels) != 0 && len(p.ForecastLabels) != len(p.Forecast)) {
			return nil, ErrLengthMismatch
		}
		plots[i] = plot{
			title: p.Title, status: p.Status, statusText: p.StatusText,
			labels: p.Labels, values: p.Values, pace: p.Pace, target: p.Target,
			forecast: p.Forecast, forecastLabels: p.ForecastLabels,
			formatY: p.FormatY, lowerBetter: p.LowerBetter, fromZero: p.FromZero,
		}
	}
	return plots, nil
}

// Quarterly renders the quarterly report as a PNG laid out like Weekly: per
// KPI the weekly values of the quarter, the plan line from Start to Target,
// the target, and the End value marked green (achieved) or vermillion.
func Quarterly(r QuarterReport) ([]byte, error) {
	plots, err := quarterPlots(r)
	if err != nil {
		return nil, err
	}
	return render(r.Title, r.Subtitle, r.Legend, plots)
}

func quarterPlots(r QuarterReport) ([]plot, error) {
	if err := checkCount(len(r.Panels)); err != nil {
		return nil, err
	}
	plots := make([]plot, len(r.Panels))
	for i, p := range r.Panels {
		if len(p.Labels) != len(p.Values) {
			return nil, ErrLengthMismatch
		}
		var pace []float64
		if n := len(p.Values); n > 0 && !math.IsNaN(p.Start) && !math.IsNaN(p.Target) {
			pace = make([]float64, n)
			for j := range pace {
				t := 1.0
				if n > 1 {
					t = float64(j) / float64(n-1)
				}
				pace[j] = p.Start + (p.Target-p.Start)*t
			}
		}
		plots[i] = plot{
			title: p.Title, status: p.Status, statusText: p.StatusText,
			labels: p.Labels, values: p.Values, pace: pace, target: p.Target,
			formatY: p.FormatY, lowerBetter: p.LowerBetter, fromZero: p.FromZero,
			quarter: true, end: p.End, achieved: p.Achieved,
		}
	}
	return plots, nil
}

// Split cuts panels into images of at most per panels each (MaxPanels when
// per is not between 1 and MaxPanels), keeping their order and balancing
// the images: 7 panels become 4 + 3, not 6 + 1.
func Split[T any](panels []T, per int) [][]T {
	if per < 1 || per > MaxPanels {
		per = MaxPanels
	}
	if len(panels) == 0 {
		return nil
	}
	images := (len(panels) + per - 1) / per
	out := make([][]T, 0, images)
	for i := 0; i < images; i++ {
		from := (i*len(panels) + images - 1) / images
		to := ((i+1)*len(panels) + images - 1) / images
		out = append(out, panels[from:to:to])
	}
	return out
}

func checkCount(n int) error {
	switch {
	case n == 0:
		return ErrNoPanels
	case n > MaxPanels:
		return ErrTooManyPanels
	}
	return nil
}
