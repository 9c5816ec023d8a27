package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// TestFloodProtection: a group member sends 30 /log commands at once. The
// first 20 are stored and answered, the 21st is told to slow down, the rest
// get nothing and store nothing, and another member is served right after;
// after ten quiet seconds the member is served again.
func TestFloodProtection(t *testing.T) {
	tg := telegramtest.New(t)
	flood := &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	r := startSetUp(t, tg, nil, nil, func(m *Main) { m.floodClock = flood.Now })
	g := tg.Supergroup(-1001234, "Кофейня", false)
	tg.AddUser(anna)
	tg.AddUser(john)
	seedPlan(t, r, g)

	const burst = 30
	for i := 1; i <= burst; i++ {
		tg.SendText(g, anna, fmt.Sprintf("/log охват %d", i))
	}
	// The chat's updates are handled in order: John's answer means the
	// burst before it is done.
	johns := tg.SendText(g, john, "/log охват 4242")
	tg.WaitFor(t, wait, "the answer to John", func() bool {
		m, _ := tg.LastMessage(g.ID)
		return m.ReplyTo == johns.ID
	})
	flood.Set(flood.Now().Add(10 * time.Second))
	last := tg.SendText(g, anna, "/log охват 999")
	tg.WaitFor(t, wait, "the answer to the /log after the pause", func() bool {
		m, _ := tg.LastMessage(g.ID)
		return m.ReplyTo == last.ID
	})

	var slowDowns, answers int
	for _, m := range tg.Messages(g.ID) {
		switch {
		case strings.Contains(m.PlainText, "Слишком много сообщений подряд"):
			slowDowns++
		case strings.HasPrefix(m.PlainText, "✅ Охват"):
			answers++
		}
	}
	byAnna, byJohn := 0, 0
	for _, e := range entriesOf(t, r, g.ID) {
		switch {
		case e.By == anna.ID && (e.Value <= 20 || e.Value == 999):
			byAnna++
		case e.By == anna.ID:
			t.Errorf("a /log after the limit was stored: %v", e.Value)
		case e.By == john.ID && e.Value == 4242:
			byJohn++
		}
	}
	if slowDowns != 1 || answers != 20+1+1 || byAnna != 21 || byJohn != 1 {
		t.Errorf("slow-down answers %d (want 1), /log answers %d (want 22), entries by Anna %d (want 21), by John %d (want 1)",
			slowDowns, answers, byAnna, byJohn)
	}
	t.Logf("%d updates from one user in an instant: 20 served, 1 told to slow down, %d dropped, 0 stored after the limit", burst, burst-21)
}
