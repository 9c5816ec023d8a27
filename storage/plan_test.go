package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

func testPlan(target float64) kpi.Plan {
	return kpi.Plan{
		Goals:    []kpi.Goal{kpi.GoalAwareness},
		KPIs:     []kpi.KPI{{Metric: "reach", Baseline: 5000, Target: target, Deadline: kpi.Date{Year: 2027, Month: 3, Day: 31}}},
		AlertPct: 20,
		Start:    kpi.Date{Year: 2026, Month: 11, Day: 27},
	}
}

func TestWizardCompareAndSwap(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat := newChat()
		if _, _, err := s.Wizard(ctx, chat); !errors.Is(err, kpi.ErrNotFound) {
			t.Fatalf("no wizard: %v", err)
		}
		rev, err := s.SaveWizard(ctx, chat, 0, []byte(`{"q":"goal"}`))
		if err != nil || rev != 1 {
			t.Fatalf("first save: rev %d, %v", rev, err)
		}
		// Two quick taps read revision 1; the second save loses.
		if rev, err = s.SaveWizard(ctx, chat, 1, []byte(`{"q":"ages"}`)); err != nil || rev != 2 {
			t.Fatalf("second save: rev %d, %v", rev, err)
		}
		if _, err := s.SaveWizard(ctx, chat, 1, []byte(`{"q":"metrics"}`)); !errors.Is(err, kpi.ErrConflict) {
			t.Fatalf("stale save: %v, want ErrConflict", err)
		}
		state, rev, err := s.Wizard(ctx, chat)
		if err != nil || rev != 2 || string(state) != `{"q":"ages"}` {
			t.Errorf("wizard = %s rev %d, %v", state, rev, err)
		}
		if ttl := rdb.TTL(ctx, "kpi:{"+itoa(chat)+"}:wizard").Val(); ttl < 6*24*time.Hour {
			t.Errorf("wizard TTL %v: an abandoned wizard must expire after 7 days", ttl)
		}
	})
}

func TestCommitPlanKeepsVersions(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat := newChat()
		ws := kpi.Workspace{ChatID: chat, Type: kpi.ChatGroup, Lang: kpi.Russian, Timezone: "Europe/Moscow", Settings: kpi.DefaultSettings}
		for v := 1; v <= 3; v++ {
			rev, err := s.SaveWizard(ctx, chat, 0, []byte("{}"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.CommitPlan(ctx, ws, testPlan(float64(6000+v)), rev)
			if err != nil || p.Version != v {
				t.Fatalf("commit %d: version %d, %v", v, p.Version, err)
			}
			if _, _, err := s.Wizard(ctx, chat); !errors.Is(err, kpi.ErrNotFound) {
				t.Errorf("the wizard stays open after commit %d", v)
			}
		}
		cur, err := s.Plan(ctx, chat)
		if err != nil || cur.Version != 3 || cur.KPIs[0].Target != 6003 {
			t.Errorf("current plan %+v, %v", cur, err)
		}
		all, err := s.Plans(ctx, chat)
		if err != nil || len(all) != 3 || all[0].KPIs[0].Target != 6001 {
			t.Errorf("versions %+v, %v", all, err)
		}
		if got, _ := s.Workspace(ctx, chat); got.ReportDay != kpi.DefaultSettings.ReportDay || got.ChatID != chat {
			t.Errorf("workspace not saved with the plan: %+v", got)
		}

		// A second tap on Confirm: the wizard is gone, nothing is saved.
		if _, err := s.CommitPlan(ctx, ws, testPlan(9999), 1); !errors.Is(err, kpi.ErrConflict) {
			t.Errorf("double confirm: %v, want ErrConflict", err)
		}
		// A plan that breaks a rule is refused and nothing is written.
		rev, _ := s.SaveWizard(ctx, chat, 0, []byte("{}"))
		if _, err := s.CommitPlan(ctx, ws, testPlan(10), rev); !errors.Is(err, kpi.ErrInvalid) {
			t.Errorf("target below baseline: %v, want ErrInvalid", err)
		}
		if all, _ := s.Plans(ctx, chat); len(all) != 3 {
			t.Errorf("%d versions after refused commits, want 3", len(all))
		}
	})
}

func TestUserGroups(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		user, a, b := -newChat(), newChat(), newChat()
		for _, g := range []int64{a, b, a} {
			if err := s.AddUserGroup(ctx, user, g); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.UserGroups(ctx, user)
		if err != nil || len(got) != 2 || !containsID(got, a) || !containsID(got, b) {
			t.Errorf("groups %v, %v", got, err)
		}
	})
}
