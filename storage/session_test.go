package storage_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

// busyPlan is a plan as a busy workspace has it: two goals, a filled-in
// audience, two custom metrics and seven KPIs.
func busyPlan() kpi.Plan {
	start := kpi.Date{Year: 2026, Month: 10, Day: 5}
	end := kpi.Date{Year: 2027, Month: 3, Day: 31}
	return kpi.Plan{
		Goals:          []kpi.Goal{kpi.GoalAwareness, kpi.GoalSales},
		GoalText:       "Больше записей через бота",
		BusinessTarget: "Выручка +20 % к весне",
		Audience: kpi.Audience{Ages: []string{"25-34", "35-44"}, Platforms: []string{"telegram", "vk"},
			Active: []string{"evening"}, Interests: "кофе, завтраки, выпечка"},
		Custom: []kpi.Metric{
			{Key: "c1", Name: "Записи через бота", Custom: true, Unit: kpi.UnitCount, Agg: kpi.AggSum, Better: kpi.HigherBetter},
			{Key: "c2", Name: "Средний чек", Custom: true, Unit: kpi.UnitRubles, Agg: kpi.AggMean, Better: kpi.HigherBetter},
		},
		KPIs: []kpi.KPI{
			{Metric: "reach", Baseline: 10000, Target: 20000, Deadline: end, Source: "manual", Frequency: "weekly"},
			{Metric: "engagement", Baseline: 3, Target: 5, Deadline: end, Source: "platform", Frequency: "weekly"},
			{Metric: "conversions", Baseline: 40, Target: 60, Deadline: end, Source: "analytics", Frequency: "weekly"},
			{Metric: "follower_growth", Baseline: 100, Target: 150, Deadline: end, Source: "platform", Frequency: "weekly"},
			{Metric: "ctr", Baseline: 1.2, Target: 1.8, Deadline: end, Source: "analytics", Frequency: "weekly"},
			{Metric: "c1", Baseline: 10, Target: 30, Deadline: end, Source: "manual", Frequency: "daily"},
			{Metric: "c2", Baseline: 450, Target: 520, Deadline: end, Source: "manual", Frequency: "weekly"},
		},
		Review: "weekly", AlertPct: 20, Start: start, CreatedBy: 501234567,
	}
}

// mustChatWithPlan gives a new chat a workspace and busyPlan.
func mustChatWithPlan(tb testing.TB, ctx context.Context, s *storage.Store) int64 {
	tb.Helper()
	chat := newChat()
	w := kpi.Workspace{ChatID: chat, Type: kpi.ChatSupergroup, Title: "Кофейня «Зерно» — маркетинг", Lang: kpi.Russian,
		Timezone: "Europe/Moscow", Active: true, Settings: kpi.DefaultSettings}
	if err := s.SaveWorkspace(ctx, w); err != nil {
		tb.Fatal(err)
	}
	rev, err := s.SaveWizard(ctx, chat, 0, []byte("{}"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.CommitPlan(ctx, w, busyPlan(), rev); err != nil {
		tb.Fatal(err)
	}
	return chat
}

// A plan or workspace another replica saves is what the next Begin loads.
func TestBeginSeesAnotherReplicasSave(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat := mustChatWithPlan(t, ctx, s)
		if _, snap, err := s.Begin(ctx, 0, chat); err != nil || snap.Plan.Version != 1 {
			t.Fatalf("Begin: plan %d, %v", snap.Plan.Version, err)
		}
		other := storage.New(rdb)
		w, err := other.Workspace(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		w.Lang, w.Title = kpi.English, "Coffee & Co" // "&" is written escaped
		rev, err := other.SaveWizard(ctx, chat, 0, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		p := busyPlan()
		p.KPIs[0].Target = 25000
		p.GoalText = `More "bookings" <via> the bot`
		if _, err := other.CommitPlan(ctx, w, p, rev); err != nil {
			t.Fatal(err)
		}
		_, snap, err := s.Begin(ctx, 0, chat)
		switch {
		case err != nil:
			t.Fatal(err)
		case snap.Workspace.Lang != kpi.English || snap.Workspace.Title != w.Title:
			t.Errorf("workspace %+v, want the other replica's", snap.Workspace)
		case snap.Plan.Version != 2 || snap.Plan.KPIs[0].Target != 25000 || snap.Plan.GoalText != p.GoalText:
			t.Errorf("plan %+v, want version 2 with target 25000", snap.Plan)
		}
	})
}

// Changing what a read returned changes nothing stored or read later.
func TestReadsDoNotShareWhatTheyReturn(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat := mustChatWithPlan(t, ctx, s)
		_, want, err := s.Begin(ctx, 0, chat)
		if err != nil {
			t.Fatal(err)
		}
		_, got, _ := s.Begin(ctx, 0, chat)
		spoil(&got.Workspace, &got.Plan)
		w, _ := s.Workspace(ctx, chat)
		p, _ := s.Plan(ctx, chat)
		spoil(&w, &p)
		plans, _ := s.Plans(ctx, chat)
		spoil(&w, &plans[0])

		_, again, err := s.Begin(ctx, 0, chat)
		if err != nil || !reflect.DeepEqual(again, want) {
			t.Errorf("Begin after the caller changed earlier reads:\n got %+v, %v\nwant %+v", again, err, want)
		}
		if p, err := s.Plan(ctx, chat); err != nil || !reflect.DeepEqual(p, want.Plan) {
			t.Errorf("Plan after the caller changed earlier reads: %+v, %v", p, err)
		}
		if w, err := s.Workspace(ctx, chat); err != nil || !reflect.DeepEqual(w, want.Workspace) {
			t.Errorf("Workspace after the caller changed earlier reads: %+v, %v", w, err)
		}
	})
}

// spoil changes every part of w and p a caller could reach.
func spoil(w *kpi.Workspace, p *kpi.Plan) {
	w.Title, w.ReportHour = "spoilt", 23
	p.Version = 99
	p.Goals[0] = "spoilt"
	p.Audience.Ages[0], p.Audience.Platforms[0], p.Audience.Active[0] = "x", "x", "x"
	p.Custom[0].Name = "spoilt"
	p.KPIs[0].Target = -1
	p.KPIs = append(p.KPIs[:1], p.KPIs[2:]...)
	p.Goals = append(p.Goals, "more")
}
