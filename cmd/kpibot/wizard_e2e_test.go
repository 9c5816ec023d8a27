package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/kpi"
)

// person drives the bot in one chat as one user would: pressing buttons by
// their text and typing answers, each time waiting for the bot's answer.
type person struct {
	t    *testing.T
	tg   *telegramtest.Server
	chat telegramtest.Chat
	user telegramtest.User
	taps int // buttons pressed and answers typed
	log  []string
}

// screen returns the newest bot message that has inline buttons.
func (p *person) screen() telegramtest.Message {
	p.t.Helper()
	msgs := p.tg.Messages(p.chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons()) > 0 && !msgs[i].Deleted {
			return msgs[i]
		}
	}
	p.t.Fatalf("no message with buttons in the chat")
	return telegramtest.Message{}
}

// press taps the button labelled label (on the newest message that has
// it) and waits until a bot message sent or edited after the tap
// contains want.
func (p *person) press(label, want string) {
	p.t.Helper()
	msgs := p.tg.Messages(p.chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if _, ok := msgs[i].Button(label); ok {
			seq := p.tg.Seq()
			p.tg.PressButton(p.t, p.chat, p.user, msgs[i].ID, label)
			p.taps++
			p.log = append(p.log, "[кнопка] "+label)
			p.waitFor(seq, want)
			return
		}
	}
	p.t.Fatalf("no button %q; the screen is:\n%s\nbuttons %v", label, p.screen().PlainText, labels(p.screen()))
}

// say types text (in a group: as a reply to the bot's ForceReply prompt)
// and waits for a bot message containing want.
func (p *person) say(text, want string) {
	p.t.Helper()
	seq := p.tg.Seq()
	if p.chat.Type == telegramtest.ChatPrivate {
		p.tg.SendText(p.chat, p.user, text)
	} else {
		p.tg.SendReply(p.chat, p.user, text, p.prompt().ID)
	}
	p.taps++
	p.log = append(p.log, "[ответ] "+text)
	p.waitFor(seq, want)
}

// prompt is the newest ForceReply message of the bot.
func (p *person) prompt() telegramtest.Message {
	p.t.Helper()
	msgs := p.tg.Messages(p.chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Markup != nil && msgs[i].Markup.ForceReply {
			return msgs[i]
		}
	}
	p.t.Fatalf("no ForceReply prompt in the chat")
	return telegramtest.Message{}
}

func (p *person) waitFor(seq int64, want string) {
	p.t.Helper()
	var found string
	p.tg.WaitFor(p.t, wait, "a bot message with "+want, func() bool {
		for _, m := range p.tg.Messages(p.chat.ID) {
			last := m.History[len(m.History)-1]
			if last.Seq > seq && (strings.Contains(m.PlainText, want) || slices.Contains(labels(m), want)) {
				found = m.PlainText
				return true
			}
		}
		return false
	})
	p.log = append(p.log, found)
}

func labels(m telegramtest.Message) []string {
	var out []string
	for _, b := range m.Buttons() {
		out = append(out, b.Text)
	}
	return out
}

// ruWizardToMetrics runs steps 1-3 in Russian and stops on the metrics
// list with the custom metric added.
func ruWizardToMetrics(p *person) {
	p.say("/setup", "Шаг 1 из 7")
	p.press("Рост продаж", "✓ Рост продаж")
	p.press("Узнаваемость бренда", "✓ Узнаваемость бренда")
	p.press("Дальше ▶", "измеримая цель")
	p.say("+20 % продаж к лету", "Шаг 2 из 7")
	p.press("25-34", "✓ 25-34")
	p.press("Дальше ▶", "Где ваша аудитория")
	p.press("Telegram", "✓ Telegram")
	p.press("ВКонтакте", "✓ ВКонтакте")
	p.press("Дальше ▶", "в сети")
	p.press("Вечером", "✓ Вечером")
	p.press("Дальше ▶", "интересуется")
	p.press("Пропустить ▶", "Шаг 3 из 7")
	// Preselected from the goals: conversions, CTR, reach, growth, ER.
	scr := p.screen()
	for _, l := range []string{"✓ Охват", "✓ Конверсии", "✓ CTR", "✓ Прирост подписчиков", "✓ Вовлечённость (ER)"} {
		if !slices.Contains(labels(scr), l) {
			p.t.Errorf("metrics screen lacks %q: %v", l, labels(scr))
		}
	}
	p.press("✓ CTR", "CTR")
	p.press("✓ Прирост подписчиков", "Прирост подписчиков")
	p.press("➕ Своя метрика", "Как называется")
	p.say("Записи через бота", "В чём её считать")
	p.press("штуки", "Что для неё лучше")
	p.press("Чем больше, тем лучше", "складывать")
	p.press("Суммировать", "✓ Записи через бота")
}

// ruWizardFromTargets answers step 4 for reach, ER, conversions and the
// custom metric, then steps 5-7, and saves.
func ruWizardFromTargets(p *person) {
	p.press("Дальше ▶", "Охват: какое значение сейчас")
	p.say("5000", "к какому сроку")
	p.press("Конец квартала (31.12.2026)", "Какого значения хотите достичь")
	p.say("6 500", "Вовлечённость (ER): какое значение")
	p.say("3,5", "к какому сроку")
	p.press("Конец месяца (31.12.2026)", "Какого значения")
	p.say("10", "Так быстро растут редко")
	p.press("Взять 3,9\u00a0%", "Конверсии: какое значение")
	p.say("40", "к какому сроку")
	p.press("Конец квартала (31.12.2026)", "Какого значения")
	p.press("Взять 44", "Записи через бота: какое значение")
	p.say("12", "к какому сроку")
	p.say("31.03.2027", "Какого значения")
	p.say("30", "Шаг 5 из 7")
	p.press("Дальше ▶", "В какой день")
	p.press("Пт", "Во сколько")
	p.say("9:30", "часовой пояс")
	p.say("UTC+4", "Шаг 6 из 7")
	p.press("✓ Каждую неделю", "предупреждать")
	p.press("✓ Отстаём на 20\u00a0%", "Шаг 7 из 7")
	p.press("✓ В этот чат", "Напоминать")
	p.press("✓ Да", "Проверьте план")
	p.press("✅ Сохранить план", "План сохранён (версия 1)")
}

func TestWizardPrivateRussian(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	ruWizardToMetrics(p)
	ruWizardFromTargets(p)

	plan, err := r.store.Plan(context.Background(), p.chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkRussianPlan(t, plan)
	ws, _ := r.store.Workspace(context.Background(), p.chat.ID)
	if ws.Timezone != "Etc/GMT-4" || ws.ReportDay != time.Friday || ws.ReportHour != 9 || ws.ReportMinute != 30 || !ws.Reminders {
		t.Errorf("settings %+v tz %s", ws.Settings, ws.Timezone)
	}
	t.Logf("interactions: %d\ntranscript:\n%s", p.taps, strings.Join(p.log, "\n"))
}

func checkRussianPlan(t *testing.T, plan kpi.Plan) {
	t.Helper()
	if plan.Version != 1 || !slices.Equal(plan.Goals, []kpi.Goal{kpi.GoalSales, kpi.GoalAwareness}) ||
		plan.BusinessTarget != "+20 % продаж к лету" {
		t.Errorf("goal part: %+v", plan)
	}
	a := plan.Audience
	if !slices.Equal(a.Ages, []string{"25-34"}) || !slices.Equal(a.Platforms, []string{"telegram", "vk"}) ||
		!slices.Equal(a.Active, []string{"evening"}) || a.Interests != "" {
		t.Errorf("audience: %+v", a)
	}
	if len(plan.Custom) != 1 || plan.Custom[0].Name != "Записи через бота" || plan.Custom[0].Unit != kpi.UnitCount ||
		plan.Custom[0].Agg != kpi.AggSum || plan.Custom[0].Better != kpi.HigherBetter {
		t.Errorf("custom metric: %+v", plan.Custom)
	}
	want := []struct {
		metric           string
		baseline, target float64
		deadline         string
	}{
		{"reach", 5000, 6500, "2026-12-31"},
		{"engagement", 3.5, 3.9, "2026-12-31"},
		{"conversions", 40, 44, "2026-12-31"},
		{"c1", 12, 30, "2027-03-31"},
	}
	if len(plan.KPIs) != len(want) {
		t.Fatalf("KPIs: %+v", plan.KPIs)
	}
	for i, w := range want {
		k := plan.KPIs[i]
		if k.Metric != w.metric || k.Baseline != w.baseline || k.Target != w.target || k.Deadline.String() != w.deadline ||
			k.Source != "manual" || k.Frequency != "weekly" {
			t.Errorf("KPI %d: %+v, want %+v", i, k, w)
		}
	}
	if plan.AlertPct != 20 || plan.Review != "weekly" {
		t.Errorf("analysis: %+v", plan)
	}
}
