package kpi

import (
	"math"
	"slices"
)

// Aggregate returns the value of one period from the entries logged in it,
// by the metric's aggregation: their sum (AggSum), their mean (AggMean), or
// the value of the latest-dated entry (AggLast, a stock such as a follower
// count; between entries of the same day the one logged later, by At, wins,
// and between entries equal in both the one later in the slice). It returns
// false, and 0, when there are no entries or agg is not a known aggregation.
// It does not look at the entries' metrics or dates: the caller picks them.
func Aggregate(agg Aggregation, entries []Entry) (float64, bool) {
	if len(entries) == 0 {
		return 0, false
	}
	switch agg {
	case AggSum, AggMean:
		sum := 0.0
		for _, e := range entries {
			sum += e.Value
		}
		if agg == AggMean {
			return sum / float64(len(entries)), true
		}
		return sum, true
	case AggLast:
		last := entries[0]
		for _, e := range entries[1:] {
			if !e.Date.Before(last.Date) && (last.Date.Before(e.Date) || !e.At.Before(last.At)) {
				last = e
			}
		}
		return last.Value, true
	}
	return 0, false
}

// Point is a KPI's value in one period. OK is false when nothing was logged
// in the period: a gap, not a zero, and Value is then 0.
type Point struct {
	Period Period  `json:"period"`
	Value  float64 `json:"value"`
	OK     bool    `json:"ok"`
}

// WeeklyValues returns one Point for each of weeks, in the same order: the
// aggregate (by m.Agg) of the entries of metric k.Metric dated in that
// period. Entries of other metrics are ignored. Any periods may be passed,
// not only weeks (Weeks gives the ISO weeks of a range).
func WeeklyValues(k KPI, m Metric, entries []Entry, weeks []Period) []Point {
	out := make([]Point, len(weeks))
	var in []Entry
	for i, w := range weeks {
		in = in[:0]
		for _, e := range entries {
			if e.Metric == k.Metric && w.Contains(e.Date) {
				in = append(in, e)
			}
		}
		v, ok := Aggregate(m.Agg, in)
		out[i] = Point{Period: w, Value: v, OK: ok}
	}
	return out
}

// PaceAt returns the value of k's pace line on day d: the straight line from
// k.Baseline on day start to k.Target on k.Deadline. Before start it is the
// baseline and after the deadline the target. When the deadline is not
// after start there is no line and it returns the target.
func PaceAt(k KPI, start, d Date) float64 {
	total := daysBetween(start, k.Deadline)
	if total <= 0 {
		return k.Target
	}
	switch {
	case !start.Before(d):
		return k.Baseline
	case !d.Before(k.Deadline):
		return k.Target
	}
	return k.Baseline + (k.Target-k.Baseline)*float64(daysBetween(start, d))/float64(total)
}

// Status is how a KPI is doing against its plan.
type Status string

// The statuses of SPEC section 7.
const (
	StatusOnTrack  Status = "on_track" // at or ahead of the pace line
	StatusBehind   Status = "behind"   // behind pace, by no more than the alert threshold
	StatusAtRisk   Status = "at_risk"  // behind by more, or the trend misses the target
	StatusNoData   Status = "no_data"  // nothing logged this week or last week
	StatusAchieved Status = "achieved" // the latest value has reached the target
)

// Progress is what Evaluate says of one KPI.
type Progress struct {
	Status Status `json:"status"`
	// Latest is the latest week with data, up to the current week; OK is
	// false when nothing was ever logged.
	Latest Point `json:"latest"`
	// Pace is the pace line's value at the end of Latest's week, or today
	// when that is earlier; at today when there is no data at all.
	Pace float64 `json:"pace"`
	// PctOfTarget is Latest.Value as a percentage of the target: value /
	// target * 100 when higher is better, target / value * 100 when lower
	// is better (capped at MaxPct); 0 with no data.
	PctOfTarget float64 `json:"pct_of_target"`
	// BehindPct is how far Latest is behind the pace line, in percent of
	// the pace value, capped at MaxPct; 0 when on or ahead of pace or with
	// no data.
	BehindPct float64 `json:"behind_pct"`
	// Forecast is the value the linear trend of the last weeks reaches in
	// the deadline's week; valid only when HasForecast.
	Forecast    float64 `json:"forecast"`
	HasForecast bool    `json:"has_forecast"`
}

// MaxPct caps the percentages of Progress that can grow without bound (a
// response time of zero against a target, a pace of zero).
const MaxPct = 999

// Forecast parameters: the trend is fitted to the last forecastWeeks weekly
// points; it may raise a KPI to at risk from riskPoints points on.
const (
	forecastWeeks = 6
	riskPoints    = 3
)

// relEps is the relative tolerance of the comparisons of Evaluate, so that a
// value on the pace line or on the target up to rounding counts as on it.
const relEps = 1e-9

// Evaluate returns the progress of KPI k on metric m (its aggregation and
// direction; any direction but LowerBetter counts as higher-is-better) from
// the entries logged, for a plan started on start, on day today, with the
// plan's alert threshold alertPct (10, 20 or 30).
//
// Only entries of k.Metric dated no later than the end of today's ISO week
// count; the weekly values are taken per ISO week as WeeklyValues does.
// Latest is the latest week with data. The status is, in this order:
//
//   - StatusNoData when nothing was logged in today's week nor the week
//     before (Latest and the figures still describe older data, if any);
//   - StatusAchieved when Latest has reached the target (at least the
//     target when higher is better, at most it when lower is better);
//   - StatusAtRisk when Latest is behind the pace line by more than
//     alertPct percent of the pace value, or when the forecast, fitted to
//     at least 3 weekly points, misses the target (even when on pace now);
//   - StatusBehind when behind pace by alertPct percent or less;
//   - StatusOnTrack when at or ahead of pace.
//
// The forecast is the least-squares line through the last (up to 6) weekly
// points with data, by week number (gap weeks are skipped, not zeros),
// taken at the deadline's week; it needs at least 2 points. The same holds
// for sums, means and stocks (AggLast): the forecast is the weekly value the
// trend reaches by the deadline. Entries before start count too, as history
// of the trend.
func Evaluate(k KPI, m Metric, entries []Entry, start Date, today Date, alertPct int) Progress {
	lower := m.Better == LowerBetter
	pts := weeklyHistory(k, m, entries, WeekOf(today).End)

	var p Progress
	if len(pts) == 0 {
		p.Status = StatusNoData
		p.Pace = PaceAt(k, start, today)
		return p
	}
	p.Latest = pts[len(pts)-1]

	at := p.Latest.Period.End
	if today.Before(at) {
		at = today
	}
	p.Pace = PaceAt(k, start, at)
	p.PctOfTarget = pctOfTarget(p.Latest.Value, k.Target, lower)

	gap := p.Pace - p.Latest.Value // how far behind, in the metric's units
	if lower {
		gap = -gap
	}
	if gap > relEps*math.Max(1, math.Abs(p.Pace)) {
		if p.Pace == 0 {
			p.BehindPct = MaxPct
		} else {
			p.BehindPct = math.Min(gap/math.Abs(p.Pace)*100, MaxPct)
		}
	}

	fit := pts[max(0, len(pts)-forecastWeeks):]
	if len(fit) >= 2 {
		p.Forecast = trendAt(fit, WeekOf(k.Deadline).Start)
		p.HasForecast = true
	}

	thisWeek := WeekOf(today)
	switch {
	case p.Latest.Period.Start.Before(PrevWeek(thisWeek).Start):
		p.Status = StatusNoData
	case reached(p.Latest.Value, k.Target, lower):
		p.Status = StatusAchieved
	case p.BehindPct > float64(alertPct)+relEps:
		p.Status = StatusAtRisk
	case len(fit) >= riskPoints && !reached(p.Forecast, k.Target, lower):
		p.Status = StatusAtRisk
	case p.BehindPct > 0:
		p.Status = StatusBehind
	default:
		p.Status = StatusOnTrack
	}
	return p
}

// weeklyHistory returns the ISO weeks with entries of k.Metric, up to the
// week ending on last, oldest first, with their values by m.Agg.
func weeklyHistory(k KPI, m Metric, entries []Entry, last Date) []Point {
	type dated struct {
		monday Date // of the entry's week
		i      int  // the entry's index in entries
	}
	ds := make([]dated, 0, len(entries))
	for i, e := range entries {
		if e.Metric != k.Metric || last.Before(e.Date) {
			continue
		}
		ds = append(ds, dated{monday: WeekOf(e.Date).Start, i: i})
	}
	if len(ds) == 0 {
		return nil
	}
	// Stable, so that each week's entries keep their order, which AggLast
	// and the rounding of a sum depend on.
	slices.SortStableFunc(ds, func(a, b dated) int {
		switch {
		case a.monday.Before(b.monday):
			return -1
		case b.monday.Before(a.monday):
			return 1
		}
		return 0
	})

	weeks := daysBetween(ds[0].monday, ds[len(ds)-1].monday)/7 + 1
	pts := make([]Point, 0, min(weeks, len(ds)))
	in := make([]Entry, 0, 8) // room for a week logged daily without a heap allocation
	for len(ds) > 0 {
		n := 1
		for n < len(ds) && ds[n].monday == ds[0].monday {
			n++
		}
		in = in[:0]
		for _, d := range ds[:n] {
			in = append(in, entries[d.i])
		}
		if v, ok := Aggregate(m.Agg, in); ok {
			pts = append(pts, Point{Period: WeekOf(ds[0].monday), Value: v, OK: true})
		}
		ds = ds[n:]
	}
	return pts
}

// trendAt fits a least-squares line to pts (at least 2, in distinct weeks)
// by week number and returns its value in the week starting on monday.
func trendAt(pts []Point, monday Date) float64 {
	ref := pts[len(pts)-1].Period.Start
	week := func(d Date) float64 { return float64(daysBetween(ref, d) / 7) }
	var mx, my float64
	for _, p := range pts {
		mx += week(p.Period.Start)
		my += p.Value
	}
	n := float64(len(pts))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range pts {
		dx := week(p.Period.Start) - mx
		sxy += dx * (p.Value - my)
		sxx += dx * dx
	}
	return my + sxy/sxx*(week(monday)-mx)
}

// reached reports whether v has reached target, up to rounding: at least
// the target when higher is better, at most it when lower is better.
func reached(v, target float64, lower bool) bool {
	eps := relEps * math.Max(1, math.Abs(target))
	if lower {
		return v <= target+eps
	}
	return v >= target-eps
}

// pctOfTarget returns v as a percentage of target (see Progress.PctOfTarget).
func pctOfTarget(v, target float64, lower bool) float64 {
	if lower {
		if v <= 0 {
			return MaxPct
		}
		return math.Min(target/v*100, MaxPct)
	}
	if target == 0 {
		if v > 0 {
			return MaxPct
		}
		return 0
	}
	return v / target * 100
}
