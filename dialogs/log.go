package dialogs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// historyWeeks is how far back /log reads a KPI's entries to show its
// progress and status (the forecast looks at the last six weeks).
const historyWeeks = 8

// logDialog is a member's open "/log by buttons" question: which KPI the
// next number is for, and the prompt it must answer in a group.
type logDialog struct {
	Metric string `json:"metric"`
	Prompt int    `json:"prompt,omitempty"`
}

// logCmd is /log: one line with values, or the KPI buttons without one.
func (e *Engine) logCmd(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	x := t(ws.Lang)
	plan, res, err := e.requirePlan(ctx, in, ws)
	if res != nil || err != nil {
		return *res, err
	}
	if strings.TrimSpace(in.Args) == "" {
		return e.logMenu(in, ws, plan), nil
	}
	today := e.today(ws.Timezone)
	metrics := planMetrics(plan)
	line, err := kpi.ParseLog(in.Args, append(metrics, kpi.RawCountsFor(plan)...), ws.Lang, today)
	if err != nil {
		return e.logProblem(in, ws, plan, err), nil
	}
	pairs, err := kpi.Derive(line.Pairs, func(m string) bool { _, ok := plan.KPI(m); return ok })
	if err != nil {
		return e.logProblem(in, ws, plan, err), nil
	}
	if line.Date.Before(plan.Start) {
		return e.logRefused(in, ws, fmt.Sprintf(x.L.BeforePlan, kpi.FormatDate(plan.Start, ws.Lang))), nil
	}
	for _, p := range pairs {
		m, _ := plan.Metric(p.Metric)
		if err := kpi.CheckValue(m, p.Value); err != nil {
			return e.logProblem(in, ws, plan, &kpi.LogError{Kind: kpi.KindOutOfRange, Metric: p.Metric}), nil
		}
	}
	return e.saveEntries(ctx, in, ws, plan, line.Date, pairs)
}

// requirePlan returns the chat's plan; without one, res is the answer
// that says how to make it.
func (e *Engine) requirePlan(ctx context.Context, in Input, ws kpi.Workspace) (kpi.Plan, *Result, error) {
	plan, ok, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return plan, &Result{}, err
	}
	if !ok {
		res := say(in, t(ws.Lang).L.NoPlan)
		return plan, &res, nil
	}
	return plan, nil, nil
}

// planMetrics returns the definitions of the plan's KPIs, in plan order.
func planMetrics(p kpi.Plan) []kpi.Metric {
	out := make([]kpi.Metric, 0, len(p.KPIs))
	for _, k := range p.KPIs {
		if m, ok := p.Metric(k.Metric); ok {
			out = append(out, m)
		}
	}
	return out
}

// logMenu offers the plan's KPIs as buttons.
func (e *Engine) logMenu(in Input, ws kpi.Workspace, plan kpi.Plan) Result {
	var rows [][]Button
	var row []Button
	for i, m := range planMetrics(plan) {
		row = append(row, Button{Text: m.Title(ws.Lang), Data: data("lg", strconv.Itoa(plan.Version), strconv.Itoa(i))})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	res := say(in, t(ws.Lang).L.Ask)
	res.Replies[0].Buttons = rows
	return res
}

// pressLog is a KPI button of the menu: "1:lg:<plan version>:<kpi index>".
// It asks for the number (with ForceReply in a group).
func (e *Engine) pressLog(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	x := t(ws.Lang)
	stale := Result{Notice: x.StaleButton}
	plan, ok, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	if len(args) != 2 || !ok || args[0] != strconv.Itoa(plan.Version) {
		return stale, nil
	}
	i, err := strconv.Atoi(args[1])
	if err != nil || i < 0 || i >= len(plan.KPIs) {
		return stale, nil
	}
	m, _ := plan.Metric(plan.KPIs[i].Metric)
	today := e.today(ws.Timezone)
	_, week := kpi.ISOWeek(today)
	example := "12 500"
	if m.Percent() {
		example = "4,2"
	}
	if ws.Lang == kpi.English {
		example = strings.NewReplacer(" ", ",", ",", ".").Replace(example)
	}
	prompt := Reply{Text: fmt.Sprintf(x.L.AskValue, html.EscapeString(m.Title(ws.Lang)), fmt.Sprintf(x.L.Week, week), example)}
	if in.ChatType.IsGroup() {
		prompt.ForceReply, prompt.Placeholder = true, example
		prompt.Text = fmt.Sprintf(x.W.ReplyHint, mention(in.UserID, in.UserName)) + "\n" + prompt.Text
	}
	// In a private chat the number typed next is for this KPI: a wizard
	// this person left open is paused (its answers kept), or it would take
	// the number. (In a group, answers go to their own prompts.)
	var before []Reply
	if in.ChatType != kpi.ChatPrivate {
	} else if res, paused, err := e.pauseWizard(ctx, in, ws); err != nil {
		return Result{}, err
	} else if paused {
		for _, r := range res.Replies {
			if r.Edit != 0 && r.KeepText {
				before = append(before, r)
			}
		}
	}
	d := logDialog{Metric: m.Key}
	chat, user := in.ChatID, in.UserID
	return Result{Replies: append(before, prompt), Sent: func(ctx context.Context, ids []int) error {
		if len(ids) > 0 {
			d.Prompt = ids[len(ids)-1]
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return e.Store.SaveDialog(ctx, chat, user, b)
	}}, nil
}

func mention(user int64, name string) string {
	return fmt.Sprintf(`<a href="tg://user?id=%d">%s</a>`, user, html.EscapeString(name))
}

// logText takes the number a member types after pressing a KPI button. ok
// is false when the member has no such question open (or, in a group, the
// text does not answer its prompt).
func (e *Engine) logText(ctx context.Context, in Input, ws kpi.Workspace) (Result, bool, error) {
	b, err := e.Store.Dialog(ctx, in.ChatID, in.UserID)
	if errors.Is(err, kpi.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, true, err
	}
	var d logDialog
	if err := json.Unmarshal(b, &d); err != nil || d.Metric == "" {
		return Result{}, false, nil
	}
	if in.ChatType.IsGroup() && (in.ReplyTo == 0 || in.ReplyTo != d.Prompt) {
		return Result{}, false, nil
	}
	plan, ok, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, true, err
	}
	m, known := plan.Metric(d.Metric)
	if _, inPlan := plan.KPI(d.Metric); !ok || !known || !inPlan {
		return Result{}, false, e.Store.DeleteDialog(ctx, in.ChatID, in.UserID)
	}
	v, _, err := kpi.ParseNumber(in.Text, ws.Lang)
	if err == nil {
		err = kpi.CheckValue(m, v)
		if err != nil {
			err = &kpi.LogError{Kind: kpi.KindOutOfRange, Metric: m.Key}
		}
	}
	if err != nil {
		if errors.Is(err, kpi.ErrAmbiguous) {
			err = &kpi.LogError{Kind: kpi.KindAmbiguous, Word: in.Text}
		} else if _, typed := err.(*kpi.LogError); !typed {
			err = &kpi.LogError{Kind: kpi.KindBadNumber, Word: in.Text}
		}
		return e.logProblem(in, ws, plan, err), true, nil // the question stays open
	}
	if err := e.Store.DeleteDialog(ctx, in.ChatID, in.UserID); err != nil {
		return Result{}, true, err
	}
	res, err := e.saveEntries(ctx, in, ws, plan, e.today(ws.Timezone), []kpi.Pair{{Metric: m.Key, Value: v}})
	return res, true, err
}

// saveEntries stores the values of one message and answers with one line a
// value (its week, % of target) and an Undo button; an entry that moves a
// KPI into "at risk" adds an alert (once a KPI a week).
func (e *Engine) saveEntries(ctx context.Context, in Input, ws kpi.Workspace, plan kpi.Plan, date kpi.Date, pairs []kpi.Pair) (Result, error) {
	x, l := t(ws.Lang), ws.Lang
	now := e.now()
	batch := newBatchID(now)
	entries := make([]kpi.Entry, len(pairs))
	for i, p := range pairs {
		entries[i] = kpi.Entry{ID: batch + "." + strconv.Itoa(i), Metric: p.Metric, Value: p.Value, Date: date,
			By: in.UserID, ByName: in.UserName, At: now.UTC()}
	}
	today := e.today(ws.Timezone)
	from := kpi.WeekOf(today).Start.AddDays(-7 * historyWeeks)
	_, history, err := e.Store.AddEntries(ctx, in.ChatID, entries, from, today)
	if err != nil {
		return Result{}, fmt.Errorf("dialogs: log: %w", err)
	}
	var lines, alerts []string
	for _, en := range entries {
		k, _ := plan.KPI(en.Metric)
		m, _ := plan.Metric(en.Metric)
		_, week := kpi.ISOWeek(en.Date)
		period := fmt.Sprintf(x.L.Week, week)
		after := kpi.Evaluate(k, m, history[en.Metric], plan.Start, today, plan.AlertPct)
		value := formatValue(m, en.Value, l)
		if wv, ok := kpi.Aggregate(m.Agg, inWeek(history[en.Metric], en.Date)); ok && m.Agg != kpi.AggLast {
			value = formatValue(m, wv, l) // the week so far, as the report will count it
		}
		if k.Target != 0 {
			pct := math.Round(weekPct(k, m, history[en.Metric], en.Date))
			lines = append(lines, fmt.Sprintf(x.L.Saved, html.EscapeString(m.Title(l)), value, period, kpi.FormatPercent(pct, l)))
		} else {
			lines = append(lines, fmt.Sprintf(x.L.SavedNoTarget, html.EscapeString(m.Title(l)), value, period))
		}
		before := kpi.Evaluate(k, m, without(history[en.Metric], entries), plan.Start, today, plan.AlertPct)
		if after.Status == kpi.StatusAtRisk && before.Status != kpi.StatusAtRisk {
			y, w := kpi.ISOWeek(today)
			first, err := e.Store.ClaimAlert(ctx, in.ChatID, en.Metric, fmt.Sprintf("%d-W%02d", y, w))
			if err != nil {
				return Result{}, fmt.Errorf("dialogs: log alert: %w", err)
			}
			if first {
				alerts = append(alerts, fmt.Sprintf(x.L.Alert, html.EscapeString(m.Title(l)), formatValue(m, after.Latest.Value, l),
					formatValue(m, approx(after.Pace), l), int(after.BehindPct+0.5)))
			}
		}
	}
	res := say(in, strings.Join(lines, "\n"))
	res.Replies[0].Buttons = [][]Button{{{Text: x.L.Undo, Data: data("un", batch)}}}
	for _, a := range alerts {
		res.Replies = append(res.Replies, Reply{Text: a})
	}
	return res, nil
}

// approx rounds a computed value (a pace, a forecast) to what a person
// would say: three significant digits from 1 000 up (14 237 -> 14 200),
// whole numbers from 10, one decimal below.
func approx(v float64) float64 {
	switch a := math.Abs(v); {
	case a >= 1000:
		p := math.Pow(10, math.Floor(math.Log10(a))-2)
		return math.Round(v/p) * p
	case a >= 10:
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}

// inWeek keeps the entries of the ISO week of d.
func inWeek(es []kpi.Entry, d kpi.Date) []kpi.Entry {
	w := kpi.WeekOf(d)
	var out []kpi.Entry
	for _, e := range es {
		if w.Contains(e.Date) {
			out = append(out, e)
		}
	}
	return out
}

// weekPct is the week's value of a KPI as a percentage of its target.
func weekPct(k kpi.KPI, m kpi.Metric, es []kpi.Entry, d kpi.Date) float64 {
	v, ok := kpi.Aggregate(m.Agg, inWeek(es, d))
	if !ok || k.Target == 0 {
		return 0
	}
	if m.Better == kpi.LowerBetter {
		if v == 0 {
			return 999
		}
		return min(k.Target/v*100, 999)
	}
	return v / k.Target * 100
}

// without drops the entries of added from es.
func without(es, added []kpi.Entry) []kpi.Entry {
	var out []kpi.Entry
	for _, e := range es {
		fresh := false
		for _, a := range added {
			fresh = fresh || a.ID == e.ID
		}
		if !fresh {
			out = append(out, e)
		}
	}
	return out
}

// logProblem is the one-line answer to a /log line that could not be
// taken, with a button to log by buttons instead. Nothing is saved.
func (e *Engine) logProblem(in Input, ws kpi.Workspace, plan kpi.Plan, err error) Result {
	x, l := t(ws.Lang), ws.Lang
	var le *kpi.LogError
	msg := x.L.BadNumber
	switch {
	case errors.Is(err, kpi.ErrNeedsBase):
		msg = x.L.NeedsBase
	case errors.Is(err, kpi.ErrDerivedTwice):
		msg = x.L.DerivedTwice
	case errors.Is(err, kpi.ErrRange):
		msg = fmt.Sprintf(x.L.OutOfRange, "ER / CTR", x.L.RangePercent)
	case errors.As(err, &le):
		word := html.EscapeString(quoted(le.Word))
		name := quoted(le.Word)
		if m, ok := plan.Metric(le.Metric); ok {
			name = m.Title(l)
		}
		name = html.EscapeString(name)
		switch le.Kind {
		case kpi.KindEmpty:
			msg = fmt.Sprintf(x.L.Empty, "/log "+exampleLine(plan, l))
		case kpi.KindUnknownMetric:
			var names []string
			for _, m := range planMetrics(plan) {
				names = append(names, m.Title(l))
			}
			msg = fmt.Sprintf(x.L.UnknownMetric, word, html.EscapeString(strings.Join(names, ", ")))
		case kpi.KindNoValue:
			msg = fmt.Sprintf(x.L.NoValue, name)
		case kpi.KindAmbiguous:
			if le.Metric == "" { // a name two metrics of the plan share
				msg = fmt.Sprintf(x.L.AmbiguousName, word)
				break
			}
			a, b := readings(le.Word, l)
			msg = fmt.Sprintf(x.L.Ambiguous, word, a, b)
		case kpi.KindTwoDates:
			msg = x.L.TwoDates
		case kpi.KindRepeated:
			msg = fmt.Sprintf(x.L.Repeated, name)
		case kpi.KindFuture:
			msg = x.L.Future
		case kpi.KindOutOfRange:
			rng := x.L.RangeCount
			if m, ok := plan.Metric(le.Metric); ok && m.Percent() {
				rng = x.L.RangePercent
			}
			msg = fmt.Sprintf(x.L.OutOfRange, name, rng)
		case kpi.KindTooLong:
			msg = x.L.TooLong
		default:
			msg = fmt.Sprintf(x.L.BadNumber, word)
		}
	}
	return e.logRefused(in, ws, msg)
}

// maxQuoted is the most characters of a user's word an answer quotes.
const maxQuoted = 40

// quoted is a word a user typed as an answer shows it: control characters
// as U+FFFD, cut to maxQuoted characters, so that a 5000-character message
// gets an answer that fits in a Telegram message and reads right.
func quoted(word string) string {
	word = strings.Map(func(r rune) rune {
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, word)
	if r := []rune(word); len(r) > maxQuoted {
		return string(r[:maxQuoted-1]) + "…"
	}
	return word
}

func (e *Engine) logRefused(in Input, ws kpi.Workspace, msg string) Result {
	res := say(in, msg)
	res.Replies[0].Buttons = [][]Button{{{Text: t(ws.Lang).L.Retry, Data: data("lm")}}}
	return res
}

// pressLogMenu is the retry button: the KPI buttons.
func (e *Engine) pressLogMenu(ctx context.Context, in Input, ws kpi.Workspace, _ []string) (Result, error) {
	plan, ok, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{Notice: t(ws.Lang).L.NoPlan}, nil
	}
	return e.logMenu(in, ws, plan), nil
}

// exampleLine is a /log line for the plan's first KPI.
func exampleLine(p kpi.Plan, l kpi.Lang) string {
	if len(p.KPIs) == 0 {
		return "охват 12500"
	}
	m, _ := p.Metric(p.KPIs[0].Metric)
	if a := m.Aliases(); len(a) > 0 {
		if m.Percent() {
			return a[0] + " 4,2"
		}
		return a[0] + " 12500"
	}
	return m.Key + " 12500"
}

// readings are the two ways to read an ambiguous number like "12,500":
// as thousands and as a decimal.
func readings(word string, l kpi.Lang) (string, string) {
	digits := strings.NewReplacer(",", "", ".", "", " ", "", "\u00a0", "").Replace(word)
	dec := strings.Replace(strings.Replace(word, ".", ",", 1), ",", ".", 1)
	a, err1 := strconv.ParseFloat(digits, 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(dec), 64)
	if err1 != nil || err2 != nil {
		return word, word
	}
	return kpi.FormatNumber(a, l), kpi.FormatNumber(b, l)
}

// undoWindow is how long a member may undo their own entry with /undo.
const undoWindow = 48 * time.Hour

// newBatchID names the entries of one message: time-ordered, and unique
// even for two messages in the same millisecond.
func newBatchID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(now.UnixMilli(), 36) + hex.EncodeToString(b[:])
}
