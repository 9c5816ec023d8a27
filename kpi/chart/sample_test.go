package chart

import (
	"math"
	"strconv"
	"strings"
)

// Sample data: a coffee shop ("Кофейня «Зерно»") twelve weeks into its
// plan, as the bot would hand it to the renderer. The formatters below
// stand in for the bot's language catalogue.

var nan = math.NaN()

// ruNum writes v the Russian way: "12 500", "4,2".
func ruNum(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	if decimals > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 {
		b.WriteString("−")
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteByte(intPart[i])
	}
	if frac != "" {
		b.WriteString("," + frac)
	}
	return b.String()
}

func ruThousands(v float64) string {
	if math.Abs(v) >= 1000 {
		return ruNum(v/1000, 1) + "\u00a0тыс."
	}
	return ruNum(v, 0)
}
func ruPercent(v float64) string { return ruNum(v, 1) + "\u00a0%" }
func ruCount(v float64) string   { return ruNum(v, 1) }
func ruMinutes(v float64) string { return ruNum(v, 0) + "\u00a0мин" }

func enThousands(v float64) string {
	if math.Abs(v) >= 1000 {
		return strings.TrimSuffix(strconv.FormatFloat(v/1000, 'f', 1, 64), ".0") + "K"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
func enPercent(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + "%"
}
func enNum(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
func enMinutes(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " min" }

// paceLine runs from base at week 0 to target at week total-1 and returns
// its first n values.
func paceLine(base, target float64, total, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = base + (target-base)*float64(i)/float64(total-1)
	}
	return out
}

var ruWeeks = []string{"07.09", "14.09", "21.09", "28.09", "05.10", "12.10", "19.10", "26.10", "02.11", "09.11", "16.11", "23.11"}
var ruForecastWeeks = []string{"30.11", "07.12", "14.12", "21.12"}

// weeklyRU is the committed Russian weekly sample: five KPIs, statuses
// mixed, conversions with two weeks without data.
func weeklyRU() Report {
	return Report{
		Title:    "Кофейня «Зерно» · неделя 23–29 ноября",
		Subtitle: "2 из 5 KPI в графике · 1 под угрозой · цель квартала: 31 декабря",
		Legend: Legend{Actual: "Факт по неделям", Pace: "Темп к цели", Target: "Цель",
			Forecast: "Прогноз", Zone: "Зона цели"},
		Panels: []Panel{
			{
				Title:  "Охват · 12 500 · 62 % от цели",
				Status: StatusBehind, StatusText: "Отстаёт от темпа на 9 %",
				Labels: ruWeeks,
				Values: []float64{8200, 8900, 8400, 9600, 10100, 9800, 11200, 10900, 11800, 12900, 12100, 12500},
				Pace:   paceLine(8000, 20000, 16, 16), Target: 20000,
				Forecast: []float64{13100, 13700, 14300, 14900}, ForecastLabels: ruForecastWeeks,
				FormatY: ruThousands,
			},
			{
				Title:  "Вовлечённость (ER) · 4,1 % · 91 % от цели",
				Status: StatusOnTrack, StatusText: "В графике",
				Labels: ruWeeks,
				Values: []float64{3.1, 3.3, 3.2, 3.5, 3.4, 3.7, 3.6, 3.9, 3.8, 4.0, 4.2, 4.1},
				Pace:   paceLine(3.0, 4.5, 16, 16), Target: 4.5,
				Forecast: []float64{4.25, 4.35, 4.45, 4.55}, ForecastLabels: ruForecastWeeks,
				FormatY: ruPercent, FromZero: true,
			},
			{
				Title:  "Конверсии · 22 заказа · 55 % от цели",
				Status: StatusAtRisk, StatusText: "Под угрозой: прогноз 27 из 40",
				Labels: ruWeeks,
				Values: []float64{14, 17, 15, nan, 19, 18, 21, nan, 20, 24, 23, 22},
				Pace:   paceLine(12, 40, 16, 16), Target: 40,
				Forecast: []float64{24, 25, 26, 27}, ForecastLabels: ruForecastWeeks,
				FormatY: ruCount,
			},
			{
				Title:  "Подписчики · 1 460 · 91 % от цели",
				Status: StatusOnTrack, StatusText: "В графике",
				Labels: ruWeeks,
				Values: []float64{1180, 1195, 1214, 1236, 1251, 1280, 1302, 1331, 1365, 1398, 1431, 1460},
				Pace:   paceLine(1170, 1600, 16, 16), Target: 1600,
				Forecast: []float64{1490, 1520, 1550, 1580}, ForecastLabels: ruForecastWeeks,
				FormatY: ruThousands,
			},
			{
				Title:  "Время ответа · 38 мин · цель 30 мин",
				Status: StatusBehind, StatusText: "Отстаёт: меньше — лучше",
				Labels: ruWeeks,
				Values: []float64{95, 88, 90, 76, 71, 66, 62, 55, 51, 47, 41, 38},
				Pace:   paceLine(100, 30, 16, 16), Target: 30,
				Forecast: []float64{35, 32, 29, 27}, ForecastLabels: ruForecastWeeks,
				FormatY: ruMinutes, LowerBetter: true,
			},
		},
	}
}

// weekly6x12 is weeklyRU with a sixth KPI: the benchmark's report.
func weekly6x12() Report {
	r := weeklyRU()
	r.Panels = append(r.Panels, Panel{
		Title:  "Клики по ссылке · нет данных 2 недели",
		Status: StatusNoData, StatusText: "Нет данных",
		Labels: ruWeeks,
		Values: []float64{41, 38, 45, 52, 49, 55, 58, 61, 57, 63, nan, nan},
		Pace:   paceLine(40, 90, 16, 12), Target: 90,
		FormatY: ruCount,
	})
	return r
}

var enWeeks = []string{"W40", "W41", "W42", "W43", "W44", "W45", "W46", "W47", "W48", "W49", "W50", "W51", "W52"}

// quarterlyEN is the committed English quarterly sample.
func quarterlyEN() QuarterReport {
	return QuarterReport{
		Title:    "Bean & Leaf Coffee · Q4 2026 review",
		Subtitle: "3 of 5 KPIs achieved · Oct 1 – Dec 31",
		Legend:   Legend{Actual: "Weekly value", Pace: "Plan: start → target", Target: "Target", Zone: "Goal zone"},
		Panels: []QuarterPanel{
			{
				Title:  "Reach · 8.2K → 20.4K · target 20K",
				Status: StatusAchieved, StatusText: "Achieved (102%)", Achieved: true,
				Labels: enWeeks,
				Values: []float64{8200, 8900, 9600, 10400, 11800, 12500, 13900, 14600, 15800, 17100, 18300, 19500, 20400},
				Start:  8000, End: 20400, Target: 20000, FormatY: enThousands,
			},
			{
				Title:  "Engagement rate · 3.1% → 4.6% · target 4.5%",
				Status: StatusAchieved, StatusText: "Achieved (102%)", Achieved: true,
				Labels: enWeeks,
				Values: []float64{3.1, 3.3, 3.2, 3.5, 3.7, 3.6, 3.9, 4.0, 4.2, 4.1, 4.4, 4.5, 4.6},
				Start:  3.0, End: 4.6, Target: 4.5, FormatY: enPercent, FromZero: true,
			},
			{
				Title:  "Orders from Instagram · 12 → 29 · target 40",
				Status: StatusAtRisk, StatusText: "Missed (73%)",
				Labels: enWeeks,
				Values: []float64{14, 17, 15, nan, 19, 18, 21, nan, 24, 23, 26, 27, 29},
				Start:  12, End: 29, Target: 40, FormatY: enThousands,
			},
			{
				Title:  "Followers · 1,170 → 1,610 · target 1,600",
				Status: StatusAchieved, StatusText: "Achieved (101%)", Achieved: true,
				Labels: enWeeks,
				Values: []float64{1180, 1214, 1251, 1280, 1302, 1331, 1365, 1398, 1431, 1460, 1502, 1561, 1610},
				Start:  1170, End: 1610, Target: 1600, FormatY: enNum,
			},
			{
				Title:  "Response time · 100 → 34 min · target 30",
				Status: StatusBehind, StatusText: "Missed, close: 34 min vs 30 (lower is better)",
				Labels: enWeeks,
				Values: []float64{95, 88, 76, 71, 66, 62, 55, 51, 47, 41, 38, 36, 34},
				Start:  100, End: 34, Target: 30, FormatY: enMinutes, LowerBetter: true,
			},
		},
	}
}
