package kpi

import (
	"fmt"
	"slices"
)

// RawCounts are counts a team may log instead of a derived metric:
// reactions, comments and reposts with reach give engagement; clicks and
// impressions give CTR. They are not KPIs and are not stored.
var RawCounts = []Metric{
	{Key: "reactions", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "comments", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "reposts", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "clicks", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "impressions", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
}

// RawCountsFor returns the raw counts that derive a metric of the plan.
func RawCountsFor(p Plan) []Metric {
	var out []Metric
	for _, m := range RawCounts {
		switch m.Key {
		case "reactions", "comments", "reposts":
			if _, ok := p.KPI("engagement"); ok {
				out = append(out, m)
			}
		case "clicks", "impressions":
			if _, ok := p.KPI("ctr"); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// ErrNeedsBase means raw counts came without the number they are divided
// by (reach for engagement, impressions for CTR), or it was zero.
var ErrNeedsBase = fmt.Errorf("raw counts need their base: %w", ErrInvalid)

// ErrDerivedTwice means a line gave a metric and the raw counts for it.
var ErrDerivedTwice = fmt.Errorf("metric given and derived: %w", ErrInvalid)

// Derive replaces raw counts in pairs with the metric they give:
// engagement = (reactions + comments + reposts) / reach x 100, and
// CTR = clicks / impressions x 100. Reach stays a pair of its own when the
// plan tracks it (keep reports whether it does). It fails with
// ErrNeedsBase when the base is missing or zero, or with ErrRange when the
// result is not a percentage.
func Derive(pairs []Pair, keep func(metric string) bool) ([]Pair, error) {
	val := map[string]float64{}
	has := map[string]bool{}
	var out []Pair
	for _, p := range pairs {
		val[p.Metric], has[p.Metric] = p.Value, true
		if !slices.ContainsFunc(RawCounts, func(m Metric) bool { return m.Key == p.Metric }) && (p.Metric != "reach" || keep("reach")) {
			out = append(out, p)
		}
	}
	if (has["reactions"] || has["comments"] || has["reposts"]) && has["engagement"] ||
		(has["clicks"] || has["impressions"]) && has["ctr"] {
		return nil, ErrDerivedTwice
	}
	if has["reactions"] || has["comments"] || has["reposts"] {
		if !has["reach"] || val["reach"] <= 0 {
			return nil, ErrNeedsBase
		}
		er := (val["reactions"] + val["comments"] + val["reposts"]) / val["reach"] * 100
		if er > 100 {
			return nil, ErrRange
		}
		out = append(out, Pair{Metric: "engagement", Value: er})
	}
	if has["clicks"] || has["impressions"] {
		if !has["impressions"] || val["impressions"] <= 0 {
			return nil, ErrNeedsBase
		}
		ctr := val["clicks"] / val["impressions"] * 100
		if ctr > 100 {
			return nil, ErrRange
		}
		out = append(out, Pair{Metric: "ctr", Value: ctr})
	}
	return out, nil
}
