package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// seedPlan gives chat a saved plan, as the wizard would: reach, engagement
// and a custom metric, started on 2026-11-02 (a Monday), due 2026-12-31.
func seedPlan(t testing.TB, r *running, chat telegramtest.Chat) kpi.Plan {
	t.Helper()
	ctx := context.Background()
	typ := kpi.ChatPrivate
	if chat.Type != telegramtest.ChatPrivate {
		typ = kpi.ChatType(chat.Type)
	}
	ws := kpi.Workspace{ChatID: chat.ID, Type: typ, Title: chat.Title, Lang: kpi.Russian, Timezone: "Europe/Moscow",
		Active: true, Settings: kpi.DefaultSettings}
	if err := r.store.SaveWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	end := kpi.Date{Year: 2026, Month: 12, Day: 31}
	p := kpi.Plan{
		Goals:  []kpi.Goal{kpi.GoalAwareness},
		Custom: []kpi.Metric{{Key: "c1", Name: "Записи через бота", Custom: true, Unit: kpi.UnitCount, Agg: kpi.AggSum, Better: kpi.HigherBetter}},
		KPIs: []kpi.KPI{
			{Metric: "reach", Baseline: 10000, Target: 20000, Deadline: end, Source: "manual", Frequency: "weekly"},
			{Metric: "engagement", Baseline: 3, Target: 5, Deadline: end, Source: "manual", Frequency: "weekly"},
			{Metric: "c1", Baseline: 10, Target: 30, Deadline: end, Source: "manual", Frequency: "weekly"},
		},
		Review: "weekly", AlertPct: 20, Start: kpi.Date{Year: 2026, Month: 11, Day: 2},
	}
	rev, err := r.store.SaveWizard(ctx, chat.ID, 0, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := r.store.CommitPlan(ctx, ws, p, rev)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func entriesOf(t testing.TB, r *running, chat int64) []kpi.Entry {
	t.Helper()
	es, err := r.store.AllEntries(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(es, func(a, b kpi.Entry) int { return strings.Compare(a.Metric, b.Metric) })
	return es
}

func TestLogOneLineTwoPairsAndDate(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, p.chat)
	p.say("/log вчера охват 12 500 er 4,2%", "✅ Охват: 12\u00a0500 (неделя 48) — 63\u00a0% от цели")
	reply, _ := tg.LastMessage(p.chat.ID)
	if !strings.Contains(reply.PlainText, "✅ Вовлечённость (ER): 4,2\u00a0% (неделя 48) — 84\u00a0% от цели") {
		t.Errorf("confirmation: %q", reply.PlainText)
	}
	if _, ok := reply.Button("↩️ Отменить"); !ok {
		t.Errorf("no Undo button: %v", labels(reply))
	}
	es := entriesOf(t, r, p.chat.ID)
	if len(es) != 2 || es[0].Metric != "engagement" || es[0].Value != 4.2 || es[1].Metric != "reach" || es[1].Value != 12500 {
		t.Fatalf("entries: %+v", es)
	}
	for _, e := range es {
		if e.Date.String() != "2026-11-26" || e.By != anna.ID || e.ByName != "Анна" {
			t.Errorf("entry %+v: want yesterday, by Anna", e)
		}
	}

	// Undo from the confirmation removes both and says so.
	p.press("↩️ Отменить", "↩️ Отменено")
	if es := entriesOf(t, r, p.chat.ID); len(es) != 0 {
		t.Errorf("after Undo: %+v", es)
	}
}

func TestLogRefusesOutOfRangeAndGarbage(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, p.chat)
	for _, tc := range []struct{ line, says string }{
		{"/log er 150", "Вовлечённость (ER): допустимо от 0 до 100 %"},
		{"/log охват -5", "допустимо число от 0 и больше"},
		{"/log подписчики 100", "«подписчики» — такого показателя нет в плане"},
		{"/log лайки 100", "нужен и охват"},
		{"/log охват много", "нужно число"},
		{"/log охват 12.5.6", "Не понял число"},
		{"/log охват 12,500", "можно понять двояко"},
		{"/log 30.11 охват 100", "на будущую дату"},
		{"/log 01.10.2026 охват 100", "раньше начала плана"},
		{"/log охват 100 охват 200", "дважды"},
	} {
		p.say(tc.line, tc.says)
		if m, _ := tg.LastMessage(p.chat.ID); len(m.Buttons()) == 0 {
			t.Errorf("%s: no retry button", tc.line)
		}
	}
	if es := entriesOf(t, r, p.chat.ID); len(es) != 0 {
		t.Errorf("bad lines stored entries: %+v", es)
	}
}

// A member in a group logs in three taps: /log, the KPI, the number.
func TestLogThreeTapsInGroup(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	group := tg.Supergroup(-1002000300040, "Пекарня", false)
	tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)
	seedPlan(t, r, group)
	p := &person{t: t, tg: tg, chat: group, user: oleg}
	p.say("/log", "Что записываем")
	p.press("Записи через бота", "сколько")
	prompt := p.prompt()
	if !prompt.Markup.ForceReply || !prompt.Markup.Selective {
		t.Errorf("prompt markup: %+v", prompt.Markup)
	}
	// Anna's reply to Oleg's prompt does not count.
	tg.SendReply(group, anna, "999", prompt.ID)
	p.say("14", "✅ Записи через бота: 14 (неделя 48) — 47\u00a0% от цели")
	es := entriesOf(t, r, group.ID)
	if len(es) != 1 || es[0].Value != 14 || es[0].By != oleg.ID || es[0].Metric != "c1" {
		t.Errorf("entries: %+v", es)
	}
	if p.taps != 3 {
		t.Errorf("%d interactions, want 3", p.taps)
	}
}

// /export gives a CSV and the plan; replying /import to that CSV in a
// fresh workspace (with the same plan) restores the same entries.
func TestExportThenImport(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	src := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, src.chat)
	src.say("/log вчера охват 12500 er 4,2", "✅ Охват")
	src.say("/log записи 7", "✅ Записи через бота")
	src.say("/export", "Выгрузка: 3 записи")
	msgs := tg.Messages(src.chat.ID)
	var csv []byte
	for _, m := range msgs {
		if m.DocumentName == "kpi-entries.csv" {
			csv = m.Document
		}
	}
	if !bytes.HasPrefix(csv, []byte("\ufeffdate,metric,metric_name,value,unit,logged_by,logged_at")) {
		t.Fatalf("CSV: %q", csv)
	}

	dst := tg.Group(-55501, "Новый чат")
	tg.SetMemberStatus(dst.ID, anna.ID, telegramtest.StatusCreator)
	seedPlan(t, r, dst)
	doc := tg.SendUserDocument(dst, anna, "kpi-entries.csv", "text/csv", csv, "")
	seq := tg.Seq()
	tg.SendReply(dst, anna, "/import", doc.ID)
	(&person{t: t, tg: tg, chat: dst, user: anna}).waitFor(seq, "Загружено записей: 3")

	a, b := entriesOf(t, r, src.chat.ID), entriesOf(t, r, dst.ID)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("entries: %d exported, %d imported", len(a), len(b))
	}
	for i := range a {
		if a[i].Metric != b[i].Metric || a[i].Value != b[i].Value || a[i].Date != b[i].Date || a[i].ByName != b[i].ByName {
			t.Errorf("entry %d: %+v imported as %+v", i, a[i], b[i])
		}
	}

	// A broken file imports nothing and names the bad lines.
	bad := append(bytes.Clone(csv), []byte("2026-13-01,reach,Охват,5,people,Анна,2026-11-27T09:00:00Z\nnot,a,row\n")...)
	doc = tg.SendUserDocument(dst, anna, "bad.csv", "text/csv", bad, "")
	seq = tg.Seq()
	tg.SendReply(dst, anna, "/import", doc.ID)
	(&person{t: t, tg: tg, chat: dst, user: anna}).waitFor(seq, "ничего не загрузил")
	if m, _ := tg.LastMessage(dst.ID); !strings.Contains(m.PlainText, "строка 5") || !strings.Contains(m.PlainText, "строка 6") {
		t.Errorf("bad rows: %q", m.PlainText)
	}
	if n := len(entriesOf(t, r, dst.ID)); n != 3 {
		t.Errorf("%d entries after a broken import, want 3", n)
	}
}
