package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
	Delivered(ctx context.Context, chat int64, kind, period string) (bool, error)
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
	// Outbox, when set, carries the sends within Telegram's limits; without
	// it (tests) each send goes out at once.
	Outbox *Outbox

	mu   sync.Mutex
	done map[string]time.Time // sends known to be done, until they leave the window
	base context.Context      // for outbox callbacks: outlives one tick
}

// Run ticks once a minute until ctx is done. Every tick looks back 24
// hours, so a report whose time passed while the bot was down, or whose
// replica died mid-send (its claim expired), goes out now.
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

// Tick sends everything that fell due in the 24 hours up to now and was
// not sent yet, and returns how many sends it made (or queued). A workspace
// whose send fails is logged and the others go on.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (int, error) {
	from := now.Add(-catchUp)
	s.mu.Lock()
	if s.base == nil {
		s.base = context.WithoutCancel(ctx)
	}
	for k, until := range s.done {
		if now.After(until) {
			delete(s.done, k)
		}
	}
	s.mu.Unlock()
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
	return sent, nil
}

func doneKey(chat int64, j job) string { return fmt.Sprintf("%d:%s:%s", chat, j.Kind, j.Period) }

func (s *Scheduler) known(chat int64, j job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.done[doneKey(chat, j)]
	return ok
}

func (s *Scheduler) remember(chat int64, j job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = map[string]time.Time{}
	}
	s.done[doneKey(chat, j)] = j.At.Add(catchUp)
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
	if s.known(ws.ChatID, j) {
		return false, nil
	}
	token, ok, err := s.Store.ClaimDelivery(ctx, ws.ChatID, j.Kind, j.Period, claimTTL)
	if err != nil {
		return false, err
	}
	if !ok { // sent, or another replica is sending it now
		if done, err := s.Store.Delivered(ctx, ws.ChatID, j.Kind, j.Period); err == nil && done {
			s.remember(ws.ChatID, j)
		}
		return false, nil
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
			s.remember(ws.ChatID, j)
			return false, s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, 0)
		}
	}
	if err != nil {
		return false, err
	}
	if s.Outbox != nil {
		s.enqueue(ws, res, j, token)
		return true, nil
	}
	id, err := s.deliver(ctx, ws, res)
	if err != nil {
		return false, err
	}
	s.remember(ws.ChatID, j)
	return true, s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, id)
}

// enqueue hands a job's messages to the outbox; when the last one is out
// the job is marked done. A send that fails for good leaves the claim to
// expire, and a later tick (within 24 h of the job's time) tries again.
func (s *Scheduler) enqueue(ws kpi.Workspace, res dialogs.Result, j job, token string) {
	target := ws.ChatID
	if ws.ReportChat != 0 {
		target = ws.ReportChat
	}
	var first int
	for i, r := range res.Replies {
		in := dialogs.Input{ChatID: target, ChatType: ws.Type, ThreadID: ws.ReportThread}
		last := i == len(res.Replies)-1
		var item Item
		item = Item{Chat: target, Group: ws.Type.IsGroup(), Key: fmt.Sprintf("%s:%d:%s", j.Kind, ws.ChatID, j.Period),
			Send: func(ctx context.Context) error {
				id, err := s.Bot.sendOnce(ctx, in, r)
				if i == 0 {
					first = id
				}
				return err
			},
			Done: func(err error) {
				ctx := s.base
				var migrate *tg.MigrateError
				switch {
				case errors.As(err, &migrate) && in.ChatID == ws.ChatID:
					to := int64(migrate.MigrateToChatID)
					if err := s.Store.MigrateChat(ctx, ws.ChatID, to); err != nil {
						s.Log.Error("migrate chat", "from", ws.ChatID, "to", to, "err", err)
						return
					}
					in.ChatID, in.ChatType = to, kpi.ChatSupergroup
					item.Chat = to
					s.Outbox.Enqueue(item) // the same message, to the supergroup
					return
				case errors.Is(err, tg.ErrorForbidden):
					s.Log.Warn("chat unreachable: workspace deactivated", "chat", ws.ChatID)
					if err := s.Store.SetActive(ctx, ws.ChatID, false); err != nil {
						s.Log.Error("deactivate", "chat", ws.ChatID, "err", err)
					}
				case err != nil:
					return // logged by the outbox; the claim expires and a later tick retries
				case !last:
					return
				}
				s.remember(ws.ChatID, j)
				if err := s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, first); err != nil {
					s.Log.Error("mark sent", "chat", ws.ChatID, "kind", j.Kind, "err", err)
				}
			}}
		s.Outbox.Enqueue(item)
	}
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
