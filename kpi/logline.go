package kpi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxLogLine is the longest quick-entry line ParseLog reads, in bytes;
// a longer one fails with KindTooLong.
const MaxLogLine = 500

// Limits of the token runs ParseLog tries.
const (
	maxValueTokens = 5 // "1,2 млн", "4,2 %", "1 000 000 000 000"
	maxDateTokens  = 4 // "the day before yesterday", "20 ноября 2026 г."
)

// Pair is one metric and its value in a quick-entry line.
type Pair struct {
	Metric string  // the metric's key
	Value  float64 // the value, a percentage for percent metrics
	Raw    string  // the number as typed: "12 500", "4,2%"
}

// LogLine is a parsed quick-entry line: the day the values are for and the
// values in the order they were typed.
type LogLine struct {
	Date  Date
	Pairs []Pair
}

// LogErrorKind says what is wrong with a quick-entry line.
type LogErrorKind int

// The kinds of LogError.
const (
	// KindEmpty: the line has no metric and value (it is empty or only a date).
	KindEmpty LogErrorKind = iota
	// KindUnknownMetric: a word that is no metric of the plan stands where a
	// metric or a date was expected. A stray number there ("12500 охват")
	// is reported the same way, with the number as the Word.
	KindUnknownMetric
	// KindNoValue: a metric with no number after it; Word is the metric as
	// typed.
	KindNoValue
	// KindBadNumber: what follows a metric is not a number, a % sign is on
	// a metric that is not a percentage, or a number is followed by more
	// digits that do not make one number with it ("12 50").
	KindBadNumber
	// KindAmbiguous: ParseNumber found the number ambiguous in the chat's
	// language ("12,500" in Russian, "12,5" in English), or a word names two
	// metrics of the plan (Metric is then empty).
	KindAmbiguous
	// KindTwoDates: a second date; Word is the second one.
	KindTwoDates
	// KindRepeated: the same metric twice in one line.
	KindRepeated
	// KindFuture: the date is after today.
	KindFuture
	// KindOutOfRange: CheckValue refused the value: negative, over 100 for
	// a percentage, or over 1e12.
	KindOutOfRange
	// KindTooLong: the line is over MaxLogLine bytes; Word is empty.
	KindTooLong
)

// logKindNames are the String values of the kinds.
var logKindNames = [...]string{
	KindEmpty:         "empty",
	KindUnknownMetric: "unknown metric",
	KindNoValue:       "no value",
	KindBadNumber:     "bad number",
	KindAmbiguous:     "ambiguous",
	KindTwoDates:      "two dates",
	KindRepeated:      "repeated metric",
	KindFuture:        "date in the future",
	KindOutOfRange:    "out of range",
	KindTooLong:       "too long",
}

// String returns a short English name of the kind, for logs.
func (k LogErrorKind) String() string {
	if k >= 0 && int(k) < len(logKindNames) {
		return logKindNames[k]
	}
	return fmt.Sprintf("LogErrorKind(%d)", int(k))
}

// LogError is why ParseLog refused a line, precise enough for the bot to say
// what is wrong.
type LogError struct {
	Kind   LogErrorKind
	Word   string // the offending word or number as typed; empty for KindEmpty and KindTooLong
	Metric string // the metric's key, when known
}

// Error returns an English description, for logs.
func (e *LogError) Error() string {
	s := "log: " + e.Kind.String()
	if e.Metric != "" {
		s += " (" + e.Metric + ")"
	}
	if e.Word != "" {
		s += fmt.Sprintf(": %q", e.Word)
	}
	return s
}

// Unwrap returns ErrAmbiguous for KindAmbiguous and ErrInvalid for every
// other kind.
func (e *LogError) Unwrap() error {
	if e.Kind == KindAmbiguous {
		return ErrAmbiguous
	}
	return ErrInvalid
}

// logToken is one word of a quick-entry line.
type logToken struct {
	text       string // as typed, without a glued ':' or '=' and trailing ',' or ';'
	start, end int    // byte offsets of text in the line
	word       string // text in lower case with ё read as е, for matching names
	stop       bool   // a ',' or ';' followed: a number does not run past it
}

// tokenizeLog splits a line into words at spaces, at a ':' or '=' glued to a
// word ("охват:12500", "er=4,2%"; not inside a number such as "1:30"), and
// drops trailing commas and semicolons, remembering them as stops.
func tokenizeLog(s string) []logToken {
	var toks []logToken
	emit := func(start, end int) {
		t := s[start:end]
		trimmed := strings.TrimRight(t, ",;")
		stop := len(trimmed) < len(t)
		if trimmed == "" {
			if stop && len(toks) > 0 {
				toks[len(toks)-1].stop = true
			}
			return
		}
		toks = append(toks, logToken{
			text: trimmed, start: start, end: start + len(trimmed),
			word: normalizeName(trimmed), stop: stop,
		})
	}
	field := func(start, end int) {
		for start < end {
			k := strings.IndexAny(s[start:end], ":=")
			if k < 0 {
				emit(start, end)
				return
			}
			left := s[start : start+k]
			if left != "" && strings.IndexFunc(left, unicode.IsLetter) < 0 {
				emit(start, end) // "1:30", "5=5": not a glued name
				return
			}
			if left != "" {
				emit(start, start+k)
			}
			start += k + 1
		}
	}
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				field(start, i)
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		field(start, len(s))
	}
	return toks
}

// isLogSeparator reports whether r splits or ends a word of a quick-entry
// line.
func isLogSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(":=,;", r)
}

// normalizeName returns s in lower case with ё read as е.
func normalizeName(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}

// metricName is what a phrase of a quick-entry line names.
type metricName struct {
	key       string
	tier      int  // 0 for a key, 1 for an alias or a title
	ambiguous bool // two metrics share the phrase at this tier
}

// logNames indexes the phrases that name the metrics of a plan.
type logNames struct {
	byPhrase map[string]metricName // words joined by one space
	maxWords int
}

// logPhrase is a metric's name normalised for matching: its words in lower
// case, joined as joinWords joins them.
type logPhrase struct {
	text  string
	words int
}

// toLogPhrase normalises a name as tokenizeLog splits a line; text is empty
// for a name without words.
func toLogPhrase(name string) logPhrase {
	if strings.IndexFunc(name, isLogSeparator) < 0 {
		return logPhrase{text: normalizeName(name), words: 1} // one word, the usual case
	}
	toks := tokenizeLog(name)
	return logPhrase{text: joinWords(toks), words: len(toks)}
}

// joinWords returns the words of toks joined by one space, or by ", " after
// a word a ',' or ';' followed: a phrase runs past a stop only where the
// name has one ("Средний чек, ₽").
func joinWords(toks []logToken) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && toks[i-1].stop {
			b.WriteString(", ")
		} else if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.word)
	}
	return b.String()
}

// metricPhrases returns the normalised aliases and titles of m.
func metricPhrases(m Metric) []logPhrase {
	var ps []logPhrase
	for _, a := range m.Aliases() {
		ps = append(ps, toLogPhrase(a))
	}
	for _, l := range Langs {
		ps = append(ps, toLogPhrase(m.Title(l)))
	}
	return ps
}

// catalogPhrases holds metricPhrases of every catalogue metric, by key,
// computed once.
var catalogPhrases = sync.OnceValue(func() map[string][]logPhrase {
	ps := make(map[string][]logPhrase, len(catalogWords))
	for key := range catalogWords {
		ps[key] = metricPhrases(Metric{Key: key})
	}
	return ps
})

// newLogNames indexes each metric's key, aliases and titles in both
// languages, split into words as tokenizeLog splits a line.
func newLogNames(metrics []Metric) logNames {
	n := logNames{byPhrase: make(map[string]metricName, 8*len(metrics))}
	add := func(ph logPhrase, key string, tier int) {
		if ph.text == "" {
			return
		}
		old, ok := n.byPhrase[ph.text]
		switch {
		case !ok || tier < old.tier:
			n.byPhrase[ph.text] = metricName{key: key, tier: tier}
		case tier == old.tier && key != old.key:
			old.ambiguous = true
			n.byPhrase[ph.text] = old
		default:
			return
		}
		n.maxWords = max(n.maxWords, ph.words)
	}
	for _, m := range metrics {
		if m.Key != "" {
			add(toLogPhrase(m.Key), m.Key, 0)
		}
	}
	for _, m := range metrics {
		if m.Key == "" {
			continue
		}
		ps, ok := catalogPhrases()[m.Key]
		if !ok || m.Custom {
			ps = metricPhrases(m)
		}
		for _, ph := range ps {
			add(ph, m.Key, 1)
		}
	}
	return n
}

// NameTaken reports whether a new custom metric called name would be read
// by quick entry as another metric: name, normalised as a typed line is,
// equals a key, an alias or a title (in any language) of a catalogue metric
// or of one of metrics. Such a name would log into the other metric, or
// always be answered as ambiguous.
func NameTaken(name string, metrics []Metric) bool {
	ph := toLogPhrase(name).text
	if ph == "" {
		return false
	}
	taken := func(m Metric, phrases []logPhrase) bool {
		if m.Key != "" && toLogPhrase(m.Key).text == ph {
			return true
		}
		return slices.ContainsFunc(phrases, func(p logPhrase) bool { return p.text == ph })
	}
	for key, phrases := range catalogPhrases() {
		if taken(Metric{Key: key}, phrases) {
			return true
		}
	}
	for _, m := range metrics {
		if taken(m, metricPhrases(m)) {
			return true
		}
	}
	return false
}

// match returns the metric named by the longest phrase starting at toks[i]
// and the number of words it takes; 0 words when none. A phrase does not
// run past a stop, unless the name has one there.
func (n logNames) match(toks []logToken, i int) (metricName, int) {
	for k := min(n.maxWords, len(toks)-i); k >= 1; k-- {
		if m, ok := n.byPhrase[joinWords(toks[i:i+k])]; ok {
			return m, k
		}
	}
	return metricName{}, 0
}

// joinTokens returns the texts of toks joined by single spaces.
func joinTokens(toks []logToken) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// ParseLog reads a quick-entry line, the text after "/log": one or more
// pairs of a metric and a number, and at most one date, such as
// "охват 12500", "reach 12.5k er 4,2%", "вчера охват 12 500 er 4,2",
// "охват 12500 20.11" or "2026-11-20 reach 5000". metrics are the metrics
// the workspace's plan uses, catalogue and custom; l is the chat's language
// and today the current date in the workspace's time zone.
//
// A metric is named by its key, one of its Aliases or its Title in either
// language, in any case and with ё read as е; names of several words
// ("время ответа", "прирост подписчиков", "Записи через бота") match across
// spaces, the longest name first. A ':' or '=' may follow the name, also
// glued to it ("охват:12500", "er=4,2%"); a ',' or ';' may separate pairs.
// The value is the longest run of the next one to five words that
// ParseNumber reads in l ("12 500", "4,2 %", "1,2 млн", "1 234 567 890");
// a number does not run past a ',' or ';'. A percent metric takes "4,2%" and "4,2"; a % sign
// on another metric is refused. A date is anything ParseDate reads
// ("вчера", "yesterday", "20.11", "2026-11-20", "20 ноября"); it may stand
// before the first pair or after any pair. Without one the date is today.
//
// Nothing is guessed and nothing is returned half-way: the first problem, in
// reading order, fails the whole line with a *LogError whose Kind says what
// it is. ParseLog fails with a plain error wrapping ErrInvalid when today is
// not a valid date, a mistake of the caller. It never panics.
func ParseLog(text string, metrics []Metric, l Lang, today Date) (LogLine, error) {
	if !today.Valid() {
		return LogLine{}, fmt.Errorf("log: today %s is not a valid date: %w", today, ErrInvalid)
	}
	if len(text) > MaxLogLine {
		return LogLine{}, &LogError{Kind: KindTooLong}
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	toks := tokenizeLog(text)
	names := cachedLogNames(metrics)
	byKey := make(map[string]Metric, len(metrics))
	for _, m := range metrics {
		if _, ok := byKey[m.Key]; !ok {
			byKey[m.Key] = m
		}
	}
	typed := func(from, to int) string { return text[toks[from].start:toks[to-1].end] }

	line := LogLine{Date: today}
	dated := false
	for i := 0; i < len(toks); {
		if name, n := names.match(toks, i); n > 0 {
			word := typed(i, i+n)
			if name.ambiguous {
				return LogLine{}, &LogError{Kind: KindAmbiguous, Word: word}
			}
			for _, p := range line.Pairs {
				if p.Metric == name.key {
					return LogLine{}, &LogError{Kind: KindRepeated, Word: word, Metric: name.key}
				}
			}
			m := byKey[name.key]
			j := i + n
			v, percent, used, err := parseLogValue(toks, j, l)
			if err != nil {
				err.Metric = m.Key
				if err.Kind == KindAmbiguous {
					err.Word = typed(j, j+used)
				} else if logNoValue(toks, j, names, today, l) {
					err.Kind, err.Word = KindNoValue, word
				} else {
					err.Word = toks[j].text
				}
				return LogLine{}, err
			}
			raw := typed(j, j+used)
			if percent && !m.Percent() {
				return LogLine{}, &LogError{Kind: KindBadNumber, Word: raw, Metric: m.Key}
			}
			if CheckValue(m, v) != nil {
				return LogLine{}, &LogError{Kind: KindOutOfRange, Word: raw, Metric: m.Key}
			}
			// Digits right after the value that do not make one number
			// with it: a mistyped number such as "12 50".
			if k := j + used; k < len(toks) && !toks[k-1].stop && logIsNumber(toks[k].text, l) {
				if _, isDate := parseLogDate(toks, k, today, l); isDate == 0 {
					return LogLine{}, &LogError{Kind: KindBadNumber, Word: typed(j, k+1), Metric: m.Key}
				}
			}
			line.Pairs = append(line.Pairs, Pair{Metric: m.Key, Value: v, Raw: raw})
			i = j + used
			continue
		}
		if d, n := parseLogDate(toks, i, today, l); n > 0 {
			word := typed(i, i+n)
			if dated {
				return LogLine{}, &LogError{Kind: KindTwoDates, Word: word}
			}
			if today.Before(d) {
				return LogLine{}, &LogError{Kind: KindFuture, Word: word}
			}
			line.Date, dated = d, true
			i += n
			continue
		}
		return LogLine{}, &LogError{Kind: KindUnknownMetric, Word: toks[i].text}
	}
	if len(line.Pairs) == 0 {
		return LogLine{}, &LogError{Kind: KindEmpty}
	}
	return line, nil
}

// parseLogValue reads the number at toks[j]: the longest run of one to
// maxValueTokens words that ParseNumber accepts, not past a stop. It returns
// the value, whether it had a % sign and the number of words taken. Its
// error has Kind KindAmbiguous (with the words taken) when the first run
// ParseNumber does not refuse outright is ambiguous, and KindBadNumber when
// no run is a number; the caller fills in Word and Metric.
func parseLogValue(toks []logToken, j int, l Lang) (v float64, percent bool, used int, err *LogError) {
	if j >= len(toks) {
		return 0, false, 0, &LogError{Kind: KindBadNumber}
	}
	n := 1
	for n < maxValueTokens && j+n < len(toks) && !toks[j+n-1].stop {
		n++
	}
	for ; n >= 1; n-- {
		v, percent, perr := ParseNumber(joinTokens(toks[j:j+n]), l)
		switch {
		case perr == nil:
			return v, percent, n, nil
		case errors.Is(perr, ErrAmbiguous):
			return 0, false, n, &LogError{Kind: KindAmbiguous}
		}
	}
	return 0, false, 0, &LogError{Kind: KindBadNumber}
}

// logNoValue reports whether a metric is followed by no number at all rather
// than by a bad one: by nothing, by another metric, by a date, or by a word
// without digits.
func logNoValue(toks []logToken, j int, names logNames, today Date, l Lang) bool {
	if j >= len(toks) || strings.IndexFunc(toks[j].text, unicode.IsDigit) < 0 {
		return true
	}
	if _, n := names.match(toks, j); n > 0 {
		return true
	}
	_, n := parseLogDate(toks, j, today, l)
	return n > 0
}

// logIsNumber reports whether ParseNumber reads s, or finds it ambiguous.
func logIsNumber(s string, l Lang) bool {
	_, _, err := ParseNumber(s, l)
	return err == nil || errors.Is(err, ErrAmbiguous)
}

// parseLogDate reads the date at toks[i]: the longest run of one to
// maxDateTokens words that ParseDate accepts. It returns the date and the
// number of words taken, 0 when there is no date.
func parseLogDate(toks []logToken, i int, today Date, l Lang) (Date, int) {
	for n := min(maxDateTokens, len(toks)-i); n >= 1; n-- {
		if d, err := ParseDate(joinTokens(toks[i:i+n]), today, l); err == nil {
			return d, n
		}
	}
	return Date{}, 0
}
