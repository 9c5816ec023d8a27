package kpi

import (
	"cmp"
	"slices"
)

// The stable ids of the recommendation rules (Advice.Rule), in the order
// that breaks ties between equal scores.
const (
	// RuleEngagementBehind: engagement behind pace or at risk; find the
	// posts and formats with the most engagement and make more (step 6).
	RuleEngagementBehind = "engagement_behind"
	// RuleReachBehind: reach behind pace or at risk; post when the
	// audience is online (step 2).
	RuleReachBehind = "reach_behind"
	// RuleConversionBehind: conversions or CTR behind pace or at risk;
	// work on calls to action and links (step 6).
	RuleConversionBehind = "conversion_behind"
	// RuleGrowthBehind: follower growth or followers behind pace or at
	// risk; collaborations, contests, cross-promotion (step 6).
	RuleGrowthBehind = "growth_behind"
	// RuleNoData: nothing logged for a KPI this week nor the week before;
	// tracking is the gap (step 5).
	RuleNoData = "no_data"
	// RuleTargetMet: a KPI has reached its target; raise it (step 4).
	RuleTargetMet = "target_met"
	// RuleTooManyKPIs: the plan has more than MaxKPIs KPIs; focus (step 3).
	RuleTooManyKPIs = "too_many_kpis"
	// RuleOffGoal: a KPI serves none of the plan's goals; revisit the goal
	// (step 1).
	RuleOffGoal = "off_goal"
	// RuleNoRhythm: nothing logged for any metric in two weeks or more and
	// no sign that the last report was read; set a rhythm (step 6).
	RuleNoRhythm = "no_rhythm"
)

// Advice is one recommendation, free of language: the caller turns it into
// text from Rule and the numbers.
type Advice struct {
	// Rule is the stable id of the rule that gave it (the Rule* constants).
	Rule string `json:"rule"`
	// Step is the step of the method (1 to 7) the advice sends the owner
	// back to.
	Step int `json:"step"`
	// Metric is the key of the KPI's metric the advice is about, "" for
	// advice on the whole plan.
	Metric string `json:"metric,omitempty"`
	// Score is the advice's importance; higher comes first.
	Score float64 `json:"score"`
	// Value is the KPI's latest weekly value (Progress.Latest), Pace the
	// pace line's value there, Target the KPI's target and BehindPct how
	// far behind pace it is, in percent; 0 where the rule does not use them.
	Value     float64 `json:"value"`
	Pace      float64 `json:"pace"`
	Target    float64 `json:"target"`
	BehindPct float64 `json:"behind_pct"`
	// Weeks is how many ISO weeks passed without an entry (no_data,
	// no_rhythm); Count is the number of KPIs (too_many_kpis).
	Weeks int `json:"weeks"`
	Count int `json:"count"`
	// DayPart is the day part to post in (reach_behind): the first one
	// chosen in Plan.Audience.Active, "" when none was chosen.
	DayPart string `json:"day_part,omitempty"`
}

// Inputs is what Recommend looks at.
type Inputs struct {
	// Plan is the workspace's current plan.
	Plan Plan
	// Progress is each KPI's progress from Evaluate, by metric key. A KPI
	// without one gets no advice on its progress.
	Progress map[string]Progress
	// Entries are the recent entries, by metric key; they tell how long
	// nothing was logged.
	Entries map[string][]Entry
	// Today is the day of the recommendation, in the workspace's calendar.
	Today Date
	// LastReportSeen reports that someone looked at the last report; false
	// when unknown.
	LastReportSeen bool
}

// Scores of the rules; see Recommend.
const (
	scoreAtRisk    = 300
	scoreNoRhythm  = 260
	scoreNoData    = 200
	scoreBehind    = 100
	scoreTargetMet = 90
	scoreOffGoal   = 80
	scoreTooMany   = 70
)

// rhythmWeeks is how many ISO weeks without any entry count as analysis
// skipped (no_rhythm) and, for a KPI never logged, as a tracking gap
// (no_data): this week and the week before, as for StatusNoData.
const rhythmWeeks = 2

// kpiFacts is what a per-KPI rule looks at.
type kpiFacts struct {
	KPI         KPI
	Metric      Metric
	MetricOK    bool // the plan knows the metric
	Progress    Progress
	HasProgress bool
	Logged      bool // an entry of the KPI is known
	Weeks       int  // ISO weeks since its latest entry, or since the plan's start when none
}

// recFacts is what the plan-wide rules look at, worked out once.
type recFacts struct {
	in   Inputs
	kpis []kpiFacts // the plan's KPIs in plan order, once per metric
	// quietWeeks is the ISO weeks since the latest entry of any metric (or
	// since the plan's start when there is none); quietKnown is false when
	// neither is known.
	quietWeeks int
	quietKnown bool
}

// rule is one recommendation rule: either per KPI or plan-wide.
type rule struct {
	id    string
	step  int
	perK  func(f *recFacts, k kpiFacts) (Advice, bool)
	whole func(f *recFacts) (Advice, bool)
}

// rules is the table of rules; its order breaks ties between equal scores.
var rules = []rule{
	{id: RuleEngagementBehind, step: 6, perK: behindOn("engagement")},
	{id: RuleReachBehind, step: 2, perK: reachBehind},
	// Calls to action and links are a change of content, the corrections
	// of step 6, not of the target set in step 4.
	{id: RuleConversionBehind, step: 6, perK: behindOn("conversions", "ctr")},
	{id: RuleGrowthBehind, step: 6, perK: behindOn("follower_growth", "followers")},
	{id: RuleNoData, step: 5, perK: noData},
	{id: RuleTargetMet, step: 4, perK: targetMet},
	{id: RuleTooManyKPIs, step: 3, whole: tooManyKPIs},
	{id: RuleOffGoal, step: 1, perK: offGoal},
	{id: RuleNoRhythm, step: 6, whole: noRhythm},
}

// Recommend returns at most max pieces of advice on the plan, the most
// important first, each rule at most once per metric (and once for the
// whole plan). It is deterministic: equal scores are ordered by the rule's
// place in the list of Rule* constants, then by metric key.
//
// The rules, each tied to the step of the method it sends the owner back to
// and to the numbers it is based on:
//
//   - engagement_behind (step 6), reach_behind (step 2, with DayPart),
//     conversion_behind (conversions or CTR, step 6) and growth_behind
//     (follower growth or followers, step 6): the catalogue KPI is behind
//     pace or at risk; Value, Pace, Target, BehindPct.
//   - no_data (step 5): StatusNoData; Weeks since the KPI's latest entry
//     (or since the plan's start when it was never logged, and then only
//     from 2 weeks on; 0 when the plan has no start). Left out when
//     no_rhythm fires: then the gap is the whole plan's, not the KPI's.
//   - target_met (step 4): StatusAchieved; Value, Pace, Target.
//   - too_many_kpis (step 3): more than MaxKPIs KPIs; Count.
//   - off_goal (step 1): the KPI's metric serves none of the plan's goals
//     (FitsGoals); Target.
//   - no_rhythm (step 6): no entry of any metric in this ISO week nor the
//     one before (counting from the plan's start when nothing was ever
//     logged), unless LastReportSeen; Weeks.
//
// Weeks are whole ISO weeks from the week of the latest entry to today's
// week; entries dated up to the end of today's week count, as in Evaluate.
//
// Scores: advice on a KPI's progress scores within a band, higher the
// further behind (or the longer without data) it is; plan-wide and
// structural advice scores a constant:
//
//	at risk (a *_behind rule)  300 + squash(BehindPct)     [300, 400)
//	no_rhythm                  260
//	no_data                    200 + squash(10·Weeks)/2    [200, 250)
//	behind (a *_behind rule)   100 + squash(BehindPct)     [100, 200)
//	target_met                  90
//	off_goal                    80
//	too_many_kpis               70
//
// where squash(x) = 100·x/(x+100) grows with x and stays below 100, so
// at risk (even on its forecast alone, BehindPct 0) ranks above no data,
// and no data above behind.
func Recommend(in Inputs, max int) []Advice {
	if max <= 0 {
		return nil
	}
	f := newRecFacts(in)
	var out []Advice
	for _, r := range rules {
		add := func(a Advice) {
			a.Rule, a.Step = r.id, r.step
			out = append(out, a)
		}
		if r.whole != nil {
			if a, ok := r.whole(f); ok {
				a.Metric = ""
				add(a)
			}
			continue
		}
		for _, k := range f.kpis {
			if a, ok := r.perK(f, k); ok {
				a.Metric = k.KPI.Metric
				add(a)
			}
		}
	}
	order := map[string]int{}
	for i, r := range rules {
		order[r.id] = i
	}
	slices.SortStableFunc(out, func(a, b Advice) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(order[a.Rule], order[b.Rule]),
			cmp.Compare(a.Metric, b.Metric),
		)
	})
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// newRecFacts works out what the rules share: the plan's KPIs with their
// metric, progress and weeks without entries, and the weeks since anything
// was logged.
func newRecFacts(in Inputs) *recFacts {
	f := &recFacts{in: in}
	var latestAny Date
	haveAny := false
	seen := map[string]bool{}
	for _, k := range in.Plan.KPIs {
		if seen[k.Metric] {
			continue
		}
		seen[k.Metric] = true
		m, mok := in.Plan.Metric(k.Metric)
		p, pok := in.Progress[k.Metric]
		kf := kpiFacts{KPI: k, Metric: m, MetricOK: mok, Progress: p, HasProgress: pok}
		last, ok := f.latest(k.Metric)
		if ok {
			kf.Logged, kf.Weeks = true, f.weeksSince(last)
			if !haveAny || latestAny.Before(last) {
				latestAny, haveAny = last, true
			}
		} else if !in.Plan.Start.IsZero() {
			kf.Weeks = f.weeksSince(in.Plan.Start)
		}
		f.kpis = append(f.kpis, kf)
	}
	// Entries of metrics that are not KPIs (raw counts) are logging too.
	for metric := range in.Entries {
		if last, ok := f.latest(metric); ok && (!haveAny || latestAny.Before(last)) {
			latestAny, haveAny = last, true
		}
	}
	switch {
	case haveAny:
		f.quietWeeks, f.quietKnown = f.weeksSince(latestAny), true
	case !in.Plan.Start.IsZero():
		f.quietWeeks, f.quietKnown = f.weeksSince(in.Plan.Start), true
	}
	return f
}

// latest returns the latest day known to have an entry of metric: the
// latest entry in Inputs.Entries dated up to the end of today's week, or
// the start of the week of Progress.Latest when that is later.
func (f *recFacts) latest(metric string) (Date, bool) {
	end := WeekOf(f.in.Today).End
	var last Date
	ok := false
	for _, e := range f.in.Entries[metric] {
		if end.Before(e.Date) {
			continue
		}
		if !ok || last.Before(e.Date) {
			last, ok = e.Date, true
		}
	}
	if p, has := f.in.Progress[metric]; has && p.Latest.OK {
		if d := p.Latest.Period.Start; !ok || last.Before(d) {
			last, ok = d, true
		}
	}
	return last, ok
}

// weeksSince returns the whole ISO weeks from the week of d to today's
// week, 0 when d is in today's week or later.
func (f *recFacts) weeksSince(d Date) int {
	return max(0, daysBetween(WeekOf(d).Start, WeekOf(f.in.Today).Start)/7)
}

// rhythmLost reports whether no_rhythm fires.
func (f *recFacts) rhythmLost() bool {
	return f.quietKnown && f.quietWeeks >= rhythmWeeks && !f.in.LastReportSeen
}

// squash maps x >= 0 to [0, 100), growing with x: 100·x/(x+100).
func squash(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return 100 * x / (x + 100)
}

// lagging reports whether k is behind pace or at risk, and the score.
func lagging(k kpiFacts) (float64, bool) {
	if !k.HasProgress {
		return 0, false
	}
	switch k.Progress.Status {
	case StatusAtRisk:
		return scoreAtRisk + squash(k.Progress.BehindPct), true
	case StatusBehind:
		return scoreBehind + squash(k.Progress.BehindPct), true
	}
	return 0, false
}

// progressAdvice returns advice carrying k's latest value, pace and target.
func progressAdvice(k kpiFacts, score float64) Advice {
	return Advice{
		Score:     score,
		Value:     k.Progress.Latest.Value,
		Pace:      k.Progress.Pace,
		Target:    k.KPI.Target,
		BehindPct: k.Progress.BehindPct,
	}
}

// isCatalog reports whether k is on one of the catalogue metrics keys.
func isCatalog(k kpiFacts, keys ...string) bool {
	return k.MetricOK && !k.Metric.Custom && slices.Contains(keys, k.KPI.Metric)
}

// behindOn returns the rule "a KPI on one of the catalogue metrics keys is
// behind pace or at risk".
func behindOn(keys ...string) func(*recFacts, kpiFacts) (Advice, bool) {
	return func(_ *recFacts, k kpiFacts) (Advice, bool) {
		if !isCatalog(k, keys...) {
			return Advice{}, false
		}
		score, ok := lagging(k)
		if !ok {
			return Advice{}, false
		}
		return progressAdvice(k, score), true
	}
}

// reachBehind is behindOn("reach") with the day part the audience is
// online in, the first one chosen in step 2.
func reachBehind(f *recFacts, k kpiFacts) (Advice, bool) {
	a, ok := behindOn("reach")(f, k)
	if !ok {
		return a, false
	}
	for _, d := range f.in.Plan.Audience.Active {
		if slices.Contains(DayParts, d) {
			a.DayPart = d
			break
		}
	}
	return a, true
}

// noData: the KPI has StatusNoData. A KPI never logged counts only from
// rhythmWeeks weeks after the plan's start (a new plan has no gap yet).
func noData(f *recFacts, k kpiFacts) (Advice, bool) {
	if !k.HasProgress || k.Progress.Status != StatusNoData || f.rhythmLost() {
		return Advice{}, false
	}
	if !k.Logged && !f.in.Plan.Start.IsZero() && k.Weeks < rhythmWeeks {
		return Advice{}, false
	}
	a := progressAdvice(k, scoreNoData+squash(10*float64(k.Weeks))/2)
	a.BehindPct = 0 // old data says nothing of today's pace
	a.Weeks = k.Weeks
	return a, true
}

// targetMet: the KPI has reached its target.
func targetMet(_ *recFacts, k kpiFacts) (Advice, bool) {
	if !k.HasProgress || k.Progress.Status != StatusAchieved {
		return Advice{}, false
	}
	a := progressAdvice(k, scoreTargetMet)
	a.BehindPct = 0
	return a, true
}

// tooManyKPIs: the plan has more than MaxKPIs KPIs.
func tooManyKPIs(f *recFacts) (Advice, bool) {
	n := len(f.kpis)
	if n <= MaxKPIs {
		return Advice{}, false
	}
	return Advice{Score: scoreTooMany, Count: n}, true
}

// offGoal: the KPI's metric serves none of the plan's goals. A metric the
// plan does not know cannot be judged.
func offGoal(f *recFacts, k kpiFacts) (Advice, bool) {
	if !k.MetricOK || FitsGoals(k.Metric, f.in.Plan.Goals) {
		return Advice{}, false
	}
	return Advice{Score: scoreOffGoal, Target: k.KPI.Target}, true
}

// noRhythm: nothing logged in rhythmWeeks weeks or more, and no sign that
// the last report was read.
func noRhythm(f *recFacts) (Advice, bool) {
	if !f.rhythmLost() {
		return Advice{}, false
	}
	return Advice{Score: scoreNoRhythm, Weeks: f.quietWeeks}, true
}
