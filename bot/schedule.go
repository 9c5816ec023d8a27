package bot

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kpibot/kpibot/kpi"
)

// The kinds of message the scheduler sends.
const (
	KindWeekly    = "weekly"
	KindQuarterly = "quarterly"
	KindReminder  = "reminder"
)

// job is one scheduled send of one workspace: its kind, when it was due,
// and the period it is about ("2026-W48", "2026-Q3"), which with the
// workspace and kind names it exactly once.
type job struct {
	Kind   string
	At     time.Time
	Period string
}

// specs returns the cron specs of a workspace's jobs, in its time zone:
// the weekly report on its day and time, the quarterly report on the first
// day of each quarter at the same time, and (when reminders are on) the
// reminder the day before the weekly report.
func specs(ws kpi.Workspace) map[string]string {
	s := ws.Settings
	tz := "CRON_TZ=" + ws.Timezone + " "
	at := fmt.Sprintf("%d %d ", s.ReportMinute, s.ReportHour)
	out := map[string]string{
		KindWeekly:    tz + at + fmt.Sprintf("* * %d", int(s.ReportDay)),
		KindQuarterly: tz + at + "1 1,4,7,10 *",
	}
	if s.Reminders {
		out[KindReminder] = tz + at + fmt.Sprintf("* * %d", (int(s.ReportDay)+6)%7)
	}
	return out
}

// dueJobs returns the jobs of ws that fell due in (from, to], oldest
// first, at most one a kind (the latest: a report missed twice is sent
// once). cron's schedules are computed in the workspace's zone, so a
// 10:00 report stays at 10:00 local across DST changes.
func dueJobs(ws kpi.Workspace, from, to time.Time) ([]job, error) {
	loc, err := kpi.LoadLocation(ws.Timezone)
	if err != nil {
		return nil, fmt.Errorf("bot: schedule %d: time zone %q: %w", ws.ChatID, ws.Timezone, err)
	}
	var out []job
	for _, kind := range []string{KindReminder, KindWeekly, KindQuarterly} {
		spec, ok := specs(ws)[kind]
		if !ok {
			continue
		}
		sched, err := cron.ParseStandard(spec)
		if err != nil {
			return nil, fmt.Errorf("bot: schedule %d: %q: %w", ws.ChatID, spec, err)
		}
		var last time.Time
		for t := sched.Next(from); !t.After(to) && !t.IsZero(); t = sched.Next(t) {
			last = t
		}
		if last.IsZero() {
			continue
		}
		out = append(out, job{Kind: kind, At: last, Period: period(kind, kpi.DateOf(last.In(loc)))})
	}
	return out, nil
}

// period names what a job is about: the ISO week of the weekly report or
// of the reminder (the report it announces is the next day's), the
// quarter just closed for the quarterly report.
func period(kind string, d kpi.Date) string {
	switch kind {
	case KindQuarterly:
		q := kpi.QuarterOf(d.AddDays(-1))
		return fmt.Sprintf("%d-Q%d", q.Start.Year, (int(q.Start.Month)+2)/3)
	case KindReminder:
		d = d.AddDays(1)
	}
	y, w := kpi.ISOWeek(d)
	return fmt.Sprintf("%d-W%02d", y, w)
}
