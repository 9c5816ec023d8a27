package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/kpibot/kpibot/dialogs"
	"github.com/kpibot/kpibot/kpi"
)

// ScheduleStore is the state the scheduler reads and the bookkeeping that
// makes each scheduled send happen once; storage.Store implements it.
type ScheduleStore interface {
	Workspaces(ctx context.Context) ([]int64, error)
	Begin(ctx context.Context, update, chat int64) (bool, kpi.Snapshot, error)
	ClaimDelivery(ctx context.Context, chat int64, kind, period string, ttl time.Duration) (string, bool, error)
	DoneDelivery(ctx context.Context, chat int64, kind, period, token string, messageID int) error
	SetActive(ctx context.Context, chat int64, active bool) error
	MigrateChat(ctx context.Context, from, to int64) error
}

// Reports builds the scheduled messages; dialogs.Engine implements it.
type Reports interface {
	WeeklyReport(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (dialogs.Result, error)
	QuarterlyReport(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (dialogs.Result, error)
	Reminder(ctx context.Context, ws kpi.Workspace, p kpi.Plan, today kpi.Date) (dialogs.Result, bool, error)
}

// claimTTL is how long a replica holds a send before another may take it
// over (a replica killed mid-send).
const claimTTL = 10 * time.Minute

// catchUp is how far back a restarted scheduler looks for sends it missed.
const catchUp = 24 * time.Hour

// Scheduler sends the weekly and quarterly reports and the reminders of
// every active workspace at their local times, exactly once per workspace,
// kind and period across replicas and restarts.
type Scheduler struct {
	Store   ScheduleStore
	Reports Reports
	Bot     *Bot
	Now     func() time.Time
	Log     *slog.Logger

	last time.Time // the end of the last tick
}

// Run ticks once a minute until ctx is done. The first tick looks back 24
// hours, so a report whose time passed while the bot was down goes out now.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx, s.Now()); err != nil {
			s.Log.Error("scheduler tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick sends everything that fell due since the previous tick (or in the
// last 24 hours, on the first) up to now, and returns how many messages it
// sent. A workspace whose send fails is logged and the others go on.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (int, error) {
	from := s.last
	if from.IsZero() || now.Sub(from) > catchUp {
		from = now.Add(-catchUp)
	}
	chats, err := s.Store.Workspaces(ctx)
	if err != nil {
		return 0, fmt.Errorf("bot: scheduler: %w", err)
	}
	sent := 0
	for _, chat := range chats {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		n, err := s.workspace(ctx, chat, from, now)
		if err != nil {
			s.Log.Error("scheduled send", "chat", chat, "err", err)
		}
		sent += n
	}
	s.last = now
	return sent, nil
}

func (s *Scheduler) workspace(ctx context.Context, chat int64, from, now time.Time) (int, error) {
	_, snap, err := s.Store.Begin(ctx, 0, chat)
	if err != nil {
		return 0, err
	}
	ws := snap.Workspace
	if !snap.HasWorkspace || !ws.Active || !snap.HasPlan {
		return 0, nil
	}
	jobs, err := dueJobs(ws, from, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, j := range jobs {
		ok, err := s.send(ctx, ws, snap.Plan, j)
		if err != nil {
			return sent, fmt.Errorf("%s %s: %w", j.Kind, j.Period, err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// send claims a job, builds its messages and sends them; false when another
// replica has it or it was sent before, or there is nothing to say.
func (s *Scheduler) send(ctx context.Context, ws kpi.Workspace, p kpi.Plan, j job) (bool, error) {
	token, ok, err := s.Store.ClaimDelivery(ctx, ws.ChatID, j.Kind, j.Period, claimTTL)
	if err != nil || !ok {
		return false, err
	}
	loc, _ := time.LoadLocation(ws.Timezone)
	day := kpi.DateOf(j.At.In(loc))
	var res dialogs.Result
	switch j.Kind {
	case KindWeekly:
		asOf := day
		if day.Weekday() == time.Monday {
			asOf = day.AddDays(-1) // a Monday report is about the week just ended
		}
		res, err = s.Reports.WeeklyReport(ctx, ws, p, asOf)
	case KindQuarterly:
		res, err = s.Reports.QuarterlyReport(ctx, ws, p, day)
	case KindReminder:
		var needed bool
		res, needed, err = s.Reports.Reminder(ctx, ws, p, day)
		if err == nil && !needed {
			return false, s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, 0)
		}
	}
	if err != nil {
		return false, err
	}
	id, err := s.deliver(ctx, ws, res)
	if err != nil {
		return false, err
	}
	return true, s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, id)
}

// deliver sends a scheduled Result to the workspace's report chat (and
// topic). A chat that blocked or removed the bot is marked inactive; a
// group upgraded to a supergroup moves to its new id and the Result is
// sent there.
func (s *Scheduler) deliver(ctx context.Context, ws kpi.Workspace, res dialogs.Result) (int, error) {
	target := ws.ChatID
	if ws.ReportChat != 0 {
		target = ws.ReportChat
	}
	in := dialogs.Input{ChatID: target, ChatType: ws.Type, ThreadID: ws.ReportThread}
	first := 0
	for i, r := range res.Replies {
		id, err := s.Bot.reply(ctx, in, r)
		var migrate *tg.MigrateError
		switch {
		case errors.As(err, &migrate) && target == ws.ChatID:
			to := int64(migrate.MigrateToChatID)
			if err := s.Store.MigrateChat(ctx, ws.ChatID, to); err != nil {
				return 0, err
			}
			s.Log.Info("group upgraded to a supergroup", "from", ws.ChatID, "to", to)
			ws.ChatID, ws.Type = to, kpi.ChatSupergroup
			return s.deliver(ctx, ws, dialogs.Result{Replies: res.Replies[i:]})
		case errors.Is(err, tg.ErrorForbidden):
			s.Log.Warn("chat unreachable: workspace deactivated", "chat", ws.ChatID)
			if err := s.Store.SetActive(ctx, ws.ChatID, false); err != nil {
				return 0, err
			}
			return 0, nil
		case err != nil:
			return 0, err
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}
