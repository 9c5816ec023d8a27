package kpi

import (
	"fmt"
	"math"
	"time"
)

// Reasons a target fails the SMART check; each wraps ErrInvalid.
var (
	ErrDeadline  = fmt.Errorf("deadline is not after the start: %w", ErrInvalid)
	ErrDirection = fmt.Errorf("target does not improve on the baseline: %w", ErrInvalid)
	ErrRange     = fmt.Errorf("value out of range: %w", ErrInvalid)
)

// Pace limits of the SMART check: a higher-is-better KPI growing faster
// than realisticGrowth a week (x2.4 in a quarter), or a lower-is-better one
// falling faster than realisticDecline a week, is flagged; the suggested
// target grows by suggestGrowth (about +29 % a quarter) or falls by
// suggestDecline a week.
const (
	realisticGrowth  = 0.07
	realisticDecline = 0.05
	suggestGrowth    = 0.02
	suggestDecline   = 0.015
)

// TargetCheck is what the SMART check says of a target.
type TargetCheck struct {
	Weeks        float64 // from start to deadline
	WeeklyChange float64 // absolute change a week, on a straight line
	WeeklyGrowth float64 // relative change a week, compounded; 0 when the baseline is 0
	Realistic    bool
	Suggested    float64 // a realistic target by the deadline; 0 when none can be given
}

// CheckTarget checks a KPI's baseline and target against its metric and
// dates: measurable (values in the metric's range), time-bound (deadline
// after start), pointing the right way, and realistic. It fails with
// ErrRange, ErrDeadline or ErrDirection.
func CheckTarget(m Metric, baseline, target float64, start, deadline Date) (TargetCheck, error) {
	var c TargetCheck
	if err := CheckValue(m, baseline); err != nil {
		return c, err
	}
	if err := CheckValue(m, target); err != nil {
		return c, err
	}
	if !start.Before(deadline) {
		return c, ErrDeadline
	}
	if (m.Better == HigherBetter && target <= baseline) || (m.Better == LowerBetter && target >= baseline) {
		return c, ErrDirection
	}
	days := float64(deadline.Time(time.UTC).Sub(start.Time(time.UTC)).Hours()) / 24
	c.Weeks = days / 7
	c.WeeklyChange = (target - baseline) / c.Weeks
	c.Realistic = true
	if baseline > 0 && target > 0 {
		c.WeeklyGrowth = math.Pow(target/baseline, 1/c.Weeks) - 1
		if m.Better == HigherBetter {
			c.Realistic = c.WeeklyGrowth <= realisticGrowth
			c.Suggested = baseline * math.Pow(1+suggestGrowth, c.Weeks)
			if m.Percent() {
				c.Suggested = math.Min(c.Suggested, 100)
			}
		} else {
			c.Realistic = -c.WeeklyGrowth <= realisticDecline
			c.Suggested = baseline * math.Pow(1-suggestDecline, c.Weeks)
		}
		c.Suggested = roundNice(c.Suggested)
		if c.Suggested == roundNice(baseline) {
			c.Suggested = 0 // too short a time to suggest a change
		}
	}
	return c, nil
}

// CheckValue returns ErrRange for a value a metric cannot take: negative,
// not finite, or a percentage over 100.
func CheckValue(m Metric, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
		return ErrRange
	case m.Percent() && v > 100:
		return ErrRange
	case v > 1e12:
		return ErrRange
	}
	return nil
}

// roundNice rounds v to two significant digits (three from 100 up), the
// precision a person sets targets in: 12 345 -> 12 300, 4.237 -> 4.2.
func roundNice(v float64) float64 {
	if v == 0 {
		return 0
	}
	digits := 2.0
	if v >= 100 {
		digits = 3
	}
	exp := math.Floor(math.Log10(math.Abs(v))) - digits + 1
	if exp < 0 { // divide by a power of ten, which is exact: 39/10 = 3.9
		scale := math.Pow(10, -exp)
		return math.Round(v*scale) / scale
	}
	p := math.Pow(10, exp)
	return math.Round(v/p) * p
}
