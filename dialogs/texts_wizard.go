package dialogs

import (
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// wtexts are the texts of the setup wizard and the plan card.
type wtexts struct {
	StepOf     string // "Шаг %d из 7"
	StepNames  map[int]string
	StepWhy    map[int]string // 2-3 lines on why the step matters
	Back       string
	Skip       string
	Cancel     string
	Next       string
	Confirm    string
	UseButtons string
	ReplyHint  string // %s: the owner's name, in groups

	GoalAsk        string
	Goals          map[kpi.Goal]string
	GoalOwn        string
	GoalNone       string
	GoalTextAsk    string
	BizTargetAsk   string
	AgesAsk        string
	PlatformsAsk   string
	Platforms      map[string]string
	ActiveAsk      string
	DayParts       map[string]string
	InterestsAsk   string
	TooLong        string // %d: the limit
	TextBad        string // control characters or text-direction overrides in a typed text
	TextEmpty      string // a typed text with nothing visible in it
	MetricsAsk     string
	MetricsNone    string
	MetricsMany    string // %d: count
	MetricOffGoal  string // %s: metric names
	CustomAdd      string
	CustomNameAsk  string
	CustomNameBad  string // %d: limit
	CustomNameDup  string
	CustomUnitAsk  string
	Units          map[kpi.Unit]string
	CustomDirAsk   string
	Directions     map[kpi.Direction]string
	CustomAggAsk   string
	Aggs           map[kpi.Aggregation]string
	BaselineAsk    string // %s metric, %s unit hint
	BaselineHint   map[kpi.Aggregation]string
	TargetAsk      string // %s metric, %s baseline
	TargetTake     string // %s suggested
	Keep           string // %s the value kept
	DeadlineAsk    string // %s metric
	EndOfMonth     string // %s date
	EndOfQuarter   string // %s date
	NumberBad      string
	NumberAmbig    string
	PercentRange   string
	Negative       string
	DirectionBad   string // %s baseline
	DirectionLower string // %s baseline
	DateBad        string
	DatePast       string
	SmartOK        string // %s metric, %s weekly change, %s weeks
	SmartFast      string // %s metric, %s weekly change
	SmartKeep      string
	SmartTake      string // %s suggested
	SmartRetype    string
	Weeks          [3]string // one, few, many
	Points         string    // percentage points, after a number
	TrackingAsk    string
	Sources        map[string]string
	Freqs          map[string]string
	ReportDayAsk   string
	Weekdays       map[time.Weekday]string
	ReportTimeAsk  string
	TimeBad        string
	TimezoneAsk    string // %s current
	TimezoneBad    string
	ReviewAsk      string
	Reviews        map[string]string
	AlertAsk       string
	AlertOption    string // %d
	DestAsk        string
	DestHere       string
	DestTopic      string
	DestGroupBad   string
	RemindersAsk   string
	On             string
	Off            string
	Summary        string
	Saved          string // %d version
	Paused         string // %d step
	Resumed        string
	Busy           string // %s name, %d minutes
	Idle           string // %s name, %d minutes
	TakeOver       string
	TakenOver      string // %s name, for the old owner
	NotYours       string // %s name
	Conflict       string
	Expired        string

	PlanNone     string
	PlanStart    string
	PlanTitle    string // %d version
	PlanGoal     string
	PlanAudience string
	PlanKPIs     string
	PlanKPI      string // %s name, %s baseline, %s target, %s deadline
	PlanReports  string // %s day, %s time, %s zone, %s where, %s reminders
	PlanReview   string // %s rhythm, %d threshold
	PlanVersions string
	PlanEdit     map[int]string
	Here         string
	Topic        string
	OtherChat    string
}

var wru = wtexts{
	StepOf: "Шаг %d из 7",
	StepNames: map[int]string{1: "Цель бизнеса", 2: "Аудитория", 3: "Метрики", 4: "SMART-цели",
		5: "Учёт", 6: "Анализ", 7: "Отчёты"},
	StepWhy: map[int]string{
		1: "KPI имеют смысл, только когда понятно, чего хочет бизнес. От цели зависит, какие цифры мы будем считать.",
		2: "Одна и та же цифра значит разное для школьников в TikTok и для родителей во ВКонтакте. Зная аудиторию, проще выбрать метрики и время постов.",
		3: "Метрика — то, что можно посчитать. Лучше 3–5 метрик, которые прямо связаны с целью, чем десяток «на всякий случай».",
		4: "Хорошая цель конкретна, измерима, достижима и ограничена сроком. Начнём с того, где вы сейчас, — и поставим реальную планку.",
		5: "Цифры полезны, только если их регулярно записывают. Договоримся, откуда они берутся и когда я присылаю отчёт.",
		6: "Без регулярного разбора KPI превращаются в таблицу, которую никто не открывает. Выберем ритм и когда бить тревогу.",
		7: "Отчёт должен попадать туда, где его увидит команда. Потом проверим план целиком.",
	},
	Back:       "◀ Назад",
	Skip:       "Пропустить ▶",
	Cancel:     "✖ Пауза",
	Next:       "Дальше ▶",
	Confirm:    "✅ Сохранить план",
	UseButtons: "Выберите вариант кнопкой под вопросом.",
	ReplyHint:  "%s, ответьте на это сообщение 👇",

	GoalAsk:      "Чего вы хотите добиться с помощью соцсетей? Можно выбрать несколько.",
	Goals:        map[kpi.Goal]string{kpi.GoalSales: "Рост продаж", kpi.GoalService: "Сервис для клиентов", kpi.GoalAwareness: "Узнаваемость бренда"},
	GoalOwn:      "Своя формулировка",
	GoalNone:     "Выберите хотя бы одну цель.",
	GoalTextAsk:  "Сформулируйте цель своими словами, например: «Записывать больше клиентов на выходные».",
	BizTargetAsk: "Есть ли измеримая цель для бизнеса? Например: «+20 % продаж к лету». Это необязательно.",
	AgesAsk:      "Сколько лет вашей аудитории? Можно выбрать несколько вариантов.",
	PlatformsAsk: "Где ваша аудитория? Выберите площадки.",
	Platforms: map[string]string{"telegram": "Telegram", "vk": "ВКонтакте", "instagram": "Instagram",
		"youtube": "YouTube", "tiktok": "TikTok", "other": "Другое"},
	ActiveAsk:     "Когда ваша аудитория чаще всего в сети?",
	DayParts:      map[string]string{"morning": "Утром", "day": "Днём", "evening": "Вечером", "night": "Ночью"},
	InterestsAsk:  "Чем интересуется аудитория? Пара слов, например: «кофе, завтраки, работа из кафе». Можно пропустить.",
	TooLong:       "Слишком длинно: не больше %d символов.",
	TextBad:       "В тексте есть управляющие символы (или знаки, переворачивающие текст). Напишите его заново обычными буквами.",
	TextEmpty:     "Ответ пустой: в нём нет ни одного видимого символа.",
	MetricsAsk:    "Какие метрики будем считать? Я отметил подходящие для вашей цели — уберите лишнее или добавьте своё.",
	MetricsNone:   "Выберите хотя бы одну метрику.",
	MetricsMany:   "⚠️ Метрик уже %d. Больше пяти — и фокус теряется: оставьте самые важные.",
	MetricOffGoal: "⚠️ Не связано с выбранной целью: %s. Если метрика нужна, проверьте, верно ли сформулирована цель на шаге 1.",
	CustomAdd:     "➕ Своя метрика",
	CustomNameAsk: "Как называется ваша метрика? Например: «Записи через бота».",
	CustomNameBad: "Название нужно от 1 до %d символов.",
	CustomNameDup: "Это название уже занято: так называется другая метрика (или так её записывают в /log). Придумайте другое.",
	CustomUnitAsk: "В чём её считать? Выберите или напишите свою единицу (например, «чел.»).",
	Units: map[kpi.Unit]string{kpi.UnitPeople: "люди", kpi.UnitCount: "штуки", kpi.UnitPercent: "%",
		kpi.UnitMinutes: "минуты", kpi.UnitRubles: "рубли"},
	CustomDirAsk: "Что для неё лучше?",
	Directions:   map[kpi.Direction]string{kpi.HigherBetter: "Чем больше, тем лучше", kpi.LowerBetter: "Чем меньше, тем лучше"},
	CustomAggAsk: "Как складывать значения за неделю?",
	Aggs: map[kpi.Aggregation]string{kpi.AggSum: "Суммировать", kpi.AggMean: "Среднее",
		kpi.AggLast: "Последнее значение"},
	BaselineAsk: "<b>%s</b>: какое значение сейчас? %s",
	BaselineHint: map[kpi.Aggregation]string{kpi.AggSum: "Напишите число за обычную неделю, например 12 500.",
		kpi.AggMean: "Напишите среднее за последнее время, например 4,2.", kpi.AggLast: "Напишите текущее число, например 830."},
	TargetAsk:      "<b>%s</b>: сейчас %s. Какого значения хотите достичь?",
	TargetTake:     "Взять %s",
	Keep:           "Оставить %s",
	DeadlineAsk:    "<b>%s</b>: к какому сроку? Выберите или напишите дату, например 31.03.2027.",
	EndOfMonth:     "Конец месяца (%s)",
	EndOfQuarter:   "Конец квартала (%s)",
	NumberBad:      "Не понял число. Напишите, например: 12 500, 4,2 или 12к.",
	NumberAmbig:    "Число можно понять двояко. Напишите без разделителей, например 12500 или 12,5.",
	PercentRange:   "Проценты — от 0 до 100.",
	Negative:       "Значение не может быть отрицательным.",
	DirectionBad:   "Цель должна быть больше текущего значения (%s): эта метрика растёт.",
	DirectionLower: "Цель должна быть меньше текущего значения (%s): здесь чем меньше, тем лучше.",
	DateBad:        "Не понял дату. Напишите, например, 31.03.2027.",
	DatePast:       "Срок должен быть в будущем.",
	SmartOK:        "✓ %s: %s в неделю, до срока %s — реалистично.",
	SmartFast:      "⚠️ %s: нужно %s в неделю. Так быстро растут редко — цель может выбить команду из сил.",
	SmartKeep:      "Оставить мою цель",
	SmartTake:      "Взять %s",
	SmartRetype:    "Изменить цель",
	Weeks:          [3]string{"неделя", "недели", "недель"},
	Points:         "\u00a0п.\u00a0п.",
	TrackingAsk:    "Откуда берутся цифры и как часто их записывать? Нажмите на кнопку, чтобы сменить вариант.",
	Sources:        map[string]string{"manual": "вручную", "platform": "статистика соцсети", "analytics": "веб-аналитика", "other": "другое"},
	Freqs:          map[string]string{"daily": "каждый день", "weekly": "раз в неделю"},
	ReportDayAsk:   "В какой день присылать еженедельный отчёт?",
	Weekdays: map[time.Weekday]string{time.Monday: "Пн", time.Tuesday: "Вт", time.Wednesday: "Ср",
		time.Thursday: "Чт", time.Friday: "Пт", time.Saturday: "Сб", time.Sunday: "Вс"},
	ReportTimeAsk: "Во сколько? Выберите или напишите время, например 9:30.",
	TimeBad:       "Не понял время. Напишите, например, 9:30 или 18:00.",
	TimezoneAsk:   "Ваш часовой пояс? Сейчас: %s. Выберите город или напишите пояс, например Europe/Samara или UTC+4.",
	TimezoneBad:   "Не знаю такого пояса. Напишите, например, Europe/Samara или UTC+4.",
	ReviewAsk:     "Как часто команда будет разбирать цифры?",
	Reviews:       map[string]string{"weekly": "Каждую неделю", "monthly": "Раз в неделю + разбор раз в месяц"},
	AlertAsk:      "Когда предупреждать об отставании от плана?",
	AlertOption:   "Отстаём на %d\u00a0%%",
	DestAsk:       "Куда присылать отчёты?",
	DestHere:      "В этот чат",
	DestTopic:     "В эту тему",
	DestGroupBad:  "В этой группе я не могу проверить, что вы администратор. Выберите другой вариант.",
	RemindersAsk:  "Напоминать команде записать цифры накануне отчёта, если их нет?",
	On:            "Да",
	Off:           "Нет",
	Summary:       "Проверьте план. Если всё верно — сохраните.",
	Saved:         "План сохранён (версия %d). Команда может записывать цифры, а я буду присылать отчёты.",
	Paused:        "Настройка на паузе. Ответы сохранены: /setup продолжит с шага %d.",
	Resumed:       "Продолжаем настройку.",
	Busy:          "Сейчас план настраивает %s (последнее действие %d мин назад). Дождитесь, пока закончит.",
	Idle:          "Настройку ведёт %s, но уже %d мин без изменений. Можно взять её на себя — ответы сохранятся.",
	TakeOver:      "Взять настройку на себя",
	TakenOver:     "Теперь настройку ведёт %s.",
	NotYours:      "Эти кнопки для %s: он(а) настраивает план.",
	Conflict:      "Кто-то только что изменил этот шаг. Посмотрите на свежую версию и попробуйте снова.",
	Expired:       "Эта настройка уже закрыта. Начать заново — /setup.",

	PlanNone:     "Плана KPI пока нет. Его можно собрать за семь коротких шагов — /setup.",
	PlanStart:    "🚀 Настроить KPI",
	PlanTitle:    "📋 <b>План KPI</b> · версия %d",
	PlanGoal:     "🎯 Цель",
	PlanAudience: "👥 Аудитория",
	PlanKPIs:     "📈 KPI",
	PlanKPI:      "• %s: %s → %s к %s",
	PlanReports:  "🗓 Отчёт: %s %s (%s), %s · напоминания: %s",
	PlanReview:   "🔍 Разбор: %s · предупреждение при отставании на %d\u00a0%%",
	PlanVersions: "Версии плана",
	PlanEdit: map[int]string{1: "✏️ Цель", 2: "✏️ Аудитория", 3: "✏️ Метрики и цели", 5: "✏️ Учёт",
		6: "✏️ Анализ", 7: "✏️ Отчёты"},
	Here:      "сюда",
	Topic:     "в тему",
	OtherChat: "в другую группу",
}

var wen = wtexts{
	StepOf: "Step %d of 7",
	StepNames: map[int]string{1: "Business goal", 2: "Audience", 3: "Metrics", 4: "SMART targets",
		5: "Tracking", 6: "Analysis", 7: "Reporting"},
	StepWhy: map[int]string{
		1: "KPIs only make sense once it is clear what the business wants. The goal decides which numbers we track.",
		2: "The same number means different things for teens on TikTok and for parents on Facebook. Knowing the audience helps pick metrics and posting times.",
		3: "A metric is something you can count. Three to five metrics tied to the goal beat a dozen 'just in case'.",
		4: "A good target is specific, measurable, achievable and time-bound. We start from where you are now and set a realistic bar.",
		5: "Numbers help only when someone logs them regularly. Let's agree where they come from and when I send the report.",
		6: "Without a regular review, KPIs become a spreadsheet nobody opens. Pick a rhythm and when to raise the alarm.",
		7: "The report should land where the team will see it. Then we check the whole plan.",
	},
	Back:       "◀ Back",
	Skip:       "Skip ▶",
	Cancel:     "✖ Pause",
	Next:       "Next ▶",
	Confirm:    "✅ Save the plan",
	UseButtons: "Please pick an option with the buttons under the question.",
	ReplyHint:  "%s, reply to this message 👇",

	GoalAsk:      "What do you want social media to achieve? You can pick several.",
	Goals:        map[kpi.Goal]string{kpi.GoalSales: "Grow sales", kpi.GoalService: "Customer service", kpi.GoalAwareness: "Brand awareness"},
	GoalOwn:      "My own wording",
	GoalNone:     "Pick at least one goal.",
	GoalTextAsk:  "Put the goal in your own words, e.g. “Book more clients for weekends”.",
	BizTargetAsk: "Is there a measurable business target? E.g. “+20% sales by summer”. Optional.",
	AgesAsk:      "How old is your audience? Pick one or more.",
	PlatformsAsk: "Where is your audience? Pick the platforms.",
	Platforms: map[string]string{"telegram": "Telegram", "vk": "VK", "instagram": "Instagram",
		"youtube": "YouTube", "tiktok": "TikTok", "other": "Other"},
	ActiveAsk:     "When is your audience online the most?",
	DayParts:      map[string]string{"morning": "Morning", "day": "Daytime", "evening": "Evening", "night": "Night"},
	InterestsAsk:  "What is your audience into? A few words, e.g. “coffee, brunch, remote work”. Optional.",
	TooLong:       "Too long: %d characters at most.",
	TextBad:       "The text has control characters (or marks that turn text around). Please type it again in plain letters.",
	TextEmpty:     "The answer is empty: there is nothing visible in it.",
	MetricsAsk:    "Which metrics shall we track? I ticked the ones that fit your goal: untick or add your own.",
	MetricsNone:   "Pick at least one metric.",
	MetricsMany:   "⚠️ That's %d metrics. Past five the focus gets lost: keep the ones that matter most.",
	MetricOffGoal: "⚠️ Not tied to the goals you chose: %s. If you need it, check the goal in step 1.",
	CustomAdd:     "➕ Custom metric",
	CustomNameAsk: "What is your metric called? E.g. “Bookings via the bot”.",
	CustomNameBad: "The name needs 1 to %d characters.",
	CustomNameDup: "That name is taken: another metric is called that (or logged that way with /log). Please pick another.",
	CustomUnitAsk: "What does it count? Pick or type your own unit (e.g. “orders”).",
	Units: map[kpi.Unit]string{kpi.UnitPeople: "people", kpi.UnitCount: "items", kpi.UnitPercent: "%",
		kpi.UnitMinutes: "minutes", kpi.UnitRubles: "rubles"},
	CustomDirAsk: "Which way is better?",
	Directions:   map[kpi.Direction]string{kpi.HigherBetter: "Higher is better", kpi.LowerBetter: "Lower is better"},
	CustomAggAsk: "How do a week's values add up?",
	Aggs:         map[kpi.Aggregation]string{kpi.AggSum: "Sum", kpi.AggMean: "Average", kpi.AggLast: "Latest value"},
	BaselineAsk:  "<b>%s</b>: where is it now? %s",
	BaselineHint: map[kpi.Aggregation]string{kpi.AggSum: "Type a normal week's number, e.g. 12,500.",
		kpi.AggMean: "Type the recent average, e.g. 4.2.", kpi.AggLast: "Type the current number, e.g. 830."},
	TargetAsk:      "<b>%s</b>: now %s. What do you want to reach?",
	TargetTake:     "Take %s",
	Keep:           "Keep %s",
	DeadlineAsk:    "<b>%s</b>: by when? Pick or type a date, e.g. 31.03.2027.",
	EndOfMonth:     "End of month (%s)",
	EndOfQuarter:   "End of quarter (%s)",
	NumberBad:      "I couldn't read that number. Type e.g. 12,500, 4.2 or 12k.",
	NumberAmbig:    "That number can be read two ways. Type it without separators, e.g. 12500 or 12.5.",
	PercentRange:   "Percentages go from 0 to 100.",
	Negative:       "The value can't be negative.",
	DirectionBad:   "The target must be above the current value (%s): this metric should grow.",
	DirectionLower: "The target must be below the current value (%s): here lower is better.",
	DateBad:        "I couldn't read that date. Type e.g. 31.03.2027.",
	DatePast:       "The deadline must be in the future.",
	SmartOK:        "✓ %s: %s a week, %s to go — realistic.",
	SmartFast:      "⚠️ %s: needs %s a week. Growth that fast is rare and may burn the team out.",
	SmartKeep:      "Keep my target",
	SmartTake:      "Take %s",
	SmartRetype:    "Change the target",
	Weeks:          [3]string{"week", "weeks", "weeks"},
	Points:         " pp",
	TrackingAsk:    "Where do the numbers come from and how often are they logged? Tap a button to change it.",
	Sources:        map[string]string{"manual": "by hand", "platform": "platform stats", "analytics": "web analytics", "other": "other"},
	Freqs:          map[string]string{"daily": "daily", "weekly": "weekly"},
	ReportDayAsk:   "Which day should the weekly report come?",
	Weekdays: map[time.Weekday]string{time.Monday: "Mon", time.Tuesday: "Tue", time.Wednesday: "Wed",
		time.Thursday: "Thu", time.Friday: "Fri", time.Saturday: "Sat", time.Sunday: "Sun"},
	ReportTimeAsk: "At what time? Pick or type one, e.g. 9:30.",
	TimeBad:       "I couldn't read that time. Type e.g. 9:30 or 18:00.",
	TimezoneAsk:   "Your time zone? Now: %s. Pick a city or type a zone, e.g. Europe/London or UTC+4.",
	TimezoneBad:   "I don't know that time zone. Type e.g. Europe/London or UTC+4.",
	ReviewAsk:     "How often will the team review the numbers?",
	Reviews:       map[string]string{"weekly": "Every week", "monthly": "Weekly + a monthly deep dive"},
	AlertAsk:      "When should I warn that you are behind plan?",
	AlertOption:   "%d%% behind",
	DestAsk:       "Where should reports go?",
	DestHere:      "This chat",
	DestTopic:     "This topic",
	DestGroupBad:  "I can't confirm you are an admin of that group. Pick another option.",
	RemindersAsk:  "Remind the team to log numbers the day before the report, when some are missing?",
	On:            "Yes",
	Off:           "No",
	Summary:       "Check the plan. If it looks right, save it.",
	Saved:         "Plan saved (version %d). The team can log numbers now, and I will send the reports.",
	Paused:        "Setup paused. Your answers are kept: /setup continues from step %d.",
	Resumed:       "Let's continue the setup.",
	Busy:          "%s is setting the plan up right now (last action %d min ago). Please wait until they finish.",
	Idle:          "%s started the setup and left it %d min ago. You can continue instead — the answers are kept.",
	TakeOver:      "Take over the setup",
	TakenOver:     "%s took over the setup.",
	NotYours:      "These buttons are for %s, who is setting up the plan.",
	Conflict:      "Someone just changed this step. Look at the fresh version and try again.",
	Expired:       "This setup is already closed. Start again with /setup.",

	PlanNone:     "There is no KPI plan yet. It takes seven short steps — /setup.",
	PlanStart:    "🚀 Set up KPIs",
	PlanTitle:    "📋 <b>KPI plan</b> · version %d",
	PlanGoal:     "🎯 Goal",
	PlanAudience: "👥 Audience",
	PlanKPIs:     "📈 KPIs",
	PlanKPI:      "• %s: %s → %s by %s",
	PlanReports:  "🗓 Report: %s %s (%s), %s · reminders: %s",
	PlanReview:   "🔍 Review: %s · warn when %d%% behind",
	PlanVersions: "Plan versions",
	PlanEdit: map[int]string{1: "✏️ Goal", 2: "✏️ Audience", 3: "✏️ Metrics & targets", 5: "✏️ Tracking",
		6: "✏️ Analysis", 7: "✏️ Reporting"},
	Here:      "here",
	Topic:     "to the topic",
	OtherChat: "to another group",
}
