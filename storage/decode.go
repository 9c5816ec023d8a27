package storage

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kpibot/kpibot/kpi"
)

// Every workspace, plan and entry in Redis was written by json.Marshal, so
// each has one form: its fields in declaration order, no spaces, optional
// fields left out when empty. decodeEntry, decodeWorkspace and decodePlan
// read that form directly, without reflection: 4 to 7 times faster than
// json.Unmarshal and with a third of its garbage or less (BenchmarkDecode).
// Whatever differs from that form (a string with an escape, spaces, a
// field they do not know, another order, a null) they hand to
// json.Unmarshal, which decides what it means. What they accept they decode
// exactly as json.Unmarshal would: FuzzScan* check it, and
// TestScanReadsWhatMarshalWrites fails when a field added to kpi is not
// read here (it would still decode, slowly, through json.Unmarshal).

// decodeEntry decodes one stored entry.
func decodeEntry(raw string) (kpi.Entry, error) { return decode(raw, scanEntry) }

// decodeWorkspace decodes a stored workspace.
func decodeWorkspace(raw string) (kpi.Workspace, error) { return decode(raw, scanWorkspace) }

// decodePlan decodes one stored version of a plan.
func decodePlan(raw string) (kpi.Plan, error) { return decode(raw, scanPlan) }

// decode returns what scan reads of raw, or, when scan does not read it,
// what json.Unmarshal makes of it.
func decode[T any](raw string, scan func(string) (T, bool)) (T, error) {
	if v, ok := scan(raw); ok {
		return v, nil
	}
	var v T
	err := json.Unmarshal([]byte(raw), &v)
	return v, err
}

func scanEntry(s string) (kpi.Entry, bool) {
	var e kpi.Entry
	r := scan{s: s, ok: true}
	r.open()
	r.need("id")
	e.ID = r.str()
	r.need("metric")
	e.Metric = r.str()
	r.need("value")
	e.Value = r.float()
	r.need("date")
	e.Date = r.date()
	r.need("by")
	e.By = r.int64()
	r.need("by_name")
	e.ByName = r.str()
	r.need("at")
	e.At = r.time()
	r.close()
	return e, r.end()
}

func scanWorkspace(s string) (kpi.Workspace, bool) {
	var w kpi.Workspace
	r := scan{s: s, ok: true}
	r.open()
	r.need("chat_id")
	w.ChatID = r.int64()
	r.need("type")
	w.Type = kpi.ChatType(r.str())
	if r.field("title") {
		w.Title = r.str()
	}
	r.need("lang")
	w.Lang = kpi.Lang(r.str())
	r.need("timezone")
	w.Timezone = r.str()
	r.need("active")
	w.Active = r.bool()
	r.need("created")
	w.Created = r.time()
	r.need("updated")
	w.Updated = r.time()
	r.need("report_day")
	w.ReportDay = time.Weekday(r.int())
	r.need("report_hour")
	w.ReportHour = r.int()
	r.need("report_minute")
	w.ReportMinute = r.int()
	if r.field("report_chat") {
		w.ReportChat = r.int64()
	}
	if r.field("report_thread") {
		w.ReportThread = r.int()
	}
	r.need("reminders")
	w.Reminders = r.bool()
	r.close()
	return w, r.end()
}

func scanPlan(s string) (kpi.Plan, bool) {
	var p kpi.Plan
	r := scan{s: s, ok: true}
	r.open()
	r.need("version")
	p.Version = r.int()
	if r.field("goals") {
		p.Goals = scanStrings[kpi.Goal](&r)
	}
	if r.field("goal_text") {
		p.GoalText = r.str()
	}
	if r.field("business_target") {
		p.BusinessTarget = r.str()
	}
	r.need("audience")
	r.open()
	if r.field("ages") {
		p.Audience.Ages = scanStrings[string](&r)
	}
	if r.field("platforms") {
		p.Audience.Platforms = scanStrings[string](&r)
	}
	if r.field("active") {
		p.Audience.Active = scanStrings[string](&r)
	}
	if r.field("interests") {
		p.Audience.Interests = r.str()
	}
	r.close()
	if r.field("custom") {
		p.Custom = []kpi.Metric{}
		for more := r.list(); more; more = r.next() {
			p.Custom = append(p.Custom, scanMetric(&r))
		}
	}
	r.need("kpis")
	p.KPIs = []kpi.KPI{}
	for more := r.list(); more; more = r.next() {
		p.KPIs = append(p.KPIs, scanKPI(&r))
	}
	if r.field("review") {
		p.Review = r.str()
	}
	r.need("alert_pct")
	p.AlertPct = r.int()
	r.need("start")
	p.Start = r.date()
	r.need("created")
	p.Created = r.time()
	if r.field("created_by") {
		p.CreatedBy = r.int64()
	}
	r.close()
	return p, r.end()
}

func scanMetric(r *scan) kpi.Metric {
	var m kpi.Metric
	r.open()
	r.need("key")
	m.Key = r.str()
	if r.field("name") {
		m.Name = r.str()
	}
	r.need("unit")
	m.Unit = kpi.Unit(r.str())
	r.need("agg")
	m.Agg = kpi.Aggregation(r.str())
	r.need("better")
	m.Better = kpi.Direction(r.str())
	if r.field("custom") {
		m.Custom = r.bool()
	}
	r.close()
	return m
}

func scanKPI(r *scan) kpi.KPI {
	var k kpi.KPI
	r.open()
	r.need("metric")
	k.Metric = r.str()
	r.need("baseline")
	k.Baseline = r.float()
	r.need("target")
	k.Target = r.float()
	r.need("deadline")
	k.Deadline = r.date()
	if r.field("source") {
		k.Source = r.str()
	}
	if r.field("frequency") {
		k.Frequency = r.str()
	}
	r.close()
	return k
}

// scanStrings reads an array of strings; [] gives an empty slice, not nil,
// as json.Unmarshal does.
func scanStrings[T ~string](r *scan) []T {
	out := []T{}
	for more := r.list(); more; more = r.next() {
		out = append(out, T(r.str()))
	}
	return out
}

// A scan reads the front of s. Once a step finds something else than it
// expects it sets ok to false, and every later step does nothing.
type scan struct {
	s     string
	ok    bool
	first bool // at the first field of an object: no comma before it
}

func (r *scan) fail() { r.ok = false }

// end reports whether every step succeeded and all of s was read.
func (r *scan) end() bool { return r.ok && r.s == "" }

// byte reads c.
func (r *scan) byte(c byte) {
	if !r.ok || r.s == "" || r.s[0] != c {
		r.fail()
		return
	}
	r.s = r.s[1:]
}

// open reads the { of an object and close its }.
func (r *scan) open() {
	r.byte('{')
	r.first = true
}

func (r *scan) close() {
	r.byte('}')
	r.first = false
}

// field reads the key name and its colon, after a comma unless it is the
// object's first field, and reports whether it did; the scan goes on
// either way, so field serves a field that may be left out.
func (r *scan) field(name string) bool {
	s := r.s
	if !r.ok {
		return false
	}
	if !r.first {
		if s == "" || s[0] != ',' {
			return false
		}
		s = s[1:]
	}
	n := len(name)
	if len(s) < n+3 || s[0] != '"' || s[1:1+n] != name || s[1+n] != '"' || s[2+n] != ':' {
		return false
	}
	r.s, r.first = s[n+3:], false
	return true
}

// need reads a field that is always there.
func (r *scan) need(name string) {
	if !r.field(name) {
		r.fail()
	}
}

// list reads the [ of an array and reports whether an element follows;
// next reads what follows an element and reports whether another does.
// Together they read an array:
//
//	for more := r.list(); more; more = r.next() { read one element }
func (r *scan) list() bool {
	r.byte('[')
	return r.ok && !r.skip(']')
}

func (r *scan) next() bool {
	if !r.ok || r.skip(',') {
		return r.ok
	}
	r.byte(']')
	return false
}

// skip reads c if it comes next, and reports whether it did.
func (r *scan) skip(c byte) bool {
	if r.s != "" && r.s[0] == c {
		r.s = r.s[1:]
		return true
	}
	return false
}

// quoted returns the next string with its quotes; it fails on an escape,
// a control character or invalid UTF-8, which json.Unmarshal treats in
// ways of its own.
func (r *scan) quoted() string {
	if !r.ok || r.s == "" || r.s[0] != '"' {
		r.fail()
		return ""
	}
	for i := 1; i < len(r.s); i++ {
		switch c := r.s[i]; {
		case c == '"':
			q := r.s[:i+1]
			if !utf8.ValidString(q) {
				r.fail()
				return ""
			}
			r.s = r.s[i+1:]
			return q
		case c == '\\' || c < 0x20:
			r.fail()
			return ""
		}
	}
	r.fail()
	return ""
}

// str reads a string. It shares the memory of the scanned text.
func (r *scan) str() string {
	q := r.quoted()
	if len(q) < 2 {
		return ""
	}
	return q[1 : len(q)-1]
}

func (r *scan) date() kpi.Date {
	var d kpi.Date
	s := r.str()
	if r.ok && d.UnmarshalText([]byte(s)) != nil {
		r.fail()
	}
	return d
}

func (r *scan) time() time.Time {
	var t time.Time
	q := r.quoted()
	if r.ok && t.UnmarshalJSON([]byte(q)) != nil {
		r.fail()
	}
	return t
}

func (r *scan) bool() bool {
	switch {
	case !r.ok:
	case strings.HasPrefix(r.s, "true"):
		r.s = r.s[4:]
		return true
	case strings.HasPrefix(r.s, "false"):
		r.s = r.s[5:]
	default:
		r.fail()
	}
	return false
}

func (r *scan) float() float64 {
	f, err := strconv.ParseFloat(r.number(), 64)
	if err != nil {
		r.fail()
	}
	return f
}

func (r *scan) int64() int64 {
	n, err := strconv.ParseInt(r.number(), 10, 64)
	if err != nil {
		r.fail()
	}
	return n
}

func (r *scan) int() int {
	n, err := strconv.ParseInt(r.number(), 10, strconv.IntSize)
	if err != nil {
		r.fail()
	}
	return int(n)
}

// number returns the next number as JSON writes it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *scan) number() string {
	if !r.ok {
		return ""
	}
	s, i := r.s, 0
	digits := func() bool {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		r.fail()
		return ""
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			r.fail()
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			r.fail()
			return ""
		}
	}
	r.s = r.s[i:]
	return s[:i]
}
