package main

import (
	"math"
	"slices"
	"time"
)

// summary describes a set of latencies.
type summary struct {
	N                        int
	Min, Mean                time.Duration
	P50, P90, P99, P999, Max time.Duration
}

// summarize sorts ds in place and returns its summary; the zero summary
// for none.
func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return summary{
		N: len(ds), Mean: sum / time.Duration(len(ds)), Min: ds[0], Max: ds[len(ds)-1],
		P50: percentile(ds, 50), P90: percentile(ds, 90), P99: percentile(ds, 99), P999: percentile(ds, 99.9),
	}
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value with at least p% of the values at or below it. It
// returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// p*n/100, less a hair so that 99.9% of 1000 is rank 999 despite
	// 99.9 having no exact binary form.
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
