package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// report is everything a run found out, printed by write.
type report struct {
	cfg      Config
	machine  machine
	flushed  bool
	seedTime time.Duration
	redisMem string

	memStart, memEnd memory
	load             *results
	usage            usage
	botConns         int64 // TCP connections the bot opened to the fake Telegram

	exitCode    int
	exitErr     error
	botLog      string
	botLogLines map[string]int
	fakeErrors  int64

	profiles, profiledBin string
}

func (r *report) write(w io.Writer) {
	c, m := r.cfg, r.machine
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("kpiload report")
	p("machine    %d × %s, %s, load average before %s (runnable/tasks %s)", m.nproc, m.cpu, m.goVer, m.loadavg, m.procsRun)
	p("settings   %.0f updates/s open loop, %d private chats (≥%v apart), %d groups of %d (≥%v apart), %.0f%% Undo presses, history %d entries a logged KPI",
		c.Rate, c.Chats, c.Private, c.Groups, c.Members, c.Group, c.Press*100, c.History)
	p("           warm-up %v, measured %v, answer timeout %v, %d POSTs at once, bot LOG_LEVEL=%s %s",
		c.Warmup, c.Duration, c.Timeout, c.Conns, c.LogLevel, strings.Join(c.BotEnv, " "))
	flushed := "not flushed"
	if r.flushed {
		flushed = "flushed"
	}
	p("redis      %s (%s), %d workspaces with a plan seeded in %v, used_memory %s",
		redactURL(c.RedisURL), flushed, c.Workspaces, r.seedTime.Round(time.Millisecond), r.redisMem)
	if r.memStart.RSS > 0 {
		p("bot memory after seeding and start: VmRSS %s, VmHWM %s", mb(r.memStart.RSS), mb(r.memStart.HWM))
	}
	if l := r.load; l != nil {
		r.writeLoad(p, l)
	}
	if r.memEnd.RSS > 0 {
		p("bot memory after the run:           VmRSS %s, VmHWM %s", mb(r.memEnd.RSS), mb(r.memEnd.HWM))
	}
	if r.load != nil {
		r.writeUsage(p)
	}
	exit := fmt.Sprintf("exit code %d after SIGTERM", r.exitCode)
	if r.exitErr != nil {
		exit = r.exitErr.Error()
	}
	p("bot        %s; log lines by level %s (%s)", exit, levels(r.botLogLines), r.botLog)
	if r.fakeErrors > 0 {
		p("fake       %d misuse reports from telegramtest (see stderr)", r.fakeErrors)
	}
	if r.profiles != "" {
		p("profiles   go tool pprof -top %s %s/bot-cpu.pprof   (and bot-heap.pprof)", r.profiledBin, r.profiles)
	}
}

func (r *report) writeLoad(p func(string, ...any), l *results) {
	secs := l.to.Sub(l.from).Seconds()
	sent, answered := 0, 0
	var all []time.Duration
	for _, a := range []action{actLog, actPress} {
		sent += l.sent[a]
		answered += len(l.latency[a])
		all = append(all, l.latency[a]...)
	}
	p("sent       %d updates in %.0fs = %.0f/s: /log %d, Undo press %d", sent, secs, float64(sent)/secs, l.sent[actLog], l.sent[actPress])
	p("answered   %d = %.0f/s", answered, float64(answered)/secs)
	p("latency    from the POST to the fake receiving the answer (send or edit)")
	p("  %-12s %s", "all", line(summarize(all)))
	p("  %-12s %s", "/log", line(summarize(l.latency[actLog])))
	p("  %-12s %s", "Undo press", line(summarize(l.latency[actPress])))
	p("  %-12s %s", "Undo toast", line(summarize(l.toast)))
	p("  %-12s %s", "webhook POST", line(summarize(l.post)))
	p("schedule   %d of the %.0f planned updates went out in the window, %d of them over 10 ms late (the latest by %v; late when no chat or sender was free)",
		l.slots, r.cfg.Rate*secs, l.lateSlots, l.maxLag.Round(time.Millisecond))
	errs := 0
	for _, n := range l.errors {
		errs += n
	}
	if errs == 0 {
		p("errors     none")
	} else {
		p("errors     %d:", errs)
		for _, k := range sortedKeys(l.errors) {
			p("  %6d  %s", l.errors[k], k)
		}
		if l.sample != "" {
			p("  first unexpected answer: %s", l.sample)
		}
	}
	var um []string
	for _, k := range sortedKeys(l.unmatched) {
		um = append(um, fmt.Sprintf("%s %d", k, l.unmatched[k]))
	}
	p("other      warm-up errors %d; answers to no pending update: %s; chats retired after a timeout %d",
		l.warmupErrors, orNone(strings.Join(um, ", ")), l.retired)
}

func (r *report) writeUsage(p func(string, ...any)) {
	u, n := r.usage, float64(r.machine.nproc)
	other := u.busy - u.bot - u.redis - u.self
	p("CPU        over %.1fs, in cores of %.0f: bot %.2f, redis-server %.2f, kpiload (fake Telegram + load) %.2f, others %.2f; machine busy %.2f",
		u.wall.Seconds(), n, u.cores(u.bot), u.cores(u.redis), u.cores(u.self), u.cores(max(other, 0)), u.cores(u.busy))
	handled := u.metrics["kpibot_updates_total"]
	if handled <= 0 {
		return
	}
	per := func(v float64) float64 { return v / handled }
	p("per update bot CPU %v, redis CPU %v; Redis round trips %.2f, commands %.2f; handler mean %v (/metrics: %0.f updates)",
		time.Duration(per(float64(u.bot))).Round(time.Microsecond), time.Duration(per(float64(u.redis))).Round(time.Microsecond),
		per(u.metrics["kpibot_redis_seconds_count"]), per(float64(u.redisCmds)),
		time.Duration(per(u.metrics["kpibot_handler_seconds_sum"])*float64(time.Second)).Round(time.Microsecond), handled)
	p("bot side   its own handler time (/metrics kpibot_handler_seconds: handling and sending, not the queue before): p50 ≤ %s, p99 ≤ %s",
		bound(histogramQuantile(u.metrics, "kpibot_handler_seconds", 0.5)), bound(histogramQuantile(u.metrics, "kpibot_handler_seconds", 0.99)))
	p("telegram   the bot opened %d TCP connections to the fake Telegram during the test; its Redis round trip mean %v",
		r.botConns, time.Duration(u.metrics["kpibot_redis_seconds_sum"]/max(u.metrics["kpibot_redis_seconds_count"], 1)*float64(time.Second)).Round(time.Microsecond))
}

func line(s summary) string {
	if s.N == 0 {
		return "n=0"
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("n=%-7d p50 %-8s p90 %-8s p99 %-8s p99.9 %-8s max %-8s mean %s",
		s.N, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.P999), ms(s.Max), ms(s.Mean))
}

// bound formats a histogram bucket bound in seconds.
func bound(sec float64) string {
	if math.IsInf(sec, 1) {
		return "beyond the last bucket"
	}
	return time.Duration(sec * float64(time.Second)).String()
}

func mb(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb)/1024) }

func levels(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(out, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
