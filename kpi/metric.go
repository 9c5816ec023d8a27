package kpi

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Unit is what a metric's values count.
type Unit string

// The units of the catalogue; a custom metric may name its own.
const (
	UnitPeople  Unit = "people"
	UnitCount   Unit = "count"
	UnitPercent Unit = "%"
	UnitMinutes Unit = "min"
	UnitRubles  Unit = "₽"
)

// Aggregation is how the values logged in one period make the period's value.
type Aggregation string

// The aggregations: a sum of the period's entries, their mean, or the last
// one (a stock such as a follower count).
const (
	AggSum  Aggregation = "sum"
	AggMean Aggregation = "mean"
	AggLast Aggregation = "last"
)

// Valid reports whether a is a known aggregation.
func (a Aggregation) Valid() bool { return a == AggSum || a == AggMean || a == AggLast }

// Direction says which way a metric improves.
type Direction string

// Directions: higher values are better, or lower ones (response time).
const (
	HigherBetter Direction = "higher"
	LowerBetter  Direction = "lower"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == HigherBetter || d == LowerBetter }

// Metric is a measurable thing a KPI is set on: one of the catalogue, or a
// custom metric the owner defined.
type Metric struct {
	Key    string      `json:"key"`
	Name   string      `json:"name,omitempty"` // custom metrics: the owner's words
	Unit   Unit        `json:"unit"`
	Agg    Aggregation `json:"agg"`
	Better Direction   `json:"better"`
	Custom bool        `json:"custom,omitempty"`
}

// words are a catalogue metric's names and quick-entry aliases.
type words struct {
	names   map[Lang]string
	aliases []string
}

// MaxCustomName is the longest custom metric name, in characters.
const MaxCustomName = 40

// Title returns the metric's name in language l.
func (m Metric) Title(l Lang) string {
	if w, ok := catalogWords[m.Key]; ok && !m.Custom {
		return w.names[l]
	}
	return m.Name
}

// Aliases returns the words a person may type for the metric in quick entry,
// lower case.
func (m Metric) Aliases() []string {
	if w, ok := catalogWords[m.Key]; ok && !m.Custom {
		return w.aliases
	}
	name := strings.ToLower(m.Name)
	out := []string{name}
	// The first word of a longer name works too ("записи" for "Записи
	// через бота"), when it is a real word and not a catalogue alias.
	if first, _, ok := strings.Cut(name, " "); ok && utf8.RuneCountInString(first) >= 4 && !catalogAlias(first) {
		out = append(out, first)
	}
	return out
}

func catalogAlias(w string) bool {
	for _, cw := range catalogWords {
		if slices.Contains(cw.aliases, w) {
			return true
		}
	}
	return false
}

// Percent reports whether values are percentages (bounded 0-100).
func (m Metric) Percent() bool { return m.Unit == UnitPercent }

// Validate returns an error wrapping ErrInvalid for a custom metric with no
// name or a name that is too long, or an unknown unit, direction or
// aggregation.
func (m Metric) Validate() error {
	switch {
	case m.Key == "":
		return fmt.Errorf("metric: empty key: %w", ErrInvalid)
	case m.Custom && strings.TrimSpace(m.Name) == "":
		return fmt.Errorf("metric %s: empty name: %w", m.Key, ErrInvalid)
	case utf8.RuneCountInString(m.Name) > MaxCustomName:
		return fmt.Errorf("metric %s: name over %d characters: %w", m.Key, MaxCustomName, ErrInvalid)
	case m.Unit == "" || utf8.RuneCountInString(string(m.Unit)) > 12:
		return fmt.Errorf("metric %s: unit %q: %w", m.Key, m.Unit, ErrInvalid)
	case !m.Better.Valid():
		return fmt.Errorf("metric %s: direction %q: %w", m.Key, m.Better, ErrInvalid)
	case !m.Agg.Valid():
		return fmt.Errorf("metric %s: aggregation %q: %w", m.Key, m.Agg, ErrInvalid)
	}
	return nil
}

// Catalog is the built-in metrics (SPEC section 5), in the order the bot
// offers them.
var Catalog = []Metric{
	{Key: "reach", Unit: UnitPeople, Agg: AggSum, Better: HigherBetter},
	{Key: "engagement", Unit: UnitPercent, Agg: AggMean, Better: HigherBetter},
	{Key: "conversions", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "followers", Unit: UnitCount, Agg: AggLast, Better: HigherBetter},
	{Key: "follower_growth", Unit: UnitCount, Agg: AggSum, Better: HigherBetter},
	{Key: "ctr", Unit: UnitPercent, Agg: AggMean, Better: HigherBetter},
	{Key: "response_time", Unit: UnitMinutes, Agg: AggMean, Better: LowerBetter},
}

var catalogWords = map[string]words{
	"reach": {names: map[Lang]string{Russian: "Охват", English: "Reach"},
		aliases: []string{"охват", "reach", "охваты", "просмотры", "views"}},
	"engagement": {names: map[Lang]string{Russian: "Вовлечённость (ER)", English: "Engagement rate"},
		aliases: []string{"er", "ер", "вовлеченность", "вовлечённость", "engagement"}},
	"conversions": {names: map[Lang]string{Russian: "Конверсии", English: "Conversions"},
		aliases: []string{"конверсии", "конверсия", "conversions", "conv", "заявки", "leads"}},
	"followers": {names: map[Lang]string{Russian: "Подписчики", English: "Followers"},
		aliases: []string{"подписчики", "подписчиков", "followers", "subs"}},
	"follower_growth": {names: map[Lang]string{Russian: "Прирост подписчиков", English: "Follower growth"},
		aliases: []string{"прирост", "growth"}},
	"ctr": {names: map[Lang]string{Russian: "CTR", English: "CTR"},
		aliases: []string{"ctr", "цтр", "кликабельность"}},
	"response_time": {names: map[Lang]string{Russian: "Время ответа", English: "Response time"},
		aliases: []string{"ответ", "response", "время_ответа", "response_time"}},

	// Raw counts that derive engagement and CTR (see Derive).
	"reactions": {names: map[Lang]string{Russian: "Реакции", English: "Reactions"},
		aliases: []string{"реакции", "лайки", "reactions", "likes"}},
	"comments": {names: map[Lang]string{Russian: "Комментарии", English: "Comments"},
		aliases: []string{"комментарии", "комменты", "comments"}},
	"reposts": {names: map[Lang]string{Russian: "Репосты", English: "Reposts"},
		aliases: []string{"репосты", "reposts", "shares"}},
	"clicks": {names: map[Lang]string{Russian: "Клики", English: "Clicks"},
		aliases: []string{"клики", "переходы", "clicks"}},
	"impressions": {names: map[Lang]string{Russian: "Показы", English: "Impressions"},
		aliases: []string{"показы", "impressions"}},
}

// CatalogMetric returns the built-in metric with key, or false.
func CatalogMetric(key string) (Metric, bool) {
	for _, m := range Catalog {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}
