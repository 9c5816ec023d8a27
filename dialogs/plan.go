package dialogs

import (
	"context"
	"errors"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// plan is /plan: the plan card, with edit buttons for admins.
func (e *Engine) plan(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	x := t(ws.Lang)
	admin, err := e.isAdmin(ctx, in)
	if err != nil {
		return Result{}, err
	}
	versions, err := e.Store.Plans(ctx, in.ChatID)
	if err != nil {
		return Result{}, fmt.Errorf("dialogs: plan: %w", err)
	}
	if len(versions) == 0 {
		res := say(in, x.W.PlanNone)
		if admin {
			res.Replies[0].Buttons = [][]Button{{{Text: x.W.PlanStart, Data: data("setup", "go")}}}
		}
		return res, nil
	}
	cur := versions[len(versions)-1]
	prog, err := e.progressOf(ctx, in.ChatID, ws, cur)
	if err != nil {
		return Result{}, err
	}
	card := e.planCard(ws, cur, versions, admin, prog)
	if in.ChatType.IsGroup() {
		card.ReplyTo = in.MessageID
	}
	return Result{Replies: []Reply{card}}, nil
}

// progressOf evaluates every KPI of the plan from its recent entries, in
// one round trip.
func (e *Engine) progressOf(ctx context.Context, chat int64, ws kpi.Workspace, p kpi.Plan) (map[string]kpi.Progress, error) {
	today := e.today(ws.Timezone)
	keys := make([]string, len(p.KPIs))
	for i, k := range p.KPIs {
		keys[i] = k.Metric
	}
	entries, err := e.Store.MetricsEntries(ctx, chat, keys, kpi.WeekOf(today).Start.AddDays(-7*historyWeeks), today)
	if err != nil {
		return nil, fmt.Errorf("dialogs: progress: %w", err)
	}
	out := make(map[string]kpi.Progress, len(keys))
	for _, k := range p.KPIs {
		m, _ := p.Metric(k.Metric)
		out[k.Metric] = kpi.Evaluate(k, m, entries[k.Metric], p.Start, today, p.AlertPct)
	}
	return out, nil
}

// planCard is the plan as a message, with each KPI's progress when prog
// is given; admin adds the edit buttons.
func (e *Engine) planCard(ws kpi.Workspace, p kpi.Plan, versions []kpi.Plan, admin bool, prog map[string]kpi.Progress) Reply {
	r := Reply{Text: e.planText(ws, p, versions, prog)}
	if admin {
		x := t(ws.Lang)
		var row []Button
		for _, step := range []int{1, 2, 3, 5, 6, 7} {
			row = append(row, Button{Text: x.W.PlanEdit[step], Data: data("plan", "e", strconv.Itoa(step))})
			if len(row) == 2 {
				r.Buttons, row = append(r.Buttons, row), nil
			}
		}
	}
	return r
}

// planText renders a plan (saved, or the wizard's draft) for reading on a
// phone: goal, audience, each KPI baseline → target by deadline, schedule.
func (e *Engine) planText(ws kpi.Workspace, p kpi.Plan, versions []kpi.Plan, prog map[string]kpi.Progress) string {
	x, l := t(ws.Lang), ws.Lang
	var b strings.Builder
	if p.Version > 0 {
		fmt.Fprintf(&b, x.W.PlanTitle+"\n\n", p.Version)
	}
	var goals []string
	for _, g := range p.Goals {
		goals = append(goals, x.W.Goals[g])
	}
	if p.GoalText != "" {
		goals = append(goals, "«"+html.EscapeString(p.GoalText)+"»")
	}
	fmt.Fprintf(&b, "%s: %s", x.W.PlanGoal, strings.Join(goals, ", "))
	if p.BusinessTarget != "" {
		fmt.Fprintf(&b, " — %s", html.EscapeString(p.BusinessTarget))
	}
	b.WriteString("\n")
	if aud := audienceLine(x, p.Audience); aud != "" {
		fmt.Fprintf(&b, "%s: %s\n", x.W.PlanAudience, aud)
	}
	fmt.Fprintf(&b, "\n%s:\n", x.W.PlanKPIs)
	for _, k := range p.KPIs {
		m, ok := p.Metric(k.Metric)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, x.W.PlanKPI, html.EscapeString(m.Title(l)), formatValue(m, k.Baseline, l),
			formatValue(m, k.Target, l), kpi.FormatDate(k.Deadline, l))
		if pr, ok := prog[k.Metric]; ok {
			b.WriteString("\n   " + progressLine(x, m, pr, l))
		}
		b.WriteString("\n")
	}
	s := ws.Settings
	where := x.W.Here
	switch {
	case s.ReportChat != 0:
		where = x.W.OtherChat
	case s.ReportThread != 0:
		where = x.W.Topic
	}
	reminders := x.W.Off
	if s.Reminders {
		reminders = x.W.On
	}
	fmt.Fprintf(&b, "\n"+x.W.PlanReports+"\n", x.W.Weekdays[s.ReportDay],
		fmt.Sprintf("%02d:%02d", s.ReportHour, s.ReportMinute), html.EscapeString(zoneLabel(ws.Timezone, l)), where, strings.ToLower(reminders))
	if p.Review != "" {
		fmt.Fprintf(&b, x.W.PlanReview+"\n", strings.ToLower(x.W.Reviews[p.Review]), p.AlertPct)
	}
	if len(versions) > 1 {
		var vs []string
		for _, v := range versions {
			vs = append(vs, fmt.Sprintf("%d (%s)", v.Version, kpi.FormatDate(kpi.DateOf(v.Created), l)))
		}
		fmt.Fprintf(&b, "\n%s: %s\n", x.W.PlanVersions, strings.Join(vs, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

func audienceLine(x *texts, a kpi.Audience) string {
	var parts []string
	if len(a.Ages) > 0 {
		parts = append(parts, strings.Join(a.Ages, ", "))
	}
	if len(a.Platforms) > 0 {
		var ps []string
		for _, p := range a.Platforms {
			ps = append(ps, x.W.Platforms[p])
		}
		parts = append(parts, strings.Join(ps, ", "))
	}
	if len(a.Active) > 0 {
		var ds []string
		for _, d := range a.Active {
			ds = append(ds, strings.ToLower(x.W.DayParts[d]))
		}
		parts = append(parts, strings.Join(ds, ", "))
	}
	if a.Interests != "" {
		parts = append(parts, html.EscapeString(a.Interests))
	}
	return strings.Join(parts, " · ")
}

// formatValue shows a metric's value with its unit in language l.
func formatValue(m kpi.Metric, v float64, l kpi.Lang) string {
	switch m.Unit {
	case kpi.UnitPercent:
		return kpi.FormatPercent(v, l)
	case kpi.UnitMinutes:
		if l == kpi.Russian {
			return kpi.FormatNumber(v, l) + "\u00a0мин"
		}
		return kpi.FormatNumber(v, l) + " min"
	case kpi.UnitPeople, kpi.UnitCount:
		return kpi.FormatNumber(v, l)
	}
	return kpi.FormatNumber(v, l) + "\u00a0" + html.EscapeString(string(m.Unit))
}

// pressPlan is an edit button of the plan card: "1:plan:e:<step>".
func (e *Engine) pressPlan(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	stale := Result{Notice: t(ws.Lang).StaleButton}
	if len(args) != 2 || args[0] != "e" {
		return stale, nil
	}
	step, err := strconv.Atoi(args[1])
	if err != nil || t(ws.Lang).W.PlanEdit[step] == "" {
		return stale, nil
	}
	res, err := e.openWizard(ctx, in, ws, step)
	if errors.Is(err, kpi.ErrNotFound) {
		return stale, nil
	}
	return res, err
}

// pressSetup is the "set up" button of /start and /plan, and "take over".
func (e *Engine) pressSetup(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	switch {
	case len(args) == 1 && args[0] == "go":
		return e.openWizard(ctx, in, ws, 0)
	case len(args) == 1 && args[0] == "take":
		return e.takeOver(ctx, in, ws, args)
	}
	return Result{Notice: t(ws.Lang).StaleButton}, nil
}

// zoneLabel names a time zone as an owner knows it: a city for the zones
// offered as buttons, "UTC+4" for a fixed offset, the IANA name otherwise.
func zoneLabel(tz string, l kpi.Lang) string {
	if name, ok := zoneNames[l][tz]; ok {
		return name
	}
	if off, ok := strings.CutPrefix(tz, "Etc/GMT"); ok && off != "" {
		switch off[0] { // the Etc sign is inverted: Etc/GMT-4 is UTC+4
		case '-':
			return "UTC+" + off[1:]
		case '+':
			return "UTC-" + off[1:]
		}
	}
	return tz
}

// progressLine is "12 500 (неделя 48) · 62 % от цели · ✅ в графике".
func progressLine(x *texts, m kpi.Metric, pr kpi.Progress, l kpi.Lang) string {
	if !pr.Latest.OK {
		return x.L.Status[kpi.StatusNoData]
	}
	_, week := kpi.ISOWeek(pr.Latest.Period.Start)
	return fmt.Sprintf(x.L.Progress, formatValue(m, pr.Latest.Value, l), fmt.Sprintf(x.L.Week, week),
		kpi.FormatPercent(math.Round(pr.PctOfTarget), l), x.L.Status[pr.Status])
}
