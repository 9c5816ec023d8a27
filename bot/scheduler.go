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
	SaveWorkspace(ctx context.Context, w kpi.Workspace) error
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
	// Every is the time between ticks, a minute when 0.
	Every time.Duration

	mu   sync.Mutex
	done map[string]time.Time // sends known to be done, until they leave the window
	base context.Context      // for outbox callbacks: outlives one tick
}

// Run ticks once a minute (or Every) until ctx is done. Every tick looks back 24
// hours, so a report whose time passed while the bot was down, or whose
// replica died mid-send (its claim expired), goes out now.
func (s *Scheduler) Run(ctx context.Context) {
	every := s.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
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
	ttl := claimTTL
	if s.Outbox != nil { // a long queue must not outlive the claim
		ttl += time.Duration(s.Outbox.Len()) * time.Second / 10
	}
	token, ok, err := s.Store.ClaimDelivery(ctx, ws.ChatID, j.Kind, j.Period, ttl)
	if err != nil {
		return false, err
	}
	if !ok { // sent, or another replica is sending it now
		if done, err := s.Store.Delivered(ctx, ws.ChatID, j.Kind, j.Period); err == nil && done {
			s.remember(ws.ChatID, j)
		}
		return false, nil
	}
	loc, _ := kpi.LoadLocation(ws.Timezone)
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
	s.Bot.cfg.Metrics.scheduled(j.Kind)
	return true, s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, id)
}

// target is where a scheduled reply goes. A report's pictures and text go
// to the report chat (and topic); a message with buttons (the reminder,
// the review prompt) goes to the workspace's own chat, where its buttons
// act on the workspace's plan.
func target(ws kpi.Workspace, r dialogs.Reply) dialogs.Input {
	if ws.ReportChat != 0 && len(r.Buttons) == 0 {
		return dialogs.Input{ChatID: ws.ReportChat, ChatType: kpi.ChatSupergroup, ThreadID: ws.ReportThread}
	}
	in := dialogs.Input{ChatID: ws.ChatID, ChatType: ws.Type}
	if ws.ReportChat == 0 {
		in.ThreadID = ws.ReportThread // a forum topic of the workspace's own chat
	}
	return in
}

// jobState follows the parts of one job through the outbox.
type jobState struct {
	mu    sync.Mutex
	left  int
	first int   // the first part's message id
	err   error // the first part that failed for good
}

// enqueue hands a job's messages to the outbox; once every part is
// settled the job is marked done, unless a part failed in a way a later
// try may fix (5xx, network): then the claim is left to expire and a later
// tick (within 24 h of the job's time) sends the job again.
func (s *Scheduler) enqueue(ws kpi.Workspace, res dialogs.Result, j job, token string) {
	st := &jobState{left: len(res.Replies)}
	for i, r := range res.Replies {
		in := target(ws, r)
		var item Item
		item = Item{Chat: in.ChatID, Group: in.ChatType.IsGroup() || in.ChatID < 0, Key: fmt.Sprintf("%s:%d:%s", j.Kind, ws.ChatID, j.Period),
			Send: func(ctx context.Context) error {
				id, err := s.Bot.sendOnce(ctx, in, r)
				if i == 0 && err == nil {
					st.mu.Lock()
					st.first = id
					st.mu.Unlock()
				}
				return err
			},
			Done: func(err error) {
				if to, ok := s.reroute(ws, in.ChatID, err); ok {
					in.ChatID, item.Chat = to, to
					s.Outbox.Enqueue(item) // the same part, to where the chat is now
					return
				}
				s.partDone(ws, j, token, st, err)
			}}
		s.Outbox.Enqueue(item)
	}
}

// reroute handles the errors that move a chat: a group upgraded to a
// supergroup (the workspace or its report chat moves to the new id), or a
// report chat that removed the bot (the workspace's own chat takes over).
// It returns the chat to send to now, or false.
func (s *Scheduler) reroute(ws kpi.Workspace, chat int64, err error) (int64, bool) {
	ctx := s.base
	var migrate *tg.MigrateError
	switch {
	case errors.As(err, &migrate) && chat == ws.ChatID:
		to := int64(migrate.MigrateToChatID)
		if err := s.Store.MigrateChat(ctx, ws.ChatID, to); err != nil {
			s.Log.Error("migrate chat", "from", ws.ChatID, "to", to, "err", err)
			return 0, false
		}
		s.Log.Info("group upgraded to a supergroup", "from", ws.ChatID, "to", to)
		return to, true
	case errors.As(err, &migrate):
		to := int64(migrate.MigrateToChatID)
		if err := s.setReportChat(ctx, ws.ChatID, to); err != nil {
			s.Log.Error("move report chat", "chat", ws.ChatID, "err", err)
			return 0, false
		}
		return to, true
	case errors.Is(err, tg.ErrorForbidden) && chat != ws.ChatID:
		s.Log.Warn("report chat unreachable: reports go to the workspace's own chat", "chat", ws.ChatID)
		if err := s.setReportChat(ctx, ws.ChatID, 0); err != nil {
			s.Log.Error("reset report chat", "chat", ws.ChatID, "err", err)
			return 0, false
		}
		return ws.ChatID, true
	}
	return 0, false
}

// setReportChat points a workspace's reports at chat (0: its own chat).
func (s *Scheduler) setReportChat(ctx context.Context, chat, to int64) error {
	_, snap, err := s.Store.Begin(ctx, 0, chat)
	if err != nil {
		return err
	}
	ws := snap.Workspace
	ws.ReportChat, ws.ReportThread = to, 0
	return s.Store.SaveWorkspace(ctx, ws)
}

func (s *Scheduler) partDone(ws kpi.Workspace, j job, token string, st *jobState, err error) {
	ctx := s.base
	if errors.Is(err, tg.ErrorForbidden) {
		s.Log.Warn("chat unreachable: workspace deactivated", "chat", ws.ChatID)
		if err := s.Store.SetActive(ctx, ws.ChatID, false); err != nil {
			s.Log.Error("deactivate", "chat", ws.ChatID, "err", err)
		}
		err = nil // nothing more to send there
	}
	st.mu.Lock()
	if err != nil && st.err == nil {
		st.err = err
	}
	st.left--
	left, first, failed := st.left, st.first, st.err
	st.mu.Unlock()
	if left > 0 {
		return
	}
	if failed != nil && !errors.Is(failed, tg.ErrorBadRequest) {
		s.Log.Error("scheduled send failed; a later tick retries", "chat", ws.ChatID, "kind", j.Kind, "period", j.Period, "err", failed)
		return // the claim expires and a later tick sends the job again
	}
	// Done, or refused for good (a 400 does not get better by retrying).
	if failed == nil {
		s.Bot.cfg.Metrics.scheduled(j.Kind)
	}
	s.remember(ws.ChatID, j)
	if err := s.Store.DoneDelivery(ctx, ws.ChatID, j.Kind, j.Period, token, first); err != nil {
		s.Log.Error("mark sent", "chat", ws.ChatID, "kind", j.Kind, "err", err)
	}
}

// deliver sends a scheduled Result at once (without an outbox), with the
// same routing: a workspace that blocked or removed the bot is marked
// inactive; a moved chat gets the rest of the Result at its new id.
func (s *Scheduler) deliver(ctx context.Context, ws kpi.Workspace, res dialogs.Result) (int, error) {
	first := 0
	for i, r := range res.Replies {
		in := target(ws, r)
		id, err := s.Bot.reply(ctx, in, r)
		if to, ok := s.reroute(ws, in.ChatID, err); ok {
			if in.ChatID == ws.ChatID {
				ws.ChatID, ws.Type = to, kpi.ChatSupergroup
			} else {
				ws.ReportChat = to
				if to == ws.ChatID {
					ws.ReportChat = 0
				}
			}
			rest, err := s.deliver(ctx, ws, dialogs.Result{Replies: res.Replies[i:]})
			if i == 0 {
				first = rest
			}
			return first, err
		}
		switch {
		case errors.Is(err, tg.ErrorForbidden):
			s.Log.Warn("chat unreachable: workspace deactivated", "chat", ws.ChatID)
			return 0, s.Store.SetActive(ctx, ws.ChatID, false)
		case err != nil:
			return 0, err
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}
