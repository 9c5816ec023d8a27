package kpi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseTimezone(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for an error wrapping ErrInvalid
	}{
		// IANA names in any case.
		{"Europe/Samara", "Europe/Samara"},
		{"europe/moscow", "Europe/Moscow"},
		{"EUROPE/MOSCOW", "Europe/Moscow"},
		{"America/New_York", "America/New_York"},
		{"america/new_york", "America/New_York"},
		{"Asia/Vladivostok", "Asia/Vladivostok"},
		{"asia/vladivostok", "Asia/Vladivostok"},
		{"  Europe/Berlin  ", "Europe/Berlin"},
		{"america/port-au-prince", "America/Port-au-Prince"},
		{"africa/dar_es_salaam", "Africa/Dar_es_Salaam"},
		{"antarctica/mcmurdo", "Antarctica/McMurdo"},
		{"Europe/Kiev", "Europe/Kiev"},
		{"europe/kyiv", "Europe/Kyiv"},
		// Not in the embedded list: typed as is, or capitalised.
		{"America/Argentina/Salta", "America/Argentina/Salta"},
		{"america/argentina/salta", "America/Argentina/Salta"},
		{"america/north_dakota/new_salem", "America/North_Dakota/New_Salem"},
		{"asia/ust-nera", "Asia/Ust-Nera"},
		{"pacific/pago_pago", "Pacific/Pago_Pago"},
		{"Etc/GMT+5", "Etc/GMT+5"},
		{"etc/gmt-3", "Etc/GMT-3"},
		{"us/eastern", "US/Eastern"},
		{"canada/pacific", "Canada/Pacific"},
		{"Europe/Atlantis", ""},
		{"Mars/Olympus_Mons", ""},
		{"Europe/", ""},
		{"Europe//Moscow", ""},
		{"Europe/../Europe/Moscow", ""},
		{"/usr/share/zoneinfo/Europe/Moscow", ""},
		{"posix/Europe/Moscow", ""},
		{"right/Europe/Moscow", ""},
		{"Europe/Moscow/Extra/More", ""},
		{"Factory", ""},
		{"localtime", ""},
		{"posixrules", ""},
		{"zone.tab", ""},
		// Cities of common zones.
		{"Moscow", "Europe/Moscow"},
		{"samara", "Europe/Samara"},
		{"new york", "America/New_York"},
		{"New_York", "America/New_York"},
		{"los angeles", "America/Los_Angeles"},
		{"kiev", "Europe/Kyiv"},
		{"St. Petersburg", "Europe/Moscow"},

		// UTC.
		{"UTC", "UTC"},
		{"utc", "UTC"},
		{"GMT", "UTC"},
		{"gmt", "UTC"},
		{"UTC+0", "UTC"},
		{"GMT-0", "UTC"},
		{"+0", "UTC"},
		{"+00:00", "UTC"},
		{"Etc/UTC", "Etc/UTC"},
		{"Local", ""},
		{"local", ""},
		{"LOCAL", ""},
		{"", ""},
		{"   ", ""},

		// Whole-hour offsets: the Etc sign is inverted.
		{"UTC+4", "Etc/GMT-4"},
		{"UTC+04:00", "Etc/GMT-4"},
		{"UTC+4:00", "Etc/GMT-4"},
		{"UTC+3:00", "Etc/GMT-3"},
		{"GMT-5", "Etc/GMT+5"},
		{"gmt-05:00", "Etc/GMT+5"},
		{"+3", "Etc/GMT-3"},
		{"+03", "Etc/GMT-3"},
		{"+0300", "Etc/GMT-3"},
		{"-3", "Etc/GMT+3"},
		{"\u22123", "Etc/GMT+3"},
		{"utc -3", "Etc/GMT+3"},
		{"UTC + 7", "Etc/GMT-7"},
		{"utc+14", "Etc/GMT-14"},
		{"UTC-12", "Etc/GMT+12"},
		{"UTC+15", ""},
		{"UTC-13", ""},
		{"+24", ""},
		{"UTC+100", "Etc/GMT-1"}, // hhmm without the leading zero
		{"UTC+1000", "Etc/GMT-10"},
		{"UTC+12345", ""},
		{"UTC+1460", ""},
		{"UTC+4:0", ""},
		{"UTC+4:", ""},
		{"UTC+4:000", ""},
		{"UTC+4:60", ""},
		{"UTC+4.5", ""},
		{"UTC++4", ""},
		{"UTC+-4", ""},
		{"UTC 4", ""},
		{"UTC4", ""},
		{"4", ""},
		{"+", ""},
		{"-", ""},
		{"+abc", ""},

		// Half and quarter hours.
		{"+5:30", "Asia/Kolkata"},
		{"UTC+05:30", "Asia/Kolkata"},
		{"+0530", "Asia/Kolkata"},
		{"+530", "Asia/Kolkata"},
		{"UTC+5:45", "Asia/Kathmandu"},
		{"UTC+3:30", "Asia/Tehran"},
		{"UTC+4:30", "Asia/Kabul"},
		{"UTC+6:30", "Asia/Yangon"},
		{"UTC+9:30", "Australia/Darwin"},
		{"UTC-3:30", "America/St_Johns"},
		{"UTC+10:30", "Australia/Adelaide"},
		{"UTC+12:45", "Pacific/Chatham"},
		{"UTC-9:30", "Pacific/Marquesas"},
		{"UTC+8:45", "Australia/Eucla"},
		{"UTC+3:15", ""},
		{"UTC+2:30", ""},
		{"UTC-12:30", ""},
		{"UTC+14:30", ""},

		// Moscow time.
		{"МСК", "Europe/Moscow"},
		{"мск", "Europe/Moscow"},
		{"msk", "Europe/Moscow"},
		{"МСК+1", "Etc/GMT-4"},
		{"мск+4", "Etc/GMT-7"},
		{"МСК-1", "Etc/GMT-2"},
		{"мск+0", "Etc/GMT-3"},
		{"мск+12", ""},

		// Russian and CIS cities.
		{"Москва", "Europe/Moscow"},
		{"москва", "Europe/Moscow"},
		{"МОСКВА", "Europe/Moscow"},
		{" Москва ", "Europe/Moscow"},
		{"Самара", "Europe/Samara"},
		{"Екатеринбург", "Asia/Yekaterinburg"},
		{"Новосибирск", "Asia/Novosibirsk"},
		{"Владивосток", "Asia/Vladivostok"},
		{"Калининград", "Europe/Kaliningrad"},
		{"Красноярск", "Asia/Krasnoyarsk"},
		{"Иркутск", "Asia/Irkutsk"},
		{"Омск", "Asia/Omsk"},
		{"Якутск", "Asia/Yakutsk"},
		{"Магадан", "Asia/Magadan"},
		{"Камчатка", "Asia/Kamchatka"},
		{"Петропавловск-Камчатский", "Asia/Kamchatka"},
		{"петропавловск камчатский", "Asia/Kamchatka"},
		{"Санкт-Петербург", "Europe/Moscow"},
		{"санкт петербург", "Europe/Moscow"},
		{"Питер", "Europe/Moscow"},
		{"СПб", "Europe/Moscow"},
		{"спб", "Europe/Moscow"},
		{"Казань", "Europe/Moscow"},
		{"Минск", "Europe/Minsk"},
		{"Алматы", "Asia/Almaty"},
		{"Ташкент", "Asia/Tashkent"},
		{"Киев", "Europe/Kyiv"},
		{"Київ", "Europe/Kyiv"},
		{"Кишинёв", "Europe/Chisinau"},
		{"Кишинев", "Europe/Chisinau"},
		{"Улан-Удэ", "Asia/Irkutsk"},
		{"Мухосранск", ""},
		{"Moskva", ""},

		// Garbage.
		{"\xff", ""},
		{strings.Repeat("a", 100), ""},
		{"Europe/Moscow\x00", ""},
		{"Europe/Moscow ;rm -rf", ""},
	}
	for _, tt := range tests {
		got, err := ParseTimezone(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalid) || got != "" {
				t.Errorf("ParseTimezone(%q) = %q, %v; want an error wrapping ErrInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTimezone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// Every whole-hour offset from −12 to +14 gives a zone with that offset.
func TestParseTimezoneOffsets(t *testing.T) {
	now := time.Date(2026, time.July, 1, 12, 0, 0, 0, time.UTC)
	for h := -12; h <= 14; h++ {
		for _, in := range []string{fmt.Sprintf("UTC%+d", h), fmt.Sprintf("GMT%+03d:00", h), fmt.Sprintf("%+d", h)} {
			name, err := ParseTimezone(in)
			if err != nil {
				t.Errorf("ParseTimezone(%q): %v", in, err)
				continue
			}
			loc := mustLoadZone(t, name)
			if _, off := now.In(loc).Zone(); off != h*3600 {
				t.Errorf("ParseTimezone(%q) = %q, offset %ds, want %ds", in, name, off, h*3600)
			}
		}
	}
	// The fractional zones have their offset at least part of the year.
	for minutes, name := range fractionalZones {
		loc := mustLoadZone(t, name)
		found := false
		for m := time.January; m <= time.December; m++ {
			if _, off := time.Date(2026, m, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone(); off == minutes*60 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s never has offset %s", name, formatOffset(minutes))
		}
	}
}

// Every zone ParseTimezone knows by name loads on this system.
func TestTimezoneTablesLoad(t *testing.T) {
	for _, z := range commonZones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("common zone %q: %v", z, err)
		}
	}
	for city, zones := range cityZones {
		if city != normalizePlace(city) {
			t.Errorf("city key %q is not normalised", city)
		}
		ok := false
		for _, z := range zones {
			if _, err := time.LoadLocation(z); err == nil {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no zone of %q loads: %v", city, zones)
		}
		if got, err := ParseTimezone(city); err != nil {
			t.Errorf("ParseTimezone(%q): %v", city, err)
		} else if _, err := time.LoadLocation(got); err != nil {
			t.Errorf("ParseTimezone(%q) = %q does not load", city, got)
		}
	}
	for _, z := range commonZones {
		for _, in := range []string{z, strings.ToLower(z), strings.ToUpper(z)} {
			if got, err := ParseTimezone(in); err != nil || !strings.EqualFold(got, z) {
				t.Errorf("ParseTimezone(%q) = %q, %v; want %q", in, got, err, z)
			}
		}
	}
}

func FuzzParseTimezone(f *testing.F) {
	for _, s := range []string{
		"Europe/Samara", "europe/moscow", "America/New_York", "Asia/Vladivostok",
		"UTC", "GMT", "Local", "", "UTC+4", "UTC+04:00", "GMT-5", "+3", "UTC+3:00",
		"utc -3", "+5:30", "+0545", "UTC-3:30", "UTC+15", "Москва", "Питер", "СПб",
		"Петропавловск-Камчатский", "Київ", "мск+1", "etc/gmt+5", "posix/Europe/Moscow",
		"Factory", "america/argentina/salta", "Europe/../etc/passwd",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := ParseTimezone(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || name != "" {
				t.Fatalf("ParseTimezone(%q) = %q, %v", s, name, err)
			}
			return
		}
		if name == "" || strings.EqualFold(name, "Local") {
			t.Fatalf("ParseTimezone(%q) = %q", s, name)
		}
		if _, err := time.LoadLocation(name); err != nil {
			t.Fatalf("ParseTimezone(%q) = %q, which does not load: %v", s, name, err)
		}
		// The name it returns is accepted as it is.
		if again, err := ParseTimezone(name); err != nil || again != name {
			t.Fatalf("ParseTimezone(%q) = %q, but ParseTimezone(%q) = %q, %v", s, name, name, again, err)
		}
	})
}
