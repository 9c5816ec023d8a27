package kpi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"
)

// csvPlan is the plan of the CSV tests: catalogue metrics and one custom.
func csvPlan() Plan {
	return Plan{Custom: []Metric{
		{Key: "c1", Name: "Записи через бота", Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true},
	}}
}

// csvDay returns a date of November 2026.
func csvDay(d int) Date { return Date{Year: 2026, Month: time.November, Day: d} }

// sameEntries reports whether got are want read back: equal but for ID and
// By, with At compared as an instant.
func sameEntries(got, want []Entry) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != "" || g.By != 0 {
			return fmt.Errorf("entry %d: ID %q, By %d", i, g.ID, g.By)
		}
		if !g.At.Equal(w.At) || (w.At.IsZero() != g.At.IsZero()) {
			return fmt.Errorf("entry %d: At %v, want %v", i, g.At, w.At)
		}
		if g.At.Location() != time.UTC {
			return fmt.Errorf("entry %d: At in %v", i, g.At.Location())
		}
		g.At, w.At, w.ID, w.By = time.Time{}, time.Time{}, "", 0
		if g != w {
			return fmt.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	return nil
}

func TestEntriesCSVRoundTrip(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip(err)
	}
	at := time.Date(2026, 11, 20, 21, 15, 30, 123456789, msk)
	entries := []Entry{
		{ID: "e1", Metric: "reach", Value: 12500, Date: csvDay(20), By: 42, ByName: "Анна Петрова", At: at},
		{ID: "e2", Metric: "engagement", Value: 4.2, Date: csvDay(19), By: 42, ByName: "Анна Петрова", At: at.Add(time.Second)},
		{ID: "e3", Metric: "c1", Value: 7, Date: csvDay(18), By: 7, ByName: `Иван "Ваня", СММ`, At: at.Add(time.Hour)},
		{ID: "e4", Metric: "ctr", Value: 0.1 + 0.2, Date: csvDay(1), ByName: "=HYPERLINK(\"x\")", At: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)},
		{ID: "e5", Metric: "followers", Value: 1e12, Date: Date{Year: 2025, Month: time.December, Day: 31}, ByName: "'=already quoted"},
		{ID: "e6", Metric: "response_time", Value: 0, Date: csvDay(2), ByName: "-Ann- @home +1"},
		{ID: "e7", Metric: "conversions", Value: 3, Date: csvDay(3), ByName: "Ёлка\nновая строка"},
		{ID: "e8", Metric: "follower_growth", Value: 0.000001, Date: csvDay(4), ByName: ""},
	}
	for _, l := range Langs {
		var buf bytes.Buffer
		if err := WriteEntriesCSV(&buf, entries, csvPlan(), l); err != nil {
			t.Fatal(err)
		}
		got, err := ReadEntriesCSV(bytes.NewReader(buf.Bytes()), csvPlan())
		if err != nil {
			t.Fatalf("%s: %v\n%s", l, err, buf.String())
		}
		want := append([]Entry(nil), entries...)
		want[6].ByName = "Ёлка новая строка" // control characters become spaces
		if err := sameEntries(got, want); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}

func TestWriteEntriesCSV(t *testing.T) {
	entries := []Entry{
		{Metric: "reach", Value: 12500, Date: csvDay(20), ByName: "Анна", At: time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC)},
		{Metric: "engagement", Value: 4.25, Date: csvDay(19), ByName: "=1+1", At: time.Date(2026, 11, 20, 13, 15, 30, 500e6, time.FixedZone("MSK", 3*3600))},
		{Metric: "c1", Value: 1e12, Date: csvDay(18), ByName: "a,b"},
		{Metric: "gone", Value: 3, Date: csvDay(17), ByName: "x"},
	}
	want := map[Lang]string{
		Russian: "\uFEFFdate,metric,metric_name,value,unit,logged_by,logged_at\r\n" +
			"2026-11-20,reach,Охват,12500,people,Анна,2026-11-20T10:15:30Z\r\n" +
			"2026-11-19,engagement,Вовлечённость (ER),4.25,%,'=1+1,2026-11-20T10:15:30.5Z\r\n" +
			"2026-11-18,c1,Записи через бота,1000000000000,count,\"a,b\",\r\n" +
			"2026-11-17,gone,gone,3,,x,\r\n",
		English: "\uFEFFdate,metric,metric_name,value,unit,logged_by,logged_at\r\n" +
			"2026-11-20,reach,Reach,12500,people,Анна,2026-11-20T10:15:30Z\r\n" +
			"2026-11-19,engagement,Engagement rate,4.25,%,'=1+1,2026-11-20T10:15:30.5Z\r\n" +
			"2026-11-18,c1,Записи через бота,1000000000000,count,\"a,b\",\r\n" +
			"2026-11-17,gone,gone,3,,x,\r\n",
	}
	for _, l := range Langs {
		var buf bytes.Buffer
		if err := WriteEntriesCSV(&buf, entries, csvPlan(), l); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want[l] {
			t.Errorf("%s:\n%q\nwant\n%q", l, buf.String(), want[l])
		}
	}

	// An invalid entry fails before anything is written.
	var buf bytes.Buffer
	bad := append(entries[:1:1], Entry{Metric: "reach", Value: math.NaN(), Date: csvDay(1)})
	if err := WriteEntriesCSV(&buf, bad, csvPlan(), Russian); !errors.Is(err, ErrInvalid) || buf.Len() != 0 {
		t.Errorf("NaN: %v, wrote %q", err, buf.String())
	}
	// The writer's error is returned.
	if err := WriteEntriesCSV(failWriter{}, entries, csvPlan(), Russian); err == nil {
		t.Error("a failing writer: no error")
	}
	// No entries: the header alone.
	buf.Reset()
	if err := WriteEntriesCSV(&buf, nil, csvPlan(), English); err != nil || buf.String() != "\uFEFFdate,metric,metric_name,value,unit,logged_by,logged_at\r\n" {
		t.Errorf("no entries: %q, %v", buf.String(), err)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// toCP1251 encodes s, which has only ASCII and Russian letters, as
// Windows-1251.
func toCP1251(s string) []byte {
	var b []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r >= 0x0410 && r <= 0x044F:
			b = append(b, byte(r-0x0410+0xC0))
		case r == 'Ё':
			b = append(b, 0xA8)
		case r == 'ё':
			b = append(b, 0xB8)
		case r == '№':
			b = append(b, 0xB9)
		default:
			panic(fmt.Sprintf("%q is not in the test's Windows-1251", r))
		}
	}
	return b
}

func TestReadEntriesCSVExcel(t *testing.T) {
	// As Excel in a Russian locale saves the export again: semicolons,
	// decimal commas, day-first dates, no BOM, blank rows, spaces.
	excel := "date;metric;metric_name;value;unit;logged_by;logged_at\r\n" +
		"20.11.2026;reach;Охват;12500;people;Анна Петрова;2026-11-20T10:15:30Z\r\n" +
		"2026-11-19;engagement;Вовлечённость (ER);4,2;%;'=Ёжик №1;\r\n" +
		";;;;;;\r\n" +
		" 18.11.2026 ; c1 ; Записи через бота ; 7 ; count ; Иван ; 2026-11-18T12:00:00+03:00 \r\n" +
		"\r\n"
	want := []Entry{
		{Metric: "reach", Value: 12500, Date: csvDay(20), ByName: "Анна Петрова", At: time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC)},
		{Metric: "engagement", Value: 4.2, Date: csvDay(19), ByName: "=Ёжик №1"},
		{Metric: "c1", Value: 7, Date: csvDay(18), ByName: "Иван", At: time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)},
	}
	for name, data := range map[string][]byte{
		"UTF-8":        []byte(excel),
		"UTF-8 BOM":    []byte(utf8BOM + excel),
		"Windows-1251": toCP1251(excel),
	} {
		got, err := ReadEntriesCSV(bytes.NewReader(data), csvPlan())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := sameEntries(got, want); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Commas with a quoted decimal comma and an exponent.
	commas := "DATE, Metric ,metric_name,value,unit,logged_by,logged_at\n" +
		"2026-11-20,reach,,\"1,5\",,,\n" +
		"2026-11-20,followers,,1E+3,,,\n" +
		"2026-11-20,conversions,,-0,,,\n" +
		"2026-11-20,ctr,,.5,,,\n"
	got, err := ReadEntriesCSV(strings.NewReader(commas), csvPlan())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{1.5, 1000, 0, 0.5} {
		if got[i].Value != v || math.Signbit(got[i].Value) {
			t.Errorf("row %d: %v, want %v", i+2, got[i].Value, v)
		}
	}
}

func TestReadEntriesCSVBadRows(t *testing.T) {
	file := utf8BOM + "date,metric,metric_name,value,unit,logged_by,logged_at\n" +
		"2026-11-20,reach,Охват,12500,people,Анна,2026-11-20T10:15:30Z\n" + // 2: good
		"2026-11-20,reach,Охват,12500,people,Анна\n" + // 3: 6 columns
		"31.02.2026,reach,Охват,1,people,Анна,\n" + // 4: no such day
		"20.11,reach,Охват,1,people,Анна,\n" + // 5: no year
		"2026-11-20,likes,Лайки,1,count,Анна,\n" + // 6: unknown metric
		"2026-11-20,reach,Охват,12 500,people,Анна,\n" + // 7: grouping
		"2026-11-20,reach,Охват,NaN,people,Анна,\n" + // 8: not a number
		"2026-11-20,reach,Охват,,people,Анна,\n" + // 9: empty value
		"2026-11-20,engagement,ER,100.5,%,Анна,\n" + // 10: over 100 %
		"2026-11-20,reach,Охват,-1,people,Анна,\n" + // 11: negative
		"2026-11-20,reach,Охват,1e999,people,Анна,\n" + // 12: overflows
		"2026-11-20,reach,Охват,1,people,Анна,20.11.2026 10:15\n" + // 13: bad logged_at
		"2026-11-20,reach,\"Охват\nв две строки\",1,people,Анна,\n" + // 14-15: good, quoted newline
		"2026-11-20,reach,Ох\"ват,1,people,Анна,\n" + // 16: bare quote
		"2026-11-20,reach,Охват,1,people,Анна,\n" // 17: good
	_, err := ReadEntriesCSV(strings.NewReader(file), csvPlan())
	var ce *CSVError
	if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	want := []RowError{
		{3, ReasonColumns, "6"},
		{4, ReasonDate, "31.02.2026"},
		{5, ReasonDate, "20.11"},
		{6, ReasonMetric, "likes"},
		{7, ReasonNumber, "12 500"},
		{8, ReasonNumber, "NaN"},
		{9, ReasonNumber, ""},
		{10, ReasonRange, "100.5"},
		{11, ReasonRange, "-1"},
		{12, ReasonRange, "1e999"},
		{13, ReasonLoggedAt, "20.11.2026 10:15"},
	}
	if len(ce.Rows) != len(want)+1 || ce.Total != len(ce.Rows) {
		t.Fatalf("rows %+v, total %d", ce.Rows, ce.Total)
	}
	if !reflect.DeepEqual(ce.Rows[:len(want)], want) {
		t.Errorf("rows\n%+v\nwant\n%+v", ce.Rows[:len(want)], want)
	}
	if last := ce.Rows[len(want)]; last.Line != 16 || last.Reason != ReasonSyntax {
		t.Errorf("bare quote: %+v", last)
	}
	if s := ce.Error(); !strings.HasPrefix(s, "csv: 12 bad rows: line 3: wrong column count \"6\"; line 4: bad date") {
		t.Errorf("Error() = %q", s)
	}
}

func TestReadEntriesCSVManyBadRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("date,metric,metric_name,value,unit,logged_by,logged_at\n")
	for i := range 25 {
		fmt.Fprintf(&b, "2026-11-20,reach,,%d,,,\n", -i-1)
		b.WriteString("2026-11-20,reach,,1,,,\n")
	}
	got, err := ReadEntriesCSV(strings.NewReader(b.String()), csvPlan())
	var ce *CSVError
	if got != nil || !errors.As(err, &ce) {
		t.Fatalf("%d entries, %v", len(got), err)
	}
	if len(ce.Rows) != MaxCSVErrors || ce.Total != 25 || ce.Rows[19].Line != 40 {
		t.Errorf("%d listed, total %d, last %+v", len(ce.Rows), ce.Total, ce.Rows[len(ce.Rows)-1])
	}
	if !strings.HasSuffix(ce.Error(), "; and 5 more") {
		t.Errorf("Error() = %q", ce.Error())
	}
}

func TestReadEntriesCSVWholeFile(t *testing.T) {
	header := "date,metric,metric_name,value,unit,logged_by,logged_at\n"
	for _, tt := range []struct {
		name string
		data string
		want error
	}{
		{"empty", "", ErrCSVEmpty},
		{"BOM only", utf8BOM, ErrCSVEmpty},
		{"blank", " \r\n\n", ErrCSVEmpty},
		{"header only", header, ErrCSVEmpty},
		{"header and blank rows", header + ",,,,,,\n\n", ErrCSVEmpty},
		{"too large", header + strings.Repeat("2026-11-20,reach,,1,,,\n", MaxCSVBytes/20), ErrCSVTooLarge},
		{"too many rows", header + strings.Repeat("2026-11-20,reach,,1,,,\n", MaxCSVRows+1), ErrCSVTooLarge},
	} {
		got, err := ReadEntriesCSV(strings.NewReader(tt.data), csvPlan())
		if got != nil || !errors.Is(err, tt.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %d entries, %v; want %v", tt.name, len(got), err, tt.want)
		}
	}

	// Exactly MaxCSVRows rows are read.
	got, err := ReadEntriesCSV(strings.NewReader(header+strings.Repeat("2026-11-20,reach,,1,,,\n", MaxCSVRows)), csvPlan())
	if err != nil || len(got) != MaxCSVRows {
		t.Errorf("%d rows: %d entries, %v", MaxCSVRows, len(got), err)
	}

	// Not our header.
	for _, data := range []string{"a,b,c\n1,2,3\n", "date,metric,value\n", "\"unclosed\n"} {
		_, err := ReadEntriesCSV(strings.NewReader(data), csvPlan())
		var ce *CSVError
		if !errors.As(err, &ce) || len(ce.Rows) != 1 || ce.Rows[0].Line != 1 {
			t.Errorf("%q: %v", data, err)
		}
	}

	// A broken row imports nothing, wherever it is.
	broken := header + "2026-11-20,reach,,1,,,\n2026-11-21,reach,,x,,,\n2026-11-22,reach,,1,,,\n"
	if got, err := ReadEntriesCSV(strings.NewReader(broken), csvPlan()); got != nil || err == nil {
		t.Errorf("broken file: %d entries, %v", len(got), err)
	}

	// The reader's error.
	readErr := errors.New("network down")
	if _, err := ReadEntriesCSV(iotest.ErrReader(readErr), csvPlan()); !errors.Is(err, readErr) {
		t.Errorf("reader error: %v", err)
	}
}

func TestDecodeCP1251(t *testing.T) {
	in := []byte{'A', 0xC0, 0xDF, 0xE0, 0xFF, 0xA8, 0xB8, 0xB9, 0x96, 0xAB, 0xBB, 0x98}
	if got := string(decodeCP1251(in)); got != "AАЯаяЁё№–«»\uFFFD" {
		t.Errorf("decodeCP1251 = %q", got)
	}
}

func FuzzReadEntriesCSV(f *testing.F) {
	header := "date,metric,metric_name,value,unit,logged_by,logged_at\n"
	f.Add([]byte(header + "2026-11-20,reach,Охват,12500,people,Анна,2026-11-20T10:15:30Z\n"))
	f.Add([]byte(utf8BOM + header + "2026-11-20,engagement,,4.2,,'=x,\n2026-11-20,c1,,7,,\"a,\"\"b\"\"\",\n"))
	f.Add([]byte("date;metric;metric_name;value;unit;logged_by;logged_at\r\n20.11.2026;ctr;CTR;4,2;%;Иван;\r\n"))
	f.Add(toCP1251("date;metric;metric_name;value;unit;logged_by;logged_at\r\n20.11.2026;reach;Охват;1;;Ёжик;\r\n"))
	f.Add([]byte(header + "2026-11-20,reach,,1e3,,,\n2026-11-20,reach,,\"1\n2\",,,\n"))
	f.Add([]byte(header + "31.02.2026,x,,-1,,,bad\n"))
	p := csvPlan()
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ReadEntriesCSV(bytes.NewReader(data), p)
		if err != nil {
			var ce *CSVError
			switch {
			case errors.As(err, &ce):
				if len(ce.Rows) == 0 || len(ce.Rows) > MaxCSVErrors || ce.Total < len(ce.Rows) {
					t.Fatalf("CSVError %+v", ce)
				}
				for _, r := range ce.Rows {
					if r.Line < 1 || r.Reason == "" {
						t.Fatalf("row error %+v", r)
					}
				}
			case errors.Is(err, ErrCSVEmpty), errors.Is(err, ErrCSVTooLarge):
			default:
				t.Fatalf("error %v", err)
			}
			if entries != nil {
				t.Fatalf("%d entries with an error", len(entries))
			}
			return
		}
		if len(entries) == 0 {
			t.Fatal("no entries and no error")
		}
		for _, e := range entries {
			m, ok := p.Metric(e.Metric)
			if !ok || e.Validate() != nil || CheckValue(m, e.Value) != nil || e.ID != "" || e.By != 0 || !utf8.ValidString(e.ByName) {
				t.Fatalf("entry %+v", e)
			}
		}
		// What was read is written and read back the same.
		var buf bytes.Buffer
		if err := WriteEntriesCSV(&buf, entries, p, Russian); err != nil {
			t.Fatal(err)
		}
		again, err := ReadEntriesCSV(&buf, p)
		if err != nil {
			t.Fatalf("read back: %v\n%q", err, buf.String())
		}
		if err := sameEntries(again, entries); err != nil {
			t.Fatalf("read back: %v", err)
		}
	})
}
