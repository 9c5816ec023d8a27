package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

// Chat ids of the simulated chats: private chats are their user's id,
// groups are supergroups (-100...). The users of group g are
// groupUserBase + g*1000 + member.
const (
	privateBase   int64 = 500_000_000
	groupBase     int64 = -1_009_000_000_000
	groupUserBase int64 = 600_000_000
)

func privateID(i int) int64 { return privateBase + int64(i) }

func groupID(i int) int64 { return groupBase - int64(i) }

// seedChat returns the id and type of workspace i: the first `private`
// are the private chats that send, the rest supergroups (those after the
// sending groups only hold data).
func seedChat(i, private int) (int64, kpi.ChatType) {
	if i < private {
		return privateID(i), kpi.ChatPrivate
	}
	return groupID(i - private), kpi.ChatSupergroup
}

// historyDays is the span the seeded entries are spread over: the eight
// weeks before today that /log reads back (dialogs historyWeeks).
const historyDays = 7 * 8

// loggedMetrics are the KPIs of seedPlan that logLine logs ("охват" is
// reach, "er" engagement). value returns a seeded entry's value at frac of
// the way from the oldest to today: in the range logLine sends, rising from
// its low end to its high end with some noise. A flat history would let
// the forecast put the KPIs at risk (engagement's mean there is just under
// target), and /log would then send alerts, which logLine's values avoid.
var loggedMetrics = []struct {
	key   string
	value func(frac float64) float64
}{
	{"reach", func(frac float64) float64 {
		return min(12000+math.Round(12000*frac)+float64(rand.IntN(1000)), 24999)
	}},
	{"engagement", func(frac float64) float64 {
		return min(40+math.Round(17*frac)+float64(rand.IntN(3)), 59) / 10
	}},
}

// seed gives n workspaces a plan, as the wizard would leave them: reach,
// engagement and a custom metric, started eight weeks before now and due in
// half a year, with the weekly report three days away and no reminders, so
// that the scheduler sends nothing during the run; then history entries
// of each logged metric (seedEntries). A workspace that already has a plan
// is left as it is.
func seed(ctx context.Context, st *storage.Store, n, private, history int, now time.Time) error {
	const workers = 32
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := seedOne(ctx, st, i, private, history, now); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
loop:
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case err = <-errs:
			break loop
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func seedOne(ctx context.Context, st *storage.Store, i, private, history int, now time.Time) error {
	chat, typ := seedChat(i, private)
	if _, err := st.Plan(ctx, chat); err == nil {
		return nil
	} else if !errors.Is(err, kpi.ErrNotFound) {
		return fmt.Errorf("seed %d: %w", chat, err)
	}
	ws := kpi.Workspace{ChatID: chat, Type: typ, Lang: kpi.Russian, Timezone: "Europe/Moscow", Active: true,
		Settings: kpi.Settings{ReportDay: (now.Weekday() + 3) % 7, ReportHour: 10}}
	if typ != kpi.ChatPrivate {
		ws.Title = "Load group " + strconv.Itoa(i-private)
	}
	if err := st.SaveWorkspace(ctx, ws); err != nil {
		return fmt.Errorf("seed %d: %w", chat, err)
	}
	rev, err := st.SaveWizard(ctx, chat, 0, []byte("{}"))
	if err != nil {
		return fmt.Errorf("seed %d: %w", chat, err)
	}
	if _, err := st.CommitPlan(ctx, ws, seedPlan(now), rev); err != nil {
		return fmt.Errorf("seed %d: %w", chat, err)
	}
	// The user who logs: the private chat's own, a group's first member
	// (the names newLoad gives them).
	by, name := chat, "Load"+strconv.Itoa(i)
	if typ != kpi.ChatPrivate {
		by, name = groupUserBase+int64(i-private)*1000, "Member0"
	}
	if err := seedEntries(ctx, st, ws, by, name, history, now); err != nil {
		return fmt.Errorf("seed %d: %w", chat, err)
	}
	return nil
}

// seedEntries gives ws n entries of each logged metric, as a team that logs
// n times in eight weeks leaves them: dated evenly over the historyDays
// before today (today the latest) in the workspace's time zone, logged on
// that day between 9:00 and 21:00 but never after now, by user by, in one
// transaction.
func seedEntries(ctx context.Context, st *storage.Store, ws kpi.Workspace, by int64, name string, n int, now time.Time) error {
	if n <= 0 {
		return nil
	}
	loc, err := kpi.LoadLocation(ws.Timezone)
	if err != nil {
		return err
	}
	today := kpi.DateOf(now.In(loc))
	entries := make([]kpi.Entry, 0, n*len(loggedMetrics))
	for k := range n {
		ago := k * historyDays / n
		date := today.AddDays(-ago)
		at := date.Time(loc).Add(9*time.Hour + rand.N(12*time.Hour))
		if at.After(now) {
			at = now
		}
		for _, m := range loggedMetrics {
			entries = append(entries, kpi.Entry{Metric: m.key, Value: m.value(1 - float64(ago)/historyDays), Date: date, By: by, ByName: name, At: at.UTC()})
		}
	}
	// AddEntries reads back the entries in a date range; today's are few.
	_, _, err = st.AddEntries(ctx, ws.ChatID, entries, today, today)
	return err
}

// seedPlan is the plan of every seeded workspace.
func seedPlan(now time.Time) kpi.Plan {
	today := kpi.DateOf(now)
	start := kpi.WeekOf(today).Start.AddDays(-7 * 8)
	end := today.AddDays(183)
	return kpi.Plan{
		Goals:  []kpi.Goal{kpi.GoalAwareness},
		Custom: []kpi.Metric{{Key: "c1", Name: "Записи через бота", Custom: true, Unit: kpi.UnitCount, Agg: kpi.AggSum, Better: kpi.HigherBetter}},
		KPIs: []kpi.KPI{
			{Metric: "reach", Baseline: 10000, Target: 20000, Deadline: end, Source: "manual", Frequency: "weekly"},
			{Metric: "engagement", Baseline: 3, Target: 5, Deadline: end, Source: "manual", Frequency: "weekly"},
			{Metric: "c1", Baseline: 10, Target: 30, Deadline: end, Source: "manual", Frequency: "weekly"},
		},
		Review: "weekly", AlertPct: 20, Start: start,
	}
}

// redisUsedMemory returns Redis's used_memory_human ("" when unknown).
func redisUsedMemory(ctx context.Context, rdb redis.UniversalClient) string {
	return infoField(rdb.Info(ctx, "memory").Val(), "used_memory_human")
}

// infoField returns one field of an INFO answer.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// redisDB returns the database number of a redis:// URL (0 when none).
func redisDB(rawURL string) (int, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return 0, fmt.Errorf("-redis: %w", err)
	}
	return o.DB, nil
}

// redactURL hides a password in a Redis URL.
func redactURL(raw string) string {
	o, err := redis.ParseURL(raw)
	if err != nil || o.Password == "" {
		return raw
	}
	return strings.Replace(raw, o.Password, "***", 1)
}
