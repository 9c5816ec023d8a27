package chart

import (
	"math"
	"strconv"
)

// yAxis is a value range with "nice" tick values at both ends and between.
type yAxis struct {
	lo, hi, step float64
	n            int // ticks: lo, lo+step, …, hi
}

func (a yAxis) tick(i int) float64 {
	v := a.lo + float64(i)*a.step
	// Round away binary noise (0.30000000000000004) at the step's scale.
	q := math.Pow(10, math.Floor(math.Log10(a.step))-2)
	return math.Round(v/q) * q
}

// niceAxis returns an axis covering the finite values in vals with 4 to 6
// round ticks (7 when that saves much empty space) and a little headroom.
// When no value is negative the axis never goes below zero; it starts at
// zero when fromZero is set or the data come within a third of their
// maximum of zero. distinct, when not nil, reports whether the tick labels
// of a candidate axis differ from one another; an axis whose labels repeat
// ("0 %", "0 %") is avoided.
func niceAxis(fromZero bool, distinct func(yAxis) bool, vals ...[]float64) yAxis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if lo > hi { // nothing to show
		lo, hi = 0, 1
	}
	nonNeg := lo >= 0
	zero := nonNeg && (fromZero || lo <= hi/3)
	if zero {
		lo = 0
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(hi)*0.4, 1)
		if !zero {
			lo -= span / 2
			hi += span / 2
		} else {
			hi += span
		}
		span = hi - lo
	}
	// Room for the dots: 3 % of the span below (unless at zero), 4 % above.
	padLo, padHi := lo-0.03*span, hi+0.04*span
	if zero || (nonNeg && padLo < 0) {
		padLo = max(lo-0.03*span, 0)
	}
	if zero {
		padLo = 0
	}
	best, bestScore := yAxis{}, math.Inf(1)
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	for _, m := range []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100} {
		step := m * mag
		if (m == 0.25 || m == 2.5 || m == 25) && step < 10 {
			continue // 2,5-steps read badly for small numbers
		}
		a := math.Floor(padLo/step+1e-9) * step
		b := math.Ceil(padHi/step-1e-9) * step
		n := int(math.Round((b-a)/step)) + 1
		// The least empty space, preferring 5 ticks.
		score := (b - a) / span
		switch n {
		case 5:
		case 4, 6:
			score += 0.15
		case 7:
			score += 0.6
		default:
			score += 10 + math.Abs(float64(n-5))
		}
		ax := yAxis{lo: a, hi: b, step: step, n: n}
		if score < bestScore && distinct != nil && !distinct(ax) {
			score += 100
		}
		if score < bestScore {
			best, bestScore = ax, score
		}
	}
	return best
}

// labelStep returns k such that labelling every k-th of n slots spaced
// spacing pixels apart keeps labels at least minGap pixels apart.
func labelStep(n int, spacing, minGap float64) int {
	if n <= 1 || spacing <= 0 {
		return 1
	}
	return max(1, int(math.Ceil(minGap/spacing-1e-9)))
}

// plainNumber is the y formatter used when the caller gives none.
func plainNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
