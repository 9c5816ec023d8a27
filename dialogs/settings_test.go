package dialogs

import (
	"strings"
	"testing"
	"time"
)

func TestSettingsChangeScheduleWithoutANewPlan(t *testing.T) {
	c := newSim(t)
	c.withPlan()
	c.say("/settings")
	if !strings.Contains(c.screen(), "Часовой пояс: Москва") || !strings.Contains(c.screen(), "Отчёт: Пн 10:00") {
		t.Fatalf("settings card: %q", c.screen())
	}
	c.press("🌍 Часовой пояс")
	c.say("Asia/Vladivostok")
	c.press("📅 День и время")
	c.press("Пт")
	c.say("9:30")
	c.press("🔔 Напоминания")
	c.press("Нет")
	ws := c.s.workspaces[c.in.ChatID]
	if ws.Timezone != "Asia/Vladivostok" || ws.ReportDay != time.Friday || ws.ReportHour != 9 || ws.ReportMinute != 30 || ws.Reminders {
		t.Errorf("workspace after /settings: %+v", ws)
	}
	if n := len(c.s.plans[c.in.ChatID]); n != 1 {
		t.Errorf("%d plan versions: settings must not version the plan", n)
	}
	if !strings.Contains(c.screen(), "Отчёт: Пт 09:30") || !strings.Contains(c.screen(), "Владивосток") {
		t.Errorf("card after the changes: %q", c.screen())
	}
	if _, open := c.s.wizards[c.in.ChatID]; open {
		t.Error("a settings question left a wizard open")
	}
}
