package dialogs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// withPlan gives the sim's chat a plan on reach (sum) and response time
// (lower is better), started on Monday 2026-11-02, due at the year's end.
func (c *sim) withPlan() {
	c.t.Helper()
	w := kpi.Workspace{ChatID: c.in.ChatID, Type: c.in.ChatType, Lang: kpi.Russian, Timezone: "Europe/Moscow", Settings: kpi.DefaultSettings}
	end := kpi.Date{Year: 2026, Month: 12, Day: 31}
	c.s.workspaces[c.in.ChatID] = w
	c.s.plans[c.in.ChatID] = []kpi.Plan{{Version: 1, Goals: []kpi.Goal{kpi.GoalAwareness, kpi.GoalService}, AlertPct: 20,
		Start: kpi.Date{Year: 2026, Month: 11, Day: 2},
		KPIs: []kpi.KPI{
			{Metric: "reach", Baseline: 10000, Target: 20000, Deadline: end},
			{Metric: "response_time", Baseline: 60, Target: 20, Deadline: end},
		}}}
}

func TestUndoWindowAndOwnership(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	c.say("/log охват 5000")
	if got := text(c.say("/undo")); !strings.Contains(got, "Отменено: Охват 5\u00a0000") {
		t.Errorf("/undo: %q", got)
	}
	if got := text(c.say("/undo")); got != ru.L.UndoNothing {
		t.Errorf("nothing left to undo: %q", got)
	}
	// An entry older than 48 hours stays.
	c.say("/log охват 7000")
	simNow = simNow.Add(49 * time.Hour)
	defer func() { simNow = simNow.Add(-49 * time.Hour) }()
	if got := text(c.say("/undo")); got != ru.L.UndoNothing {
		t.Errorf("/undo after 49 hours: %q", got)
	}
	if len(c.s.entries[c.in.ChatID]) != 1 {
		t.Errorf("entries: %+v", c.s.entries[c.in.ChatID])
	}
}

func TestHistoryDeletePermissions(t *testing.T) {
	c := newSim(t)
	c.in = group(owner, "")
	c.in.Text = ""
	c.withPlan()
	c.say("/log охват 5000") // the admin's entry
	member := c.in
	member.UserID, member.UserName = 200, "Олег"
	c.in = member
	c.say("/log ответ 45") // the member's entry
	res := c.say("/history")
	got := text(res)
	if !strings.Contains(got, "Охват: 5\u00a0000 — Олег") && !strings.Contains(got, "Время ответа: 45\u00a0мин — Олег") {
		t.Errorf("history: %q", got)
	}
	var buttons []Button
	for _, row := range res.Replies[0].Buttons {
		buttons = append(buttons, row...)
	}
	if len(buttons) != 1 || !strings.Contains(buttons[0].Text, "Время ответа") {
		t.Fatalf("a member may delete only their own entry; buttons %+v", buttons)
	}
	// A forged press on the admin's entry is refused.
	var adminEntry string
	for _, e := range c.s.entries[c.in.ChatID] {
		if e.By == owner {
			adminEntry = e.ID
		}
	}
	if res := c.pressData(c.next, data("hd", adminEntry, "")); res.Notice != ru.L.NotYourEntry {
		t.Errorf("member deleting the admin's entry: %+v", res)
	}
	if n := len(c.s.entries[c.in.ChatID]); n != 2 {
		t.Errorf("%d entries left, want 2", n)
	}
	// The admin may delete anyone's.
	c.in.UserID = owner
	if res := c.pressData(c.next, buttons[0].Data); !strings.Contains(res.Notice, "Удалено") {
		t.Errorf("admin delete: %+v", res)
	}
	if n := len(c.s.entries[c.in.ChatID]); n != 1 {
		t.Errorf("%d entries left, want 1", n)
	}
}

func TestAtRiskAlertOnceAWeek(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	// Week 48, pace about 14 900 by now: 5 000 is far behind.
	res := c.say("/log охват 5000")
	if len(res.Replies) != 2 || !strings.Contains(res.Replies[1].Text, "Охват под угрозой") {
		t.Fatalf("first entry far behind pace: %+v", res.Replies)
	}
	if res := c.say("/log охват 100"); len(res.Replies) != 1 {
		t.Errorf("a second alert the same week: %+v", res.Replies)
	}
	// Response time on pace: no alert.
	if res := c.say("/log ответ 40"); len(res.Replies) != 1 {
		t.Errorf("alert for a KPI on pace: %+v", res.Replies)
	}
}

func TestLogAmbiguityIsAskedBack(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	if got := text(c.say("/log охват 12,500")); !strings.Contains(got, "можно понять двояко: 12\u00a0500 или 12,5") {
		t.Errorf("ambiguous number: %q", got)
	}
	if n := len(c.s.entries[c.in.ChatID]); n != 0 {
		t.Errorf("an ambiguous line stored %d entries", n)
	}
}

func TestLogRawCountsDeriveEngagement(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	p := &c.s.plans[c.in.ChatID][0]
	p.KPIs = append(p.KPIs, kpi.KPI{Metric: "engagement", Baseline: 2, Target: 4, Deadline: kpi.Date{Year: 2026, Month: 12, Day: 31}})
	got := text(c.say("/log реакции 120 комментарии 30 репосты 10 охват 5000"))
	if !strings.Contains(got, "Вовлечённость (ER): 3,2\u00a0%") || !strings.Contains(got, "Охват: 5\u00a0000") {
		t.Errorf("derived: %q", got)
	}
	es := c.s.entries[c.in.ChatID]
	if len(es) != 2 || es[1].Metric != "engagement" || es[1].Value != 3.2 {
		t.Errorf("entries: %+v", es)
	}
	if got := text(c.say("/log лайки 100")); !strings.Contains(got, "нужен и охват") {
		t.Errorf("without reach: %q", got)
	}
	if len(c.s.entries[c.in.ChatID]) != 2 {
		t.Error("a line without reach stored something")
	}
}

// A wizard left open does not take the number meant for /log.
func TestLogAnswerIsNotTakenByAnOpenWizard(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	c.say("/setup")
	c.say("/log")
	c.press("Охват")
	c.say("12500")
	if es := c.s.entries[c.in.ChatID]; len(es) != 1 || es[0].Value != 12500 {
		t.Fatalf("entries: %+v", es)
	}
	if w := c.wizard(); !w.Paused || w.Q != "goal" {
		t.Errorf("the wizard should be paused where it was: %+v", w)
	}
}

func TestImportSkipsEntriesAlreadyStored(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	c.say("/log охват 5000")
	c.e.Files = files{"f1": nil}
	var buf strings.Builder
	if err := kpi.WriteEntriesCSV(&buf, c.s.entries[c.in.ChatID], c.s.plans[c.in.ChatID][0], kpi.Russian); err != nil {
		t.Fatal(err)
	}
	c.e.Files = files{"f1": []byte(buf.String())}
	in := withText(c.in, "/import")
	in.ReplyFile = &FileRef{ID: "f1", Name: "kpi.csv", Size: int64(buf.Len())}
	res, err := c.e.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(res); !strings.Contains(got, "Загружено записей: 0") || !strings.Contains(got, "пропущены: 1") {
		t.Errorf("import of an export: %q", got)
	}
	if n := len(c.s.entries[c.in.ChatID]); n != 1 {
		t.Errorf("%d entries after loading the export back, want 1", n)
	}
}

// files is a Files of fixed contents.
type files map[string][]byte

func (f files) Download(_ context.Context, id string) ([]byte, error) { return f[id], nil }
