package kpi

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTimezoneInput is the longest input ParseTimezone reads, in runes.
const maxTimezoneInput = 64

// Offsets from UTC, in minutes, that ParseTimezone accepts.
const (
	minUTCOffset = -12 * 60
	maxUTCOffset = 14 * 60
)

// fractionalZones maps offsets from UTC that are not whole hours, in minutes,
// to a zone that keeps that offset for most or all of the year.
var fractionalZones = map[int]string{
	-9*60 - 30: "Pacific/Marquesas",
	-3*60 - 30: "America/St_Johns",
	3*60 + 30:  "Asia/Tehran",
	4*60 + 30:  "Asia/Kabul",
	5*60 + 30:  "Asia/Kolkata",
	5*60 + 45:  "Asia/Kathmandu",
	6*60 + 30:  "Asia/Yangon",
	8*60 + 45:  "Australia/Eucla",
	9*60 + 30:  "Australia/Darwin",
	10*60 + 30: "Australia/Adelaide",
	12*60 + 45: "Pacific/Chatham",
}

// commonZones are IANA names ParseTimezone recognises in any letter case and
// by their city alone ("new york"). Names whose casing cannot be guessed
// from the lower-case form ("America/Port-au-Prince") are listed too. Other
// names are still accepted when typed with the right case or with each word
// capitalised.
var commonZones = []string{
	"UTC", "Etc/UTC",
	// Russia and neighbours.
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Simferopol", "Europe/Kirov",
	"Europe/Volgograd", "Europe/Astrakhan", "Europe/Saratov", "Europe/Ulyanovsk",
	"Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
	"Asia/Barnaul", "Asia/Tomsk", "Asia/Novokuznetsk", "Asia/Krasnoyarsk",
	"Asia/Irkutsk", "Asia/Chita", "Asia/Yakutsk", "Asia/Khandyga",
	"Asia/Vladivostok", "Asia/Ust-Nera", "Asia/Magadan", "Asia/Sakhalin",
	"Asia/Srednekolymsk", "Asia/Kamchatka", "Asia/Anadyr",
	"Europe/Minsk", "Europe/Kyiv", "Europe/Kiev", "Europe/Chisinau",
	"Europe/Riga", "Europe/Vilnius", "Europe/Tallinn",
	"Asia/Almaty", "Asia/Qostanay", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Atyrau",
	"Asia/Oral", "Asia/Qyzylorda", "Asia/Tashkent", "Asia/Samarkand",
	"Asia/Bishkek", "Asia/Dushanbe", "Asia/Ashgabat", "Asia/Baku",
	"Asia/Tbilisi", "Asia/Yerevan",
	// Europe.
	"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid",
	"Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin",
	"Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Prague",
	"Europe/Warsaw", "Europe/Budapest", "Europe/Belgrade", "Europe/Sofia",
	"Europe/Bucharest", "Europe/Athens", "Europe/Helsinki", "Europe/Stockholm",
	"Europe/Oslo", "Europe/Copenhagen", "Europe/Istanbul", "Europe/Isle_of_Man",
	"Atlantic/Reykjavik", "Atlantic/Canary",
	// Asia and Oceania.
	"Asia/Dubai", "Asia/Tehran", "Asia/Kabul", "Asia/Karachi", "Asia/Kolkata",
	"Asia/Kathmandu", "Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok",
	"Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Makassar", "Asia/Singapore",
	"Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Shanghai", "Asia/Hong_Kong",
	"Asia/Taipei", "Asia/Seoul", "Asia/Tokyo", "Asia/Ulaanbaatar",
	"Asia/Jerusalem", "Asia/Riyadh", "Asia/Qatar", "Asia/Colombo",
	"Australia/Perth", "Australia/Eucla", "Australia/Darwin",
	"Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
	"Australia/Melbourne", "Australia/Hobart", "Australia/ACT",
	"Australia/LHI", "Australia/NSW", "Pacific/Auckland", "Pacific/Chatham",
	"Pacific/Fiji", "Pacific/Marquesas", "Pacific/Honolulu",
	"Pacific/Port_Moresby", "Pacific/Kiritimati", "Antarctica/McMurdo",
	"Antarctica/DumontDUrville",
	// Africa.
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"Africa/Casablanca", "Africa/Dar_es_Salaam",
	// Americas.
	"America/St_Johns", "America/Halifax", "America/New_York",
	"America/Toronto", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Vancouver", "America/Anchorage",
	"America/Mexico_City", "America/Bogota", "America/Lima",
	"America/Caracas", "America/Santiago", "America/Sao_Paulo",
	"America/Argentina/Buenos_Aires", "America/Montevideo",
	"America/Port-au-Prince", "America/Port_of_Spain", "America/Knox_IN",
	"America/Argentina/ComodRivadavia",
	"US/Eastern", "US/Central", "US/Mountain", "US/Pacific", "US/Alaska",
	"US/Hawaii", "US/Arizona", "US/Aleutian", "US/East-Indiana",
	"US/Indiana-Starke", "US/Michigan", "US/Samoa",
}

// cityZones maps normalised city and region names (see normalizePlace) to
// candidate zones, the preferred one first; the first that loads is used.
var cityZones = map[string][]string{
	"москва": {"Europe/Moscow"}, "мск": {"Europe/Moscow"},
	"санкт петербург": {"Europe/Moscow"}, "петербург": {"Europe/Moscow"},
	"питер": {"Europe/Moscow"}, "спб": {"Europe/Moscow"},
	"казань": {"Europe/Moscow"}, "нижний новгород": {"Europe/Moscow"},
	"ростов на дону": {"Europe/Moscow"}, "ростов": {"Europe/Moscow"},
	"краснодар": {"Europe/Moscow"}, "сочи": {"Europe/Moscow"},
	"воронеж": {"Europe/Moscow"}, "калининград": {"Europe/Kaliningrad"},
	"волгоград": {"Europe/Volgograd"}, "саратов": {"Europe/Saratov"},
	"астрахань": {"Europe/Astrakhan"}, "ульяновск": {"Europe/Ulyanovsk"},
	"киров": {"Europe/Kirov"}, "симферополь": {"Europe/Simferopol"},
	"самара": {"Europe/Samara"}, "ижевск": {"Europe/Samara"},
	"екатеринбург": {"Asia/Yekaterinburg"}, "челябинск": {"Asia/Yekaterinburg"},
	"уфа": {"Asia/Yekaterinburg"}, "пермь": {"Asia/Yekaterinburg"},
	"тюмень": {"Asia/Yekaterinburg"}, "омск": {"Asia/Omsk"},
	"новосибирск": {"Asia/Novosibirsk"}, "барнаул": {"Asia/Barnaul"},
	"томск": {"Asia/Tomsk"}, "кемерово": {"Asia/Novokuznetsk"},
	"новокузнецк": {"Asia/Novokuznetsk"}, "красноярск": {"Asia/Krasnoyarsk"},
	"иркутск": {"Asia/Irkutsk"}, "улан удэ": {"Asia/Irkutsk"},
	"чита": {"Asia/Chita"}, "якутск": {"Asia/Yakutsk"},
	"владивосток": {"Asia/Vladivostok"}, "хабаровск": {"Asia/Vladivostok"},
	"южно сахалинск": {"Asia/Sakhalin"}, "сахалин": {"Asia/Sakhalin"},
	"магадан": {"Asia/Magadan"}, "камчатка": {"Asia/Kamchatka"},
	"петропавловск камчатский": {"Asia/Kamchatka"}, "анадырь": {"Asia/Anadyr"},
	"минск": {"Europe/Minsk"}, "киев": {"Europe/Kyiv", "Europe/Kiev"},
	"київ": {"Europe/Kyiv", "Europe/Kiev"}, "кишинев": {"Europe/Chisinau"},
	"рига": {"Europe/Riga"}, "вильнюс": {"Europe/Vilnius"}, "таллин": {"Europe/Tallinn"},
	"алматы": {"Asia/Almaty"}, "алма ата": {"Asia/Almaty"}, "астана": {"Asia/Almaty"},
	"ташкент": {"Asia/Tashkent"}, "бишкек": {"Asia/Bishkek"},
	"душанбе": {"Asia/Dushanbe"}, "ашхабад": {"Asia/Ashgabat"},
	"баку": {"Asia/Baku"}, "тбилиси": {"Asia/Tbilisi"}, "ереван": {"Asia/Yerevan"},
	"стамбул": {"Europe/Istanbul"}, "дубай": {"Asia/Dubai"},
	"бангкок": {"Asia/Bangkok"}, "пхукет": {"Asia/Bangkok"},
	"бали": {"Asia/Makassar"}, "белград": {"Europe/Belgrade"},
	"берлин": {"Europe/Berlin"}, "лондон": {"Europe/London"},
	"лиссабон": {"Europe/Lisbon"}, "нью йорк": {"America/New_York"},

	"kiev": {"Europe/Kyiv", "Europe/Kiev"}, "kyiv": {"Europe/Kyiv", "Europe/Kiev"},
	"saint petersburg": {"Europe/Moscow"}, "st petersburg": {"Europe/Moscow"},
	"st. petersburg": {"Europe/Moscow"}, "msk": {"Europe/Moscow"},
	"mumbai": {"Asia/Kolkata"}, "delhi": {"Asia/Kolkata"}, "new delhi": {"Asia/Kolkata"},
	"beijing": {"Asia/Shanghai"}, "bali": {"Asia/Makassar"},
	"san francisco": {"America/Los_Angeles"}, "washington": {"America/New_York"},
}

// tzAreas maps the lower-case first part of IANA names ParseTimezone accepts
// to its canonical casing. Names outside these areas ("Factory",
// "posix/...", "localtime") are not accepted unless listed above.
var tzAreas = map[string]string{
	"africa": "Africa", "america": "America", "antarctica": "Antarctica",
	"arctic": "Arctic", "asia": "Asia", "atlantic": "Atlantic",
	"australia": "Australia", "europe": "Europe", "indian": "Indian",
	"pacific": "Pacific", "etc": "Etc", "us": "US", "canada": "Canada",
}

// zonesByKey maps lower-case IANA names and city names of commonZones to
// the IANA names.
var zonesByKey = func() map[string]string {
	m := make(map[string]string, 2*len(commonZones))
	for _, z := range commonZones {
		m[strings.ToLower(z)] = z
	}
	for _, z := range commonZones {
		i := strings.LastIndexByte(z, '/')
		if i < 0 {
			continue
		}
		city := normalizePlace(z[i+1:])
		if _, ok := m[city]; !ok {
			m[city] = z
		}
	}
	return m
}()

// normalizePlace lower-cases a place name, spells ё as е and turns hyphens,
// underscores and runs of spaces into single spaces.
func normalizePlace(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "ё", "е")
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) })
	return strings.Join(f, " ")
}

// zoneLoads reports whether name is a time zone the system knows.
func zoneLoads(name string) bool {
	if name == "" || strings.EqualFold(name, "Local") {
		return false
	}
	_, err := LoadLocation(name)
	return err == nil
}

// ParseTimezone returns the IANA time zone name for what a person types as a
// time zone:
//
//   - an IANA name in any letter case: "Europe/Samara", "europe/moscow",
//     "America/New_York"; the city part of a common one: "Samara", "new york";
//   - "UTC" or "GMT", which give "UTC";
//   - an offset from UTC, with or without "UTC"/"GMT" before it: "UTC+4",
//     "UTC+04:00", "GMT-5", "+3", "utc -3", "+0530". Whole hours give an
//     "Etc/GMT-4" style name (the sign is inverted there: UTC+4 is
//     Etc/GMT-4) and 0 gives "UTC"; the offsets of India (+5:30), Nepal
//     (+5:45), Iran (+3:30), Afghanistan (+4:30), Myanmar (+6:30), Eucla
//     (+8:45), Darwin (+9:30), Adelaide (+10:30), Chatham (+12:45),
//     Marquesas (−9:30) and Newfoundland (−3:30) give that place's zone;
//   - Moscow time: "МСК" gives "Europe/Moscow", "МСК+4" is UTC+7;
//   - common Russian and CIS city names, any case, ё or е, hyphens or
//     spaces: "Москва", "Питер", "СПб", "Екатеринбург", "Петропавловск-
//     Камчатский", "Камчатка", "Минск", "Алматы", "Киев", "Київ"...
//
// The returned name loads with time.LoadLocation. It fails with an error
// wrapping ErrInvalid on empty input, "Local", an offset outside −12..+14
// hours or with other minutes, or a name the system does not know.
func ParseTimezone(s string) (name string, err error) {
	fail := func(why string) (string, error) {
		return "", fmt.Errorf("time zone %q: %s: %w", s, why, ErrInvalid)
	}
	if !utf8.ValidString(s) {
		return fail("not UTF-8")
	}
	if utf8.RuneCountInString(s) > maxTimezoneInput {
		return fail("too long")
	}
	t := strings.TrimFunc(s, unicode.IsSpace)
	if t == "" {
		return fail("empty")
	}
	lower := strings.ToLower(t)
	if lower == "local" {
		return fail("the server's local zone is not a place")
	}

	if minutes, ok, err := parseOffset(lower); ok {
		if err != nil {
			return "", fmt.Errorf("time zone %q: %w", s, err)
		}
		return offsetZone(minutes)
	}

	place := normalizePlace(t)
	if zones, ok := cityZones[place]; ok {
		for _, z := range zones {
			if zoneLoads(z) {
				return z, nil
			}
		}
	}
	if z, ok := zonesByKey[lower]; ok && zoneLoads(z) {
		return z, nil
	}
	if z, ok := zonesByKey[place]; ok && zoneLoads(z) {
		return z, nil
	}
	if !looksLikeZone(t) {
		return fail("unknown place")
	}
	if zoneLoads(t) {
		return t, nil
	}
	if g := guessZoneCase(t); g != t && zoneLoads(g) {
		return g, nil
	}
	return fail("unknown time zone")
}

// looksLikeZone reports whether s is shaped like an IANA name in one of
// tzAreas: "Area/Name" or "Area/Region/Name" of ASCII letters, digits, '_',
// '-' and '+'.
func looksLikeZone(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	if _, ok := tzAreas[strings.ToLower(parts[0])]; !ok {
		return false
	}
	for _, p := range parts[1:] {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '+') {
				return false
			}
		}
	}
	return true
}

// guessZoneCase returns s, an IANA-shaped name, in the usual casing: the
// area as tzAreas spells it, then each word capitalised ("America/
// North_Dakota/New_Salem"); names in Etc are upper-cased ("Etc/GMT+5").
func guessZoneCase(s string) string {
	parts := strings.Split(s, "/")
	area := tzAreas[strings.ToLower(parts[0])]
	rest := strings.ToLower(strings.Join(parts[1:], "/"))
	if area == "Etc" {
		return area + "/" + strings.ToUpper(rest)
	}
	b := []byte(rest)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return area + "/" + string(b)
}

// offsetPrefixes maps the names an offset may follow to their offset from
// UTC in minutes.
var offsetPrefixes = []struct {
	prefix  string
	minutes int
}{
	{"utc", 0}, {"gmt", 0}, {"мск", 180}, {"msk", 180},
}

// parseOffset reads an offset from UTC in lower-case s: "utc+4", "gmt-5",
// "+3", "utc +03:00", "+0530", "мск+1", "utc", "gmt". It returns ok when s
// is shaped like an offset; err then wraps ErrInvalid when the offset is out
// of range. A bare "мск"/"msk" is left to the city lookup.
func parseOffset(s string) (minutes int, ok bool, err error) {
	base, rest, hasPrefix := 0, s, false
	for _, p := range offsetPrefixes {
		if r, found := strings.CutPrefix(s, p.prefix); found {
			base, rest, hasPrefix = p.minutes, strings.TrimLeftFunc(r, unicode.IsSpace), true
			break
		}
	}
	if hasPrefix && rest == "" {
		if base != 0 {
			return 0, false, nil // "мск" is Europe/Moscow, not Etc/GMT-3
		}
		return 0, true, nil
	}
	sign := 0
	switch r, size := utf8.DecodeRuneInString(rest); r {
	case '+':
		sign = 1
		rest = rest[size:]
	case '-', '\u2212', '\u2013':
		sign = -1
		rest = rest[size:]
	}
	if sign == 0 {
		return 0, false, nil
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	hh, mm := rest, ""
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		hh, mm = rest[:i], rest[i+1:]
		if len(mm) != 2 {
			return 0, true, fmt.Errorf("minutes %q: %w", mm, ErrInvalid)
		}
	} else if len(rest) == 3 || len(rest) == 4 {
		hh, mm = rest[:len(rest)-2], rest[len(rest)-2:]
	}
	h, okH := atoiDigits(hh, 2)
	m := 0
	okM := true
	if mm != "" {
		m, okM = atoiDigits(mm, 2)
	}
	if !okH || !okM {
		if !hasPrefix && !okH && !startsWithDigit(hh) {
			return 0, false, nil // "+foo" is not meant as an offset
		}
		return 0, true, fmt.Errorf("offset %q: %w", s, ErrInvalid)
	}
	if m >= 60 {
		return 0, true, fmt.Errorf("offset minutes %d: %w", m, ErrInvalid)
	}
	return base + sign*(h*60+m), true, nil
}

// startsWithDigit reports whether s starts with an ASCII digit.
func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// offsetZone returns the zone name for an offset from UTC in minutes, or an
// error wrapping ErrInvalid.
func offsetZone(minutes int) (string, error) {
	if minutes < minUTCOffset || minutes > maxUTCOffset {
		return "", fmt.Errorf("offset %s: outside UTC-12..UTC+14: %w", formatOffset(minutes), ErrInvalid)
	}
	if minutes == 0 {
		return "UTC", nil
	}
	if minutes%60 == 0 {
		// The POSIX-style Etc names count the other way round.
		return "Etc/GMT" + fmt.Sprintf("%+d", -minutes/60), nil
	}
	if z, ok := fractionalZones[minutes]; ok {
		return z, nil
	}
	return "", fmt.Errorf("offset %s: no zone has it: %w", formatOffset(minutes), ErrInvalid)
}

// formatOffset returns minutes as "UTC+05:30".
func formatOffset(minutes int) string {
	sign := "+"
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	return "UTC" + sign + fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}
