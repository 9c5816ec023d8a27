package dialogs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// describe is "Охват 12 500 за 27.11.2026" for an entry.
func describe(p kpi.Plan, en kpi.Entry, l kpi.Lang) string {
	m, ok := p.Metric(en.Metric)
	name := en.Metric
	if ok {
		name = m.Title(l)
	}
	return html.EscapeString(name) + " " + formatValue(m, en.Value, l) + " · " + kpi.FormatDate(en.Date, l)
}

// mayDelete reports whether the input's author may delete en: their own
// entry, or any entry for an admin.
func (e *Engine) mayDelete(ctx context.Context, in Input, en kpi.Entry) (bool, error) {
	if en.By == in.UserID && !in.AsChat {
		return true, nil
	}
	return e.isAdmin(ctx, in)
}

// pressUndo is the Undo button under a confirmation: "1:un:<batch>".
func (e *Engine) pressUndo(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	x := t(ws.Lang)
	if len(args) != 1 || args[0] == "" {
		return Result{Notice: x.StaleButton}, nil
	}
	recent, err := e.Store.RecentEntries(ctx, in.ChatID, "", 100)
	if err != nil {
		return Result{}, err
	}
	plan, _, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	var done []string
	for _, en := range recent {
		if !strings.HasPrefix(en.ID, args[0]+".") {
			continue
		}
		if ok, err := e.mayDelete(ctx, in, en); err != nil || !ok {
			if err != nil {
				return Result{}, err
			}
			return Result{Notice: x.L.NotYourEntry}, nil
		}
		if _, err := e.Store.DeleteEntry(ctx, in.ChatID, en.ID); err != nil && !errors.Is(err, kpi.ErrNotFound) {
			return Result{}, err
		}
		done = append(done, describe(plan, en, ws.Lang))
	}
	if len(done) == 0 {
		return Result{Notice: x.L.UndoGone, Replies: []Reply{{Edit: in.MessageID, KeepText: true}}}, nil
	}
	text := fmt.Sprintf(x.L.Undone, strings.Join(done, ", "))
	return Result{Notice: text, Replies: []Reply{{Edit: in.MessageID, Text: text}}}, nil
}

// undo is /undo: the member's last entry of the last 48 hours goes.
func (e *Engine) undo(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	x := t(ws.Lang)
	en, err := e.Store.LastEntryBy(ctx, in.ChatID, in.UserID, e.now().Add(-undoWindow))
	if errors.Is(err, kpi.ErrNotFound) {
		return say(in, x.L.UndoNothing), nil
	}
	if err != nil {
		return Result{}, err
	}
	if _, err := e.Store.DeleteEntry(ctx, in.ChatID, en.ID); err != nil {
		if errors.Is(err, kpi.ErrNotFound) {
			return say(in, x.L.UndoNothing), nil
		}
		return Result{}, err
	}
	plan, _, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	return say(in, fmt.Sprintf(x.L.Undone, describe(plan, en, ws.Lang))), nil
}

// historySize is how many entries /history lists.
const historySize = 10

// history is /history [metric]: the latest entries, with delete buttons
// for the member's own (an admin's: for all).
func (e *Engine) history(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	plan, _, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	metric := ""
	if arg := strings.ToLower(strings.TrimSpace(in.Args)); arg != "" {
		metric = findMetric(plan, arg)
		if metric == "" {
			return e.logProblem(in, ws, plan, &kpi.LogError{Kind: kpi.KindUnknownMetric, Word: in.Args}), nil
		}
	}
	r, err := e.historyReply(ctx, in, ws, plan, metric)
	if err != nil {
		return Result{}, err
	}
	if in.ChatType.IsGroup() {
		r.ReplyTo = in.MessageID
	}
	return Result{Replies: []Reply{r}}, nil
}

func (e *Engine) historyReply(ctx context.Context, in Input, ws kpi.Workspace, plan kpi.Plan, metric string) (Reply, error) {
	x, l := t(ws.Lang), ws.Lang
	recent, err := e.Store.RecentEntries(ctx, in.ChatID, metric, historySize)
	if err != nil {
		return Reply{}, err
	}
	if len(recent) == 0 {
		return Reply{Text: x.L.HistoryNone}, nil
	}
	admin, err := e.isAdmin(ctx, in)
	if err != nil {
		return Reply{}, err
	}
	lines := []string{x.L.History}
	var rows [][]Button
	for _, en := range recent {
		m, _ := plan.Metric(en.Metric)
		name := m.Title(l)
		if name == "" {
			name = en.Metric
		}
		who := en.ByName
		if who == "" {
			who = "—"
		}
		lines = append(lines, fmt.Sprintf(x.L.HistoryLine, kpi.FormatDate(en.Date, l), html.EscapeString(name),
			formatValue(m, en.Value, l), html.EscapeString(who)))
		if en.By == in.UserID || admin {
			rows = append(rows, []Button{{Text: fmt.Sprintf(x.L.Delete, kpi.FormatDate(en.Date, l), name, formatValue(m, en.Value, l)),
				Data: data("hd", en.ID, metric)}})
		}
	}
	return Reply{Text: strings.Join(lines, "\n"), Buttons: rows}, nil
}

// pressHistoryDelete deletes one entry from /history: "1:hd:<id>[:<metric>]".
func (e *Engine) pressHistoryDelete(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	x := t(ws.Lang)
	if len(args) != 2 || args[0] == "" {
		return Result{Notice: x.StaleButton}, nil
	}
	en, err := e.Store.Entry(ctx, in.ChatID, args[0])
	if errors.Is(err, kpi.ErrNotFound) {
		return Result{Notice: x.L.UndoGone}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if ok, err := e.mayDelete(ctx, in, en); err != nil || !ok {
		if err != nil {
			return Result{}, err
		}
		return Result{Notice: x.L.NotYourEntry}, nil
	}
	if _, err := e.Store.DeleteEntry(ctx, in.ChatID, en.ID); err != nil && !errors.Is(err, kpi.ErrNotFound) {
		return Result{}, err
	}
	plan, _, err := e.currentPlan(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	r, err := e.historyReply(ctx, in, ws, plan, args[1])
	if err != nil {
		return Result{}, err
	}
	r.Edit = in.MessageID
	return Result{Notice: fmt.Sprintf(x.L.Deleted, describe(plan, en, ws.Lang)), Replies: []Reply{r}}, nil
}

// export is /export: every entry as CSV and the plan as JSON.
func (e *Engine) export(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	x := t(ws.Lang)
	plan, res, err := e.requirePlan(ctx, in, ws)
	if res != nil || err != nil {
		return *res, err
	}
	entries, err := e.Store.AllEntries(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	slices.SortFunc(entries, func(a, b kpi.Entry) int {
		if c := a.Date.Time(nil).Compare(b.Date.Time(nil)); c != 0 {
			return c
		}
		return a.At.Compare(b.At)
	})
	var csv bytes.Buffer
	if err := kpi.WriteEntriesCSV(&csv, entries, plan, ws.Lang); err != nil {
		return Result{}, fmt.Errorf("dialogs: export: %w", err)
	}
	pj, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("dialogs: export: %w", err)
	}
	return Result{Replies: []Reply{
		{Document: &File{Name: "kpi-entries.csv", Data: csv.Bytes()}, Text: fmt.Sprintf(x.L.Exported, count(ws.Lang, len(entries), x.L.Entries))},
		{Document: &File{Name: "kpi-plan.json", Data: pj}},
	}}, nil
}

// maxImport is the largest CSV /import reads.
const maxImport = 5 << 20

// importCmd is /import as a reply to a CSV file: all rows or none.
func (e *Engine) importCmd(ctx context.Context, in Input, ws kpi.Workspace) (Result, error) {
	x := t(ws.Lang)
	plan, res, err := e.requirePlan(ctx, in, ws)
	if res != nil || err != nil {
		return *res, err
	}
	if in.ReplyFile == nil || e.Files == nil {
		return say(in, x.L.ImportHow), nil
	}
	if in.ReplyFile.Size > maxImport {
		return say(in, x.L.ImportTooBig), nil
	}
	b, err := e.Files.Download(ctx, in.ReplyFile.ID)
	if err != nil {
		return Result{}, fmt.Errorf("dialogs: import: %w", err)
	}
	if len(b) > maxImport {
		return say(in, x.L.ImportTooBig), nil
	}
	entries, err := kpi.ReadEntriesCSV(bytes.NewReader(b), plan)
	var bad *kpi.CSVError
	if errors.As(err, &bad) {
		lines := []string{fmt.Sprintf(x.L.ImportBad, count(ws.Lang, max(bad.Total, len(bad.Rows)), x.L.BadRows))}
		for _, r := range bad.Rows {
			reason := x.L.ImportReasons[r.Reason]
			if reason == "" {
				reason = r.Reason
			}
			lines = append(lines, fmt.Sprintf(x.L.ImportRow, r.Line, html.EscapeString(reason)))
		}
		return say(in, strings.Join(lines, "\n")), nil
	}
	switch {
	case errors.Is(err, kpi.ErrCSVEmpty):
		return say(in, x.L.ImportEmpty), nil
	case errors.Is(err, kpi.ErrCSVTooLarge):
		return say(in, x.L.ImportTooBig), nil
	case err != nil:
		return say(in, x.L.ImportHow), fmt.Errorf("dialogs: import: %w", err)
	}
	// An entry already stored (the same file loaded twice, or an export
	// loaded back) is skipped, not doubled.
	have, err := e.Store.AllEntries(ctx, in.ChatID)
	if err != nil {
		return Result{}, err
	}
	seen := make(map[string]bool, len(have))
	for _, h := range have {
		seen[entryKey(h)] = true
	}
	fresh := entries[:0]
	for _, en := range entries {
		if k := entryKey(en); !seen[k] {
			seen[k] = true
			fresh = append(fresh, en)
		}
	}
	skipped := len(entries) - len(fresh)
	entries = fresh
	today := e.today(ws.Timezone)
	if len(entries) > 0 {
		if _, _, err := e.Store.AddEntries(ctx, in.ChatID, entries, today, today); err != nil {
			return Result{}, fmt.Errorf("dialogs: import: %w", err)
		}
	}
	text := fmt.Sprintf(x.L.ImportDone, len(entries))
	if skipped > 0 {
		text += " " + fmt.Sprintf(x.L.ImportSkipped, skipped)
	}
	return say(in, text), nil
}

// entryKey is what makes two entries the same one: metric, day, value, who
// logged it (by name: an import has no user id) and when.
func entryKey(e kpi.Entry) string {
	return fmt.Sprintf("%s|%s|%g|%s|%d", e.Metric, e.Date, e.Value, e.ByName, e.At.Truncate(time.Second).Unix())
}

// count is "3 записи": n with the noun in the right plural form.
func count(l kpi.Lang, n int, forms [3]string) string {
	return strconv.Itoa(n) + " " + kpi.Plural(l, n, forms[0], forms[1], forms[2])
}

// findMetric returns the key of the plan's metric that word names (its key,
// an alias or its title in either language), or "".
func findMetric(p kpi.Plan, word string) string {
	word = strings.ReplaceAll(strings.ToLower(word), "ё", "е")
	for _, m := range planMetrics(p) {
		names := append([]string{m.Key, m.Title(kpi.Russian), m.Title(kpi.English)}, m.Aliases()...)
		for _, n := range names {
			if strings.ReplaceAll(strings.ToLower(n), "ё", "е") == word {
				return m.Key
			}
		}
	}
	return ""
}
