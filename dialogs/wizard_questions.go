package dialogs

import (
	"errors"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kpibot/kpibot/kpi"
)

// question is one screen of the wizard. view renders it; press takes one of
// its buttons; answer takes typed text (nil: buttons only); skip clears the
// answer of an optional question.
type question struct {
	step     int
	optional bool
	text     bool // asks for typed text: ForceReply in groups
	view     func(c *wctx) (string, [][]Button)
	press    func(c *wctx, op, arg string) outcome
	answer   func(c *wctx, s string) outcome
	skip     func(c *wctx)
}

// questions is the wizard: the seven steps of SPEC section 4.
var questions map[string]question

// order is the run through the questions; following() adds the loops
// (one round of target questions per KPI, the custom metric detour).
var stepFirst = map[int]string{1: "goal", 2: "ages", 3: "metrics", 4: "baseline", 5: "tracking", 6: "review", 7: "dest"}

func firstOfStep(step int) string {
	if qs, ok := settingsQuestions[step]; ok {
		return qs[0]
	}
	return stepFirst[step]
}

func init() {
	questions = map[string]question{
		"goal":        {step: 1, view: viewGoal, press: pressGoal},
		"goal_text":   {step: 1, text: true, view: viewAsk(func(x *wtexts) string { return x.GoalTextAsk }), answer: answerGoalText},
		"biz_target":  {step: 1, text: true, optional: true, view: viewAsk(func(x *wtexts) string { return x.BizTargetAsk }), answer: answerBizTarget, skip: func(c *wctx) { c.w.Plan.BusinessTarget = "" }},
		"ages":        {step: 2, optional: true, view: viewMulti(func(x *wtexts) string { return x.AgesAsk }, agesOf, nil), press: pressMulti(agesOf), skip: func(c *wctx) { c.w.Plan.Audience.Ages = nil }},
		"platforms":   {step: 2, optional: true, view: viewMulti(func(x *wtexts) string { return x.PlatformsAsk }, platformsOf, func(x *wtexts) map[string]string { return x.Platforms }), press: pressMulti(platformsOf), skip: func(c *wctx) { c.w.Plan.Audience.Platforms = nil }},
		"active":      {step: 2, optional: true, view: viewMulti(func(x *wtexts) string { return x.ActiveAsk }, activeOf, func(x *wtexts) map[string]string { return x.DayParts }), press: pressMulti(activeOf), skip: func(c *wctx) { c.w.Plan.Audience.Active = nil }},
		"interests":   {step: 2, text: true, optional: true, view: viewAsk(func(x *wtexts) string { return x.InterestsAsk }), answer: answerInterests, skip: func(c *wctx) { c.w.Plan.Audience.Interests = "" }},
		"metrics":     {step: 3, view: viewMetrics, press: pressMetrics},
		"custom_name": {step: 3, text: true, view: viewAsk(func(x *wtexts) string { return x.CustomNameAsk }), answer: answerCustomName},
		"custom_unit": {step: 3, text: true, view: viewCustomUnit, press: pressCustomUnit, answer: answerCustomUnit},
		"custom_dir":  {step: 3, view: viewCustomDir, press: pressCustomDir},
		"custom_agg":  {step: 3, view: viewCustomAgg, press: pressCustomAgg},
		"baseline":    {step: 4, text: true, view: viewBaseline, press: pressKeep, answer: answerBaseline},
		"deadline":    {step: 4, text: true, view: viewDeadline, press: pressDeadline, answer: answerDeadline},
		"target":      {step: 4, text: true, view: viewTarget, press: pressTarget, answer: answerTarget},
		"smart":       {step: 4, view: viewSmart, press: pressSmart},
		"tracking":    {step: 5, view: viewTracking, press: pressTracking},
		"report_day":  {step: 5, view: viewReportDay, press: pressReportDay},
		"report_time": {step: 5, text: true, view: viewReportTime, press: pressReportTime, answer: answerReportTime},
		"timezone":    {step: 5, text: true, view: viewTimezone, press: pressTimezone, answer: answerTimezone},
		"review":      {step: 6, view: viewReview, press: pressReview},
		"alert":       {step: 6, view: viewAlert, press: pressAlert},
		"dest":        {step: 7, view: viewDest, press: pressDest},
		"reminders":   {step: 7, view: viewReminders, press: pressReminders},
		"confirm":     {step: 7, view: viewConfirm, press: pressConfirm},
	}
}

// following returns the question after the current one ("" when the run is
// over and the plan is to be saved).
func (c *wctx) following() (string, int) {
	w := c.w
	linear := map[string]string{
		"goal_text": "biz_target", "biz_target": "ages", "ages": "platforms", "platforms": "active",
		"active": "interests", "interests": "metrics", "custom_name": "custom_unit", "custom_unit": "custom_dir",
		"custom_dir": "custom_agg", "custom_agg": "metrics", "baseline": "deadline", "deadline": "target",
		"tracking": "report_day", "report_day": "report_time", "report_time": "timezone", "timezone": "review",
		"review": "alert", "alert": "dest", "dest": "reminders", "reminders": "confirm", "confirm": "",
	}
	switch w.Q {
	case "goal":
		if w.OwnGoal {
			return "goal_text", 0
		}
		return "biz_target", 0
	case "metrics":
		return "baseline", 0
	case "target":
		if chk, err := c.check(w.K); err == nil && !chk.Realistic {
			return "smart", w.K
		}
		return c.nextKPI()
	case "smart":
		return c.nextKPI()
	}
	return linear[w.Q], w.K
}

func (c *wctx) nextKPI() (string, int) {
	if c.w.K+1 < len(c.w.Plan.KPIs) {
		return "baseline", c.w.K + 1
	}
	return "tracking", 0
}

// --- shared views and helpers ---

func viewAsk(ask func(*wtexts) string) func(c *wctx) (string, [][]Button) {
	return func(c *wctx) (string, [][]Button) { return ask(&c.x.W), nil }
}

// toggleRows lays out toggle buttons (op "t"), ✓ on the chosen.
func (c *wctx) toggleRows(keys []string, label func(string) string, chosen []string, perRow int) [][]Button {
	return c.optionRows("t", keys, label, func(k string) bool { return slices.Contains(chosen, k) }, perRow)
}

func toggle(list []string, k string) []string {
	if i := slices.Index(list, k); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return append(list, k)
}

// choiceRows lays out single-choice buttons (op "c"), ✓ on the current.
func (c *wctx) choiceRows(keys []string, label func(string) string, current string, perRow int) [][]Button {
	return c.optionRows("c", keys, label, func(k string) bool { return k == current }, perRow)
}

// optionRows lays out one button per key, perRow a row, "✓ " before the
// ticked ones.
func (c *wctx) optionRows(op string, keys []string, label func(string) string, ticked func(string) bool, perRow int) [][]Button {
	var rows [][]Button
	var row []Button
	for _, k := range keys {
		text := label(k)
		if ticked(k) {
			text = "✓ " + text
		}
		row = append(row, c.btn(text, op, k))
		if len(row) == perRow {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func (c *wctx) textAnswer(s string, set func(string)) outcome {
	if utf8.RuneCountInString(s) > kpi.MaxText {
		return outcome{problem: fmt.Sprintf(c.x.W.TooLong, kpi.MaxText)}
	}
	if hasControl(s) {
		return outcome{problem: c.x.W.TextBad}
	}
	if visible(s) == "" {
		return outcome{problem: c.x.W.TextEmpty}
	}
	set(s)
	return outcome{next: true}
}

// hasControl reports whether s has a control character other than a line
// break or a tab, or a mark that overrides the direction of text (U+202A-
// U+202E, U+2066-U+2069): text no one means to type, and that garbles
// what the bot shows.
func hasControl(s string) bool { return strings.ContainsFunc(s, isControl) }

func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' ||
		r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// visible returns s without invisible format characters (zero-width
// spaces and joiners, BOM) and outer spaces: what a reader sees of it, to
// tell an empty answer and to compare names.
func visible(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s))
}

// --- step 1: goal ---

func viewGoal(c *wctx) (string, [][]Button) {
	keys := make([]string, 0, len(kpi.Goals)+1)
	var chosen []string
	for _, g := range kpi.Goals {
		keys = append(keys, string(g))
		if slices.Contains(c.w.Plan.Goals, g) {
			chosen = append(chosen, string(g))
		}
	}
	keys = append(keys, "own")
	if c.w.OwnGoal {
		chosen = append(chosen, "own")
	}
	rows := c.toggleRows(keys, func(k string) string {
		if k == "own" {
			return c.x.W.GoalOwn
		}
		return c.x.W.Goals[kpi.Goal(k)]
	}, chosen, 1)
	rows = append(rows, []Button{c.btn(c.x.W.Next, "n", "")})
	return c.x.W.GoalAsk, rows
}

func pressGoal(c *wctx, op, arg string) outcome {
	switch {
	case op == "t" && arg == "own":
		c.w.OwnGoal = !c.w.OwnGoal
		if !c.w.OwnGoal {
			c.w.Plan.GoalText = ""
		}
		return outcome{}
	case op == "t" && slices.Contains(kpi.Goals, kpi.Goal(arg)):
		g := kpi.Goal(arg)
		if i := slices.Index(c.w.Plan.Goals, g); i >= 0 {
			c.w.Plan.Goals = slices.Delete(c.w.Plan.Goals, i, i+1)
		} else {
			c.w.Plan.Goals = append(c.w.Plan.Goals, g)
		}
		c.w.Preset = false // the goal changed: suggest metrics anew
		return outcome{}
	case op == "n":
		if len(c.w.Plan.Goals) == 0 && !c.w.OwnGoal {
			return outcome{problem: c.x.W.GoalNone}
		}
		return outcome{next: true}
	}
	return outcome{problem: c.x.StaleButton}
}

func answerGoalText(c *wctx, s string) outcome {
	return c.textAnswer(s, func(v string) { c.w.Plan.GoalText = v })
}

func answerBizTarget(c *wctx, s string) outcome {
	return c.textAnswer(s, func(v string) { c.w.Plan.BusinessTarget = v })
}

// --- step 2: audience ---

func agesOf(c *wctx) (*[]string, []string)      { return &c.w.Plan.Audience.Ages, kpi.AgeBands }
func platformsOf(c *wctx) (*[]string, []string) { return &c.w.Plan.Audience.Platforms, kpi.Platforms }
func activeOf(c *wctx) (*[]string, []string)    { return &c.w.Plan.Audience.Active, kpi.DayParts }

func viewMulti(ask func(*wtexts) string, field func(*wctx) (*[]string, []string), labels func(*wtexts) map[string]string) func(c *wctx) (string, [][]Button) {
	return func(c *wctx) (string, [][]Button) {
		chosen, keys := field(c)
		label := func(k string) string { return k }
		if labels != nil {
			m := labels(&c.x.W)
			label = func(k string) string { return m[k] }
		}
		rows := c.toggleRows(keys, label, *chosen, 3)
		rows = append(rows, []Button{c.btn(c.x.W.Next, "n", "")})
		return ask(&c.x.W), rows
	}
}

func pressMulti(field func(*wctx) (*[]string, []string)) func(c *wctx, op, arg string) outcome {
	return func(c *wctx, op, arg string) outcome {
		chosen, keys := field(c)
		switch {
		case op == "t" && slices.Contains(keys, arg):
			*chosen = toggle(*chosen, arg)
			return outcome{}
		case op == "n":
			return outcome{next: true}
		}
		return outcome{problem: c.x.StaleButton}
	}
}

func answerInterests(c *wctx, s string) outcome {
	return c.textAnswer(s, func(v string) { c.w.Plan.Audience.Interests = v })
}

// --- step 3: metrics ---

func (c *wctx) chosenMetrics() []string {
	keys := make([]string, 0, len(c.w.Plan.KPIs))
	for _, k := range c.w.Plan.KPIs {
		keys = append(keys, k.Metric)
	}
	return keys
}

func viewMetrics(c *wctx) (string, [][]Button) {
	p := &c.w.Plan
	if !c.w.Preset {
		c.w.Preset = true
		if len(p.Goals) > 0 {
			var kpis []kpi.KPI
			for _, key := range kpi.SuggestedMetrics(p.Goals) {
				if k, ok := p.KPI(key); ok {
					kpis = append(kpis, k)
				} else {
					kpis = append(kpis, kpi.KPI{Metric: key})
				}
			}
			p.KPIs = kpis
		}
	}
	keys := make([]string, 0, len(kpi.Catalog)+len(p.Custom))
	for _, m := range kpi.Catalog {
		keys = append(keys, m.Key)
	}
	for _, m := range p.Custom {
		keys = append(keys, m.Key)
	}
	rows := c.toggleRows(keys, func(k string) string {
		m, _ := p.Metric(k)
		return m.Title(c.ws.Lang)
	}, c.chosenMetrics(), 2)
	rows = append(rows, []Button{c.btn(c.x.W.CustomAdd, "cm", ""), c.btn(c.x.W.Next, "n", "")})

	body := c.x.W.MetricsAsk
	if n := len(p.KPIs); n > kpi.MaxKPIs {
		body += "\n\n" + fmt.Sprintf(c.x.W.MetricsMany, n)
	}
	var off []string
	for _, k := range p.KPIs {
		if m, ok := p.Metric(k.Metric); ok && !kpi.FitsGoals(m, p.Goals) {
			off = append(off, m.Title(c.ws.Lang))
		}
	}
	if len(off) > 0 {
		body += "\n\n" + fmt.Sprintf(c.x.W.MetricOffGoal, html.EscapeString(strings.Join(off, ", ")))
	}
	return body, rows
}

func pressMetrics(c *wctx, op, arg string) outcome {
	p := &c.w.Plan
	switch op {
	case "t":
		if _, ok := p.Metric(arg); !ok {
			return outcome{problem: c.x.StaleButton}
		}
		if i := slices.IndexFunc(p.KPIs, func(k kpi.KPI) bool { return k.Metric == arg }); i >= 0 {
			p.KPIs = slices.Delete(p.KPIs, i, i+1)
		} else {
			p.KPIs = append(p.KPIs, kpi.KPI{Metric: arg})
		}
		c.sortKPIs()
		return outcome{}
	case "cm":
		c.w.Custom = kpi.Metric{}
		return outcome{jump: "custom_name"}
	case "n":
		if len(p.KPIs) == 0 {
			return outcome{problem: c.x.W.MetricsNone}
		}
		return outcome{next: true}
	}
	return outcome{problem: c.x.StaleButton}
}

// sortKPIs keeps the KPIs in catalogue order, custom metrics last.
func (c *wctx) sortKPIs() {
	rank := func(key string) int {
		if i := slices.IndexFunc(kpi.Catalog, func(m kpi.Metric) bool { return m.Key == key }); i >= 0 {
			return i
		}
		return len(kpi.Catalog) + slices.IndexFunc(c.w.Plan.Custom, func(m kpi.Metric) bool { return m.Key == key })
	}
	slices.SortStableFunc(c.w.Plan.KPIs, func(a, b kpi.KPI) int { return rank(a.Metric) - rank(b.Metric) })
}

func answerCustomName(c *wctx, s string) outcome {
	n := utf8.RuneCountInString(s)
	if hasControl(s) {
		return outcome{problem: c.x.W.TextBad}
	}
	if n == 0 || n > kpi.MaxCustomName || strings.ContainsAny(s, "\n\r\t") || visible(s) == "" {
		return outcome{problem: fmt.Sprintf(c.x.W.CustomNameBad, kpi.MaxCustomName)}
	}
	// Quick entry must read the new name as this metric: no other metric's
	// key, alias or title, as typed (case, "ё", spacing aside).
	if kpi.NameTaken(visible(s), c.w.Plan.Custom) {
		return outcome{problem: c.x.W.CustomNameDup}
	}
	c.w.Custom = kpi.Metric{Key: "c" + strconv.Itoa(len(c.w.Plan.Custom)+1), Name: s, Custom: true,
		Unit: kpi.UnitCount, Better: kpi.HigherBetter, Agg: kpi.AggSum}
	return outcome{next: true}
}

var customUnits = []kpi.Unit{kpi.UnitPeople, kpi.UnitCount, kpi.UnitPercent, kpi.UnitMinutes, kpi.UnitRubles}

func viewCustomUnit(c *wctx) (string, [][]Button) {
	keys := make([]string, len(customUnits))
	for i := range customUnits {
		keys[i] = strconv.Itoa(i)
	}
	return c.x.W.CustomUnitAsk, c.choiceRows(keys, func(k string) string {
		i, _ := strconv.Atoi(k)
		return c.x.W.Units[customUnits[i]]
	}, "", 3)
}

func pressCustomUnit(c *wctx, op, arg string) outcome {
	i, err := strconv.Atoi(arg)
	if op != "c" || err != nil || i < 0 || i >= len(customUnits) {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Custom.Unit = customUnits[i]
	return outcome{next: true}
}

func answerCustomUnit(c *wctx, s string) outcome {
	if n := utf8.RuneCountInString(s); n == 0 || n > 12 {
		return outcome{problem: fmt.Sprintf(c.x.W.TooLong, 12)}
	}
	if hasControl(s) || visible(s) == "" {
		return outcome{problem: c.x.W.TextBad}
	}
	c.w.Custom.Unit = kpi.Unit(s)
	return outcome{next: true}
}

func viewCustomDir(c *wctx) (string, [][]Button) {
	keys := []string{string(kpi.HigherBetter), string(kpi.LowerBetter)}
	return c.x.W.CustomDirAsk, c.choiceRows(keys, func(k string) string { return c.x.W.Directions[kpi.Direction(k)] }, "", 1)
}

func pressCustomDir(c *wctx, op, arg string) outcome {
	d := kpi.Direction(arg)
	if op != "c" || !d.Valid() {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Custom.Better = d
	return outcome{next: true}
}

func viewCustomAgg(c *wctx) (string, [][]Button) {
	keys := []string{string(kpi.AggSum), string(kpi.AggMean), string(kpi.AggLast)}
	return c.x.W.CustomAggAsk, c.choiceRows(keys, func(k string) string { return c.x.W.Aggs[kpi.Aggregation(k)] }, "", 1)
}

func pressCustomAgg(c *wctx, op, arg string) outcome {
	a := kpi.Aggregation(arg)
	if op != "c" || !a.Valid() || c.w.Custom.Name == "" {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Custom.Agg = a
	p := &c.w.Plan
	if i := slices.IndexFunc(p.Custom, func(m kpi.Metric) bool { return m.Key == c.w.Custom.Key }); i >= 0 {
		p.Custom[i] = c.w.Custom // Back and forth: the same metric, not a second one
	} else {
		p.Custom = append(p.Custom, c.w.Custom)
	}
	if _, ok := p.KPI(c.w.Custom.Key); !ok {
		p.KPIs = append(p.KPIs, kpi.KPI{Metric: c.w.Custom.Key})
	}
	c.sortKPIs()
	return outcome{next: true}
}

// --- step 4: SMART targets, one round per KPI ---

func (c *wctx) kpi() (*kpi.KPI, kpi.Metric) {
	k := &c.w.Plan.KPIs[c.w.K]
	m, _ := c.w.Plan.Metric(k.Metric)
	return k, m
}

func (c *wctx) check(i int) (kpi.TargetCheck, error) {
	k := c.w.Plan.KPIs[i]
	m, _ := c.w.Plan.Metric(k.Metric)
	return kpi.CheckTarget(m, k.Baseline, k.Target, c.today, k.Deadline)
}

// value formats a metric's value with its unit.
func (c *wctx) value(m kpi.Metric, v float64) string { return formatValue(m, v, c.ws.Lang) }

func viewBaseline(c *wctx) (string, [][]Button) {
	k, m := c.kpi()
	body := fmt.Sprintf(c.x.W.BaselineAsk, html.EscapeString(m.Title(c.ws.Lang)), c.x.W.BaselineHint[m.Agg])
	var rows [][]Button
	if k.Target != 0 || k.Baseline != 0 {
		rows = append(rows, []Button{c.btn(fmt.Sprintf(c.x.W.Keep, c.value(m, k.Baseline)), "k", "")})
	}
	return body, rows
}

// pressKeep keeps the value a KPI already has (a second run of the wizard).
func pressKeep(c *wctx, op, _ string) outcome {
	if op != "k" {
		return outcome{problem: c.x.StaleButton}
	}
	return outcome{next: true}
}

// number parses a typed value for metric m, or says what is wrong.
func (c *wctx) number(m kpi.Metric, s string) (float64, string) {
	v, _, err := kpi.ParseNumber(s, c.ws.Lang)
	switch {
	case errors.Is(err, kpi.ErrAmbiguous):
		return 0, c.x.W.NumberAmbig
	case err != nil:
		return 0, c.x.W.NumberBad
	case v < 0:
		return 0, c.x.W.Negative
	}
	if err := kpi.CheckValue(m, v); err != nil {
		if m.Percent() {
			return 0, c.x.W.PercentRange
		}
		return 0, c.x.W.NumberBad
	}
	return v, ""
}

func answerBaseline(c *wctx, s string) outcome {
	k, m := c.kpi()
	v, problem := c.number(m, s)
	if problem != "" {
		return outcome{problem: problem}
	}
	k.Baseline = v
	return outcome{next: true}
}

// deadlines are the preset deadlines: the end of this month and quarter,
// or of the next ones when those are less than two weeks away.
func (c *wctx) deadlines() (month, quarter kpi.Date) {
	month = kpi.EndOfMonth(c.today)
	if month.Before(c.today.AddDays(14)) {
		month = kpi.EndOfMonth(month.AddDays(1))
	}
	quarter = kpi.EndOfQuarter(c.today)
	if quarter.Before(c.today.AddDays(14)) {
		quarter = kpi.EndOfQuarter(quarter.AddDays(1))
	}
	return month, quarter
}

func viewDeadline(c *wctx) (string, [][]Button) {
	k, m := c.kpi()
	month, quarter := c.deadlines()
	l := c.ws.Lang
	rows := [][]Button{
		{c.btn(fmt.Sprintf(c.x.W.EndOfMonth, kpi.FormatDate(month, l)), "c", "m")},
		{c.btn(fmt.Sprintf(c.x.W.EndOfQuarter, kpi.FormatDate(quarter, l)), "c", "q")},
	}
	if c.today.Before(k.Deadline) && k.Deadline != month && k.Deadline != quarter {
		rows = append(rows, []Button{c.btn(fmt.Sprintf(c.x.W.Keep, kpi.FormatDate(k.Deadline, l)), "k", "")})
	}
	return fmt.Sprintf(c.x.W.DeadlineAsk, html.EscapeString(m.Title(l))), rows
}

func pressDeadline(c *wctx, op, arg string) outcome {
	k, _ := c.kpi()
	month, quarter := c.deadlines()
	switch {
	case op == "c" && arg == "m":
		k.Deadline = month
	case op == "c" && arg == "q":
		k.Deadline = quarter
	case op == "k" && c.today.Before(k.Deadline):
	default:
		return outcome{problem: c.x.StaleButton}
	}
	return outcome{next: true}
}

func answerDeadline(c *wctx, s string) outcome {
	k, _ := c.kpi()
	d, err := kpi.ParseDate(s, c.today, c.ws.Lang)
	if err != nil {
		return outcome{problem: c.x.W.DateBad}
	}
	if !c.today.Before(d) {
		return outcome{problem: c.x.W.DatePast}
	}
	k.Deadline = d
	return outcome{next: true}
}

// suggestion is the realistic target for the current KPI, 0 when none.
func (c *wctx) suggestion() float64 {
	k, m := c.kpi()
	probe := k.Baseline * 2
	if m.Better == kpi.LowerBetter {
		probe = k.Baseline / 2
	}
	chk, err := kpi.CheckTarget(m, k.Baseline, probe, c.today, k.Deadline)
	if err != nil {
		return 0
	}
	return chk.Suggested
}

func viewTarget(c *wctx) (string, [][]Button) {
	k, m := c.kpi()
	body := fmt.Sprintf(c.x.W.TargetAsk, html.EscapeString(m.Title(c.ws.Lang)), c.value(m, k.Baseline))
	var rows [][]Button
	if s := c.suggestion(); s != 0 {
		rows = append(rows, []Button{c.btn(fmt.Sprintf(c.x.W.TargetTake, c.value(m, s)), "sg", "")})
	}
	if _, err := c.check(c.w.K); err == nil && k.Target != 0 {
		rows = append(rows, []Button{c.btn(fmt.Sprintf(c.x.W.Keep, c.value(m, k.Target)), "k", "")})
	}
	return body, rows
}

func pressTarget(c *wctx, op, _ string) outcome {
	k, _ := c.kpi()
	switch op {
	case "sg":
		s := c.suggestion()
		if s == 0 {
			return outcome{problem: c.x.StaleButton}
		}
		k.Target = s
	case "k":
		if _, err := c.check(c.w.K); err != nil {
			return outcome{problem: c.x.StaleButton}
		}
	default:
		return outcome{problem: c.x.StaleButton}
	}
	return c.targetSet()
}

func answerTarget(c *wctx, s string) outcome {
	k, m := c.kpi()
	v, problem := c.number(m, s)
	if problem != "" {
		return outcome{problem: problem}
	}
	old := k.Target
	k.Target = v
	if _, err := c.check(c.w.K); errors.Is(err, kpi.ErrDirection) {
		k.Target = old
		if m.Better == kpi.LowerBetter {
			return outcome{problem: fmt.Sprintf(c.x.W.DirectionLower, c.value(m, k.Baseline))}
		}
		return outcome{problem: fmt.Sprintf(c.x.W.DirectionBad, c.value(m, k.Baseline))}
	} else if err != nil {
		k.Target = old
		return outcome{problem: c.problem(err)}
	}
	return c.targetSet()
}

// targetSet notes the SMART verdict of a realistic target above the next
// question; an unrealistic one goes to the "smart" question.
func (c *wctx) targetSet() outcome {
	chk, err := c.check(c.w.K)
	if err != nil {
		return outcome{problem: c.problem(err)}
	}
	if chk.Realistic {
		_, m := c.kpi()
		c.w.Flash = fmt.Sprintf(c.x.W.SmartOK, html.EscapeString(m.Title(c.ws.Lang)), c.pace(m, chk), c.weeks(chk.Weeks))
	}
	return outcome{next: true}
}

// pace is the weekly change a target implies, as a person reads it.
func (c *wctx) pace(m kpi.Metric, chk kpi.TargetCheck) string {
	switch {
	case m.Percent(): // percentage points: "+0,2 п. п."
		return signed(kpi.FormatNumber(abs(chk.WeeklyChange), c.ws.Lang)+c.x.W.Points, chk.WeeklyChange)
	case chk.WeeklyGrowth != 0: // "+2 %" rather than "+1,98 %": a pace, not a measurement
		return signed(kpi.FormatPercent(math.Round(abs(chk.WeeklyGrowth)*1000)/10, c.ws.Lang), chk.WeeklyGrowth)
	}
	return signed(c.value(m, abs(chk.WeeklyChange)), chk.WeeklyChange)
}

func (c *wctx) weeks(w float64) string {
	n := int(w + 0.5)
	x := c.x.W.Weeks
	return strconv.Itoa(n) + " " + kpi.Plural(c.ws.Lang, n, x[0], x[1], x[2])
}

func signed(s string, v float64) string {
	if v < 0 {
		if strings.HasPrefix(s, "−") || strings.HasPrefix(s, "-") {
			return s
		}
		return "−" + s
	}
	return "+" + s
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func viewSmart(c *wctx) (string, [][]Button) {
	_, m := c.kpi()
	chk, _ := c.check(c.w.K)
	body := fmt.Sprintf(c.x.W.SmartFast, html.EscapeString(m.Title(c.ws.Lang)), c.pace(m, chk))
	rows := [][]Button{{c.btn(c.x.W.SmartKeep, "k", "")}}
	if s := c.suggestion(); s != 0 {
		rows = append(rows, []Button{c.btn(fmt.Sprintf(c.x.W.SmartTake, c.value(m, s)), "sg", "")})
	}
	rows = append(rows, []Button{c.btn(c.x.W.SmartRetype, "r", "")})
	return body, rows
}

func pressSmart(c *wctx, op, _ string) outcome {
	k, _ := c.kpi()
	switch op {
	case "k":
		return outcome{next: true}
	case "sg":
		if s := c.suggestion(); s != 0 {
			k.Target = s
			return outcome{next: true}
		}
	case "r":
		return outcome{jump: "target"}
	}
	return outcome{problem: c.x.StaleButton}
}

// --- step 5: tracking and schedule ---

func viewTracking(c *wctx) (string, [][]Button) {
	var rows [][]Button
	for i, k := range c.w.Plan.KPIs {
		m, _ := c.w.Plan.Metric(k.Metric)
		src, frq := orFirst(k.Source, kpi.Sources), orFirst(k.Frequency, []string{"weekly"})
		rows = append(rows, []Button{
			c.btn(m.Title(c.ws.Lang)+": "+c.x.W.Sources[src], "src", strconv.Itoa(i)),
			c.btn(c.x.W.Freqs[frq], "frq", strconv.Itoa(i)),
		})
	}
	rows = append(rows, []Button{c.btn(c.x.W.Next, "n", "")})
	return c.x.W.TrackingAsk, rows
}

func orFirst(v string, list []string) string {
	if v == "" {
		return list[0]
	}
	return v
}

// cycle returns the value after v in list, wrapping around.
func cycle(v string, list []string) string {
	i := slices.Index(list, v)
	return list[(i+1)%len(list)]
}

func pressTracking(c *wctx, op, arg string) outcome {
	if op == "n" {
		for i := range c.w.Plan.KPIs {
			k := &c.w.Plan.KPIs[i]
			k.Source, k.Frequency = orFirst(k.Source, kpi.Sources), orFirst(k.Frequency, []string{"weekly"})
		}
		return outcome{next: true}
	}
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(c.w.Plan.KPIs) {
		return outcome{problem: c.x.StaleButton}
	}
	k := &c.w.Plan.KPIs[i]
	switch op {
	case "src":
		k.Source = cycle(orFirst(k.Source, kpi.Sources), kpi.Sources)
	case "frq":
		k.Frequency = cycle(orFirst(k.Frequency, []string{"weekly"}), kpi.Frequencies)
	default:
		return outcome{problem: c.x.StaleButton}
	}
	return outcome{}
}

var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func viewReportDay(c *wctx) (string, [][]Button) {
	keys := make([]string, len(weekOrder))
	for i, d := range weekOrder {
		keys[i] = strconv.Itoa(int(d))
	}
	return c.x.W.ReportDayAsk, c.choiceRows(keys, func(k string) string {
		d, _ := strconv.Atoi(k)
		return c.x.W.Weekdays[time.Weekday(d)]
	}, strconv.Itoa(int(c.w.Settings.ReportDay)), 4)
}

func pressReportDay(c *wctx, op, arg string) outcome {
	d, err := strconv.Atoi(arg)
	if op != "c" || err != nil || d < 0 || d > 6 {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Settings.ReportDay = time.Weekday(d)
	return outcome{next: true}
}

var reportTimes = []string{"0800", "0900", "1000", "1200", "1800", "2000"}

func viewReportTime(c *wctx) (string, [][]Button) {
	cur := fmt.Sprintf("%02d%02d", c.w.Settings.ReportHour, c.w.Settings.ReportMinute)
	return c.x.W.ReportTimeAsk, c.choiceRows(reportTimes, func(k string) string { return k[:2] + ":" + k[2:] }, cur, 3)
}

func pressReportTime(c *wctx, op, arg string) outcome {
	if op != "c" || !slices.Contains(reportTimes, arg) {
		return outcome{problem: c.x.StaleButton}
	}
	h, _ := strconv.Atoi(arg[:2])
	m, _ := strconv.Atoi(arg[2:])
	c.w.Settings.ReportHour, c.w.Settings.ReportMinute = h, m
	return outcome{next: true}
}

// parseClock reads "9", "9:30", "09.30", "18:00".
func parseClock(s string) (h, m int, ok bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ".", ":"))
	hs, ms, hasMin := strings.Cut(s, ":")
	digits := func(x string) bool { return x != "" && strings.Trim(x, "0123456789") == "" }
	if !digits(hs) || hasMin && !digits(ms) {
		return 0, 0, false // "+9", "9:+5"
	}
	h, err := strconv.Atoi(hs)
	if err != nil || len(hs) > 2 || h < 0 || h > 23 {
		return 0, 0, false
	}
	if hasMin {
		m, err = strconv.Atoi(ms)
		if err != nil || len(ms) != 2 || m < 0 || m > 59 {
			return 0, 0, false
		}
	}
	return h, m, true
}

func answerReportTime(c *wctx, s string) outcome {
	h, m, ok := parseClock(s)
	if !ok {
		return outcome{problem: c.x.W.TimeBad}
	}
	c.w.Settings.ReportHour, c.w.Settings.ReportMinute = h, m
	return outcome{next: true}
}

// zoneChoices are the time zones offered as buttons.
var zoneChoices = []string{"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Vladivostok"}

var zoneNames = map[kpi.Lang]map[string]string{
	kpi.Russian: {"Europe/Kaliningrad": "Калининград", "Europe/Moscow": "Москва", "Europe/Samara": "Самара",
		"Asia/Yekaterinburg": "Екатеринбург", "Asia/Novosibirsk": "Новосибирск", "Asia/Krasnoyarsk": "Красноярск",
		"Asia/Irkutsk": "Иркутск", "Asia/Vladivostok": "Владивосток"},
	kpi.English: {"Europe/Kaliningrad": "Kaliningrad", "Europe/Moscow": "Moscow", "Europe/Samara": "Samara",
		"Asia/Yekaterinburg": "Yekaterinburg", "Asia/Novosibirsk": "Novosibirsk", "Asia/Krasnoyarsk": "Krasnoyarsk",
		"Asia/Irkutsk": "Irkutsk", "Asia/Vladivostok": "Vladivostok"},
}

func viewTimezone(c *wctx) (string, [][]Button) {
	keys := make([]string, len(zoneChoices))
	cur := ""
	for i, z := range zoneChoices {
		keys[i] = strconv.Itoa(i)
		if z == c.w.TZ {
			cur = keys[i]
		}
	}
	rows := c.choiceRows(keys, func(k string) string {
		i, _ := strconv.Atoi(k)
		return zoneNames[c.ws.Lang][zoneChoices[i]]
	}, cur, 2)
	label := zoneLabel(c.w.TZ, c.ws.Lang)
	if cur == "" { // a zone of its own: keep it with one tap
		rows = append(rows, []Button{c.btn("✓ "+label, "k", "")})
	}
	return fmt.Sprintf(c.x.W.TimezoneAsk, html.EscapeString(label)), rows
}

func pressTimezone(c *wctx, op, arg string) outcome {
	if op == "k" {
		return outcome{next: true}
	}
	i, err := strconv.Atoi(arg)
	if op != "c" || err != nil || i < 0 || i >= len(zoneChoices) {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.TZ = zoneChoices[i]
	return outcome{next: true}
}

func answerTimezone(c *wctx, s string) outcome {
	z, err := kpi.ParseTimezone(s)
	if err != nil {
		return outcome{problem: c.x.W.TimezoneBad}
	}
	c.w.TZ = z
	return outcome{next: true}
}

// --- step 6: analysis ---

func viewReview(c *wctx) (string, [][]Button) {
	return c.x.W.ReviewAsk, c.choiceRows(kpi.Reviews, func(k string) string { return c.x.W.Reviews[k] }, c.w.Plan.Review, 1)
}

func pressReview(c *wctx, op, arg string) outcome {
	if op != "c" || !slices.Contains(kpi.Reviews, arg) {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Plan.Review = arg
	return outcome{next: true}
}

func viewAlert(c *wctx) (string, [][]Button) {
	keys := make([]string, len(kpi.AlertThresholds))
	for i, a := range kpi.AlertThresholds {
		keys[i] = strconv.Itoa(a)
	}
	return c.x.W.AlertAsk, c.choiceRows(keys, func(k string) string {
		n, _ := strconv.Atoi(k)
		return fmt.Sprintf(c.x.W.AlertOption, n)
	}, strconv.Itoa(c.w.Plan.AlertPct), 3)
}

func pressAlert(c *wctx, op, arg string) outcome {
	n, err := strconv.Atoi(arg)
	if op != "c" || err != nil || !slices.Contains(kpi.AlertThresholds, n) {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Plan.AlertPct = n
	return outcome{next: true}
}

// --- step 7: reporting ---

func viewDest(c *wctx) (string, [][]Button) {
	s := c.w.Settings
	cur := "here"
	if s.ReportThread != 0 && s.ReportChat == 0 {
		cur = "topic"
	}
	keys := []string{"here"}
	labels := map[string]string{"here": c.x.W.DestHere, "topic": c.x.W.DestTopic}
	if c.in.ThreadID != 0 && c.in.ChatType == kpi.ChatSupergroup {
		keys = append(keys, "topic")
	}
	c.w.DestGroups = nil
	// Other groups are offered only in a private chat: in a group, every
	// member would see the titles of the admin's other groups.
	if groups, err := c.e.Store.UserGroups(c.ctx, c.in.UserID); err == nil && c.in.ChatType == kpi.ChatPrivate {
		for _, g := range groups {
			if g == c.in.ChatID || len(c.w.DestGroups) >= 8 {
				continue
			}
			ws, err := c.e.Store.Workspace(c.ctx, g)
			if err != nil || !ws.Active || !ws.Type.IsGroup() {
				continue
			}
			key := "g" + strconv.Itoa(len(c.w.DestGroups))
			c.w.DestGroups = append(c.w.DestGroups, g)
			keys = append(keys, key)
			labels[key] = "→ " + ws.Title
			if s.ReportChat == g {
				cur = key
			}
		}
	}
	return c.x.W.DestAsk, c.choiceRows(keys, func(k string) string { return labels[k] }, cur, 1)
}

func pressDest(c *wctx, op, arg string) outcome {
	s := &c.w.Settings
	switch {
	case op == "c" && arg == "here":
		s.ReportChat, s.ReportThread = 0, 0
	case op == "c" && arg == "topic" && c.in.ThreadID != 0:
		s.ReportChat, s.ReportThread = 0, c.in.ThreadID
	case op == "c" && strings.HasPrefix(arg, "g"):
		i, err := strconv.Atoi(arg[1:])
		if err != nil || i < 0 || i >= len(c.w.DestGroups) {
			return outcome{problem: c.x.StaleButton}
		}
		g := c.w.DestGroups[i]
		if ok, err := c.e.Admins.IsAdmin(c.ctx, g, c.in.UserID); err != nil || !ok {
			return outcome{problem: c.x.W.DestGroupBad}
		}
		s.ReportChat, s.ReportThread = g, 0
	default:
		return outcome{problem: c.x.StaleButton}
	}
	return outcome{next: true}
}

func viewReminders(c *wctx) (string, [][]Button) {
	cur := "off"
	if c.w.Settings.Reminders {
		cur = "on"
	}
	return c.x.W.RemindersAsk, c.choiceRows([]string{"on", "off"}, func(k string) string {
		if k == "on" {
			return c.x.W.On
		}
		return c.x.W.Off
	}, cur, 2)
}

func pressReminders(c *wctx, op, arg string) outcome {
	if op != "c" || (arg != "on" && arg != "off") {
		return outcome{problem: c.x.StaleButton}
	}
	c.w.Settings.Reminders = arg == "on"
	return outcome{next: true}
}

func viewConfirm(c *wctx) (string, [][]Button) {
	ws := c.ws
	ws.Settings, ws.Timezone = c.w.Settings, c.w.TZ
	p := c.w.Plan
	card := c.e.planText(ws, p, nil, nil)
	return c.x.W.Summary + "\n\n" + card, [][]Button{{c.btn(c.x.W.Confirm, "ok", "")}}
}

func pressConfirm(c *wctx, op, _ string) outcome {
	if op != "ok" {
		return outcome{problem: c.x.StaleButton}
	}
	return outcome{commit: true}
}
