package storage

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// filled returns a T with every field set, down to the fields of nested
// structs, and n elements in every slice: a field added to kpi later is
// set too, so the scan tests fail until decode.go reads it.
func filled[T any](n int) T {
	var v T
	seq := 0
	fill(reflect.ValueOf(&v).Elem(), n, &seq)
	return v
}

func fill(v reflect.Value, n int, seq *int) {
	*seq++
	switch v.Type() {
	case reflect.TypeFor[kpi.Date]():
		v.Set(reflect.ValueOf(kpi.Date{Year: 2026, Month: time.Month(1 + *seq%12), Day: 1 + *seq%28}))
		return
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2026, 11, 27, 9, *seq%60, 5, 123456789, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("Охват «" + strconv.Itoa(*seq) + "» — reach")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*seq % 7))
	case reflect.Float64:
		v.SetFloat(float64(*seq) * 1.25)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(v.Index(i), n, seq)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n, seq)
		}
	default:
		panic("fill: add a case for " + v.Type().String())
	}
}

// samples are values as the bot stores them: every field set, and every
// optional field empty.
func sampleEntries() []kpi.Entry {
	return []kpi.Entry{filled[kpi.Entry](2), {Metric: "er", Value: 4.2, Date: kpi.Date{Year: 2026, Month: 11, Day: 20}}}
}

func sampleWorkspaces() []kpi.Workspace {
	return []kpi.Workspace{filled[kpi.Workspace](2), {ChatID: 42, Type: kpi.ChatPrivate, Lang: kpi.English, Timezone: "UTC"}}
}

func samplePlans() []kpi.Plan {
	full := filled[kpi.Plan](2)
	full.KPIs = filled[[]kpi.KPI](7)
	empty := kpi.Plan{KPIs: []kpi.KPI{{Metric: "reach"}}, Audience: kpi.Audience{Interests: "кофе"}}
	return []kpi.Plan{full, empty, {KPIs: []kpi.KPI{}}}
}

// checkScan fails t unless scan accepts what json.Marshal writes for v and
// gives what json.Unmarshal gives.
func checkScan[T any](t *testing.T, v T, scan func(string) (T, bool)) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := scan(string(b))
	if !ok {
		t.Fatalf("the scan refuses what json.Marshal writes (a field added to %T? read it in decode.go):\n%s", v, b)
	}
	var want T
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scan of %s\n got %+v\nwant %+v", b, got, want)
	}
}

func TestScanReadsWhatMarshalWrites(t *testing.T) {
	for _, e := range sampleEntries() {
		checkScan(t, e, scanEntry)
	}
	for _, w := range sampleWorkspaces() {
		checkScan(t, w, scanWorkspace)
	}
	for _, p := range samplePlans() {
		checkScan(t, p, scanPlan)
	}
}

// Text in another form than json.Marshal's, and text json.Unmarshal
// refuses, decode as json.Unmarshal decodes them: the same value or the
// same error.
func TestDecodeAsJSON(t *testing.T) {
	const entry = `{"id":"a1","metric":"reach","value":12500,"date":"2026-11-20","by":7,"by_name":"Аня","at":"2026-11-20T09:00:00Z"}`
	for _, raw := range []string{
		entry,
		strings.ReplaceAll(entry, ",", ", "),
		strings.Replace(entry, `"a1"`, `"\u0061\u0031"`, 1),
		strings.Replace(entry, `"metric"`, `"Metric"`, 1),
		strings.Replace(entry, `"id":"a1",`, ``, 1),
		strings.Replace(entry, `{`, `{"note":"x",`, 1),
		strings.Replace(entry, `"by":7`, `"by":7,"by":8`, 1),
		strings.Replace(entry, `"Аня"`, `null`, 1),
		strings.Replace(entry, `12500`, `1.25e4`, 1),
		strings.Replace(entry, `12500`, `01`, 1),
		strings.Replace(entry, `12500`, `1e999`, 1),
		strings.Replace(entry, `"2026-11-20"`, `"2026-02-30"`, 1),
		strings.Replace(entry, `"by":7`, `"by":7.5`, 1),
		strings.Replace(entry, `"2026-11-20T09:00:00Z"`, `"yesterday"`, 1),
		entry + `x`,
		``, `{`, `null`, `[]`,
	} {
		got, err := decodeEntry(raw)
		var want kpi.Entry
		jerr := json.Unmarshal([]byte(raw), &want)
		if (err == nil) != (jerr == nil) || err != nil && err.Error() != jerr.Error() || err == nil && got != want {
			t.Errorf("%s:\n got %+v, %v\nwant %+v, %v", raw, got, err, want, jerr)
		}
	}
}

// fuzzScan checks that whatever scan accepts, json.Unmarshal accepts and
// decodes the same.
func fuzzScan[T any](f *testing.F, samples []T, scan func(string) (T, bool)) {
	for _, v := range samples {
		b, _ := json.Marshal(v)
		f.Add(string(b))
		f.Add(strings.Replace(string(b), `"`, ` "`, 3))
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := scan(raw)
		if !ok {
			return
		}
		var want T
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("scan accepts %q, json.Unmarshal says %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scan of %q\n got %+v\nwant %+v", raw, got, want)
		}
	})
}

func FuzzScanEntry(f *testing.F)     { fuzzScan(f, sampleEntries(), scanEntry) }
func FuzzScanWorkspace(f *testing.F) { fuzzScan(f, sampleWorkspaces(), scanWorkspace) }
func FuzzScanPlan(f *testing.F)      { fuzzScan(f, samplePlans(), scanPlan) }

// BenchmarkDecode compares json.Unmarshal with the scan on an entry, a
// workspace and a plan of 7 KPIs as json.Marshal writes them.
func BenchmarkDecode(b *testing.B) {
	p := samplePlans()[0]
	for _, tc := range []struct {
		name string
		v    any
		scan func(string) bool
	}{
		{"entry", sampleEntries()[0], func(s string) bool { _, ok := scanEntry(s); return ok }},
		{"workspace", sampleWorkspaces()[0], func(s string) bool { _, ok := scanWorkspace(s); return ok }},
		{"plan", p, func(s string) bool { _, ok := scanPlan(s); return ok }},
	} {
		js, _ := json.Marshal(tc.v)
		raw := string(js) // as go-redis returns it
		b.Run(tc.name+"/json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v := reflect.New(reflect.TypeOf(tc.v)).Interface()
				if err := json.Unmarshal([]byte(raw), v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/scan", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !tc.scan(raw) {
					b.Fatal("refused")
				}
			}
		})
	}
}
