package main

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// seedHistory logs twelve weeks of a coffee shop's numbers before testNow:
// reach grows but lags its pace, ER is on track, the custom metric reached
// its target, and two weeks of reach are missing.
func seedHistory(t testing.TB, r *running, chat int64) {
	t.Helper()
	ctx := context.Background()
	today := kpi.DateOf(testNow)
	var es []kpi.Entry
	for w := 11; w >= 0; w-- {
		day := kpi.WeekOf(today).Start.AddDays(-7*w + 1)
		if w != 5 && w != 6 {
			es = append(es, kpi.Entry{Metric: "reach", Value: float64(9000 + (11-w)*250), Date: day, By: anna.ID, ByName: "Анна", At: testNow})
		}
		es = append(es, kpi.Entry{Metric: "engagement", Value: 3 + float64(11-w)*0.2, Date: day, By: anna.ID, ByName: "Анна", At: testNow})
		es = append(es, kpi.Entry{Metric: "c1", Value: float64(20 + (11-w)*2), Date: day, By: oleg.ID, ByName: "Олег", At: testNow})
	}
	if _, _, err := r.store.AddEntries(ctx, chat, es, today, today); err != nil {
		t.Fatal(err)
	}
}

func TestWeeklyReportByCommand(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	seedPlan(t, r, p.chat)

	// Nothing logged yet: a text that says what to log, not an empty chart.
	p.say("/report", "Отчёт пока пустой")
	if m, _ := tg.LastMessage(p.chat.ID); m.Photo != nil || !strings.Contains(m.PlainText, "/log охват 12500") {
		t.Errorf("empty report: %q", m.PlainText)
	}

	seedHistory(t, r, p.chat.ID)
	p.say("/report", "Неделя 48")
	var photo telegramtest.Message
	for _, m := range tg.Messages(p.chat.ID) {
		if m.Photo != nil {
			photo = m
		}
	}
	img, err := png.Decode(bytes.NewReader(photo.Photo))
	if err != nil {
		t.Fatalf("the report is not a PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w < 1000 || w > 1200 {
		t.Errorf("image width %d, want about 1080", w)
	}
	c := photo.PlainCaption
	for _, want := range []string{"Неделя 48 · 23.11.2026 – 29.11.2026", "Охват:", "Вовлечённость (ER):", "Записи через бота:"} {
		if !strings.Contains(c, want) {
			t.Errorf("caption lacks %q:\n%s", want, c)
		}
	}
	if n := len([]rune(c)); n > 1024 {
		t.Errorf("caption of %d characters", n)
	}
	// The advice is in the caption or right after it.
	all := c
	if m, _ := tg.LastMessage(p.chat.ID); m.ID != photo.ID {
		all += m.PlainText
	}
	if !strings.Contains(all, "Что сделать:") || !strings.Contains(all, "(шаг ") || strings.Contains(all, "%!") {
		t.Errorf("no advice, or a broken one:\n%s", all)
	}
}

func TestQuarterlyReportAndReview(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	defer testClock.Set(testNow)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(john), user: john}
	seedPlan(t, r, p.chat)
	seedHistory(t, r, p.chat.ID)
	p.say("/lang en", "I speak English now")
	p.say("/report quarter", "What do we do with the targets")
	var photo telegramtest.Message
	for _, m := range tg.Messages(p.chat.ID) {
		if m.Photo != nil {
			photo = m
		}
	}
	if !strings.Contains(photo.PlainCaption, "Q4 2026") || !strings.Contains(photo.PlainCaption, "✅ achieved") {
		t.Errorf("quarterly caption:\n%s", photo.PlainCaption)
	}
	// Raising the reached target saves a new version with a higher one.
	p.press("Raise the reached ones", "New targets saved")
	plans, _ := r.store.Plans(context.Background(), p.chat.ID)
	if len(plans) != 2 {
		t.Fatalf("%d plan versions", len(plans))
	}
	k, _ := plans[1].KPI("c1")
	if k.Target <= 30 || k.Baseline != 42 || k.Deadline.String() != "2027-03-31" {
		t.Errorf("raised KPI: %+v", k)
	}
	// "Adjust" opens step 4 for the next quarter; keeping each answer
	// walks the KPIs and saves version 3 with deadlines at its end.
	p.say("/report quarter", "What do we do with the targets")
	p.press("Adjust (step 4)", "Step 4 of 7")
	for i := 0; i < 20 && len(mustPlans(t, r, p.chat.ID)) < 3; i++ {
		keep := ""
		for _, l := range labels(p.screen()) {
			if strings.HasPrefix(l, "Keep ") {
				keep = l
				break
			}
		}
		if keep == "" {
			t.Fatalf("no Keep button on %q: %v", p.screen().PlainText, labels(p.screen()))
		}
		p.press(keep, "")
	}
	plans = mustPlans(t, r, p.chat.ID)
	if len(plans) != 3 {
		t.Fatalf("%d versions after adjusting", len(plans))
	}
	for _, k := range plans[2].KPIs {
		if k.Deadline.String() != "2027-03-31" {
			t.Errorf("adjusted KPI %s: deadline %s, want the next quarter's end", k.Metric, k.Deadline)
		}
	}
}

func mustPlans(t *testing.T, r *running, chat int64) []kpi.Plan {
	t.Helper()
	ps, err := r.store.Plans(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}
