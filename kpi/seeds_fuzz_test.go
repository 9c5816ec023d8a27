package kpi

import "strings"

// fuzzTexts are what people type, and what they should not, in Russian and
// English: the shared seed corpus of the fuzz targets of user input.
var fuzzTexts = []string{
	"", " ", "\t\n", "0", "-5", "+5", "−3", "- 3", "42", "007", "-0",
	"12500", "12 500", "12\u00a0500", "12\u202f500", "1 234 567", "12,500", "12.500",
	"12,5", "12.5", "1,234.5", "1.234,5", "1.234.567", "1 234,5", "4,2 %", "12.5%", "4,2%",
	"1,5к", "12k", "12К", "12 тыс", "1.2M", "1,2 млн", "1кк", "3 thousand", "5%к",
	"1e308", "1e5", "1E+12", "NaN", "nan", "Inf", "-Infinity", "∞", "0x1p-2", "1_000",
	"123456789012345678901234567890", "999999999999999", "1000000000000000", "0.000000000000001",
	"١٢٣", "١٢٫٥", "１２３", "12\u200b500", "1\u0301",
	"охват 12500", "/log охват 12500", "охват 12 500", "reach 12.5k er 4,2%",
	"вчера охват 12 500 er 4,2", "охват 12500 20.11", "2026-11-20 reach 5000",
	"охват:12500", "er=4,2%", "охват 12500, er 4,2; ответ 30", "охват 12 50", "12500 охват",
	"охват", "охват охват 1", "ER 150%", "охват 5%", "охват 1e5",
	"сегодня", "вчера", "позавчера", "today", "yesterday", "the day before yesterday",
	"31.02.2026", "29.02.2027", "29.02.2028", "20.11", "20.11.", "20.11.26", "20/11/2026",
	"11/20/2026", "2026-11-20", "2026-13-01", "0000-01-01", "9999-12-31", "10000-01-01",
	"20 Nov 2026", "Nov 20, 2026", "20 ноября 2026 г.", "20 ноября", "20th november",
	"1st jan", "32 декабря", "20 ноябряя",
	"Europe/Moscow", "europe/moscow", "Москва", "мск", "МСК+4", "MSK-1", "UTC", "GMT", "UTC+3",
	"UTC+04:00", "GMT-5", "+3", "utc -3", "+0530", "+05:45", "-03:30", "UTC+15", "UTC-13",
	"UTC+5:61", "Local", "local", "America/New_York", "new york", "Санкт-Петербург",
	"Петропавловск-Камчатский", "Київ", "America/Port-au-Prince", "Etc/GMT-14", "Etc/GMT+12",
	"Factory", "posix/Europe/Moscow", "../../etc/passwd", "Europe/../Europe/Moscow",
	"🚀", "охват 🚀 500", "🔥🔥🔥 12 500 👍", "👨‍👩‍👧‍👦", "\u200fمرحبا ١٢٣\u200f",
	"שלום 12500", "\u202eохват 500", "\x00", "\xff\xfe", "охват \xff 500",
	strings.Repeat("9", 70), strings.Repeat("охват 1 ", 80), strings.Repeat("я", 4097),
}

// fuzzLang is the chat language a fuzz input asks for.
func fuzzLang(en bool) Lang {
	if en {
		return English
	}
	return Russian
}
