package kpi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// The cells ReadEntriesCSV's doc accepts: an ISO date or a day-first one
// with dots (also slashes, and a two-digit year of 20xx, as ParseDate
// reads them), and a number with a dot or comma decimal and an exponent.
var (
	csvDateModel  = regexp.MustCompile(`^(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{1,2})([./])([0-9]{1,2})([./])([0-9]{2}|[0-9]{4}))$`)
	csvValueModel = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$`)
)

// modelCSVDate returns the date a date cell stands for.
func modelCSVDate(s string) (Date, bool) {
	g := csvDateModel.FindStringSubmatch(s)
	if g == nil {
		return Date{}, false
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if g[1] != "" {
		return Date{num(g[1]), time.Month(num(g[2])), num(g[3])}, true
	}
	if g[5] != g[7] {
		return Date{}, false // "20.11/2026"
	}
	y := num(g[8])
	if len(g[8]) == 2 {
		y += 2000
	}
	return Date{y, time.Month(num(g[6])), num(g[4])}, true
}

// FuzzCSVRow writes one data row of any cells, as a spreadsheet would save
// it (comma or semicolon, with or without a BOM), and checks ReadEntriesCSV
// against its doc: the row is taken exactly when its date is a calendar day,
// its metric one of the plan's, its value a number CheckValue allows and
// logged_at RFC 3339 or empty; then the entry holds those values, a valid
// date, a finite value that is not -0, a name without control characters
// and a UTC time. Otherwise the one bad row is reported on line 2 with the
// first reason in column order and the cell as typed (trimmed).
func FuzzCSVRow(f *testing.F) {
	f.Add("2026-11-20", "reach", "12500", "Анна", "2026-11-20T10:15:30Z", false, true)
	f.Add("20.11.2026", "engagement", "4,2", "'=HYPERLINK(\"x\")", "", true, false)
	f.Add(" 20/11/26 ", "c1", "1E+12", "Олег\r\nПетров", "2026-11-20T10:15:30.123456789+03:00", true, true)
	f.Add("31.02.2026", "reach", "1", "", "", false, false)
	f.Add("2026-11-20", "Reach", "1", "", "", false, false)
	f.Add("2026-11-20", "reach", "12 500", "", "", false, false)
	f.Add("2026-11-20", "reach", "1e309", "", "", false, false)
	f.Add("2026-11-20", "engagement", "100.5", "", "", false, false)
	f.Add("2026-11-20", "reach", "-0", "", "", false, false)
	f.Add("2026-11-20", "reach", "NaN", "", "", false, false)
	f.Add("2026-11-20", "reach", "1", "", "20.11.2026 10:15", false, false)
	f.Add("20.11.2026.", "ctr", ".5", "👩‍💻 \u200fمرحبا", "", true, true)
	f.Add("вчера", "reach", "1", "", "", false, false)
	p := csvPlan()
	f.Fuzz(func(t *testing.T, date, metric, value, by, at string, semicolon, bom bool) {
		for _, c := range []string{date, metric, value, by, at} {
			if !utf8.ValidString(c) {
				return // FuzzReadEntriesCSV feeds raw bytes
			}
		}
		var buf bytes.Buffer
		if bom {
			buf.WriteString(utf8BOM)
		}
		w := csv.NewWriter(&buf)
		if semicolon {
			w.Comma = ';'
		}
		w.UseCRLF = bom
		_ = w.Write(csvHeader)
		_ = w.Write([]string{date, metric, "Охват", value, "people", by, at})
		w.Flush()

		// The cells as a CSV reader gets them back ("\r\n" in a cell is
		// "\n" then), trimmed.
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte(utf8BOM))))
		r.Comma = w.Comma
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("file %q: %d records, %v", buf.String(), len(recs), err)
		}
		rec := recs[1]
		date, metric, value, at = strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[3]), strings.TrimSpace(rec[6])
		reason, bad := "", ""
		d, dateOK := modelCSVDate(date)
		m, metricOK := p.Metric(metric)
		v, verr := strconv.ParseFloat(strings.Replace(value, ",", ".", 1), 64)
		atTime, aerr := time.Parse(time.RFC3339, at)
		switch {
		case !dateOK || !d.Valid():
			reason, bad = ReasonDate, date
		case !metricOK:
			reason, bad = ReasonMetric, metric
		case !csvValueModel.MatchString(value):
			reason, bad = ReasonNumber, value
		case verr != nil || CheckValue(m, v) != nil:
			reason, bad = ReasonRange, value
		case at != "" && aerr != nil:
			reason, bad = ReasonLoggedAt, at
		}

		entries, err := ReadEntriesCSV(bytes.NewReader(buf.Bytes()), p)
		if reason != "" {
			var ce *CSVError
			want := RowError{Line: 2, Reason: reason, Value: bad}
			if !errors.As(err, &ce) || ce.Total != 1 || len(ce.Rows) != 1 || ce.Rows[0] != want || entries != nil {
				t.Fatalf("file %q: got %d entries, %v; want %v", buf.String(), len(entries), err, want)
			}
			return
		}
		if err != nil || len(entries) != 1 {
			t.Fatalf("file %q: got %+v, %v; want one entry", buf.String(), entries, err)
		}
		e := entries[0]
		if v == 0 {
			v = 0 // "-0" is 0
		}
		if e.Date != d || e.Metric != metric || e.Value != v || math.Signbit(e.Value) != math.Signbit(v) || !e.Date.Valid() {
			t.Fatalf("file %q: got %+v; want %v %s %v", buf.String(), e, d, metric, v)
		}
		if want := atTime.UTC(); at != "" && (!e.At.Equal(want) || e.At.Location() != time.UTC) || at == "" && !e.At.IsZero() {
			t.Fatalf("file %q: logged at %v; want %v", buf.String(), e.At, want)
		}
		if !utf8.ValidString(e.ByName) || strings.TrimSpace(e.ByName) != e.ByName || strings.IndexFunc(e.ByName, unicode.IsControl) >= 0 {
			t.Fatalf("file %q: logged by %q", buf.String(), e.ByName)
		}
	})
}
