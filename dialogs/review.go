package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/kpi/chart"
)

// QuarterlyReport renders the report of the quarter that holds yesterday
// (on the first day of a quarter: the one just closed): each KPI's start →
// end against its target over the whole quarter, the advice, and the KPI
// review prompt (keep, raise the reached targets, or adjust in step 4).
func (e *Engine) QuarterlyReport(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (Result, error) {
	x, l := t(ws.Lang), ws.Lang
	q := kpi.QuarterOf(today.AddDays(-1))
	end := q.End
	if today.Before(end) {
		end = today
	}
	weeks := kpi.Weeks(q.Start, end)
	d, err := e.reportData(ctx, ws, p, weeks, today)
	if err != nil {
		return Result{}, err
	}
	if !d.any {
		return Result{Replies: []Reply{{Text: fmt.Sprintf(x.R.NoEntries, "/log "+exampleLine(p, l))}}}, nil
	}
	title := fmt.Sprintf(x.R.QuarterTitle, (int(q.Start.Month)+2)/3, q.Start.Year)
	var panels []chart.QuarterPanel
	var lines []string
	for _, k := range p.KPIs {
		m, _ := p.Metric(k.Metric)
		qp, line := quarterPanel(x, l, k, m, d, d.prog[k.Metric])
		panels = append(panels, qp)
		lines = append(lines, line)
	}
	caption := "<b>" + html.EscapeString(title) + "</b>\n" + strings.Join(lines, "\n")
	advice := e.adviceText(x, l, p, d, today)
	legend := chartLegend(x)
	legend.Forecast = "" // a closed quarter has no forecast
	var out Result
	for i := 0; i < len(panels); i += 6 {
		group := panels[i:min(i+6, len(panels))]
		png, err := chart.Quarterly(chart.QuarterReport{Title: title, Legend: legend, Panels: group})
		if err != nil {
			return Result{}, fmt.Errorf("dialogs: quarterly chart: %w", err)
		}
		r := Reply{Photo: &File{Name: fmt.Sprintf("quarter-%d.png", i/6+1), Data: png}}
		if i == 0 {
			r.Text = fitCaption(caption)
		}
		out.Replies = append(out.Replies, r)
	}
	text := x.R.ReviewAsk
	if !today.Before(q.End.AddDays(1)) {
		text = x.R.Closed + " " + text
	}
	if len(advice) > 0 {
		text = "<b>" + x.R.AdviceHead + "</b>\n" + strings.Join(advice, "\n") + "\n\n" + text
	}
	out.Replies = append(out.Replies, Reply{Text: text, Buttons: [][]Button{
		{{Text: x.R.ReviewKeep, Data: data("rv", "k")}},
		{{Text: x.R.ReviewRaise, Data: data("rv", "r")}},
		{{Text: x.R.ReviewAdjust, Data: data("rv", "a")}},
	}})
	return out, nil
}

func quarterPanel(x *texts, l kpi.Lang, k kpi.KPI, m kpi.Metric, d reportData, pr kpi.Progress) (chart.QuarterPanel, string) {
	points := kpi.WeeklyValues(k, m, d.entries[k.Metric], d.weeks)
	qp := chart.QuarterPanel{Status: chartStatus(pr.Status), Target: k.Target, Start: math.NaN(), End: math.NaN(),
		FormatY: func(v float64) string { return axisValue(m, v, l) }}
	for _, pt := range points {
		qp.Labels = append(qp.Labels, weekLabel(pt.Period.Start, l))
		v := math.NaN()
		if pt.OK {
			v = pt.Value
			if math.IsNaN(qp.Start) {
				qp.Start = v
			}
			qp.End = v
		}
		qp.Values = append(qp.Values, v)
	}
	name := m.Title(l)
	if math.IsNaN(qp.Start) {
		qp.Title = fmt.Sprintf(x.R.PanelNoData, name)
		return qp, fmt.Sprintf(x.R.LineNoData, html.EscapeString(name))
	}
	qp.Achieved = reached(m, qp.End, k.Target)
	qp.LowerBetter, qp.FromZero = m.Better == kpi.LowerBetter, m.Percent()
	verdict := x.R.Missed
	if qp.Achieved {
		verdict = x.R.Achieved
	}
	qp.Title = fmt.Sprintf(x.R.QTitle, name, formatValue(m, qp.Start, l), formatValue(m, qp.End, l), formatValue(m, k.Target, l))
	pct := qp.End / k.Target * 100
	if m.Better == kpi.LowerBetter && qp.End != 0 {
		pct = k.Target / qp.End * 100
	}
	qp.StatusText = fmt.Sprintf(x.R.QStatus[btoi(qp.Achieved)], int(math.Round(pct)))
	return qp, fmt.Sprintf(x.R.QLine, html.EscapeString(name), formatValue(m, qp.Start, l), formatValue(m, qp.End, l),
		formatValue(m, k.Target, l), verdict)
}

func reached(m kpi.Metric, v, target float64) bool {
	if m.Better == kpi.LowerBetter {
		return v <= target
	}
	return v >= target
}

// pressReview answers the quarterly review prompt: "1:rv:k|r|a".
func (e *Engine) pressReview(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	x := t(ws.Lang)
	if len(args) != 1 {
		return Result{Notice: x.StaleButton}, nil
	}
	plan, ok, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{Notice: x.StaleButton}, nil
	}
	done := func(text string) Result {
		return Result{Notice: text, Replies: []Reply{{Edit: in.MessageID, KeepText: true}, say(in, text).Replies[0]}}
	}
	switch args[0] {
	case "k":
		return done(x.R.Kept), nil
	case "a":
		next := kpi.EndOfQuarter(kpi.EndOfQuarter(e.today(ws.Timezone)).AddDays(1))
		for i := range plan.KPIs {
			if plan.KPIs[i].Deadline.Before(next) {
				plan.KPIs[i].Deadline = next // the next quarter is what step 4 now sets targets for
			}
		}
		return e.openWizardWith(ctx, in, ws, 4, plan, []Reply{{Edit: in.MessageID, KeepText: true}})
	case "r":
		return e.raiseTargets(ctx, in, ws, plan, done)
	}
	return Result{Notice: x.StaleButton}, nil
}

// raiseTargets sets a higher target for every KPI whose target was
// reached: the realistic target from its latest value to the end of the
// next quarter. It saves a new plan version.
func (e *Engine) raiseTargets(ctx context.Context, in Input, ws kpi.Workspace, plan kpi.Plan, done func(string) Result) (Result, error) {
	x, l := t(ws.Lang), ws.Lang
	today := e.today(ws.Timezone)
	prog, err := e.progressOf(ctx, in.ChatID, ws, plan)
	if err != nil {
		return Result{}, err
	}
	next := kpi.EndOfQuarter(kpi.EndOfQuarter(today).AddDays(1))
	var changed []string
	for i, k := range plan.KPIs {
		pr := prog[k.Metric]
		m, _ := plan.Metric(k.Metric)
		if !pr.Latest.OK || !reached(m, pr.Latest.Value, k.Target) {
			continue
		}
		base := pr.Latest.Value
		probe := base * 2
		if m.Better == kpi.LowerBetter {
			probe = base / 2
		}
		chk, err := kpi.CheckTarget(m, base, probe, today, next)
		if err != nil || chk.Suggested == 0 {
			continue
		}
		plan.KPIs[i] = kpi.KPI{Metric: k.Metric, Baseline: base, Target: chk.Suggested, Deadline: next, Source: k.Source, Frequency: k.Frequency}
		changed = append(changed, html.EscapeString(m.Title(l))+" → "+formatValue(m, chk.Suggested, l))
	}
	if len(changed) == 0 {
		return done(x.R.NothingToRaise), nil
	}
	plan.Start, plan.Created, plan.CreatedBy = today, e.now().UTC(), in.UserID
	saved, err := e.Store.CommitPlan(ctx, ws, plan, 0)
	if errors.Is(err, kpi.ErrConflict) {
		return Result{Notice: x.W.Conflict}, nil
	}
	if err != nil {
		return Result{}, err
	}
	res := done(fmt.Sprintf(x.R.Raised, strings.Join(changed, ", ")))
	res.Replies = append(res.Replies, e.planCard(ws, saved, nil, true, nil))
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
