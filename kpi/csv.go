package kpi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of ReadEntriesCSV.
const (
	// MaxCSVBytes is the largest file ReadEntriesCSV reads: 5 MiB.
	MaxCSVBytes = 5 << 20
	// MaxCSVRows is the most data rows ReadEntriesCSV reads.
	MaxCSVRows = 100_000
	// MaxCSVErrors is the most bad rows a CSVError lists.
	MaxCSVErrors = 20
)

// Errors of ReadEntriesCSV that concern the whole file; both wrap ErrInvalid.
var (
	// ErrCSVEmpty means the file has no data rows.
	ErrCSVEmpty = fmt.Errorf("csv: no entries: %w", ErrInvalid)
	// ErrCSVTooLarge means the file is over MaxCSVBytes or MaxCSVRows.
	ErrCSVTooLarge = fmt.Errorf("csv: over %d bytes or %d rows: %w", MaxCSVBytes, MaxCSVRows, ErrInvalid)
)

// The reasons of RowError, fixed texts the bot can translate.
const (
	ReasonHeader   = "not the header"     // line 1 is not the header row
	ReasonSyntax   = "malformed CSV"      // bad quoting
	ReasonColumns  = "wrong column count" // not 7 columns
	ReasonDate     = "bad date"
	ReasonMetric   = "unknown metric" // a key that is no metric of the plan
	ReasonNumber   = "bad number"
	ReasonRange    = "value out of range" // CheckValue refused the value
	ReasonLoggedAt = "bad logged_at"
)

// csvHeader is the header row of the export.
var csvHeader = []string{"date", "metric", "metric_name", "value", "unit", "logged_by", "logged_at"}

// utf8BOM is the byte order mark that tells Excel a file is UTF-8.
const utf8BOM = "\uFEFF"

// RowError is one bad row of an imported file.
type RowError struct {
	Line   int    // line number in the file, from 1 (the header)
	Reason string // one of the Reason constants
	Value  string // the offending cell as in the file, or the column count; may be empty
}

// String returns the row error in English: `line 3: bad date "31.02.2026"`.
func (e RowError) String() string {
	if e.Value == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s %q", e.Line, e.Reason, e.Value)
}

// CSVError lists the bad rows of a file ReadEntriesCSV refused.
type CSVError struct {
	Rows  []RowError // the first MaxCSVErrors bad rows, in file order
	Total int        // the number of bad rows, listed or not
}

// Error returns the bad rows in English, for logs.
func (e *CSVError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csv: %d bad rows", e.Total)
	for i, r := range e.Rows {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	if more := e.Total - len(e.Rows); more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *CSVError) Unwrap() error { return ErrInvalid }

// WriteEntriesCSV writes entries as CSV for a spreadsheet: a UTF-8 BOM, the
// header "date,metric,metric_name,value,unit,logged_by,logged_at" and one
// row per entry, lines ending in CRLF. The date is ISO ("2026-11-20"),
// metric the key, metric_name its Title in l (Russian for a language
// other than English; the key and an empty unit for a metric plan p does
// not know), value with a dot decimal and no grouping
// (strconv 'f', -1), unit the metric's unit, logged_by the logger's name,
// and logged_at RFC 3339 in UTC with as many fraction digits as needed
// (empty for a zero time). A text cell that would start with = + - or @
// gets a leading apostrophe so a spreadsheet does not run it as a formula;
// ReadEntriesCSV removes it.
//
// It fails with an error wrapping ErrInvalid, before writing anything, when
// an entry does not pass Entry.Validate, and otherwise with w's error.
func WriteEntriesCSV(w io.Writer, entries []Entry, p Plan, l Lang) error {
	for _, e := range entries {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	if l != English {
		l = Russian
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	rec := make([]string, len(csvHeader))
	for _, e := range entries {
		name, unit := e.Metric, ""
		if m, ok := p.Metric(e.Metric); ok {
			name, unit = m.Title(l), string(m.Unit)
		}
		at := ""
		if !e.At.IsZero() {
			at = e.At.UTC().Format(time.RFC3339Nano)
		}
		v := e.Value
		if v == 0 {
			v = 0 // no "-0"
		}
		rec[0] = e.Date.String()
		rec[1] = e.Metric
		rec[2] = csvText(name)
		rec[3] = strconv.FormatFloat(v, 'f', -1, 64)
		rec[4] = csvText(unit)
		rec[5] = csvText(e.ByName)
		rec[6] = at
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// csvFormulaStart reports whether s, after any apostrophes, starts with a
// character that makes a spreadsheet read a cell as a formula.
func csvFormulaStart(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.ContainsRune("=+-@", rune(t[0]))
}

// csvText returns s safe from formula injection: with an apostrophe before
// it when csvFormulaStart.
func csvText(s string) string {
	if csvFormulaStart(s) {
		return "'" + s
	}
	return s
}

// csvUntext undoes csvText.
func csvUntext(s string) string {
	if strings.HasPrefix(s, "'") && csvFormulaStart(s) {
		return s[1:]
	}
	return s
}

// csvNumberRe is what a value cell may be: digits with an optional dot or
// comma decimal and exponent ("12500", "4,2", "1E+12"); no grouping.
var csvNumberRe = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// ReadEntriesCSV parses a file WriteEntriesCSV wrote, also after a
// spreadsheet saved it again. The BOM is optional; the separator is ';'
// when the first line has more semicolons than commas, as Excel in a Russian
// locale saves, and ',' otherwise. A file that is not valid UTF-8 is read
// as Windows-1251, the encoding of Excel's plain CSV in that locale. The
// first row must be the header (case and spaces do not matter); rows whose
// cells are all blank are skipped; cells are trimmed. Columns:
//
//   - date: "2026-11-20", or day first as "20.11.2026" as Excel rewrites it;
//   - metric: a key plan p knows (p.Metric);
//   - metric_name, unit: ignored;
//   - value: digits with a dot or comma decimal and an optional exponent,
//     no grouping; it must pass CheckValue;
//   - logged_by: any text (control characters become spaces);
//   - logged_at: RFC 3339, or empty for a zero time.
//
// Entries get an empty ID, By 0, ByName from logged_by and At from logged_at
// in UTC; the caller assigns ids. ReadEntriesCSV returns every entry, or
// none and an error: ErrCSVEmpty for a file with no data rows,
// ErrCSVTooLarge over MaxCSVBytes or MaxCSVRows, a *CSVError listing each
// bad row (line number and reason, at most MaxCSVErrors), or r's error.
func ReadEntriesCSV(r io.Reader, p Plan) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	if len(data) > MaxCSVBytes {
		return nil, ErrCSVTooLarge
	}
	data, hadBOM := bytes.CutPrefix(data, []byte(utf8BOM))
	if !hadBOM && !utf8.Valid(data) {
		data = decodeCP1251(data)
	}
	if len(bytes.TrimFunc(data, unicode.IsSpace)) == 0 {
		return nil, ErrCSVEmpty
	}

	cr := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	cerr := &CSVError{}
	bad := func(line int, reason, value string) {
		cerr.Total++
		if len(cerr.Rows) < MaxCSVErrors {
			cerr.Rows = append(cerr.Rows, RowError{Line: line, Reason: reason, Value: value})
		}
	}

	header, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad(pe.StartLine, ReasonSyntax, pe.Err.Error())
			return nil, cerr
		}
		return nil, fmt.Errorf("csv: %w", err)
	}
	if !csvIsHeader(header) {
		line, _ := cr.FieldPos(0)
		bad(line, ReasonHeader, strings.Join(header, string(cr.Comma)))
		return nil, cerr
	}

	var entries []Entry
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("csv: %w", err)
			}
			if rows++; rows > MaxCSVRows {
				return nil, ErrCSVTooLarge
			}
			bad(pe.StartLine, ReasonSyntax, pe.Err.Error())
			continue
		}
		if csvBlank(rec) {
			continue
		}
		if rows++; rows > MaxCSVRows {
			return nil, ErrCSVTooLarge
		}
		line, _ := cr.FieldPos(0)
		e, reason, value := csvEntry(rec, p)
		if reason != "" {
			bad(line, reason, value)
			continue
		}
		if cerr.Total == 0 {
			entries = append(entries, e)
		}
	}
	if cerr.Total > 0 {
		return nil, cerr
	}
	if len(entries) == 0 {
		return nil, ErrCSVEmpty
	}
	return entries, nil
}

// csvIsHeader reports whether rec is the header row.
func csvIsHeader(rec []string) bool {
	if len(rec) != len(csvHeader) {
		return false
	}
	for i, h := range csvHeader {
		if !strings.EqualFold(strings.TrimSpace(rec[i]), h) {
			return false
		}
	}
	return true
}

// csvBlank reports whether every cell of rec is blank.
func csvBlank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvEntry reads one data row. On a bad row it returns the reason and the
// offending cell.
func csvEntry(rec []string, p Plan) (e Entry, reason, value string) {
	if len(rec) != len(csvHeader) {
		return Entry{}, ReasonColumns, strconv.Itoa(len(rec))
	}
	cell := func(i int) string { return strings.TrimSpace(rec[i]) }

	dateCell := cell(0)
	d, ok := parseISODate(dateCell)
	if !ok {
		var hasYear bool
		d, hasYear, ok = parseNumericDate(dateCell)
		ok = ok && hasYear
	}
	if !ok || !d.Valid() {
		return Entry{}, ReasonDate, dateCell
	}

	key := cell(1)
	m, ok := p.Metric(key)
	if !ok {
		return Entry{}, ReasonMetric, key
	}

	valueCell := cell(3)
	if !csvNumberRe.MatchString(valueCell) {
		return Entry{}, ReasonNumber, valueCell
	}
	v, err := strconv.ParseFloat(strings.Replace(valueCell, ",", ".", 1), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return Entry{}, ReasonRange, valueCell
		}
		return Entry{}, ReasonNumber, valueCell
	}
	if v == 0 {
		v = 0 // "-0" is 0
	}
	if CheckValue(m, v) != nil {
		return Entry{}, ReasonRange, valueCell
	}

	var at time.Time
	if atCell := cell(6); atCell != "" {
		t, err := time.Parse(time.RFC3339, atCell)
		if err != nil {
			return Entry{}, ReasonLoggedAt, atCell
		}
		at = t.UTC()
	}

	return Entry{Metric: m.Key, Value: v, Date: d, ByName: csvName(rec[5]), At: at}, "", ""
}

// csvName cleans a logged_by cell: valid UTF-8, control characters as
// spaces, trimmed, without csvText's apostrophe.
func csvName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return csvUntext(strings.TrimSpace(s))
}

// cp1251High maps the bytes 0x80-0xBF of Windows-1251 to runes; 0xC0-0xFF
// are А-я, U+0410-U+044F. 0x98 is unassigned.
var cp1251High = [64]rune{
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
	0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
	0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
	0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
	0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
}

// decodeCP1251 returns b, Windows-1251 text, as UTF-8.
func decodeCP1251(b []byte) []byte {
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xC0:
			out = utf8.AppendRune(out, cp1251High[c-0x80])
		default:
			out = utf8.AppendRune(out, 0x0410+rune(c-0xC0))
		}
	}
	return out
}
