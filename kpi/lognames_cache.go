package kpi

import (
	"strconv"
	"strings"
	"sync"
)

// maxCachedLogNames bounds the name indexes kept by cachedLogNames (a few
// kilobytes each).
const maxCachedLogNames = 512

// logNamesCache keeps the name indexes of the metric lists seen lately.
// Every /log of a chat builds the same index from the same plan, and
// building it (each alias and title of each metric, in both languages,
// normalised) was 4% of the bot's CPU at 3,000 /log a second. When full it
// starts over. An index is never changed once built, so callers share it.
var logNamesCache struct {
	sync.Mutex
	m map[string]logNames
}

// cachedLogNames returns newLogNames(metrics), built once for equal lists.
func cachedLogNames(metrics []Metric) logNames {
	key := logNamesKey(metrics)
	c := &logNamesCache
	c.Lock()
	n, ok := c.m[key]
	c.Unlock()
	if ok {
		return n
	}
	n = newLogNames(metrics)
	c.Lock()
	if c.m == nil || len(c.m) >= maxCachedLogNames {
		c.m = make(map[string]logNames)
	}
	c.m[key] = n
	c.Unlock()
	return n
}

// logNamesKey spells out what newLogNames reads of metrics: the key, the
// name and whether it is custom of each, in order, each string preceded by
// its length so that no two lists share a key.
func logNamesKey(metrics []Metric) string {
	var b strings.Builder
	for _, m := range metrics {
		for _, s := range []string{m.Key, m.Name} {
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
		if m.Custom {
			b.WriteByte('c')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}
