package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
	"github.com/kpibot/kpibot/storage/embedded"
)

// world is a scheduler on the embedded store against a fake Telegram,
// with the clock in the test's hands.
type world struct {
	t     *testing.T
	rdb   redis.UniversalClient
	tg    *telegramtest.Server
	st    *storage.Store
	eng   *dialogs.Engine
	bot   *bot.Bot
	sched *bot.Scheduler
	now   time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWith(t)
}

// newWorldWith is newWorld with options for the fake Telegram.
func newWorldWith(t *testing.T, opts ...telegramtest.Option) *world {
	t.Helper()
	ctx := context.Background()
	emb, err := embedded.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	w := &world{t: t, tg: telegramtest.New(t, opts...), st: storage.New(emb.Client()), rdb: emb.Client()}
	w.eng = &dialogs.Engine{Store: w.st, DefaultLang: kpi.Russian, DefaultTZ: "Europe/Moscow", Now: func() time.Time { return w.now }}
	w.bot, err = bot.New(ctx, bot.Config{Token: w.tg.Token(), APIURL: w.tg.URL, Log: slog.New(slog.DiscardHandler), NoReplyLimit: true}, w.eng)
	if err != nil {
		t.Fatal(err)
	}
	w.eng.Admins = w.bot
	w.sched = &bot.Scheduler{Store: w.st, Reports: w.eng, Bot: w.bot, Now: func() time.Time { return w.now }, Log: slog.New(slog.DiscardHandler)}
	return w
}

// workspace makes a private chat's workspace in zone tz with a plan on
// reach and ER, reports on Monday 10:00, and one reach entry a week.
func (w *world) workspace(id int64, tz string, reminders bool) telegramtest.Chat {
	w.t.Helper()
	return w.workspaceIn(w.tg.PrivateChat(telegramtest.User{ID: id, FirstName: "U"}), tz, reminders)
}

func (w *world) workspaceIn(chat telegramtest.Chat, tz string, reminders bool) telegramtest.Chat {
	w.t.Helper()
	ctx := context.Background()
	typ := kpi.ChatType(chat.Type)
	ws := kpi.Workspace{ChatID: chat.ID, Type: typ, Title: chat.Title, Lang: kpi.Russian, Timezone: tz, Active: true,
		Settings: kpi.Settings{ReportDay: time.Monday, ReportHour: 10, Reminders: reminders}}
	if err := w.st.SaveWorkspace(ctx, ws); err != nil {
		w.t.Fatal(err)
	}
	end := kpi.Date{Year: 2027, Month: 3, Day: 31}
	p := kpi.Plan{Goals: []kpi.Goal{kpi.GoalAwareness}, AlertPct: 20, Start: kpi.Date{Year: 2026, Month: 9, Day: 1},
		KPIs: []kpi.KPI{{Metric: "reach", Baseline: 1000, Target: 5000, Deadline: end}, {Metric: "engagement", Baseline: 2, Target: 4, Deadline: end}}}
	if _, err := w.st.CommitPlan(ctx, ws, p, 0); err != nil {
		w.t.Fatal(err)
	}
	var es []kpi.Entry
	for d := (kpi.Date{Year: 2026, Month: 9, Day: 7}); d.Before(kpi.Date{Year: 2027, Month: 1, Day: 10}); d = d.AddDays(7) {
		es = append(es, kpi.Entry{Metric: "reach", Value: 1500, Date: d, At: time.Now()})
	}
	if _, _, err := w.st.AddEntries(ctx, chat.ID, es, kpi.Date{Year: 2026, Month: 9, Day: 1}, kpi.Date{Year: 2026, Month: 9, Day: 1}); err != nil {
		w.t.Fatal(err)
	}
	return chat
}

// at moves the clock and ticks; it returns how many messages went out.
func (w *world) at(s string) int {
	w.t.Helper()
	now, err := time.Parse(time.RFC3339, s)
	if err != nil {
		w.t.Fatal(err)
	}
	w.now = now
	n, err := w.sched.Tick(context.Background(), now)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func photos(tg *telegramtest.Server, chat int64) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range tg.Messages(chat) {
		if m.Photo != nil {
			out = append(out, m)
		}
	}
	return out
}

// Each workspace gets its weekly report at 10:00 on Monday in its own
// zone, New York on both sides of its DST change, and once only.
func TestWeeklyReportAtLocalTime(t *testing.T) {
	w := newWorld(t)
	msk := w.workspace(1, "Europe/Moscow", false)
	vvo := w.workspace(2, "Asia/Vladivostok", false)
	nyc := w.workspace(3, "America/New_York", false)
	count := func() [3]int {
		return [3]int{len(photos(w.tg, msk.ID)), len(photos(w.tg, vvo.ID)), len(photos(w.tg, nyc.ID))}
	}
	steps := []struct {
		at   string
		want [3]int
	}{
		{"2026-10-25T23:00:00Z", [3]int{0, 0, 0}}, // first tick: nothing due in the last 24 h
		{"2026-10-25T23:59:59Z", [3]int{0, 0, 0}},
		{"2026-10-26T00:00:00Z", [3]int{0, 1, 0}}, // 10:00 in Vladivostok (UTC+10)
		{"2026-10-26T06:59:00Z", [3]int{0, 1, 0}},
		{"2026-10-26T07:00:00Z", [3]int{1, 1, 0}}, // 10:00 in Moscow (UTC+3)
		{"2026-10-26T13:59:00Z", [3]int{1, 1, 0}},
		{"2026-10-26T14:00:00Z", [3]int{1, 1, 1}}, // 10:00 EDT (UTC-4)
		{"2026-10-26T14:05:00Z", [3]int{1, 1, 1}}, // ticking again sends nothing twice
		{"2026-11-02T14:00:00Z", [3]int{2, 2, 1}}, // after 1 Nov New York is on EST: not yet
		{"2026-11-02T15:00:00Z", [3]int{2, 2, 2}}, // 10:00 EST (UTC-5)
	}
	for _, s := range steps {
		w.at(s.at)
		if got := count(); got != s.want {
			t.Errorf("at %s: reports %v, want %v", s.at, got, s.want)
		}
	}
	// A second replica ticking the same times sends nothing more.
	other := &bot.Scheduler{Store: w.st, Reports: w.eng, Bot: w.bot, Now: w.sched.Now, Log: slog.New(slog.DiscardHandler)}
	if n, _ := other.Tick(context.Background(), w.now); n != 0 {
		t.Errorf("a second replica sent %d", n)
	}
}

func TestQuarterlyOnTheFirstDay(t *testing.T) {
	w := newWorld(t)
	msk := w.workspace(1, "Europe/Moscow", false)
	w.at("2026-12-31T23:00:00Z")
	w.at("2027-01-01T06:59:00Z")
	if n := len(photos(w.tg, msk.ID)); n != 0 {
		t.Fatalf("%d photos before the quarter's first day at 10:00", n)
	}
	w.at("2027-01-01T07:00:00Z")
	ps := photos(w.tg, msk.ID)
	if len(ps) != 1 || !strings.Contains(ps[0].PlainCaption, "4-й квартал 2026") {
		t.Fatalf("quarterly: %d photos %v", len(ps), ps)
	}
	if m, _ := w.tg.LastMessage(msk.ID); !strings.Contains(m.PlainText, "Квартал закрыт") || len(m.Buttons()) != 3 {
		t.Errorf("review prompt: %q %v", m.PlainText, m.Buttons())
	}
}

// The reminder comes the day before the report, only to a workspace that
// misses a number this week, with a button per missing KPI.
func TestReminderOnlyWhenDataIsMissing(t *testing.T) {
	w := newWorld(t)
	missing := w.workspace(1, "Europe/Moscow", true)
	complete := w.workspace(2, "Europe/Moscow", true)
	es := []kpi.Entry{{Metric: "engagement", Value: 3, Date: kpi.Date{Year: 2026, Month: 11, Day: 27}, At: time.Now()}}
	if _, _, err := w.st.AddEntries(context.Background(), complete.ID, es, es[0].Date, es[0].Date); err != nil {
		t.Fatal(err)
	}
	w.at("2026-11-29T06:00:00Z")
	w.at("2026-11-29T07:00:00Z") // Sunday 10:00 in Moscow
	m, ok := w.tg.LastMessage(missing.ID)
	if !ok || !strings.Contains(m.PlainText, "Завтра еженедельный отчёт") || !strings.Contains(m.PlainText, "Вовлечённость (ER)") ||
		strings.Contains(m.PlainText, "Охват,") || len(m.Buttons()) != 1 {
		t.Errorf("reminder: %q %v", m.PlainText, m.Buttons())
	}
	if n := len(w.tg.Messages(complete.ID)); n != 0 {
		t.Errorf("a workspace with every number got %d messages", n)
	}
}

// Two replicas on one store and one Telegram: 50 workspaces, one weekly
// period, exactly 50 reports. Then the first replica dies mid-fan-out of
// the next week (it claimed a send and never finished it); once that claim
// expires the second replica completes the week: no duplicate, no loss.
func TestTwoReplicasPostEachReportOnce(t *testing.T) {
	w := newWorld(t)
	var chats []telegramtest.Chat
	for i := int64(1); i <= 50; i++ {
		chats = append(chats, w.workspace(1000+i, "Europe/Moscow", false))
	}
	a := w.sched
	b := &bot.Scheduler{Store: w.st, Reports: w.eng, Bot: w.bot, Now: a.Now, Log: slog.New(slog.DiscardHandler)}
	w.now, _ = time.Parse(time.RFC3339, "2026-11-30T07:00:00Z")
	done := make(chan int, 2)
	for _, s := range []*bot.Scheduler{a, b} {
		go func() {
			n, err := s.Tick(context.Background(), w.now)
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()
	}
	na, nb := <-done, <-done
	total := 0
	for _, c := range chats {
		n := len(photos(w.tg, c.ID))
		if n != 1 {
			t.Errorf("chat %d got %d reports", c.ID, n)
		}
		total += n
	}
	if total != 50 || na+nb != 50 {
		t.Errorf("%d reports posted (%d + %d by the replicas), want 50", total, na, nb)
	}

	// Next week the first replica dies after 20 sends, holding the 21st.
	w.now = w.now.Add(7 * 24 * time.Hour)
	ctx, kill := context.WithCancel(context.Background())
	dying := &bot.Scheduler{Store: w.st, Reports: &killAfter{Reports: w.eng, n: 21, kill: kill}, Bot: w.bot, Now: a.Now, Log: slog.New(slog.DiscardHandler)}
	dying.Tick(ctx, w.now)
	// Its held claim expires (10 minutes) and the survivor ticks again.
	w.now = w.now.Add(11 * time.Minute)
	expireClaims(t, w, chats)
	if _, err := b.Tick(context.Background(), w.now); err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		if n := len(photos(w.tg, c.ID)); n != 2 {
			t.Errorf("chat %d: %d reports after two weeks, want 2", c.ID, n)
		}
	}
}

// killAfter is Reports that cancels its replica's context while building
// the n-th report, as a SIGKILL mid-send would stop it.
type killAfter struct {
	bot.Reports
	n    int
	kill func()
}

func (k *killAfter) WeeklyReport(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (dialogs.Result, error) {
	k.n--
	if k.n == 0 {
		k.kill()
		return dialogs.Result{}, context.Canceled
	}
	return k.Reports.WeeklyReport(ctx, ws, p, today)
}

// expireClaims makes every unfinished claim lapse, as its TTL would: the
// claim key is gone.
func expireClaims(t *testing.T, w *world, chats []telegramtest.Chat) {
	t.Helper()
	held := 0
	for _, c := range chats {
		if ok, _ := w.st.Delivered(context.Background(), c.ID, bot.KindWeekly, "2026-W50"); !ok {
			key := fmt.Sprintf("kpi:{%d}:delivery:%s:%s", c.ID, bot.KindWeekly, "2026-W50")
			held += int(w.rdb.Del(context.Background(), key).Val())
		}
	}
	if held != 1 {
		t.Errorf("%d claims held by the dead replica, want 1", held)
	}
}

// With the outbox: a group that kicked the bot is marked inactive (data
// kept) and gets no further schedule until the bot is added back; a group
// upgraded to a supergroup moves to its new id and gets the report there.
func TestForbiddenAndMigrationThroughTheOutbox(t *testing.T) {
	w := newWorld(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := bot.NewOutbox(bot.RealClock(), slog.New(slog.DiscardHandler))
	go out.Run(ctx)
	w.sched.Outbox = out

	kicked := w.workspaceIn(w.tg.Group(-501, "Ушли"), "Europe/Moscow", false)
	old := w.workspaceIn(w.tg.Group(-502, "Растём"), "Europe/Moscow", false)
	w.tg.BlockChat(kicked.ID)
	super := w.tg.MigrateChat(old.ID, -1000000000502)
	w.at("2026-11-30T07:00:00Z")

	w.tg.WaitFor(t, wait, "the report in the supergroup", func() bool { return len(photos(w.tg, super.ID)) == 1 })
	w.tg.WaitFor(t, wait, "the kicked group deactivated", func() bool {
		ws, err := w.st.Workspace(ctx, kicked.ID)
		return err == nil && !ws.Active
	})
	moved, err := w.st.Workspace(ctx, super.ID)
	if err != nil || moved.ChatID != super.ID || moved.Type != kpi.ChatSupergroup {
		t.Errorf("workspace under the new id: %+v, %v", moved, err)
	}
	if p, err := w.st.Plan(ctx, super.ID); err != nil || len(p.KPIs) != 2 {
		t.Errorf("plan under the new id: %+v, %v", p, err)
	}
	if es, _ := w.st.AllEntries(ctx, super.ID); len(es) == 0 {
		t.Error("entries did not move")
	}
	if to, ok, _ := w.st.MovedTo(ctx, old.ID); !ok || to != super.ID {
		t.Errorf("old id points to %d, %v", to, ok)
	}

	// The inactive workspace keeps its plan and gets nothing next week.
	if p, err := w.st.Plan(ctx, kicked.ID); err != nil || len(p.KPIs) != 2 {
		t.Errorf("the kicked group's plan: %+v, %v", p, err)
	}
	seq := w.tg.Seq()
	w.at("2026-12-07T07:00:00Z")
	w.tg.WaitFor(t, wait, "the supergroup's second report", func() bool { return len(photos(w.tg, super.ID)) == 2 })
	for _, c := range w.tg.CallsAfter(seq) {
		if c.ChatID == kicked.ID {
			t.Errorf("a send to the inactive group: %s", c.Method)
		}
	}
	// Added back, it is active again.
	w.tg.UnblockChat(kicked.ID)
	in := dialogs.Input{ChatID: kicked.ID, ChatType: kpi.ChatGroup, ChatTitle: "Ушли", UserID: 7, Event: dialogs.EventBotAdded}
	if _, err := w.eng.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	if ws, _ := w.st.Workspace(ctx, kicked.ID); !ws.Active {
		t.Error("re-added group still inactive")
	}
}

// Reports for another group go there; the reminder, whose buttons log into
// this workspace's plan, stays in the workspace's own chat. A report group
// that removed the bot hands the reports back to the workspace's chat.
func TestReportChatElsewhere(t *testing.T) {
	w := newWorld(t)
	own := w.workspace(1, "Europe/Moscow", true)
	team := w.tg.Group(-900, "Команда")
	ctx := context.Background()
	ws, _ := w.st.Workspace(ctx, own.ID)
	ws.ReportChat = team.ID
	if err := w.st.SaveWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	w.at("2026-11-29T06:00:00Z")
	w.at("2026-11-29T07:00:00Z") // Sunday 10:00: the reminder
	if m, ok := w.tg.LastMessage(own.ID); !ok || len(m.Buttons()) == 0 {
		t.Errorf("the reminder with buttons should stay in the workspace's chat: %+v", m)
	}
	if n := len(w.tg.Messages(team.ID)); n != 0 {
		t.Errorf("%d messages in the team group before the report", n)
	}
	w.at("2026-11-30T07:00:00Z") // Monday 10:00: the report
	if n := len(photos(w.tg, team.ID)); n != 1 {
		t.Errorf("team group: %d report photos", n)
	}
	// The team removes the bot: next week the report comes to the owner.
	w.tg.BlockChat(team.ID)
	w.at("2026-12-07T07:00:00Z")
	if n := len(photos(w.tg, own.ID)); n != 1 {
		t.Errorf("owner's chat: %d report photos after the team group blocked the bot", n)
	}
	if ws, _ := w.st.Workspace(ctx, own.ID); !ws.Active || ws.ReportChat != 0 {
		t.Errorf("workspace after the report group's 403: active %v, report chat %d", ws.Active, ws.ReportChat)
	}
}
