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
	last int64 // sequence number of the last action
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
			p.last = seq
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
	var prompt int
	if p.chat.Type != telegramtest.ChatPrivate && !strings.HasPrefix(text, "/") {
		prompt = p.prompt().ID
	}
	seq := p.tg.Seq()
	p.last = seq
	if prompt == 0 {
		p.tg.SendText(p.chat, p.user, text)
	} else {
		p.tg.SendReply(p.chat, p.user, text, prompt)
	}
	p.taps++
	p.log = append(p.log, "[ответ] "+text)
	p.waitFor(seq, want)
}

// prompt waits for the bot's ForceReply prompt sent after the last action
// (it follows the question it belongs to) and returns it.
func (p *person) prompt() telegramtest.Message {
	p.t.Helper()
	var found telegramtest.Message
	p.tg.WaitFor(p.t, wait, "a ForceReply prompt", func() bool {
		for _, m := range p.tg.Messages(p.chat.ID) {
			if m.Markup != nil && m.Markup.ForceReply && m.Seq > p.last {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func (p *person) waitFor(seq int64, want string) {
	p.t.Helper()
	defer func() { // runs on the Fatal of a timeout too: show what the bot did say
		if p.t.Failed() {
			msgs := p.tg.Messages(p.chat.ID)
			for _, m := range msgs[max(0, len(msgs)-3):] {
				p.t.Logf("bot message %d: %q %q %v", m.ID, m.PlainText, m.PlainCaption, labels(m))
			}
		}
	}()
	var found string
	p.tg.WaitFor(p.t, wait, "a bot message with "+want, func() bool {
		for _, m := range p.tg.Messages(p.chat.ID) {
			last := m.History[len(m.History)-1]
			if last.Seq > seq && (strings.Contains(m.PlainText, want) || strings.Contains(m.PlainCaption, want) ||
				strings.Contains(strings.Join(labels(m), "\n"), want)) {
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

func TestWizardPrivateEnglish(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(john), user: john}
	p.say("/start", "Set up KPIs")
	p.press("🚀 Set up KPIs", "Step 1 of 7")
	p.press("Customer service", "✓ Customer service")
	p.press("Next ▶", "measurable business target")
	p.press("Skip ▶", "Step 2 of 7")
	p.press("Skip ▶", "Where is your audience")
	p.press("Instagram", "✓ Instagram")
	p.press("Next ▶", "online the most")
	p.press("Skip ▶", "What is your audience into")
	p.say("coffee, brunch", "Step 3 of 7")
	p.press("Next ▶", "Engagement rate: where is it now")
	p.say("2.5", "by when")
	p.press("End of quarter (31 Dec 2026)", "What do you want to reach")
	p.say("3", "Response time: where is it now")
	p.say("60", "by when")
	p.press("End of quarter (31 Dec 2026)", "What do you want to reach")
	p.say("90", "must be below the current value")
	p.say("30", "Growth that fast is rare")
	p.press("Take 56 min", "Step 5 of 7")
	p.press("Response time: by hand", "Response time: platform stats")
	p.press("Next ▶", "Which day")
	p.press("✓ Mon", "At what time")
	p.press("✓ 10:00", "Your time zone")
	p.say("America/New_York", "Step 6 of 7")
	p.press("Weekly + a monthly deep dive", "When should I warn")
	p.press("10% behind", "Step 7 of 7")
	p.press("✓ This chat", "Remind the team")
	p.press("No", "Check the plan")
	p.press("✅ Save the plan", "KPI plan · version 1")

	plan, err := r.store.Plan(context.Background(), p.chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Goals, []kpi.Goal{kpi.GoalService}) || plan.Audience.Interests != "coffee, brunch" ||
		!slices.Equal(plan.Audience.Platforms, []string{"instagram"}) || plan.Review != "monthly" || plan.AlertPct != 10 {
		t.Errorf("plan: %+v", plan)
	}
	if len(plan.KPIs) != 2 || plan.KPIs[0].Metric != "engagement" || plan.KPIs[0].Target != 3 ||
		plan.KPIs[1].Metric != "response_time" || plan.KPIs[1].Target != 56 || plan.KPIs[1].Source != "platform" {
		t.Errorf("KPIs: %+v", plan.KPIs)
	}
	ws, _ := r.store.Workspace(context.Background(), p.chat.ID)
	if ws.Timezone != "America/New_York" || ws.Reminders || ws.ReportDay != time.Monday || ws.ReportHour != 10 {
		t.Errorf("workspace: %+v", ws)
	}
	// The plan card follows, with edit buttons for the owner.
	card, _ := tg.LastMessage(p.chat.ID)
	if !strings.Contains(card.PlainText, "KPI plan · version 1") || !strings.Contains(card.PlainText, "Response time: 60 min → 56 min by 31 Dec 2026") {
		t.Errorf("plan card: %q", card.PlainText)
	}
	if _, ok := card.Button("✏️ Goal"); !ok {
		t.Errorf("no edit buttons on the card: %v", labels(card))
	}

	// Editing one step from the card: only that step, then the new card.
	p.say("/plan", "KPI plan · version 1")
	p.press("✏️ Analysis", "Step 6 of 7")
	if strings.Contains(strings.Join(labels(p.screen()), " "), "Back") {
		t.Errorf("Back leads out of the edited step: %v", labels(p.screen()))
	}
	p.press("Every week", "When should I warn")
	p.press("30% behind", "KPI plan · version 2")
	card, _ = tg.LastMessage(p.chat.ID)
	if !strings.Contains(card.PlainText, "warn when 30% behind") || !strings.Contains(card.PlainText, "Plan versions: 1 (27 Nov 2026), 2 (27 Nov 2026)") ||
		!strings.Contains(card.PlainText, "Response time: 60 min → 56 min") {
		t.Errorf("card after the edit: %q", card.PlainText)
	}
	all, _ := r.store.Plans(context.Background(), p.chat.ID)
	if len(all) != 2 || all[0].AlertPct != 10 || all[1].AlertPct != 30 || all[1].Review != "weekly" {
		t.Errorf("versions: %+v", all)
	}
}

// A team group: only admins set the plan up; the wizard's text questions
// come as ForceReply prompts and only the owner's reply is taken.
func TestWizardInSupergroup(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	group := tg.Supergroup(-1009876543210, "Кофейня", false)
	tg.AddBotToGroup(group, anna)
	tg.WaitMessages(t, group.ID, 1, wait)
	tg.SetMemberStatus(group.ID, anna.ID, telegramtest.StatusCreator)
	tg.SetMemberStatus(group.ID, oleg.ID, telegramtest.StatusMember)

	owner := &person{t: t, tg: tg, chat: group, user: anna}
	member := &person{t: t, tg: tg, chat: group, user: oleg}
	member.say("/setup", "Это могут менять только администраторы")

	owner.say("/setup", "Шаг 1 из 7")
	owner.press("Сервис для клиентов", "✓ Сервис для клиентов")
	// A member pressing the owner's buttons is told whose they are.
	seq := tg.Seq()
	tg.PressButton(t, group, oleg, owner.screen().ID, "Рост продаж")
	tg.WaitFor(t, wait, "the member's press answered", func() bool {
		a := tg.CallbackAnswers()
		return len(a) > 0 && a[len(a)-1].Seq > seq
	})
	if a := tg.CallbackAnswers(); !strings.Contains(a[len(a)-1].Text, "Эти кнопки для Анна") {
		t.Errorf("member press answered %q", a[len(a)-1].Text)
	}
	if slices.Contains(labels(owner.screen()), "✓ Рост продаж") {
		t.Error("the member's press changed the goal")
	}
	owner.press("Дальше ▶", "измеримая цель")
	prompt := owner.prompt()
	if !prompt.Markup.Selective || prompt.ReplyTo == 0 || !strings.Contains(prompt.PlainText, "Анна, ответьте") {
		t.Errorf("prompt: %+v", prompt)
	}
	// The member replies to the prompt: ignored. Chatter: ignored.
	tg.SendReply(group, oleg, "+100500 % за неделю", prompt.ID)
	tg.SendText(group, oleg, "а что тут происходит?")
	owner.say("Довольные клиенты", "Шаг 2 из 7")
	w, _, err := r.store.Wizard(context.Background(), group.ID)
	if err != nil || !strings.Contains(string(w), "Довольные клиенты") || strings.Contains(string(w), "100500") {
		t.Errorf("wizard state after the member's reply: %s (%v)", w, err)
	}
	// Every question asked in the group, and only there.
	if n := len(tg.Messages(anna.ID)); n != 0 {
		t.Errorf("%d messages went to a private chat", n)
	}
}

func TestWizardByAnonymousAdmin(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	group := tg.Supergroup(-1005550001, "Студия", false)
	tg.SetMemberStatus(group.ID, john.ID, telegramtest.StatusAdministrator)
	seq := tg.Seq()
	tg.SendAsAnonymousAdmin(group, "/setup")
	anon := &person{t: t, tg: tg, chat: group, user: john}
	anon.waitFor(seq, "Шаг 1 из 7")
	// The anonymous admin's presses come with their own id: accepted.
	anon.press("Рост продаж", "✓ Рост продаж")
	anon.press("Дальше ▶", "измеримая цель")
	seq = tg.Seq()
	tg.SendAsAnonymousAdmin(group, "Выручка +15 %", telegramtest.ReplyTo(anon.prompt().ID))
	anon.last = seq
	anon.waitFor(seq, "Шаг 2 из 7")
	if w, _, _ := r.store.Wizard(context.Background(), group.ID); !strings.Contains(string(w), "Выручка +15 %") {
		t.Errorf("wizard: %s", w)
	}
}

// The bot restarts (a new process state on the same store) between steps
// 3 and 4; the owner goes on pressing the same buttons and finishes.
func TestWizardSurvivesRestart(t *testing.T) {
	tg := telegramtest.New(t)
	dir := t.TempDir()
	first := startBot(t, tg, map[string]string{"DATA_DIR": dir}, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	ruWizardToMetrics(p)
	first.stop()

	second := startBot(t, tg, map[string]string{"DATA_DIR": dir}, nil)
	ruWizardFromTargets(p)
	plan, err := second.store.Plan(context.Background(), p.chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkRussianPlan(t, plan)
}

// One wizard per workspace: a second admin is told who runs it, and may
// take it over once it has been idle for ten minutes.
func TestSecondAdminWaitsThenTakesOver(t *testing.T) {
	tg := telegramtest.New(t)
	startBot(t, tg, nil, nil)
	defer testClock.Set(testNow)
	group := tg.Group(-777, "Салон")
	tg.SetMemberStatus(group.ID, anna.ID, telegramtest.StatusCreator)
	tg.SetMemberStatus(group.ID, john.ID, telegramtest.StatusAdministrator)
	a := &person{t: t, tg: tg, chat: group, user: anna}
	j := &person{t: t, tg: tg, chat: group, user: john}
	a.say("/setup", "Шаг 1 из 7")
	a.press("Рост продаж", "✓ Рост продаж")
	old := a.screen()
	oldNext, _ := old.Button("Дальше ▶")
	j.say("/setup", "Сейчас план настраивает Анна")
	if _, ok := tg.LastMessage(group.ID); ok {
		if m, _ := tg.LastMessage(group.ID); len(m.Buttons()) != 0 {
			t.Errorf("a take-over button before 10 minutes: %v", labels(m))
		}
	}
	testClock.Set(testNow.Add(11 * time.Minute))
	j.say("/setup", "уже 11 мин без изменений")
	j.press("Взять настройку на себя", "Теперь настройку ведёт John")
	j.press("Дальше ▶", "измеримая цель")
	// Anna's old buttons are gone; a client that still shows them gets a
	// notice and changes nothing.
	if m, _ := tg.Message(group.ID, old.ID); len(m.Buttons()) != 0 {
		t.Errorf("the old screen keeps its buttons: %v", labels(m))
	}
	seq := tg.Seq()
	tg.PressData(group, anna, old.ID, oldNext.CallbackData)
	tg.WaitFor(t, wait, "Anna's press answered", func() bool {
		ans := tg.CallbackAnswers()
		return len(ans) > 0 && ans[len(ans)-1].Seq > seq
	})
	if ans := tg.CallbackAnswers(); ans[len(ans)-1].Text != "Эта кнопка устарела." {
		t.Errorf("stale press answered %q", ans[len(ans)-1].Text)
	}
	if !strings.Contains(j.screen().PlainText, "измеримая цель") {
		t.Errorf("the stale press moved the wizard: %q", j.screen().PlainText)
	}
}

// The shortest honest run: one goal, the suggested metrics and targets,
// every default kept. Its transcript is what an owner reads (go test -v).
func TestWizardWithDefaults(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	p := &person{t: t, tg: tg, chat: tg.PrivateChat(anna), user: anna}
	p.say("/setup", "Шаг 1 из 7")
	p.press("Рост продаж", "✓ Рост продаж")
	p.press("Дальше ▶", "измеримая цель")
	p.press("Пропустить ▶", "Сколько лет")
	p.press("Пропустить ▶", "Где ваша аудитория")
	p.press("Пропустить ▶", "в сети")
	p.press("Пропустить ▶", "интересуется")
	p.press("Пропустить ▶", "Шаг 3 из 7")
	p.press("Дальше ▶", "Конверсии: какое значение")
	p.say("40", "к какому сроку")
	p.press("Конец квартала (31.12.2026)", "Какого значения")
	p.press("Взять 44", "CTR: какое значение")
	p.say("1,8", "к какому сроку")
	p.press("Конец квартала (31.12.2026)", "Какого значения")
	p.press("Взять 2\u00a0%", "Шаг 5 из 7")
	p.press("Дальше ▶", "В какой день")
	p.press("✓ Пн", "Во сколько")
	p.press("✓ 10:00", "часовой пояс")
	p.press("✓ Москва", "Шаг 6 из 7")
	p.press("✓ Каждую неделю", "предупреждать")
	p.press("✓ Отстаём на 20\u00a0%", "Шаг 7 из 7")
	p.press("✓ В этот чат", "Напоминать")
	p.press("✓ Да", "Проверьте план")
	p.press("✅ Сохранить план", "План KPI · версия 1")
	if plan, err := r.store.Plan(context.Background(), p.chat.ID); err != nil || len(plan.KPIs) != 2 || plan.KPIs[1].Target != 2 {
		t.Errorf("plan %+v, %v", plan, err)
	}
	if p.taps > 24 {
		t.Errorf("%d interactions with every default kept; it was 24", p.taps)
	}
	t.Logf("interactions: %d\n%s", p.taps, strings.Join(p.log, "\n"))
}
