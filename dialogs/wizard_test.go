package dialogs

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// sim is a chat as the dialogs engine sees it: it carries out Results the
// way package bot does (sends get new ids, edits change messages, Sent is
// called back) so a test can press buttons by their text.
type sim struct {
	t    *testing.T
	e    *Engine
	s    *memStore
	in   Input // the chat and user
	msgs map[int]Reply
	next int
	last Result
}

var simNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newSim(t *testing.T) *sim {
	s := newMemStore()
	e := newEngine(s, admins{owner: true})
	e.Now = func() time.Time { return simNow }
	return &sim{t: t, e: e, s: s, in: private(""), msgs: map[int]Reply{}, next: 100}
}

func (c *sim) run(in Input) Result {
	c.t.Helper()
	res, err := c.e.Handle(context.Background(), in)
	if err != nil {
		c.t.Fatalf("Handle(%+v): %v", in, err)
	}
	ids := make([]int, len(res.Replies))
	for i, r := range res.Replies {
		if r.Edit != 0 {
			old := c.msgs[r.Edit]
			if r.KeepText {
				old.Buttons = r.Buttons
			} else {
				old = r
			}
			c.msgs[r.Edit] = old
			ids[i] = r.Edit
			continue
		}
		c.next++
		c.msgs[c.next] = r
		ids[i] = c.next
	}
	if res.Sent != nil {
		if err := res.Sent(context.Background(), ids); err != nil {
			c.t.Fatal(err)
		}
	}
	c.last = res
	return res
}

func (c *sim) say(text string) Result {
	c.t.Helper()
	in := withText(c.in, text)
	c.next++
	in.MessageID = c.next
	return c.run(in)
}

// press taps the newest button labelled label.
func (c *sim) press(label string) Result {
	c.t.Helper()
	for id := c.next; id > 0; id-- {
		for _, row := range c.msgs[id].Buttons {
			for _, b := range row {
				if b.Text == label {
					return c.pressData(id, b.Data)
				}
			}
		}
	}
	c.t.Fatalf("no button %q", label)
	return Result{}
}

func (c *sim) pressData(msg int, d string) Result {
	in := c.in
	in.Callback, in.MessageID = d, msg
	return c.run(in)
}

// screen is the text of the newest message with buttons.
func (c *sim) screen() string {
	for id := c.next; id > 0; id-- {
		if len(c.msgs[id].Buttons) > 0 {
			return c.msgs[id].Text
		}
	}
	return ""
}

func (c *sim) wizard() wizard {
	c.t.Helper()
	var w wizard
	if err := json.Unmarshal(c.s.wizards[c.in.ChatID].state, &w); err != nil {
		c.t.Fatal(err)
	}
	return w
}

// toTargets runs the wizard to the first target question: goal sales,
// metrics conversions and CTR, conversions' baseline 40 and deadline.
func (c *sim) toTargets() {
	c.say("/setup")
	c.press("Рост продаж")
	c.press("Дальше ▶")
	for range 5 {
		c.press("Пропустить ▶")
	}
	c.press("Дальше ▶")
	c.say("40")
	c.press("Конец квартала (31.12.2026)")
}

func TestWizardRefusesBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		to    func(c *sim)
		input func(c *sim) Result
		says  string
		q     string // the question still asked
	}{
		{"target below baseline", (*sim).toTargets, func(c *sim) Result { return c.say("30") },
			"Цель должна быть больше текущего значения (40)", "target"},
		{"target equal to baseline", (*sim).toTargets, func(c *sim) Result { return c.say("40") },
			"Цель должна быть больше", "target"},
		{"garbage number", (*sim).toTargets, func(c *sim) Result { return c.say("много") }, "Не понял число", "target"},
		{"ambiguous number", (*sim).toTargets, func(c *sim) Result { return c.say("12,500") }, "можно понять двояко", "target"},
		{"negative", (*sim).toTargets, func(c *sim) Result { return c.say("-5") }, "не может быть отрицательным", "target"},
		{"percent over 100", func(c *sim) { c.toTargets(); c.say("50") },
			func(c *sim) Result { return c.say("150") }, "Проценты — от 0 до 100", "baseline"},
		{"deadline in the past", func(c *sim) { c.toTargets(); c.say("50"); c.say("2") },
			func(c *sim) Result { return c.say("01.01.2026") }, "Срок должен быть в будущем", "deadline"},
		{"impossible date", func(c *sim) { c.toTargets(); c.say("50"); c.say("2") },
			func(c *sim) Result { return c.say("31.02.2027") }, "Не понял дату", "deadline"},
		{"empty metric list", func(c *sim) {
			c.say("/setup")
			c.press("Рост продаж")
			c.press("Дальше ▶")
			for range 5 {
				c.press("Пропустить ▶")
			}
			c.press("✓ Конверсии")
			c.press("✓ CTR")
		}, func(c *sim) Result { return c.press("Дальше ▶") }, "", "metrics"},
		{"no goal", func(c *sim) { c.say("/setup") }, func(c *sim) Result { return c.press("Дальше ▶") }, "", "goal"},
		{"too long custom name", toCustomName, func(c *sim) Result { return c.say(strings.Repeat("очень ", 10)) }, "Название нужно от 1 до 40 символов", "custom_name"},
		{"custom name taken", toCustomName, func(c *sim) Result { return c.say("охват") }, "уже занято", "custom_name"},
		// A catalogue metric's key or alias would log into that metric.
		{"custom name is a key", toCustomName, func(c *sim) Result { return c.say("Engagement") }, "уже занято", "custom_name"},
		{"custom name is an alias", toCustomName, func(c *sim) Result { return c.say("ER") }, "уже занято", "custom_name"},
		{"custom name is an alias with ё", toCustomName, func(c *sim) Result { return c.say("Охваты") }, "уже занято", "custom_name"},
		{"bad timezone", toTimezone, func(c *sim) Result { return c.say("Mars/Olympus") }, "Не знаю такого пояса", "timezone"},
		{"bad time", toReportTime, func(c *sim) Result { return c.say("25:61") }, "Не понял время", "report_time"},
		{"65-byte callback", (*sim).toTargets, func(c *sim) Result {
			return c.pressData(c.wizard().Message, "1:w:"+strings.Repeat("9", 61))
		}, "", "target"},
		{"old screen's button", (*sim).toTargets, func(c *sim) Result {
			return c.pressData(c.wizard().Message, "1:w:1:n")
		}, "", "target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSim(t)
			tc.to(c)
			before := c.wizard()
			res := tc.input(c)
			after := c.wizard()
			if after.Q != tc.q {
				t.Errorf("question %q, want %q still", after.Q, tc.q)
			}
			if tc.says != "" && !strings.Contains(c.screen(), tc.says) && !strings.Contains(res.Notice, tc.says) {
				t.Errorf("the screen says %q, notice %q; want %q", c.screen(), res.Notice, tc.says)
			}
			if tc.says == "" && res.Notice == "" {
				t.Errorf("a refused press needs a notice: %+v", res)
			}
			b1, _ := json.Marshal(before.Plan)
			b2, _ := json.Marshal(after.Plan)
			if string(b1) != string(b2) || before.TZ != after.TZ {
				t.Errorf("the draft changed:\n%s\n%s", b1, b2)
			}
		})
	}
}

func toReportTime(c *sim) {
	c.toTargets()
	c.press("Взять 44")
	c.say("2")
	c.press("Конец квартала (31.12.2026)")
	c.press("Взять 2,2\u00a0%")
	c.press("Дальше ▶")
	c.press("✓ Пн")
}

// toCustomName opens the custom metric's name question in a sales plan.
func toCustomName(c *sim) {
	c.say("/setup")
	c.press("Рост продаж")
	c.press("Дальше ▶")
	for range 5 {
		c.press("Пропустить ▶")
	}
	c.press("➕ Своя метрика")
}

func toTimezone(c *sim) {
	toReportTime(c)
	c.press("✓ 10:00")
}

// Every keyboard the wizard can show, in both languages and with the
// largest state (every metric and eight custom ones, a group with eight
// report destinations), carries callback data of at most 64 bytes that
// the bot itself accepts as fresh.
func TestEveryKeyboardFitsTelegram(t *testing.T) {
	for _, l := range kpi.Langs {
		s := newMemStore()
		e := newEngine(s, admins{owner: true})
		e.Now = func() time.Time { return simNow }
		ws := kpi.Workspace{ChatID: -100, Type: kpi.ChatSupergroup, Title: "G", Lang: l, Timezone: "Europe/Moscow", Settings: kpi.DefaultSettings}
		for g := int64(1); g <= 10; g++ {
			s.workspaces[-g*1000] = kpi.Workspace{ChatID: -g * 1000, Type: kpi.ChatGroup, Title: strings.Repeat("Группа ", 9), Active: true}
			s.groups[owner] = append(s.groups[owner], -g*1000)
		}
		w := &wizard{Owner: owner, Screen: 999999, TZ: "Asia/Kathmandu", Settings: kpi.DefaultSettings}
		w.Plan.Goals = kpi.Goals
		for i := 1; i <= 8; i++ {
			key := "c" + strconv.Itoa(i)
			w.Plan.Custom = append(w.Plan.Custom, kpi.Metric{Key: key, Name: strings.Repeat("Ж", 40), Custom: true, Unit: kpi.UnitCount, Agg: kpi.AggSum, Better: kpi.HigherBetter})
		}
		for _, m := range append(slices.Clone(kpi.Catalog), w.Plan.Custom...) {
			w.Plan.KPIs = append(w.Plan.KPIs, kpi.KPI{Metric: m.Key, Baseline: 1e9, Target: 2e9, Deadline: kpi.Date{Year: 2027, Month: 3, Day: 31}})
		}
		in := Input{ChatID: -100, ChatType: kpi.ChatSupergroup, UserID: owner, ThreadID: 12345}
		c := e.newCtx(context.Background(), in, ws, w)
		for name, q := range questions {
			for k := range w.Plan.KPIs {
				w.Q, w.K = name, k
				w.Trail = []mark{{Q: "goal"}}
				_, rows := q.view(c)
				rows = append(rows, c.nav(q)...)
				for _, row := range rows {
					if len(row) > 8 {
						t.Errorf("%s %s: %d buttons in a row", l, name, len(row))
					}
					for _, b := range row {
						if len(b.Data) > 64 || !strings.HasPrefix(b.Data, "1:w:999999:") {
							t.Errorf("%s %s: button %q data %q (%d bytes)", l, name, b.Text, b.Data, len(b.Data))
						}
					}
				}
			}
		}
		card := e.planCard(ws, w.Plan, nil, true, nil)
		for _, row := range card.Buttons {
			for _, b := range row {
				if len(b.Data) > 64 {
					t.Errorf("plan card button %q: %d bytes", b.Text, len(b.Data))
				}
			}
		}
	}
}

func TestWizardBackPauseResume(t *testing.T) {
	c := newSim(t)
	c.toTargets()
	c.say("44")
	if q := c.wizard().Q; q != "baseline" || c.wizard().K != 1 {
		t.Fatalf("after the first target: %s/%d", q, c.wizard().K)
	}
	// Back walks the answered questions in reverse, KPI by KPI.
	c.press("◀ Назад")
	if w := c.wizard(); w.Q != "target" || w.K != 0 {
		t.Errorf("back: %s/%d, want target/0", w.Q, w.K)
	}
	c.press("◀ Назад")
	if w := c.wizard(); w.Q != "deadline" || w.K != 0 {
		t.Errorf("back: %s/%d, want deadline/0", w.Q, w.K)
	}
	// Pause keeps every answer; /setup resumes at the same question.
	res := c.press("✖ Пауза")
	if !strings.Contains(res.Notice, "/setup продолжит с шага 4") {
		t.Errorf("pause: %+v", res)
	}
	if got := text(c.say("любой текст")); !strings.Contains(got, "не понял") && !strings.Contains(got, "Я не понял") {
		t.Errorf("text while paused: %q", got)
	}
	c.say("/setup")
	w := c.wizard()
	if w.Q != "deadline" || w.Paused || w.Plan.KPIs[0].Baseline != 40 || w.Plan.KPIs[0].Target != 44 {
		t.Errorf("resumed: %+v", w)
	}
	if !strings.Contains(c.screen(), "Продолжаем настройку") {
		t.Errorf("resumed screen: %q", c.screen())
	}
	// /cancel pauses too.
	c.say("/cancel")
	if !c.wizard().Paused {
		t.Error("/cancel did not pause the wizard")
	}
}

func TestDoubleConfirmSavesOnce(t *testing.T) {
	c := newSim(t)
	toTimezone(c)
	c.press("✓ Москва")
	c.press("✓ Каждую неделю")
	c.press("✓ Отстаём на 20\u00a0%")
	c.press("✓ В этот чат")
	c.press("✓ Да")
	confirm := c.wizard().Message
	data := ""
	for _, row := range c.msgs[confirm].Buttons {
		if row[0].Text == "✅ Сохранить план" {
			data = row[0].Data
		}
	}
	c.pressData(confirm, data)
	res := c.pressData(confirm, data) // the second tap of a double tap
	if len(c.s.plans[c.in.ChatID]) != 1 {
		t.Errorf("%d plan versions after a double tap", len(c.s.plans[c.in.ChatID]))
	}
	if res.Notice == "" || len(res.Replies) != 0 {
		t.Errorf("second tap: %+v", res)
	}
}
