package kpi

import (
	"math"
	"testing"
	"time"
)

// progEntry is an entry of metric on day (a "2026-02-08" literal).
func progEntry(metric, day string, v float64) Entry {
	return Entry{Metric: metric, Value: v, Date: periodDate(day)}
}

// progEntryAt is an entry logged at the instant at (RFC 3339).
func progEntryAt(metric, day string, v float64, at string) Entry {
	e := progEntry(metric, day, v)
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err)
	}
	e.At = t
	return e
}

// progMetric returns a catalogue metric or fails the test.
func progMetric(t testing.TB, key string) Metric {
	t.Helper()
	m, ok := CatalogMetric(key)
	if !ok {
		t.Fatalf("no catalogue metric %q", key)
	}
	return m
}

func progNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestAggregate(t *testing.T) {
	tests := []struct {
		name    string
		agg     Aggregation
		entries []Entry
		want    float64
		ok      bool
	}{
		{"sum", AggSum, []Entry{progEntry("reach", "2026-02-02", 100), progEntry("reach", "2026-02-03", 250.5)}, 350.5, true},
		{"sum with a negative", AggSum, []Entry{progEntry("follower_growth", "2026-02-02", 10), progEntry("follower_growth", "2026-02-03", -4)}, 6, true},
		{"mean", AggMean, []Entry{progEntry("ctr", "2026-02-02", 2), progEntry("ctr", "2026-02-03", 3), progEntry("ctr", "2026-02-04", 7)}, 4, true},
		{"mean of one", AggMean, []Entry{progEntry("ctr", "2026-02-02", 2.5)}, 2.5, true},
		{"last: latest date wins over slice order and At", AggLast, []Entry{
			progEntryAt("followers", "2026-02-05", 530, "2026-02-05T09:00:00Z"),
			progEntryAt("followers", "2026-02-03", 999, "2026-02-07T09:00:00Z"), // back-filled later
			progEntryAt("followers", "2026-02-04", 520, "2026-02-04T09:00:00Z"),
		}, 530, true},
		{"last: same day, the later At wins", AggLast, []Entry{
			progEntryAt("followers", "2026-02-05", 540, "2026-02-05T18:00:00Z"),
			progEntryAt("followers", "2026-02-05", 500, "2026-02-05T10:00:00Z"),
		}, 540, true},
		{"last: same day, the later At wins, other order", AggLast, []Entry{
			progEntryAt("followers", "2026-02-05", 500, "2026-02-05T10:00:00Z"),
			progEntryAt("followers", "2026-02-05", 540, "2026-02-05T18:00:00Z"),
		}, 540, true},
		{"last: same day and At, the later in the slice wins", AggLast, []Entry{
			progEntryAt("followers", "2026-02-05", 500, "2026-02-05T10:00:00Z"),
			progEntryAt("followers", "2026-02-05", 510, "2026-02-05T10:00:00Z"),
		}, 510, true},
		{"no entries: sum", AggSum, nil, 0, false},
		{"no entries: mean", AggMean, []Entry{}, 0, false},
		{"no entries: last", AggLast, nil, 0, false},
		{"unknown aggregation", Aggregation("median"), []Entry{progEntry("reach", "2026-02-02", 1)}, 0, false},
	}
	for _, tt := range tests {
		got, ok := Aggregate(tt.agg, tt.entries)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: Aggregate(%s) = %v, %v; want %v, %v", tt.name, tt.agg, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWeeklyValues(t *testing.T) {
	reach := progMetric(t, "reach")
	k := KPI{Metric: "reach", Baseline: 1000, Target: 2200, Deadline: periodDate("2026-03-29")}
	entries := []Entry{
		progEntry("reach", "2026-01-12", 500),
		progEntry("reach", "2026-01-18", 700), // Sunday: same week
		progEntry("reach", "2026-01-19", 900), // Monday: next week
		// the week of 2026-01-26 has no reach: a gap
		progEntry("conversions", "2026-01-27", 5), // another metric
		progEntry("reach", "2026-02-08", 1500),
		progEntry("reach", "2026-02-09", 1e6), // after the last week
	}
	weeks := Weeks(periodDate("2026-01-14"), periodDate("2026-02-04"))
	got := WeeklyValues(k, reach, entries, weeks)
	want := []Point{
		{Period: periodOf("2026-01-12", "2026-01-18"), Value: 1200, OK: true},
		{Period: periodOf("2026-01-19", "2026-01-25"), Value: 900, OK: true},
		{Period: periodOf("2026-01-26", "2026-02-01"), Value: 0, OK: false},
		{Period: periodOf("2026-02-02", "2026-02-08"), Value: 1500, OK: true},
	}
	if len(got) != len(want) {
		t.Fatalf("WeeklyValues: %d points, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// A stock takes the week's last value, a mean the week's mean.
	followers := progMetric(t, "followers")
	kf := KPI{Metric: "followers", Baseline: 500, Target: 800, Deadline: periodDate("2026-03-29")}
	fe := []Entry{
		progEntryAt("followers", "2026-02-04", 520, "2026-02-04T09:00:00Z"),
		progEntryAt("followers", "2026-02-06", 531, "2026-02-06T20:00:00Z"),
		progEntryAt("followers", "2026-02-06", 529, "2026-02-06T08:00:00Z"),
	}
	if p := WeeklyValues(kf, followers, fe, weeks[3:]); p[0].Value != 531 || !p[0].OK {
		t.Errorf("followers week = %+v, want 531", p[0])
	}
	ctr := progMetric(t, "ctr")
	kc := KPI{Metric: "ctr", Baseline: 1, Target: 3, Deadline: periodDate("2026-03-29")}
	ce := []Entry{progEntry("ctr", "2026-02-02", 1.5), progEntry("ctr", "2026-02-03", 2.5)}
	if p := WeeklyValues(kc, ctr, ce, weeks[3:]); p[0].Value != 2 || !p[0].OK {
		t.Errorf("ctr week = %+v, want 2", p[0])
	}

	if p := WeeklyValues(k, reach, entries, nil); len(p) != 0 {
		t.Errorf("WeeklyValues(no weeks) = %v, want none", p)
	}
}

func TestPaceAt(t *testing.T) {
	// 84 days, 12 weeks: +100 a week, -3 a week.
	up := KPI{Metric: "reach", Baseline: 1000, Target: 2200, Deadline: periodDate("2026-03-29")}
	down := KPI{Metric: "response_time", Baseline: 60, Target: 24, Deadline: periodDate("2026-03-29")}
	start := periodDate("2026-01-04")
	tests := []struct {
		k    KPI
		d    string
		want float64
	}{
		{up, "2025-12-01", 1000}, // before the start: baseline
		{up, "2026-01-04", 1000},
		{up, "2026-01-11", 1100},
		{up, "2026-02-08", 1500},
		{up, "2026-02-11", 1500 + 1200*3/84.0},
		{up, "2026-03-29", 2200},
		{up, "2026-06-01", 2200}, // after the deadline: target
		{down, "2026-01-04", 60},
		{down, "2026-02-08", 45},
		{down, "2026-03-29", 24},
		{down, "2027-01-01", 24},
	}
	for _, tt := range tests {
		if got := PaceAt(tt.k, start, periodDate(tt.d)); !progNear(got, tt.want) {
			t.Errorf("PaceAt(%s, %s) = %v, want %v", tt.k.Metric, tt.d, got, tt.want)
		}
	}
	// No line when the deadline is not after the start.
	bad := KPI{Baseline: 10, Target: 20, Deadline: start}
	if got := PaceAt(bad, start, start.AddDays(-3)); got != 20 {
		t.Errorf("PaceAt(deadline = start) = %v, want the target 20", got)
	}
}

// The plan of TestEvaluate: started Sunday 2026-01-04, deadline Sunday
// 2026-03-29, 12 weeks. Week ends (Sundays) fall on whole weeks of the
// line, so at the end of the week of 2026-02-08 (5 weeks in) the pace is
// exactly 1500 for reach (+100 a week from 1000 to 2200), 45 for response
// time (-3 a week from 60 to 24) and 850 for followers (+70 a week from 500
// to 1340). The deadline's week is 7 weeks after that week.
var (
	evalStart = periodDate("2026-01-04")
	evalToday = periodDate("2026-02-08") // a Sunday
	evalReach = KPI{Metric: "reach", Baseline: 1000, Target: 2200, Deadline: periodDate("2026-03-29")}
	evalResp  = KPI{Metric: "response_time", Baseline: 60, Target: 24, Deadline: periodDate("2026-03-29")}
	evalFoll  = KPI{Metric: "followers", Baseline: 500, Target: 1340, Deadline: periodDate("2026-03-29")}
)

// progWeekly returns one entry of metric a week, dated Wednesday, the last in
// evalToday's week, the values oldest first.
func progWeekly(metric string, values ...float64) []Entry {
	var out []Entry
	for i, v := range values {
		day := periodDate("2026-02-04").AddDays(-7 * (len(values) - 1 - i))
		out = append(out, Entry{Metric: metric, Value: v, Date: day})
	}
	return out
}

// progNoForecast in the figures of a TestEvaluate case means HasForecast false.
var progNoForecast = math.NaN()

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name    string
		k       KPI
		metric  string
		entries []Entry
		today   Date // evalToday when zero
		alert   int
		want    Status
		figs    map[string]float64 // "behind", "pct", "pace", "forecast": checked when present
	}{
		// On track.
		{name: "on the pace line", k: evalReach, metric: "reach", entries: progWeekly("reach", 1300, 1400, 1500), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "pct": 1500.0 / 2200 * 100, "pace": 1500, "forecast": 2200}},
		{name: "ahead of pace, one week", k: evalReach, metric: "reach", entries: progWeekly("reach", 1600), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "pace": 1500, "forecast": progNoForecast}},
		{name: "mid-week: pace at today", k: evalReach, metric: "reach", entries: []Entry{progEntry("reach", "2026-02-09", 1600)},
			today: periodDate("2026-02-11"), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "pace": 1500 + 1200*3/84.0}},
		{name: "lower: below the pace line", k: evalResp, metric: "response_time",
			entries: []Entry{progEntry("response_time", "2026-02-03", 40), progEntry("response_time", "2026-02-05", 44)}, alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "pct": 24.0 / 42 * 100, "pace": 45}},

		// Behind.
		{name: "behind by 10% with alert 20", k: evalReach, metric: "reach", entries: progWeekly("reach", 1300, 1350), alert: 20,
			want: StatusBehind, figs: map[string]float64{"behind": 10, "pace": 1500, "forecast": 1700}}, // 2 points: the miss does not count
		{name: "behind by exactly the alert threshold", k: evalReach, metric: "reach", entries: progWeekly("reach", 1200), alert: 20,
			want: StatusBehind, figs: map[string]float64{"behind": 20}},
		{name: "lower: behind by 10%", k: evalResp, metric: "response_time",
			entries: []Entry{progEntry("response_time", "2026-02-02", 49), progEntry("response_time", "2026-02-08", 50)}, alert: 20,
			want: StatusBehind, figs: map[string]float64{"behind": 10, "pct": 24 / 49.5 * 100, "pace": 45}},

		// At risk.
		{name: "behind by 30% with alert 20", k: evalReach, metric: "reach", entries: progWeekly("reach", 1050), alert: 20,
			want: StatusAtRisk, figs: map[string]float64{"behind": 30, "pct": 1050.0 / 2200 * 100}},
		{name: "lower: behind by a third", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 60), alert: 20,
			want: StatusAtRisk, figs: map[string]float64{"behind": 100.0 / 3, "pct": 40}},
		{name: "on pace but the trend misses", k: evalReach, metric: "reach", entries: progWeekly("reach", 1500, 1500, 1500), alert: 20,
			want: StatusAtRisk, figs: map[string]float64{"behind": 0, "forecast": 1500}},
		{name: "on pace, the trend misses, only 2 points", k: evalReach, metric: "reach", entries: progWeekly("reach", 1500, 1500), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "forecast": 1500}},
		{name: "lower: on pace but the trend misses", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 45, 45, 45), alert: 20,
			want: StatusAtRisk, figs: map[string]float64{"behind": 0, "forecast": 45}},
		{name: "lower: on pace and the trend reaches", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 51, 48, 45), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "forecast": 24}},

		// The alert threshold moves the line between behind and at risk.
		{name: "15% behind, alert 10", k: evalReach, metric: "reach", entries: progWeekly("reach", 1275), alert: 10,
			want: StatusAtRisk, figs: map[string]float64{"behind": 15}},
		{name: "15% behind, alert 20", k: evalReach, metric: "reach", entries: progWeekly("reach", 1275), alert: 20,
			want: StatusBehind, figs: map[string]float64{"behind": 15}},
		{name: "15% behind, alert 30", k: evalReach, metric: "reach", entries: progWeekly("reach", 1275), alert: 30,
			want: StatusBehind, figs: map[string]float64{"behind": 15}},
		{name: "25% behind, alert 10", k: evalReach, metric: "reach", entries: progWeekly("reach", 1125), alert: 10,
			want: StatusAtRisk, figs: map[string]float64{"behind": 25}},
		{name: "25% behind, alert 30", k: evalReach, metric: "reach", entries: progWeekly("reach", 1125), alert: 30,
			want: StatusBehind, figs: map[string]float64{"behind": 25}},

		// Achieved.
		{name: "target reached", k: evalReach, metric: "reach", entries: progWeekly("reach", 2200), alert: 20,
			want: StatusAchieved, figs: map[string]float64{"pct": 100, "behind": 0}},
		{name: "target passed although the trend misses", k: evalReach, metric: "reach", entries: progWeekly("reach", 2900, 2600, 2300), alert: 20,
			want: StatusAchieved, figs: map[string]float64{"pct": 2300.0 / 2200 * 100, "forecast": 2300 - 300*7}},
		{name: "just short of the target", k: evalReach, metric: "reach", entries: progWeekly("reach", 2199), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"pct": 2199.0 / 2200 * 100}},
		{name: "lower: target reached", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 24), alert: 20,
			want: StatusAchieved, figs: map[string]float64{"pct": 100}},
		{name: "lower: target beaten", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 12), alert: 20,
			want: StatusAchieved, figs: map[string]float64{"pct": 200}},
		{name: "lower: zero minutes", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 0), alert: 20,
			want: StatusAchieved, figs: map[string]float64{"pct": MaxPct}},
		{name: "lower: just above the target", k: evalResp, metric: "response_time", entries: progWeekly("response_time", 25), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"pct": 96}},

		// No data.
		{name: "nothing logged", k: evalReach, metric: "reach", alert: 20,
			want: StatusNoData, figs: map[string]float64{"pct": 0, "behind": 0, "pace": 1500, "forecast": progNoForecast}},
		{name: "only other metrics", k: evalReach, metric: "reach", entries: progWeekly("conversions", 5, 6, 7), alert: 20,
			want: StatusNoData, figs: map[string]float64{"pct": 0, "forecast": progNoForecast}},
		{name: "last data two weeks ago", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-01-25", 1300)}, alert: 20,
			want: StatusNoData, figs: map[string]float64{"pct": 1300.0 / 2200 * 100, "pace": 1300}},
		{name: "last data in the previous week", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-02-01", 1400)}, alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"pace": 1400}},
		{name: "previous week, on Monday of the current one", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-01-26", 1400)}, today: periodDate("2026-02-02"), alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"pace": 1400}},
		{name: "achieved but stale", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-01-20", 2500)}, alert: 20,
			want: StatusNoData},
		{name: "only data after today's week", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-02-09", 1500)}, alert: 20,
			want: StatusNoData, figs: map[string]float64{"pct": 0}},

		// A gap week is skipped, not read as zero: 1200, -, 1400, 1500 is
		// still +100 a week and reaches the target.
		{name: "gap week", k: evalReach, metric: "reach",
			entries: []Entry{progEntry("reach", "2026-01-14", 1200), progEntry("reach", "2026-01-28", 1400), progEntry("reach", "2026-02-04", 1500)}, alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"behind": 0, "pace": 1500, "forecast": 2200}},

		// A stock: the week's last entry counts; of two the same day, the
		// one logged later.
		{name: "followers: the later entry of the day is on pace", k: evalFoll, metric: "followers",
			entries: []Entry{
				progEntryAt("followers", "2026-02-07", 850, "2026-02-07T20:00:00Z"),
				progEntryAt("followers", "2026-02-07", 765, "2026-02-07T08:00:00Z"),
			}, alert: 20,
			want: StatusOnTrack, figs: map[string]float64{"pct": 850.0 / 1340 * 100, "pace": 850, "behind": 0}},
		{name: "followers: the later entry of the day is behind", k: evalFoll, metric: "followers",
			entries: []Entry{
				progEntryAt("followers", "2026-02-07", 850, "2026-02-07T08:00:00Z"),
				progEntryAt("followers", "2026-02-07", 765, "2026-02-07T20:00:00Z"),
			}, alert: 20,
			want: StatusBehind, figs: map[string]float64{"pct": 765.0 / 1340 * 100, "pace": 850, "behind": 10}},
	}
	for _, tt := range tests {
		today := tt.today
		if today.IsZero() {
			today = evalToday
		}
		p := Evaluate(tt.k, progMetric(t, tt.metric), tt.entries, evalStart, today, tt.alert)
		if p.Status != tt.want {
			t.Errorf("%s: status %s, want %s (%+v)", tt.name, p.Status, tt.want, p)
		}
		got := map[string]float64{"behind": p.BehindPct, "pct": p.PctOfTarget, "pace": p.Pace, "forecast": p.Forecast}
		for name, want := range tt.figs {
			switch {
			case name == "forecast" && math.IsNaN(want):
				if p.HasForecast {
					t.Errorf("%s: forecast %v, want none", tt.name, p.Forecast)
				}
			case name == "forecast" && !p.HasForecast:
				t.Errorf("%s: no forecast, want %v", tt.name, want)
			case !progNear(got[name], want):
				t.Errorf("%s: %s = %v, want %v", tt.name, name, got[name], want)
			}
		}
		if !p.Latest.OK && (p.PctOfTarget != 0 || p.BehindPct != 0 || p.HasForecast || p.Status != StatusNoData) {
			t.Errorf("%s: no Latest but %+v", tt.name, p)
		}
	}
}

func TestEvaluateLatest(t *testing.T) {
	m := progMetric(t, "reach")
	entries := []Entry{
		progEntry("reach", "2026-01-20", 300),
		progEntry("reach", "2026-01-21", 400),
		progEntry("conversions", "2026-02-04", 9),
	}
	p := Evaluate(evalReach, m, entries, evalStart, evalToday, 20)
	want := Point{Period: periodOf("2026-01-19", "2026-01-25"), Value: 700, OK: true}
	if p.Status != StatusNoData || p.Latest != want {
		t.Errorf("Evaluate = %s, Latest %+v; want %s, %+v", p.Status, p.Latest, StatusNoData, want)
	}
	if p := Evaluate(evalReach, m, nil, evalStart, evalToday, 20); p.Latest != (Point{}) {
		t.Errorf("Evaluate(no entries).Latest = %+v, want the zero Point", p.Latest)
	}
}

// TestEvaluateForecast checks the trend on clean linear series, exactly: it
// fits only the last 6 weekly points and takes the deadline's week.
func TestEvaluateForecast(t *testing.T) {
	tests := []struct {
		name   string
		metric string
		k      KPI
		values []float64 // weekly, the last in evalToday's week
		want   float64
		has    bool
	}{
		{"clean series", "reach", evalReach, []float64{1100, 1200, 1300, 1400, 1500}, 2200, true},
		{"only the last 6 points", "reach", evalReach, []float64{99999, 0, 1000, 1100, 1200, 1300, 1400, 1500}, 2200, true},
		{"two points", "reach", evalReach, []float64{1460, 1500}, 1500 + 40*7, true},
		{"one point", "reach", evalReach, []float64{1500}, 0, false},
		{"falling", "response_time", evalResp, []float64{57, 54, 51, 48, 45}, 24, true},
		{"stock", "followers", evalFoll, []float64{500, 570, 640, 710, 780, 850}, 1340, true},
		{"mean", "ctr", KPI{Metric: "ctr", Baseline: 1, Target: 5, Deadline: periodDate("2026-03-29")}, []float64{1.5, 2, 2.5}, 6, true},
	}
	for _, tt := range tests {
		p := Evaluate(tt.k, progMetric(t, tt.metric), progWeekly(tt.metric, tt.values...), evalStart, evalToday, 20)
		if p.HasForecast != tt.has || p.Forecast != tt.want {
			t.Errorf("%s: forecast %v, %v; want %v, %v", tt.name, p.Forecast, p.HasForecast, tt.want, tt.has)
		}
	}

	// Points are placed by week number: two weeks apart count as two.
	entries := []Entry{progEntry("reach", "2026-01-21", 1300), progEntry("reach", "2026-02-04", 1500)}
	if p := Evaluate(evalReach, progMetric(t, "reach"), entries, evalStart, evalToday, 20); p.Forecast != 2200 {
		t.Errorf("forecast over a gap = %v, want 2200", p.Forecast)
	}
}

// TestEvaluateZeroTarget covers the divisions by zero: a lower-is-better
// custom metric aiming at none (complaints), past its deadline so the pace
// is 0, and a higher-is-better KPI with a zero target, which CheckTarget
// would refuse.
func TestEvaluateZeroTarget(t *testing.T) {
	complaints := Metric{Key: "complaints", Name: "Complaints", Unit: UnitCount, Agg: AggSum, Better: LowerBetter, Custom: true}
	k := KPI{Metric: "complaints", Baseline: 10, Target: 0, Deadline: periodDate("2026-02-01")}
	p := Evaluate(k, complaints, progWeekly("complaints", 3), evalStart, evalToday, 20)
	if p.Status != StatusAtRisk || p.Pace != 0 || p.BehindPct != MaxPct || p.PctOfTarget != 0 {
		t.Errorf("3 complaints against 0: %+v; want at risk, pace 0, behind %d%%, 0%% of target", p, MaxPct)
	}
	p = Evaluate(k, complaints, progWeekly("complaints", 0), evalStart, evalToday, 20)
	if p.Status != StatusAchieved || p.BehindPct != 0 || p.PctOfTarget != MaxPct {
		t.Errorf("0 complaints against 0: %+v; want achieved, %d%% of target", p, MaxPct)
	}

	m := progMetric(t, "reach")
	zero := KPI{Metric: "reach", Baseline: 0, Target: 0, Deadline: periodDate("2026-03-29")}
	for _, tt := range []struct {
		v   float64
		pct float64
	}{{5, MaxPct}, {0, 0}} {
		if p := Evaluate(zero, m, progWeekly("reach", tt.v), evalStart, evalToday, 20); p.PctOfTarget != tt.pct || p.Status != StatusAchieved {
			t.Errorf("reach %v against a zero target: %+v; want achieved, %v%% of target", tt.v, p, tt.pct)
		}
	}
}
