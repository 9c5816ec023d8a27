package dialogs

import "github.com/kpibot/kpibot/kpi"

// ltexts are the texts of logging numbers, progress and export.
type ltexts struct {
	NoPlan        string
	Ask           string // which KPI, for /log without arguments
	AskValue      string // %s metric, %s period, %s example
	Saved         string // %s metric, %s value, %s period, %s pct of target
	SavedNoTarget string // %s metric, %s value, %s period
	Week          string // %d week number
	Undo          string
	Undone        string // %s what
	UndoGone      string
	UndoNothing   string
	NotYourEntry  string
	Retry         string
	UnknownMetric string // %s word, %s list of names
	NoValue       string // %s metric
	BadNumber     string // %s word
	Ambiguous     string // %s word, %s one reading, %s the other
	TwoDates      string
	Repeated      string // %s metric
	Future        string
	BeforePlan    string // %s plan start
	OutOfRange    string // %s metric, %s range
	RangePercent  string
	RangeCount    string
	NeedsBase     string
	DerivedTwice  string
	TooLong       string
	Empty         string // %s example
	Alert         string // %s metric, %s value, %s pace, %d pct behind
	History       string
	HistoryNone   string
	HistoryLine   string // %s date, %s metric, %s value, %s who
	Delete        string // %s date, %s metric, %s value
	Deleted       string // %s what
	Status        map[kpi.Status]string
	Progress      string // %s value, %s period, %s pct, %s status
	Exported      string // %s entries, counted
	Entries       [3]string
	ImportHow     string
	ImportBad     string // %s bad rows, counted
	BadRows       [3]string
	ImportEmpty   string
	ImportRow     string // %d line, %s reason
	ImportReasons map[string]string
	AmbiguousName string // %s the word
	ImportDone    string // %d entries
	ImportSkipped string // %d already stored
	ImportTooBig  string
}

var logRU = ltexts{
	NoPlan:        "Сначала нужен план KPI — его можно собрать за семь шагов: /setup.",
	Ask:           "Что записываем? Выберите показатель.",
	AskValue:      "<b>%s</b> (%s): сколько? Например, %s.",
	Saved:         "✅ %s: %s (%s) — %s от цели",
	SavedNoTarget: "✅ %s: %s (%s)",
	Week:          "неделя %d",
	Undo:          "↩️ Отменить",
	Undone:        "↩️ Отменено: %s",
	UndoGone:      "Эти записи уже удалены.",
	UndoNothing:   "За последние 48 часов у вас нет записей, которые можно отменить.",
	NotYourEntry:  "Удалять чужие записи могут только администраторы.",
	Retry:         "✍️ Записать по кнопкам",
	UnknownMetric: "«%s» — такого показателя нет в плане. Есть: %s.",
	NoValue:       "После «%s» нужно число, например: /log охват 12500.",
	BadNumber:     "Не понял число «%s». Пишите так: 12500, 12 500, 12,5, 12к, 4,2%%.",
	Ambiguous:     "«%s» можно понять двояко: %s или %s? Напишите число без разделителя тысяч.",
	TwoDates:      "В строке две даты. Оставьте одну, например: /log вчера охват 12500.",
	Repeated:      "«%s» в строке дважды. Оставьте одно значение.",
	Future:        "Нельзя записать значение на будущую дату.",
	BeforePlan:    "Дата раньше начала плана (%s): такие значения не попадут в отчёт.",
	OutOfRange:    "%s: допустимо %s.",
	RangePercent:  "от 0 до 100 %",
	RangeCount:    "число от 0 и больше",
	NeedsBase:     "Чтобы посчитать ER, нужен и охват; для CTR — показы. Например: /log реакции 120 комментарии 30 охват 5000.",
	DerivedTwice:  "В строке и сам показатель, и данные для его расчёта. Оставьте что-то одно.",
	TooLong:       "Слишком длинная строка. Запишите по одному-два показателя за раз.",
	Empty:         "Напишите показатель и число, например: %s",
	Alert:         "⚠️ %s под угрозой: %s при плане %s — отставание %d %%. Посмотрите, что изменилось за неделю.",
	History:       "Последние записи:",
	HistoryNone:   "Записей пока нет. Записать: /log охват 12500.",
	HistoryLine:   "%s · %s: %s — %s",
	Delete:        "🗑 %s %s %s",
	Deleted:       "🗑 Удалено: %s",
	Status: map[kpi.Status]string{kpi.StatusOnTrack: "✅ в графике", kpi.StatusBehind: "🟡 отстаём",
		kpi.StatusAtRisk: "🔴 под угрозой", kpi.StatusNoData: "⚪ нет данных", kpi.StatusAchieved: "🏆 цель достигнута"},
	Progress:    "%s (%s) · %s от цели · %s",
	Entries:     [3]string{"запись", "записи", "записей"},
	Exported:    "Выгрузка: %s и план в JSON. Файл CSV открывается в Excel; его же можно загрузить обратно: ответьте на него командой /import.",
	ImportHow:   "Чтобы загрузить записи, ответьте командой /import на сообщение с CSV-файлом (как из /export).",
	ImportBad:   "В файле %s, поэтому я ничего не загрузил:",
	BadRows:     [3]string{"ошибочная строка", "ошибочные строки", "ошибочных строк"},
	ImportEmpty: "В файле нет ни одной записи. Нужен CSV как из /export: заголовок и строки с датой, показателем и значением.",
	ImportRow:   "строка %d: %s",
	ImportReasons: map[string]string{kpi.ReasonHeader: "это не строка заголовков", kpi.ReasonSyntax: "испорчены кавычки",
		kpi.ReasonColumns: "нужно 7 столбцов", kpi.ReasonDate: "неверная дата", kpi.ReasonMetric: "такого показателя нет в плане",
		kpi.ReasonNumber: "неверное число", kpi.ReasonRange: "значение вне допустимого диапазона", kpi.ReasonLoggedAt: "неверное время записи"},
	AmbiguousName: "«%s» подходит к нескольким показателям плана. Напишите название целиком.",
	ImportDone:    "Загружено записей: %d.",
	ImportSkipped: "Уже были в базе и пропущены: %d.",
	ImportTooBig:  "Файл слишком большой: до 5 МБ.",
}

var logEN = ltexts{
	NoPlan:        "First you need a KPI plan: it takes seven steps — /setup.",
	Ask:           "What are we logging? Pick a KPI.",
	AskValue:      "<b>%s</b> (%s): how much? E.g. %s.",
	Saved:         "✅ %s: %s (%s) — %s of target",
	SavedNoTarget: "✅ %s: %s (%s)",
	Week:          "week %d",
	Undo:          "↩️ Undo",
	Undone:        "↩️ Undone: %s",
	UndoGone:      "These entries are already deleted.",
	UndoNothing:   "You have no entries from the last 48 hours to undo.",
	NotYourEntry:  "Only admins can delete other people's entries.",
	Retry:         "✍️ Log with buttons",
	UnknownMetric: "“%s” is not a KPI of the plan. There are: %s.",
	NoValue:       "“%s” needs a number after it, e.g. /log reach 12500.",
	BadNumber:     "I couldn't read the number “%s”. Write it like 12500, 12,500, 12.5, 12k, 4.2%%.",
	Ambiguous:     "“%s” can be read two ways: %s or %s? Write it without a thousands separator.",
	TwoDates:      "There are two dates in the line. Keep one, e.g. /log yesterday reach 12500.",
	Repeated:      "“%s” is in the line twice. Keep one value.",
	Future:        "Values can't be logged for a future date.",
	BeforePlan:    "That date is before the plan started (%s): it would not count in any report.",
	OutOfRange:    "%s: allowed %s.",
	RangePercent:  "0 to 100%",
	RangeCount:    "a number from 0 up",
	NeedsBase:     "To work out ER I also need reach; for CTR, impressions. E.g. /log reactions 120 comments 30 reach 5000.",
	DerivedTwice:  "The line has both the metric and the numbers to work it out. Keep one.",
	TooLong:       "That line is too long. Log one or two KPIs at a time.",
	Empty:         "Write a KPI and a number, e.g. %s",
	Alert:         "⚠️ %s is at risk: %s against a pace of %s — %d%% behind. Have a look at what changed this week.",
	History:       "Latest entries:",
	HistoryNone:   "No entries yet. To log one: /log reach 12500.",
	HistoryLine:   "%s · %s: %s — %s",
	Delete:        "🗑 %s %s %s",
	Deleted:       "🗑 Deleted: %s",
	Status: map[kpi.Status]string{kpi.StatusOnTrack: "✅ on track", kpi.StatusBehind: "🟡 behind",
		kpi.StatusAtRisk: "🔴 at risk", kpi.StatusNoData: "⚪ no data", kpi.StatusAchieved: "🏆 achieved"},
	Progress:    "%s (%s) · %s of target · %s",
	Entries:     [3]string{"entry", "entries", "entries"},
	Exported:    "Export: %s and the plan as JSON. The CSV opens in Excel; to load it back, reply /import to it.",
	ImportHow:   "To load entries, reply /import to a message with a CSV file (as /export makes).",
	ImportBad:   "The file has %s, so nothing was loaded:",
	BadRows:     [3]string{"bad row", "bad rows", "bad rows"},
	ImportEmpty: "The file has no entries. It should be a CSV as /export makes: a header and rows with a date, a KPI and a value.",
	ImportRow:   "line %d: %s",
	ImportReasons: map[string]string{kpi.ReasonHeader: "not the header row", kpi.ReasonSyntax: "broken quotes",
		kpi.ReasonColumns: "7 columns needed", kpi.ReasonDate: "bad date", kpi.ReasonMetric: "no such KPI in the plan",
		kpi.ReasonNumber: "bad number", kpi.ReasonRange: "value out of range", kpi.ReasonLoggedAt: "bad logging time"},
	AmbiguousName: "“%s” fits more than one KPI of the plan. Write the full name.",
	ImportDone:    "Entries loaded: %d.",
	ImportSkipped: "Already stored and skipped: %d.",
	ImportTooBig:  "The file is too big: 5 MB at most.",
}
