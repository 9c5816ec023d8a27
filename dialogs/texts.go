package dialogs

import "github.com/kpibot/kpibot/kpi"

// texts is every sentence the bot says, in one language. Both catalogues
// must fill every field; a test checks it.
type texts struct {
	LangName string // the language's own name, for its button

	WelcomePrivate string // %s: the user's name
	WelcomeGroup   string // %s: the group's title
	WelcomeBack    string // %s: the user's name
	AddedToGroup   string // %s: the group's title

	HelpIntro    string
	HelpCommands string
	HelpLog      string // the quick-entry cheat sheet, shown once /log exists

	LangAsk  string
	LangSet  string // said in the new language
	LangSame string

	CancelNothing string
	CancelDone    string

	AdminOnly       string
	StaleButton     string
	UnknownCommand  string
	NotUnderstood   string
	Unavailable     string
	SlowDown        string
	Oops            string
	CommandStart    string
	CommandHelp     string
	CommandLang     string
	CommandCancel   string
	CommandSetup    string
	CommandPlan     string
	CommandLog      string
	CommandUndo     string
	CommandHistory  string
	CommandExport   string
	CommandImport   string
	CommandReport   string
	CommandSettings string
	Settings        string
	SettingsNow     string // %s zone, %s day, %s time, %s where, %s reminders, %s language
	SettingsZone    string
	SettingsTime    string
	SettingsDest    string
	SettingsRemind  string
	SettingsLang    string
	SettingsSaved   string
	StartSetup      string

	W wtexts // the wizard and the plan card
	L ltexts // logging, progress, export
	R rtexts // reports and advice
}

var ru = texts{
	LangName: "Русский",

	WelcomePrivate: "Здравствуйте, %s! Я помогаю превратить цели бизнеса в понятные KPI для соцсетей и следить, как команда к ним идёт.\n\n" +
		"Настройка займёт семь коротких шагов: цель, аудитория, метрики, SMART-цели, учёт, анализ и отчёты. " +
		"Потом команда будет записывать цифры одной строкой, а я — присылать графики и подсказки раз в неделю.",
	WelcomeGroup: "Всем привет! Я буду вести KPI соцсетей для «%s»: администраторы настраивают план, " +
		"участники записывают цифры, а раз в неделю сюда приходит отчёт с графиками.",
	WelcomeBack: "С возвращением, %s! Я на месте.",
	AddedToGroup: "Спасибо, что добавили меня в «%s»! Я веду KPI соцсетей: помогу поставить цели, " +
		"соберу цифры команды и буду присылать сюда еженедельные отчёты.\n\n" +
		"Чтобы проверять, кто администратор, сделайте меня администратором группы.",

	HelpIntro:    "Я превращаю цели бизнеса в KPI для соцсетей за семь шагов, храню план и все записанные значения и присылаю отчёты с графиками.",
	HelpCommands: "Команды:",
	HelpLog: "Быстрая запись:\n" +
		"/log охват 12500\n" +
		"/log reach 12.5k er 4,2%\n" +
		"/log вчера подписчики 830",

	LangAsk:  "На каком языке мне говорить в этом чате?",
	LangSet:  "Готово: теперь я говорю по-русски.",
	LangSame: "Я уже говорю по-русски.",

	CancelNothing: "Отменять нечего: сейчас нет открытого диалога.",
	CancelDone:    "Диалог закрыт. Всё, что уже сохранено, осталось на месте.",

	AdminOnly:       "Это могут менять только администраторы группы. Попросите одного из них.",
	StaleButton:     "Эта кнопка устарела.",
	UnknownCommand:  "Такой команды я не знаю. Список команд — /help.",
	NotUnderstood:   "Я не понял сообщение. Что я умею — /help.",
	Unavailable:     "Хранилище временно недоступно, поэтому я ничего не изменил. Попробуйте ещё раз через минуту.",
	SlowDown:        "Слишком много сообщений подряд. Я сделаю паузу и не буду отвечать, пока вы не сбавите темп: подождите десять секунд.",
	Oops:            "Что-то пошло не так, и я ничего не изменил. Попробуйте ещё раз; если не выйдет — напишите /help.",
	CommandStart:    "начало работы",
	CommandHelp:     "что умеет бот и как записывать цифры",
	CommandLang:     "язык бота в этом чате",
	CommandCancel:   "выйти из текущего диалога",
	CommandSetup:    "настроить KPI за 7 шагов",
	CommandPlan:     "план KPI и прогресс",
	CommandLog:      "записать цифры: /log охват 12500",
	CommandUndo:     "отменить мою последнюю запись",
	CommandHistory:  "последние записи",
	CommandExport:   "выгрузить записи (CSV) и план",
	CommandImport:   "загрузить записи из CSV (ответом на файл)",
	CommandReport:   "отчёт с графиками: /report или /report quarter",
	CommandSettings: "часовой пояс, время отчёта, куда слать, напоминания",
	Settings:        "⚙️ Настройки",
	SettingsNow:     "Часовой пояс: %s\nОтчёт: %s %s, %s\nНапоминания: %s\nЯзык: %s",
	SettingsZone:    "🌍 Часовой пояс",
	SettingsTime:    "📅 День и время",
	SettingsDest:    "📍 Куда слать",
	SettingsRemind:  "🔔 Напоминания",
	SettingsLang:    "🌐 Язык",
	SettingsSaved:   "Сохранено: следующий отчёт придёт уже по новым настройкам.",
	StartSetup:      "Начнём? Первый шаг — цель бизнеса.",

	W: wru,
	L: logRU,
	R: reportRU,
}

var en = texts{
	LangName: "English",

	WelcomePrivate: "Hello, %s! I help turn business goals into clear social media KPIs and keep track of how the team is doing.\n\n" +
		"Setting up takes seven short steps: goal, audience, metrics, SMART targets, tracking, analysis and reporting. " +
		"Then the team logs numbers in one line, and I send charts and tips every week.",
	WelcomeGroup: "Hi everyone! I will keep the social media KPIs of “%s”: admins set the plan, " +
		"members log the numbers, and a chart report comes here every week.",
	WelcomeBack: "Welcome back, %s! I'm here.",
	AddedToGroup: "Thanks for adding me to “%s”! I keep social media KPIs: I help set targets, " +
		"collect the team's numbers and post weekly reports here.\n\n" +
		"Make me a group admin so I can tell who the admins are.",

	HelpIntro:    "I turn business goals into social media KPIs in seven steps, keep the plan and every logged value, and post chart reports.",
	HelpCommands: "Commands:",
	HelpLog: "Quick entry:\n" +
		"/log reach 12500\n" +
		"/log reach 12.5k er 4.2%\n" +
		"/log yesterday followers 830",

	LangAsk:  "Which language should I speak in this chat?",
	LangSet:  "Done: I speak English now.",
	LangSame: "I already speak English.",

	CancelNothing: "Nothing to cancel: there is no open dialog.",
	CancelDone:    "Dialog closed. Everything already saved stays saved.",

	AdminOnly:       "Only the group's admins can change this. Please ask one of them.",
	StaleButton:     "This button is out of date.",
	UnknownCommand:  "I don't know that command. See /help for the list.",
	NotUnderstood:   "I didn't understand that message. See /help for what I can do.",
	Unavailable:     "Storage is temporarily unavailable, so nothing was changed. Please try again in a minute.",
	SlowDown:        "Too many messages in a row. I'll pause and not answer until you slow down: please wait ten seconds.",
	Oops:            "Something went wrong and nothing was changed. Please try again; if it keeps failing, see /help.",
	CommandStart:    "get started",
	CommandHelp:     "what the bot does and how to log numbers",
	CommandLang:     "the bot's language in this chat",
	CommandCancel:   "leave the current dialog",
	CommandSetup:    "set up KPIs in 7 steps",
	CommandPlan:     "the KPI plan and progress",
	CommandLog:      "log numbers: /log reach 12500",
	CommandUndo:     "undo my last entry",
	CommandHistory:  "latest entries",
	CommandExport:   "export entries (CSV) and the plan",
	CommandImport:   "load entries from a CSV (reply to the file)",
	CommandReport:   "chart report: /report or /report quarter",
	CommandSettings: "time zone, report time, where reports go, reminders",
	Settings:        "⚙️ Settings",
	SettingsNow:     "Time zone: %s\nReport: %s %s, %s\nReminders: %s\nLanguage: %s",
	SettingsZone:    "🌍 Time zone",
	SettingsTime:    "📅 Day and time",
	SettingsDest:    "📍 Where to post",
	SettingsRemind:  "🔔 Reminders",
	SettingsLang:    "🌐 Language",
	SettingsSaved:   "Saved: the next report follows the new settings.",
	StartSetup:      "Shall we start? Step one is the business goal.",

	W: wen,
	L: logEN,
	R: reportEN,
}

// t returns the catalogue of language l, Russian for anything unknown.
func t(l kpi.Lang) *texts {
	if l == kpi.English {
		return &en
	}
	return &ru
}
