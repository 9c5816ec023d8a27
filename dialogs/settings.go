package dialogs

import (
	"context"
	"fmt"
	"strings"

	"github.com/kpibot/kpibot/kpi"
)

// The settings /settings edits, each a short run of wizard questions; the
// codes live beside the wizard's step numbers in wizard.Edit.
const (
	settingsZone      = 101
	settingsTime      = 102
	settingsDest      = 103
	settingsReminders = 104
)

var settingsQuestions = map[int][]string{
	settingsZone:      {"timezone"},
	settingsTime:      {"report_day", "report_time"},
	settingsDest:      {"dest"},
	settingsReminders: {"reminders"},
}

func isSettings(edit int) bool { _, ok := settingsQuestions[edit]; return ok }

// settings is /settings: the workspace's schedule and where reports go,
// each changed by buttons.
func (e *Engine) settings(_ context.Context, in Input, ws kpi.Workspace) (Result, error) {
	return e.settingsMenu(in, ws), nil
}

func (e *Engine) settingsMenu(in Input, ws kpi.Workspace) Result {
	x, l := t(ws.Lang), ws.Lang
	s := ws.Settings
	where := x.W.Here
	switch {
	case s.ReportChat != 0:
		where = x.W.OtherChat
	case s.ReportThread != 0:
		where = x.W.Topic
	}
	reminders := x.W.Off
	if s.Reminders {
		reminders = x.W.On
	}
	text := "<b>" + x.Settings + "</b>\n" + fmt.Sprintf(x.SettingsNow, zoneLabel(ws.Timezone, l), x.W.Weekdays[s.ReportDay],
		fmt.Sprintf("%02d:%02d", s.ReportHour, s.ReportMinute), where, strings.ToLower(reminders), t(l).LangName)
	r := Reply{Text: text, Buttons: [][]Button{
		{{Text: x.SettingsZone, Data: data("st", "z")}, {Text: x.SettingsTime, Data: data("st", "t")}},
		{{Text: x.SettingsDest, Data: data("st", "d")}, {Text: x.SettingsRemind, Data: data("st", "r")}},
		{{Text: x.SettingsLang, Data: data("st", "l")}},
	}}
	if in.ChatType.IsGroup() && in.Callback == "" {
		r.ReplyTo = in.MessageID
	}
	return Result{Replies: []Reply{r}}
}

// pressSettings opens one setting: "1:st:z|t|d|r|l".
func (e *Engine) pressSettings(ctx context.Context, in Input, ws kpi.Workspace, args []string) (Result, error) {
	if len(args) != 1 {
		return Result{Notice: t(ws.Lang).StaleButton}, nil
	}
	edit := map[string]int{"z": settingsZone, "t": settingsTime, "d": settingsDest, "r": settingsReminders}[args[0]]
	switch {
	case args[0] == "l":
		return e.langAsk(in, ws), nil
	case edit == 0:
		return Result{Notice: t(ws.Lang).StaleButton}, nil
	}
	return e.openWizard(ctx, in, ws, edit)
}

// saveSettings ends a /settings question: the workspace is saved (the
// scheduler reads it at its next tick) and the settings card comes back.
func (c *wctx) saveSettings(prefix []Reply, ws kpi.Workspace) (Result, error) {
	if err := c.e.Store.SaveWorkspace(c.ctx, ws); err != nil {
		return Result{}, fmt.Errorf("dialogs: settings: %w", err)
	}
	if err := c.e.Store.DeleteWizard(c.ctx, c.in.ChatID); err != nil {
		return Result{}, fmt.Errorf("dialogs: settings: %w", err)
	}
	res := c.e.settingsMenu(c.in, ws)
	res.Notice = c.x.SettingsSaved
	res.Replies = append(prefix, res.Replies...)
	if c.in.Callback != "" {
		res.Replies = append([]Reply{{Edit: c.in.MessageID, Text: c.x.SettingsSaved}}, res.Replies...)
	}
	return res, nil
}
