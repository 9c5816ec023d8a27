package dialogs

import "github.com/kpibot/kpibot/kpi"

// rtexts are the texts of the chart reports and the advice in them.
type rtexts struct {
	WeekTitle      string // %d week, %s first day, %s last day
	QuarterTitle   string // %d quarter, %d year
	Legend         [5]string
	StatusText     map[kpi.Status]string // beside a panel's status dot; behind: %d pct
	AtRiskForecast string                // %s forecast, %s target
	OnTrackCount   string                // %d of %d KPIs on track or better
	PanelTitle     string                // %s metric, %s value, %s pct
	PanelNoData    string                // %s metric
	Line           string                // %s status emoji, %s metric, %s value, %s pct, %s status
	LineNoData     string                // %s metric
	QLine          string                // %s metric, %s start, %s end, %s target, %s verdict
	QTitle         string                // %s metric, %s start, %s end, %s target
	QStatus        [2]string             // missed, achieved: %d pct of target
	Achieved       string
	Missed         string
	NoEntries      string // %s example line
	AdviceHead     string
	Problem        map[string]string // what is wrong, with the numbers (by rule)
	Forecast       string            // the problem of a KPI at risk by its trend only
	Action         map[string]string // what to do, with the step (by rule)
	DayParts       map[string]string // "в часы, когда…" forms
	AnyTime        string
	WeeksFor       [3]string // "1 неделю, 2 недели, 5 недель"
	Reminder       string    // %s missing KPIs, %s example line
	ReviewAsk      string
	Closed         string
	ReviewKeep     string
	ReviewRaise    string
	ReviewAdjust   string
	Kept           string
	Raised         string // %s list of new targets
	NothingToRaise string
}

var reportRU = rtexts{
	WeekTitle:    "Неделя %d · %s – %s",
	QuarterTitle: "%d-й квартал %d",
	Legend:       [5]string{"Факт по неделям", "Темп к цели", "Цель", "Прогноз", "Зона цели"},
	StatusText: map[kpi.Status]string{kpi.StatusOnTrack: "В графике", kpi.StatusBehind: "Отстаём от темпа на %d\u00a0%%",
		kpi.StatusAtRisk: "Под угрозой: отстаём на %d\u00a0%%", kpi.StatusNoData: "Нет данных за неделю", kpi.StatusAchieved: "Цель достигнута"},
	AtRiskForecast: "Под угрозой: прогноз %s из %s",
	OnTrackCount:   "%d из %d KPI в графике или лучше",
	PanelTitle:     "%s · %s · %s от цели",
	PanelNoData:    "%s · нет данных",
	Line:           "%s %s: %s — %s от цели, %s",
	LineNoData:     "⚪ %s: нет данных за неделю",
	QLine:          "%s: %s → %s, цель %s — %s",
	QTitle:         "%s · %s → %s · цель %s",
	QStatus:        [2]string{"Не достигнута (%d\u00a0%% цели)", "Цель достигнута (%d\u00a0%%)"},
	Achieved:       "✅ достигнута",
	Missed:         "❌ не достигнута",
	NoEntries:      "Отчёт пока пустой: за последние недели нет ни одной записи. Запишите первые цифры — например, %s — и в следующем отчёте появятся графики. Быстрее всего: /log без слов, дальше кнопки.",
	AdviceHead:     "Что сделать:",
	Problem: map[string]string{
		"engagement_behind": "Вовлечённость отстаёт от плана на %[1]d\u00a0%% (%[2]s при плане %[3]s).",
		"reach_behind":      "%[4]s ниже плана на %[1]d\u00a0%% (%[2]s при плане %[3]s).",
		"conversion_behind": "%[4]s отстаёт на %[1]d\u00a0%% (%[2]s при плане %[3]s).",
		"growth_behind":     "%[4]s растёт медленнее плана на %[1]d\u00a0%%.",
		"no_data":           "%[4]s: нет записей %[6]s.",
		"target_met":        "%[4]s: цель %[3]s уже достигнута (%[2]s).",
		"too_many_kpis":     "В плане %[7]d KPI.",
		"off_goal":          "%[4]s не связан с целями плана.",
		"no_rhythm":         "Уже %[6]s ни одной записи.",
	},
	Forecast: "%[4]s: при нынешнем темпе к сроку будет около %[2]s при цели %[3]s.",
	Action: map[string]string{
		"engagement_behind": "Найдите посты и форматы, которые собрали больше всего реакций, и делайте такие чаще. (шаг 6)",
		"reach_behind":      "Публикуйте %[5]s. (шаг 2)",
		"conversion_behind": "Проверьте призывы к действию и ссылки: куда ведут, понятно ли, что нажать. (шаг 6)",
		"growth_behind":     "Попробуйте коллаборации, конкурсы и взаимный пиар с соседями по нише. (шаг 6)",
		"no_data":           "Договоритесь, кто и в какой день записывает цифры, — без них отчёт слепой. (шаг 5)",
		"target_met":        "Самое время поднять планку. (шаг 4)",
		"too_many_kpis":     "Оставьте 3–5 главных — так проще держать фокус. (шаг 3)",
		"off_goal":          "Проверьте, верно ли сформулирована цель. (шаг 1)",
		"no_rhythm":         "Назначьте день недели, когда команда сверяет цифры. (шаг 6)",
	},
	DayParts: map[string]string{"morning": "утром, когда ваша аудитория в сети", "day": "днём, когда ваша аудитория в сети",
		"evening": "вечером, когда ваша аудитория в сети", "night": "ночью, когда ваша аудитория в сети"},
	AnyTime:        "в часы, когда подписчики активнее всего (это видно в статистике площадки)",
	WeeksFor:       [3]string{"неделю", "недели", "недель"},
	Reminder:       "Завтра еженедельный отчёт, а за эту неделю ещё нет цифр: %s. Запишите одной строкой — %s — или кнопкой ниже.",
	ReviewAsk:      "Что делаем с целями на следующий квартал?",
	Closed:         "Квартал закрыт.",
	ReviewKeep:     "Оставить как есть",
	ReviewRaise:    "Поднять достигнутые",
	ReviewAdjust:   "Пересмотреть (шаг 4)",
	Kept:           "Цели остаются прежними.",
	Raised:         "Новые цели сохранены: %s.",
	NothingToRaise: "Ни одна цель квартала не достигнута — поднимать нечего. Можно пересмотреть цели (шаг 4).",
}

var reportEN = rtexts{
	WeekTitle:    "Week %d · %s – %s",
	QuarterTitle: "Q%d %d",
	Legend:       [5]string{"Weekly value", "Pace to target", "Target", "Forecast", "Goal zone"},
	StatusText: map[kpi.Status]string{kpi.StatusOnTrack: "On track", kpi.StatusBehind: "%d%% behind pace",
		kpi.StatusAtRisk: "At risk: %d%% behind", kpi.StatusNoData: "No data this week", kpi.StatusAchieved: "Target reached"},
	AtRiskForecast: "At risk: forecast %s of %s",
	OnTrackCount:   "%d of %d KPIs on track or better",
	PanelTitle:     "%s · %s · %s of target",
	PanelNoData:    "%s · no data",
	Line:           "%s %s: %s — %s of target, %s",
	LineNoData:     "⚪ %s: no data this week",
	QLine:          "%s: %s → %s, target %s — %s",
	QTitle:         "%s · %s → %s · target %s",
	QStatus:        [2]string{"Missed (%d%% of target)", "Target reached (%d%%)"},
	Achieved:       "✅ achieved",
	Missed:         "❌ missed",
	NoEntries:      "The report is empty for now: nothing was logged in recent weeks. Log the first numbers — e.g. %s — and the next report will have charts. The quickest way: /log alone, then the buttons.",
	AdviceHead:     "What to do:",
	Problem: map[string]string{
		"engagement_behind": "Engagement is %[1]d%% behind plan (%[2]s vs %[3]s).",
		"reach_behind":      "%[4]s is %[1]d%% below plan (%[2]s vs %[3]s).",
		"conversion_behind": "%[4]s is %[1]d%% behind (%[2]s vs %[3]s).",
		"growth_behind":     "%[4]s grows %[1]d%% slower than planned.",
		"no_data":           "%[4]s: nothing logged for %[6]s.",
		"target_met":        "%[4]s: the target of %[3]s is already reached (%[2]s).",
		"too_many_kpis":     "The plan has %[7]d KPIs.",
		"off_goal":          "%[4]s is not tied to the plan's goals.",
		"no_rhythm":         "%[6]s without a single entry.",
	},
	Forecast: "%[4]s: at the current pace it will be about %[2]s by the deadline, against a target of %[3]s.",
	Action: map[string]string{
		"engagement_behind": "Find the posts and formats that got the most reactions and do more of them. (step 6)",
		"reach_behind":      "Post %[5]s. (step 2)",
		"conversion_behind": "Check the calls to action and links: where they lead and whether it's clear what to tap. (step 6)",
		"growth_behind":     "Try collaborations, contests and cross-promotion with neighbours in your niche. (step 6)",
		"no_data":           "Agree who logs the numbers and on which day — without them the report is blind. (step 5)",
		"target_met":        "Time to raise the bar. (step 4)",
		"too_many_kpis":     "Keep the 3–5 that matter most — focus is easier. (step 3)",
		"off_goal":          "Check the goal is worded right. (step 1)",
		"no_rhythm":         "Pick a weekday when the team reviews the numbers. (step 6)",
	},
	DayParts: map[string]string{"morning": "in the morning, when your audience is online", "day": "in the daytime, when your audience is online",
		"evening": "in the evening, when your audience is online", "night": "at night, when your audience is online"},
	AnyTime:        "at the hours your followers are most active (the platform's stats show them)",
	WeeksFor:       [3]string{"week", "weeks", "weeks"},
	Reminder:       "The weekly report is tomorrow, and this week has no numbers yet for: %s. Log them in one line — %s — or with a button below.",
	ReviewAsk:      "What do we do with the targets for the next quarter?",
	Closed:         "The quarter is closed.",
	ReviewKeep:     "Keep them",
	ReviewRaise:    "Raise the reached ones",
	ReviewAdjust:   "Adjust (step 4)",
	Kept:           "The targets stay as they are.",
	Raised:         "New targets saved: %s.",
	NothingToRaise: "No target of the quarter was reached — nothing to raise. You can adjust the targets (step 4).",
}
