package main

import (
	"bufio"
	"cmp"
	"context"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// sample is the counters read before and after the run.
type sample struct {
	at               time.Time
	bot, redis, self time.Duration // CPU time used so far
	busy, all        time.Duration // the machine's, all cores together
	redisCmds        int64
	metrics          map[string]float64 // the bot's /metrics, summed over labels
}

// usage is what the run cost: CPU time by process, the machine's busy time
// and the bot's own counters, over the wall time between two samples.
type usage struct {
	wall             time.Duration
	bot, redis, self time.Duration
	busy, all        time.Duration
	redisCmds        int64
	metrics          map[string]float64 // differences
}

func takeSample(ctx context.Context, pid int, rdb redis.UniversalClient, base string) sample {
	s := sample{at: time.Now(), bot: processCPU(pid), self: selfCPU()}
	s.busy, s.all = machineCPU()
	info := rdb.Info(ctx, "cpu", "stats").Val()
	u, _ := strconv.ParseFloat(infoField(info, "used_cpu_user"), 64)
	sy, _ := strconv.ParseFloat(infoField(info, "used_cpu_sys"), 64)
	s.redis = time.Duration((u + sy) * float64(time.Second))
	s.redisCmds, _ = strconv.ParseInt(infoField(info, "total_commands_processed"), 10, 64)
	s.metrics = scrapeMetrics(ctx, base+"/metrics")
	return s
}

func (s sample) since(b sample) usage {
	u := usage{wall: s.at.Sub(b.at), bot: s.bot - b.bot, redis: s.redis - b.redis, self: s.self - b.self,
		busy: s.busy - b.busy, all: s.all - b.all, redisCmds: s.redisCmds - b.redisCmds, metrics: map[string]float64{}}
	for k, v := range s.metrics {
		u.metrics[k] = v - b.metrics[k]
	}
	return u
}

// cores is d as a number of cores busy over the wall time.
func (u usage) cores(d time.Duration) float64 {
	if u.wall <= 0 {
		return 0
	}
	return d.Seconds() / u.wall.Seconds()
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU returns the busy and total CPU time of all cores, from the
// "cpu" line of /proc/stat.
func machineCPU() (busy, all time.Duration) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0, 0
	}
	fields := strings.Fields(s.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	var total, idle int64
	for i, v := range fields[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest and guest_nice are already in user and nice
			break
		}
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	tick := time.Second / clockTicks
	return time.Duration(total-idle) * tick, time.Duration(total) * tick
}

// scrapeMetrics reads a Prometheus text page into sums by metric name
// (labels summed away); nil when it cannot be read.
func scrapeMetrics(ctx context.Context, url string) map[string]float64 {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	s := bufio.NewScanner(resp.Body)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		name, v, ok := parseMetricLine(s.Text())
		if ok {
			out[name] += v
		}
	}
	return out
}

// parseMetricLine splits `name{labels} value` into the name and the
// value; a histogram bucket keeps its bound, as `name|le`. Comments and
// malformed lines give ok false.
func parseMetricLine(line string) (name string, v float64, ok bool) {
	if line == "" || line[0] == '#' {
		return "", 0, false
	}
	sp := strings.LastIndexByte(line, ' ')
	if sp < 0 {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(line[sp+1:], 64)
	if err != nil {
		return "", 0, false
	}
	name = line[:sp]
	if i := strings.IndexByte(name, '{'); i >= 0 {
		labels := name[i:]
		name = name[:i]
		if j := strings.Index(labels, `le="`); j >= 0 && strings.HasSuffix(name, "_bucket") {
			le, _, _ := strings.Cut(labels[j+len(`le="`):], `"`)
			name += "|" + le
		}
	}
	return name, v, true
}

// histogramQuantile returns the upper bound of the bucket of histogram
// name (in metrics, as parseMetricLine keys them) that holds quantile q of
// its observations: "at most this long". It returns 0 when there are none
// and +Inf when q falls in the last bucket.
func histogramQuantile(metrics map[string]float64, name string, q float64) float64 {
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k, n := range metrics {
		if le, ok := strings.CutPrefix(k, name+"_bucket|"); ok {
			v, err := strconv.ParseFloat(le, 64)
			if err == nil {
				bs = append(bs, bucket{v, n})
			}
		}
	}
	slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	if len(bs) == 0 || bs[len(bs)-1].n <= 0 {
		return 0
	}
	want := q * bs[len(bs)-1].n
	for _, b := range bs {
		if b.n >= want {
			return b.le
		}
	}
	return math.Inf(1)
}
