package dialogs

import (
	"context"
	"fmt"
	"html"
	"math"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/kpi/chart"
)

// reportWeeks is how many weeks a weekly chart shows.
const reportWeeks = 12

// maxCaption is Telegram's caption limit, in UTF-16 units after the HTML
// is parsed.
const maxCaption = 1024

// forecastWeeks is how many weeks past the last one a chart extends to
// show the forecast week by week.
const forecastWeeks = 8

// maxAdvice is how many recommendations a report carries.
const maxAdvice = 3

// report is /report [week|quarter]: the report now, as it would be posted.
func (e *Engine) report(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	plan, res, err := e.requirePlan(ctx, in, ws)
	if res != nil || err != nil {
		return *res, err
	}
	today := e.today(ws.Timezone)
	var out Result
	switch strings.ToLower(strings.TrimSpace(in.Args)) {
	case "quarter", "квартал", "q", "к":
		out, err = e.QuarterlyReport(ctx, ws, plan, today)
	default:
		out, err = e.WeeklyReport(ctx, ws, plan, today)
	}
	if err != nil {
		return Result{}, err
	}
	if in.ChatType.IsGroup() && len(out.Replies) > 0 {
		out.Replies[0].ReplyTo = in.MessageID
	}
	return out, nil
}

// reportData is a plan's KPIs evaluated over a run of weeks.
type reportData struct {
	weeks   []kpi.Period
	entries map[string][]kpi.Entry
	prog    map[string]kpi.Progress
	any     bool // at least one entry in the weeks
}

func (e *Engine) reportData(ctx context.Context, ws kpi.Workspace, p kpi.Plan, weeks []kpi.Period, today kpi.Date) (reportData, error) {
	d := reportData{weeks: weeks, prog: map[string]kpi.Progress{}}
	keys := make([]string, len(p.KPIs))
	for i, k := range p.KPIs {
		keys[i] = k.Metric
	}
	from := weeks[0].Start
	if f := kpi.WeekOf(today).Start.AddDays(-7 * historyWeeks); f.Before(from) {
		from = f // the status and forecast look back further than a quarter's first weeks
	}
	es, err := e.Store.MetricsEntries(ctx, ws.ChatID, keys, from, today)
	if err != nil {
		return d, fmt.Errorf("dialogs: report: %w", err)
	}
	d.entries = es
	for _, k := range p.KPIs {
		m, _ := p.Metric(k.Metric)
		d.prog[k.Metric] = kpi.Evaluate(k, m, es[k.Metric], p.Start, today, p.AlertPct)
		for _, en := range es[k.Metric] {
			if !en.Date.Before(weeks[0].Start) {
				d.any = true
			}
		}
	}
	return d, nil
}

// WeeklyReport renders the weekly report of a plan as of today: the chart
// images (six KPIs an image) with the status summary as caption, and the
// advice in the caption or, when it does not fit, in a message of its own.
// Without any entry in the last weeks it is a text saying what to log.
func (e *Engine) WeeklyReport(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (Result, error) {
	x, l := t(ws.Lang), ws.Lang
	cur := kpi.WeekOf(today)
	weeks := kpi.Weeks(cur.Start.AddDays(-7*(reportWeeks-1)), today)
	d, err := e.reportData(ctx, ws, p, weeks, today)
	if err != nil {
		return Result{}, err
	}
	if !d.any {
		return Result{Replies: []Reply{{Text: fmt.Sprintf(x.R.NoEntries, "/log "+exampleLine(p, l))}}}, nil
	}
	_, wk := kpi.ISOWeek(today)
	title := fmt.Sprintf(x.R.WeekTitle, wk, kpi.FormatDate(cur.Start, l), kpi.FormatDate(cur.End, l))
	var panels []chart.Panel
	var lines []string
	for _, k := range p.KPIs {
		m, _ := p.Metric(k.Metric)
		pr := d.prog[k.Metric]
		panels = append(panels, e.weeklyPanel(x, l, p, k, m, pr, d))
		lines = append(lines, summaryLine(x, l, m, pr))
	}
	caption := "<b>" + html.EscapeString(title) + "</b>\n" + strings.Join(lines, "\n")
	advice := e.adviceText(x, l, p, d, today)
	good := 0
	for _, pr := range d.prog {
		if pr.Status == kpi.StatusOnTrack || pr.Status == kpi.StatusAchieved {
			good++
		}
	}
	subtitle := fmt.Sprintf(x.R.OnTrackCount, good, len(p.KPIs))
	if ws.Title != "" {
		subtitle = ws.Title + " · " + subtitle
	}
	return e.withImages(x, title, subtitle, caption, advice, chart.Split(panels, 6), func(r chart.Report) ([]byte, error) { return chart.Weekly(r) })
}

func (e *Engine) weeklyPanel(x *texts, l kpi.Lang, p kpi.Plan, k kpi.KPI, m kpi.Metric, pr kpi.Progress, d reportData) chart.Panel {
	points := kpi.WeeklyValues(k, m, d.entries[k.Metric], d.weeks)
	panel := chart.Panel{Status: chartStatus(pr.Status), Target: k.Target, LowerBetter: m.Better == kpi.LowerBetter,
		FormatY: func(v float64) string { return axisValue(m, v, l) }}
	for _, pt := range points {
		panel.Labels = append(panel.Labels, weekLabel(pt.Period.Start, l))
		v := math.NaN()
		if pt.OK {
			v = pt.Value
		}
		panel.Values = append(panel.Values, v)
		panel.Pace = append(panel.Pace, kpi.PaceAt(k, p.Start, pt.Period.End))
	}
	last := d.weeks[len(d.weeks)-1]
	if pr.HasForecast && last.End.Before(k.Deadline) {
		// The trend and the pace go on week by week to the deadline, so
		// the x axis keeps time in proportion (at most forecastWeeks on).
		ahead := kpi.Weeks(last.End.AddDays(1), k.Deadline)
		if len(ahead) > forecastWeeks {
			ahead = ahead[len(ahead)-1:] // a far deadline: one point at its week
		}
		from := pr.Latest.Value
		for i, w := range ahead {
			panel.Forecast = append(panel.Forecast, from+(pr.Forecast-from)*float64(i+1)/float64(len(ahead)))
			panel.ForecastLabels = append(panel.ForecastLabels, weekLabel(w.Start, l))
			panel.Pace = append(panel.Pace, kpi.PaceAt(k, p.Start, w.End))
		}
	}
	panel.StatusText = statusText(x, l, m, k, pr)
	panel.FromZero = m.Percent()
	name := m.Title(l)
	if pr.Latest.OK {
		panel.Title = fmt.Sprintf(x.R.PanelTitle, name, formatValue(m, pr.Latest.Value, l), kpi.FormatPercent(math.Round(pr.PctOfTarget), l))
	} else {
		panel.Title = fmt.Sprintf(x.R.PanelNoData, name)
	}
	return panel
}

// withImages renders each group of panels and puts the caption on the
// first image; the advice joins the caption when it fits.
func (e *Engine) withImages(x *texts, title, subtitle, caption string, advice []string, groups [][]chart.Panel, render func(chart.Report) ([]byte, error)) (Result, error) {
	legend := chartLegend(x)
	var out Result
	adviceText := ""
	if len(advice) > 0 {
		adviceText = "<b>" + x.R.AdviceHead + "</b>\n" + strings.Join(advice, "\n")
	}
	if adviceText != "" && captionLen(caption+"\n\n"+adviceText) <= maxCaption {
		caption, adviceText = caption+"\n\n"+adviceText, ""
	}
	caption = fitCaption(caption)
	for i, g := range groups {
		png, err := render(chart.Report{Title: title, Subtitle: subtitle, Legend: legend, Panels: g})
		if err != nil {
			return Result{}, fmt.Errorf("dialogs: report chart: %w", err)
		}
		r := Reply{Photo: &File{Name: fmt.Sprintf("report-%d.png", i+1), Data: png}}
		if i == 0 {
			r.Text = caption
		}
		out.Replies = append(out.Replies, r)
	}
	if adviceText != "" {
		out.Replies = append(out.Replies, Reply{Text: adviceText})
	}
	return out, nil
}

var tags = regexp.MustCompile(`<[^>]*>`)

// captionLen counts a caption as Telegram does: UTF-16 units of the text
// after the HTML is parsed.
func captionLen(s string) int {
	return len(utf16.Encode([]rune(html.UnescapeString(tags.ReplaceAllString(s, "")))))
}

// fitCaption cuts a caption that is too long at a line break.
func fitCaption(s string) string {
	for captionLen(s) > maxCaption {
		i := strings.LastIndex(s, "\n")
		if i <= 0 {
			r := []rune(s)
			return string(r[:maxCaption/2]) + "…"
		}
		s = s[:i]
	}
	return s
}

func chartLegend(x *texts) chart.Legend {
	return chart.Legend{Actual: x.R.Legend[0], Pace: x.R.Legend[1], Target: x.R.Legend[2], Forecast: x.R.Legend[3], Zone: x.R.Legend[4]}
}

// statusText is the words beside a panel's status dot.
func statusText(x *texts, l kpi.Lang, m kpi.Metric, k kpi.KPI, pr kpi.Progress) string {
	switch {
	case pr.Status == kpi.StatusAtRisk && pr.HasForecast && pr.BehindPct < 1:
		return fmt.Sprintf(x.R.AtRiskForecast, formatValue(m, approx(pr.Forecast), l), formatValue(m, k.Target, l))
	case pr.Status == kpi.StatusAtRisk, pr.Status == kpi.StatusBehind:
		return fmt.Sprintf(x.R.StatusText[pr.Status], int(math.Round(pr.BehindPct)))
	}
	return x.R.StatusText[pr.Status]
}

func summaryLine(x *texts, l kpi.Lang, m kpi.Metric, pr kpi.Progress) string {
	name := html.EscapeString(m.Title(l))
	if !pr.Latest.OK || pr.Status == kpi.StatusNoData {
		return fmt.Sprintf(x.R.LineNoData, name)
	}
	status := x.L.Status[pr.Status]
	emoji, word, _ := strings.Cut(status, " ")
	return fmt.Sprintf(x.R.Line, emoji, name, formatValue(m, pr.Latest.Value, l), kpi.FormatPercent(math.Round(pr.PctOfTarget), l), word)
}

func chartStatus(s kpi.Status) chart.Status {
	switch s {
	case kpi.StatusOnTrack:
		return chart.StatusOnTrack
	case kpi.StatusBehind:
		return chart.StatusBehind
	case kpi.StatusAtRisk:
		return chart.StatusAtRisk
	case kpi.StatusAchieved:
		return chart.StatusAchieved
	}
	return chart.StatusNoData
}

// weekLabel is a week's x label: "02.11" or "2 Nov".
func weekLabel(d kpi.Date, l kpi.Lang) string {
	if l == kpi.English {
		full := kpi.FormatDate(d, l) // "2 Nov 2026"
		if i := strings.LastIndex(full, " "); i > 0 {
			return full[:i]
		}
		return full
	}
	return fmt.Sprintf("%02d.%02d", d.Day, int(d.Month))
}

// axisValue is a y tick: thousands as "5 тыс." / "5K" from 1 000 up so
// an axis never mixes "5 000" with "10 тыс.", the unit for percentages
// and minutes.
func axisValue(m kpi.Metric, v float64, l kpi.Lang) string {
	switch {
	case m.Unit == kpi.UnitPercent, m.Unit == kpi.UnitMinutes:
		return formatValue(m, v, l)
	case math.Abs(v) >= 1000 && math.Abs(v) < 10000:
		k := kpi.FormatNumber(math.Round(v/100)/10, l)
		if l == kpi.English {
			return k + "K"
		}
		return k + "\u00a0тыс."
	}
	return kpi.FormatCompact(v, l)
}

// adviceText turns the recommendations into sentences with their numbers.
func (e *Engine) adviceText(x *texts, l kpi.Lang, p kpi.Plan, d reportData, today kpi.Date) []string {
	var out []string
	for _, a := range kpi.Recommend(kpi.Inputs{Plan: p, Progress: d.prog, Entries: d.entries, Today: today}, maxAdvice) {
		problem, ok := x.R.Problem[a.Rule]
		if !ok {
			continue
		}
		m, _ := p.Metric(a.Metric)
		name := m.Title(l)
		if name == "" {
			name = a.Metric
		}
		value, third := formatValue(m, a.Value, l), formatValue(m, approx(a.Pace), l)
		if a.Rule == kpi.RuleTargetMet {
			third = formatValue(m, a.Target, l)
		}
		if pr := d.prog[a.Metric]; strings.HasSuffix(a.Rule, "_behind") && a.BehindPct < 1 && pr.HasForecast {
			// At risk by the trend alone: say where the trend leads.
			problem = x.R.Forecast
			value, third = formatValue(m, approx(pr.Forecast), l), formatValue(m, a.Target, l)
		}
		part := x.R.AnyTime
		if a.DayPart != "" {
			part = x.R.DayParts[a.DayPart]
		}
		args := []any{int(math.Round(a.BehindPct)), value, third, html.EscapeString(name), part, count(l, a.Weeks, x.R.WeeksFor), a.Count}
		out = append(out, "• "+fill(problem, args)+" "+fill(x.R.Action[a.Rule], args))
	}
	return out
}

// fill formats an advice template whose verbs name their arguments
// (%[2]s); a template that uses none gets none, so fmt adds no EXTRA.
func fill(tmpl string, args []any) string {
	if !strings.Contains(tmpl, "%[") {
		return strings.ReplaceAll(tmpl, "%%", "%")
	}
	return fmt.Sprintf(tmpl, args...)
}
