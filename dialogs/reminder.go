package dialogs

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// Reminder is the message sent the day before the weekly report when some
// KPI has no entry this week: which ones, and a quick-entry button for
// each. needed is false when every KPI has an entry.
func (e *Engine) Reminder(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (Result, bool, error) {
	x, l := t(ws.Lang), ws.Lang
	week := kpi.WeekOf(today)
	keys := make([]string, len(p.KPIs))
	for i, k := range p.KPIs {
		keys[i] = k.Metric
	}
	es, err := e.Store.MetricsEntries(ctx, ws.ChatID, keys, week.Start, week.End)
	if err != nil {
		return Result{}, false, fmt.Errorf("dialogs: reminder: %w", err)
	}
	var names []string
	var rows [][]Button
	for i, k := range p.KPIs {
		if len(es[k.Metric]) > 0 {
			continue
		}
		m, _ := p.Metric(k.Metric)
		names = append(names, m.Title(l))
		rows = append(rows, []Button{{Text: "✍️ " + m.Title(l), Data: data("lg", strconv.Itoa(p.Version), strconv.Itoa(i))}})
	}
	if len(names) == 0 {
		return Result{}, false, nil
	}
	text := fmt.Sprintf(x.R.Reminder, html.EscapeString(strings.Join(names, ", ")), "/log "+exampleLine(p, l))
	return Result{Replies: []Reply{{Text: text, Buttons: rows}}}, true, nil
}
