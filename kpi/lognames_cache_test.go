package kpi

import (
	"errors"
	"reflect"
	"sync"
	"testing"
)

// A custom metric renamed in the plan is read by its new name at the next
// /log, and no longer by the old one: the cached index follows the plan.
func TestParseLogFollowsRenamedMetric(t *testing.T) {
	ms := logMetrics()
	if line, err := ParseLog("записи 5", ms, Russian, logToday); err != nil || line.Pairs[0].Metric != "c1" {
		t.Fatalf("before the rename: %+v, %v", line, err)
	}
	renamed := append([]Metric(nil), ms...)
	renamed[5].Name = "Брони столиков"
	var le *LogError
	if _, err := ParseLog("записи 5", renamed, Russian, logToday); !errors.As(err, &le) || le.Kind != KindUnknownMetric {
		t.Errorf("the old name after the rename: %v, want an unknown metric", err)
	}
	if line, err := ParseLog("брони столиков 5", renamed, Russian, logToday); err != nil || line.Pairs[0].Metric != "c1" {
		t.Errorf("the new name: %+v, %v", line, err)
	}
}

// The cache gives the index newLogNames builds, for lists that differ only
// in a name, a custom flag or their order; it stays within its bound.
func TestCachedLogNamesSameAsBuilt(t *testing.T) {
	base := logMetrics()
	lists := [][]Metric{base, base[:3], append([]Metric{base[6]}, base[:6]...)}
	flag := append([]Metric(nil), base...)
	flag[0].Custom, flag[0].Name = true, "Охват"
	lists = append(lists, flag)
	for i := 0; i < 2*maxCachedLogNames; i++ {
		ms := append([]Metric(nil), base...)
		ms[6].Name = "Выручка " + string(rune('А'+i%32)) + string(rune('а'+i/32))
		lists = append(lists, ms)
	}
	for round := 0; round < 2; round++ {
		for i, ms := range lists {
			if got, want := cachedLogNames(ms), newLogNames(ms); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, list %d: the cached index differs from a new one", round, i)
			}
		}
	}
	logNamesCache.Lock()
	n := len(logNamesCache.m)
	logNamesCache.Unlock()
	if n > maxCachedLogNames {
		t.Errorf("%d indexes cached, bound %d", n, maxCachedLogNames)
	}
}

// Chats parse at once with the same and with different plans (run with
// -race).
func TestParseLogConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms := logMetrics()
			ms[6].Name = "Выручка " + string(rune('А'+g%2))
			for i := 0; i < 200; i++ {
				if line, err := ParseLog("охват 12 500 er 4,2%", ms, Russian, logToday); err != nil || len(line.Pairs) != 2 {
					t.Errorf("goroutine %d: %+v, %v", g, line, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
