package kpi

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// recToday is a Wednesday: its ISO week runs 2026-03-09 to 2026-03-15, the
// week before from 2026-03-02, two weeks before from 2026-02-23.
var recToday = periodDate("2026-03-11")

// recMetrics are the KPIs of recInputs: five, so the plan is not too big.
var recMetrics = []string{"reach", "engagement", "conversions", "follower_growth", "ctr"}

// recProg is a Progress with status s and a latest value v in today's week.
func recProg(s Status, v, pace, behind float64) Progress {
	return Progress{Status: s, Latest: Point{Period: WeekOf(recToday), Value: v, OK: true}, Pace: pace, BehindPct: behind}
}

// recInputs is a healthy plan for sales and awareness: five KPIs, all on
// track, each logged yesterday. Cases change one thing.
func recInputs() Inputs {
	in := Inputs{
		Plan: Plan{
			Goals:    []Goal{GoalSales, GoalAwareness},
			Audience: Audience{Active: []string{"evening", "morning"}},
			AlertPct: 20,
			Start:    periodDate("2026-01-05"),
		},
		Progress: map[string]Progress{},
		Entries:  map[string][]Entry{},
		Today:    recToday,
	}
	for _, m := range recMetrics {
		in.Plan.KPIs = append(in.Plan.KPIs, KPI{Metric: m, Baseline: 10, Target: 100, Deadline: periodDate("2026-03-31")})
		in.Progress[m] = recProg(StatusOnTrack, 80, 75, 0)
		in.Entries[m] = []Entry{progEntry(m, "2026-03-10", 80)}
	}
	return in
}

// recFind returns the advice of rule on metric, if any.
func recFind(as []Advice, rule, metric string) (Advice, bool) {
	i := slices.IndexFunc(as, func(a Advice) bool { return a.Rule == rule && a.Metric == metric })
	if i < 0 {
		return Advice{}, false
	}
	return as[i], true
}

// recQuiet removes every entry and marks every KPI as without data since
// the week of last ("" for never logged).
func recQuiet(in *Inputs, last string) {
	in.Entries = map[string][]Entry{}
	for _, k := range in.Plan.KPIs {
		p := Progress{Status: StatusNoData, Pace: 70}
		if last != "" {
			in.Entries[k.Metric] = []Entry{progEntry(k.Metric, last, 40)}
			p.Latest = Point{Period: WeekOf(periodDate(last)), Value: 40, OK: true}
		}
		in.Progress[k.Metric] = p
	}
}

// anyBehind stands for the four *_behind rules in TestRecommendRules.
const anyBehind = "any_behind"

func TestRecommendRules(t *testing.T) {
	behindScore := func(b float64) float64 { return scoreBehind + 100*b/(b+100) }
	riskScore := func(b float64) float64 { return scoreAtRisk + 100*b/(b+100) }
	noDataScore := func(w int) float64 { return scoreNoData + 100*float64(10*w)/float64(10*w+100)/2 }

	tests := []struct {
		name   string
		change func(in *Inputs)
		rule   string
		metric string
		want   *Advice // nil: the rule must not fire on metric
	}{
		// engagement_behind
		{"engagement behind", func(in *Inputs) { in.Progress["engagement"] = recProg(StatusBehind, 3.4, 4, 15) },
			RuleEngagementBehind, "engagement",
			&Advice{Step: 6, Score: behindScore(15), Value: 3.4, Pace: 4, Target: 100, BehindPct: 15}},
		{"engagement at risk", func(in *Inputs) { in.Progress["engagement"] = recProg(StatusAtRisk, 2, 4, 50) },
			RuleEngagementBehind, "engagement",
			&Advice{Step: 6, Score: riskScore(50), Value: 2, Pace: 4, Target: 100, BehindPct: 50}},
		{"engagement on track", func(in *Inputs) {}, RuleEngagementBehind, "engagement", nil},
		{"engagement achieved", func(in *Inputs) { in.Progress["engagement"] = recProg(StatusAchieved, 100, 90, 0) },
			RuleEngagementBehind, "engagement", nil},
		{"engagement without progress", func(in *Inputs) { delete(in.Progress, "engagement") },
			RuleEngagementBehind, "engagement", nil},
		{"reach behind is not engagement", func(in *Inputs) { in.Progress["reach"] = recProg(StatusBehind, 60, 75, 20) },
			RuleEngagementBehind, "reach", nil},

		// reach_behind
		{"reach behind: first chosen day part", func(in *Inputs) { in.Progress["reach"] = recProg(StatusBehind, 60, 75, 20) },
			RuleReachBehind, "reach",
			&Advice{Step: 2, Score: behindScore(20), Value: 60, Pace: 75, Target: 100, BehindPct: 20, DayPart: "evening"}},
		{"reach at risk, no day part chosen", func(in *Inputs) {
			in.Progress["reach"] = recProg(StatusAtRisk, 30, 75, 60)
			in.Plan.Audience.Active = nil
		}, RuleReachBehind, "reach",
			&Advice{Step: 2, Score: riskScore(60), Value: 30, Pace: 75, Target: 100, BehindPct: 60}},
		{"reach behind, unknown day parts skipped", func(in *Inputs) {
			in.Progress["reach"] = recProg(StatusBehind, 60, 75, 20)
			in.Plan.Audience.Active = []string{"", "noon", "day", "night"}
		}, RuleReachBehind, "reach",
			&Advice{Step: 2, Score: behindScore(20), Value: 60, Pace: 75, Target: 100, BehindPct: 20, DayPart: "day"}},
		{"reach on track", func(in *Inputs) {}, RuleReachBehind, "reach", nil},
		{"reach no data", func(in *Inputs) { in.Progress["reach"] = Progress{Status: StatusNoData} }, RuleReachBehind, "reach", nil},

		// conversion_behind
		{"conversions behind", func(in *Inputs) { in.Progress["conversions"] = recProg(StatusBehind, 8, 9, 11.1) },
			RuleConversionBehind, "conversions",
			&Advice{Step: 6, Score: behindScore(11.1), Value: 8, Pace: 9, Target: 100, BehindPct: 11.1}},
		{"ctr at risk by its forecast only", func(in *Inputs) { in.Progress["ctr"] = recProg(StatusAtRisk, 1.5, 1.4, 0) },
			RuleConversionBehind, "ctr",
			&Advice{Step: 6, Score: scoreAtRisk, Value: 1.5, Pace: 1.4, Target: 100}},
		{"conversions on track", func(in *Inputs) {}, RuleConversionBehind, "conversions", nil},
		{"ctr achieved", func(in *Inputs) { in.Progress["ctr"] = recProg(StatusAchieved, 100, 90, 0) },
			RuleConversionBehind, "ctr", nil},

		// growth_behind
		{"follower growth behind", func(in *Inputs) { in.Progress["follower_growth"] = recProg(StatusBehind, 40, 50, 20) },
			RuleGrowthBehind, "follower_growth",
			&Advice{Step: 6, Score: behindScore(20), Value: 40, Pace: 50, Target: 100, BehindPct: 20}},
		{"followers at risk", func(in *Inputs) {
			in.Plan.KPIs = append(in.Plan.KPIs[:4:4], KPI{Metric: "followers", Baseline: 500, Target: 800})
			in.Progress["followers"] = recProg(StatusAtRisk, 520, 700, 25.7)
		}, RuleGrowthBehind, "followers",
			&Advice{Step: 6, Score: riskScore(25.7), Value: 520, Pace: 700, Target: 800, BehindPct: 25.7}},
		{"follower growth on track", func(in *Inputs) {}, RuleGrowthBehind, "follower_growth", nil},
		{"response time behind has no rule", func(in *Inputs) {
			in.Plan.Goals = append(in.Plan.Goals, GoalService)
			in.Plan.KPIs = append(in.Plan.KPIs[:4:4], KPI{Metric: "response_time", Baseline: 60, Target: 15})
			in.Progress["response_time"] = recProg(StatusBehind, 40, 35, 14)
		}, anyBehind, "response_time", nil},
		{"custom metric behind has no rule", func(in *Inputs) {
			in.Plan.Custom = []Metric{{Key: "c1", Name: "Записи", Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true}}
			in.Plan.KPIs = append(in.Plan.KPIs[:4:4], KPI{Metric: "c1", Baseline: 5, Target: 20})
			in.Progress["c1"] = recProg(StatusAtRisk, 5, 15, 66)
		}, anyBehind, "c1", nil},

		// no_data
		{"no data for 3 weeks", func(in *Inputs) {
			in.Entries["ctr"] = []Entry{progEntry("ctr", "2026-02-17", 1.2), progEntry("ctr", "2026-02-10", 1.1)}
			in.Progress["ctr"] = Progress{Status: StatusNoData, Pace: 1.6, BehindPct: 25,
				Latest: Point{Period: WeekOf(periodDate("2026-02-17")), Value: 1.2, OK: true}}
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(3), Value: 1.2, Pace: 1.6, Target: 100, Weeks: 3}},
		{"no data: the entries are more recent than the progress", func(in *Inputs) {
			in.Entries["ctr"] = []Entry{progEntry("ctr", "2026-02-24", 1.2)}
			in.Progress["ctr"] = Progress{Status: StatusNoData, Pace: 1.6,
				Latest: Point{Period: WeekOf(periodDate("2026-02-10")), Value: 1.0, OK: true}}
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(2), Value: 1.0, Pace: 1.6, Target: 100, Weeks: 2}},
		{"no data: the progress is more recent than the entries", func(in *Inputs) {
			in.Entries["ctr"] = nil
			in.Progress["ctr"] = Progress{Status: StatusNoData, Pace: 1.6,
				Latest: Point{Period: WeekOf(periodDate("2026-01-28")), Value: 1.0, OK: true}}
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(6), Value: 1.0, Pace: 1.6, Target: 100, Weeks: 6}},
		{"never logged, plan started 9 weeks ago", func(in *Inputs) {
			delete(in.Entries, "ctr")
			in.Progress["ctr"] = Progress{Status: StatusNoData, Pace: 1.6}
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(9), Pace: 1.6, Target: 100, Weeks: 9}},
		{"never logged, plan without a start", func(in *Inputs) {
			in.Plan.Start = Date{}
			delete(in.Entries, "ctr")
			in.Progress["ctr"] = Progress{Status: StatusNoData}
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(0), Target: 100}},
		{"never logged, plan started last week", func(in *Inputs) {
			in.Plan.Start = periodDate("2026-03-05")
			delete(in.Entries, "ctr")
			in.Progress["ctr"] = Progress{Status: StatusNoData}
		}, RuleNoData, "ctr", nil},
		{"no data, but the whole plan is quiet", func(in *Inputs) { recQuiet(in, "2026-02-17") }, RuleNoData, "ctr", nil},
		{"no data, whole plan quiet but the report was read", func(in *Inputs) {
			recQuiet(in, "2026-02-17")
			in.LastReportSeen = true
		}, RuleNoData, "ctr",
			&Advice{Step: 5, Score: noDataScore(3), Value: 40, Pace: 70, Target: 100, Weeks: 3}},
		{"logged last week is not no data", func(in *Inputs) {
			in.Entries["ctr"] = []Entry{progEntry("ctr", "2026-03-02", 1.2)}
			in.Progress["ctr"] = recProg(StatusBehind, 1.2, 1.4, 14)
		}, RuleNoData, "ctr", nil},

		// target_met
		{"target met", func(in *Inputs) { in.Progress["reach"] = recProg(StatusAchieved, 104, 90, 0) },
			RuleTargetMet, "reach",
			&Advice{Step: 4, Score: scoreTargetMet, Value: 104, Pace: 90, Target: 100}},
		{"target not yet met", func(in *Inputs) {}, RuleTargetMet, "reach", nil},
		{"target met long ago, no data since", func(in *Inputs) {
			in.Entries["reach"] = []Entry{progEntry("reach", "2026-02-03", 120)}
			in.Progress["reach"] = Progress{Status: StatusNoData, Latest: Point{Period: WeekOf(periodDate("2026-02-03")), Value: 120, OK: true}}
		}, RuleTargetMet, "reach", nil},

		// too_many_kpis
		{"six KPIs", func(in *Inputs) {
			in.Plan.KPIs = append(in.Plan.KPIs, KPI{Metric: "followers", Target: 900})
		}, RuleTooManyKPIs, "", &Advice{Step: 3, Score: scoreTooMany, Count: 6}},
		{"five KPIs", func(in *Inputs) {}, RuleTooManyKPIs, "", nil},
		{"six KPIs on five metrics", func(in *Inputs) {
			in.Plan.KPIs = append(in.Plan.KPIs, in.Plan.KPIs[0])
		}, RuleTooManyKPIs, "", nil},

		// off_goal
		{"reach for sales only", func(in *Inputs) { in.Plan.Goals = []Goal{GoalSales} },
			RuleOffGoal, "reach", &Advice{Step: 1, Score: scoreOffGoal, Target: 100}},
		{"reach for awareness", func(in *Inputs) {}, RuleOffGoal, "reach", nil},
		{"goal in the owner's words only", func(in *Inputs) { in.Plan.Goals, in.Plan.GoalText = nil, "больше гостей" },
			RuleOffGoal, "reach", nil},
		{"custom metric", func(in *Inputs) {
			in.Plan.Goals = []Goal{GoalService}
			in.Plan.Custom = []Metric{{Key: "c1", Name: "Записи", Unit: UnitCount, Agg: AggSum, Better: HigherBetter, Custom: true}}
			in.Plan.KPIs = []KPI{{Metric: "c1", Target: 20}}
		}, RuleOffGoal, "c1", nil},
		{"unknown metric", func(in *Inputs) {
			in.Plan.Goals = []Goal{GoalService}
			in.Plan.KPIs = []KPI{{Metric: "c9", Target: 20}}
		}, RuleOffGoal, "c9", nil},

		// no_rhythm
		{"nothing logged for 2 weeks", func(in *Inputs) { recQuiet(in, "2026-03-01") },
			RuleNoRhythm, "", &Advice{Step: 6, Score: scoreNoRhythm, Weeks: 2}},
		{"nothing ever logged, plan started 9 weeks ago", func(in *Inputs) { recQuiet(in, "") },
			RuleNoRhythm, "", &Advice{Step: 6, Score: scoreNoRhythm, Weeks: 9}},
		{"an entry dated after this week does not count", func(in *Inputs) {
			recQuiet(in, "2026-02-17")
			in.Entries["reach"] = append(in.Entries["reach"], progEntry("reach", "2026-03-16", 5))
		}, RuleNoRhythm, "", &Advice{Step: 6, Score: scoreNoRhythm, Weeks: 3}},
		{"logged last week", func(in *Inputs) { recQuiet(in, "2026-03-02") }, RuleNoRhythm, "", nil},
		{"logged this week", func(in *Inputs) {}, RuleNoRhythm, "", nil},
		{"quiet, but the last report was read", func(in *Inputs) {
			recQuiet(in, "2026-02-17")
			in.LastReportSeen = true
		}, RuleNoRhythm, "", nil},
		{"raw counts logged this week", func(in *Inputs) {
			recQuiet(in, "2026-02-17")
			in.Entries["reactions"] = []Entry{progEntry("reactions", "2026-03-09", 31)}
		}, RuleNoRhythm, "", nil},
		{"quiet by entries, but the progress saw last week", func(in *Inputs) {
			recQuiet(in, "")
			in.Progress["reach"] = recProg(StatusOnTrack, 80, 75, 0)
			p := in.Progress["reach"]
			p.Latest.Period = WeekOf(periodDate("2026-03-03"))
			in.Progress["reach"] = p
		}, RuleNoRhythm, "", nil},
		{"nothing ever logged, plan started last week", func(in *Inputs) {
			recQuiet(in, "")
			in.Plan.Start = periodDate("2026-03-05")
		}, RuleNoRhythm, "", nil},
		{"nothing ever logged, plan without a start", func(in *Inputs) {
			recQuiet(in, "")
			in.Plan.Start = Date{}
		}, RuleNoRhythm, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			in := recInputs()
			tt.change(&in)
			all := Recommend(in, 100)
			if tt.rule == anyBehind {
				for _, r := range []string{RuleEngagementBehind, RuleReachBehind, RuleConversionBehind, RuleGrowthBehind} {
					if got, ok := recFind(all, r, tt.metric); ok {
						t.Errorf("%s on %q fired: %+v", r, tt.metric, got)
					}
				}
				return
			}
			got, ok := recFind(all, tt.rule, tt.metric)
			if tt.want == nil {
				if ok {
					t.Fatalf("%s on %q fired: %+v", tt.rule, tt.metric, got)
				}
				return
			}
			if !ok {
				t.Fatalf("%s on %q did not fire; got %+v", tt.rule, tt.metric, all)
			}
			want := *tt.want
			want.Rule, want.Metric = tt.rule, tt.metric
			if !progNear(got.Score, want.Score) {
				t.Errorf("score %v, want %v", got.Score, want.Score)
			}
			got.Score, want.Score = 0, 0
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestRecommendHealthy: a plan on track, logged, focused and on its goals
// gets no advice.
func TestRecommendHealthy(t *testing.T) {
	if got := Recommend(recInputs(), 3); len(got) != 0 {
		t.Fatalf("Recommend = %+v, want none", got)
	}
	if got := Recommend(Inputs{}, 3); len(got) != 0 {
		t.Fatalf("Recommend(zero Inputs) = %+v, want none", got)
	}
}

// recBusy is a plan with advice of every kind but no_rhythm.
func recBusy() Inputs {
	in := recInputs()
	in.Plan.Goals = []Goal{GoalSales, GoalService}
	in.Plan.KPIs = append(in.Plan.KPIs, KPI{Metric: "followers", Target: 900}, KPI{Metric: "response_time", Target: 15})
	// Sales and service: reach, follower growth and followers serve neither.
	in.Progress["reach"] = recProg(StatusBehind, 60, 75, 20)          // 116.7
	in.Progress["engagement"] = recProg(StatusAtRisk, 2, 4, 50)       // 333.3
	in.Progress["conversions"] = recProg(StatusBehind, 8, 9, 11.1)    // 110.0
	in.Progress["follower_growth"] = recProg(StatusAtRisk, 1, 4, 75)  // 342.9
	in.Progress["ctr"] = Progress{Status: StatusNoData, Pace: 1.6}    // never logged: 9 weeks, 236.0
	in.Progress["followers"] = recProg(StatusAchieved, 950, 800, 0)   // 90
	in.Progress["response_time"] = recProg(StatusAchieved, 12, 20, 0) // 90
	in.Entries["ctr"] = nil
	return in
}

func TestRecommendRanking(t *testing.T) {
	got := Recommend(recBusy(), 100)
	var ids []string
	for _, a := range got {
		ids = append(ids, a.Rule+":"+a.Metric)
	}
	want := []string{
		"growth_behind:follower_growth", // at risk, 75 % behind
		"engagement_behind:engagement",  // at risk, 50 % behind
		"no_data:ctr",                   // no data above behind
		"reach_behind:reach",            // behind by 20 %
		"conversion_behind:conversions", // behind by 11.1 %
		"target_met:followers",          // equal scores: by metric key
		"target_met:response_time",
		"off_goal:follower_growth", // equal scores: by metric key
		"off_goal:followers",
		"off_goal:reach",
		"too_many_kpis:",
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("order\n got  %s\n want %s", strings.Join(ids, " "), strings.Join(want, " "))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Score > got[i-1].Score {
			t.Errorf("%s (%v) after %s (%v)", ids[i], got[i].Score, ids[i-1], got[i-1].Score)
		}
	}
}

func TestRecommendScoreOrder(t *testing.T) {
	score := func(p Progress) float64 {
		in := recInputs()
		in.Progress["engagement"] = p
		a, ok := recFind(Recommend(in, 100), RuleEngagementBehind, "engagement")
		if !ok {
			t.Fatalf("no advice for %+v", p)
		}
		return a.Score
	}
	// The further behind the higher, within a status, up to MaxPct.
	prev := math.Inf(-1)
	for _, b := range []float64{0.1, 5, 10, 20, 30} {
		s := score(recProg(StatusBehind, 1, 1, b))
		if s <= prev {
			t.Errorf("behind by %v%%: score %v, not above %v", b, s, prev)
		}
		prev = s
	}
	worstBehind := prev
	prev = math.Inf(-1)
	for _, b := range []float64{0, 0.1, 25, 100, 500, MaxPct} {
		s := score(recProg(StatusAtRisk, 1, 1, b))
		if s <= prev {
			t.Errorf("at risk by %v%%: score %v, not above %v", b, s, prev)
		}
		if b == 0 && s <= scoreBehind+100 {
			t.Errorf("at risk on its forecast (%v) not above every behind", s)
		}
		prev = s
	}
	if worstBehind >= scoreNoData || scoreNoData+50 > scoreAtRisk {
		t.Errorf("bands overlap: behind up to %v, no data %v to %v, at risk from %v", worstBehind, scoreNoData, scoreNoData+50, scoreAtRisk)
	}
}

// TestRecommendTieRuleOrder: equal scores go by the order of the rules
// before the metric key ("reach" before "conversions").
func TestRecommendTieRuleOrder(t *testing.T) {
	in := recInputs()
	in.Progress["reach"] = recProg(StatusBehind, 60, 75, 20)
	in.Progress["conversions"] = recProg(StatusBehind, 8, 10, 20)
	in.Progress["ctr"] = recProg(StatusBehind, 1, 1.25, 20)
	got := Recommend(in, 100)
	var ids []string
	for _, a := range got {
		ids = append(ids, a.Rule+":"+a.Metric)
	}
	want := []string{"reach_behind:reach", "conversion_behind:conversions", "conversion_behind:ctr"}
	if !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
}

func TestRecommendMax(t *testing.T) {
	all := Recommend(recBusy(), 100)
	if len(all) != 11 {
		t.Fatalf("%d pieces of advice, want 11", len(all))
	}
	for _, n := range []int{-1, 0, 1, 3, 10, 11, 12} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			got := Recommend(recBusy(), n)
			want := all[:max(0, min(len(all), n))]
			if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
				t.Fatalf("Recommend(max %d) = %d pieces %+v, want the first %d", n, len(got), got, len(want))
			}
		})
	}
}

// TestRecommendNoRhythmAlone: when nothing was logged at all, the plan-wide
// advice stands in for a no_data on every KPI.
func TestRecommendNoRhythmAlone(t *testing.T) {
	in := recInputs()
	recQuiet(&in, "2026-02-17")
	got := Recommend(in, 3)
	if len(got) != 1 || got[0].Rule != RuleNoRhythm || got[0].Weeks != 3 {
		t.Fatalf("Recommend = %+v, want no_rhythm alone, 3 weeks", got)
	}
}

// TestRecommendEachRuleOncePerMetric: a plan that names a metric twice
// gets its advice once.
func TestRecommendEachRuleOncePerMetric(t *testing.T) {
	in := recBusy()
	in.Plan.KPIs = append(in.Plan.KPIs, in.Plan.KPIs...)
	seen := map[string]bool{}
	for _, a := range Recommend(in, 100) {
		id := a.Rule + ":" + a.Metric
		if seen[id] {
			t.Errorf("%s twice", id)
		}
		seen[id] = true
	}
}

func TestRecommendDeterministic(t *testing.T) {
	want := Recommend(recBusy(), 100)
	for i := range 50 {
		in := recBusy()
		// Neither the plan's order of KPIs nor map order matters.
		if i%2 == 1 {
			slices.Reverse(in.Plan.KPIs)
		}
		if got := Recommend(in, 100); !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d:\n got  %+v\n want %+v", i, got, want)
		}
	}
}

// TestRecommendFromEvaluate runs the rules on progress from Evaluate.
func TestRecommendFromEvaluate(t *testing.T) {
	in := recInputs()
	in.Plan.KPIs = []KPI{
		{Metric: "reach", Baseline: 1000, Target: 3000, Deadline: periodDate("2026-03-29")},
		{Metric: "engagement", Baseline: 2, Target: 4, Deadline: periodDate("2026-03-29")},
	}
	in.Entries = map[string][]Entry{
		// Reach stuck at 1 000 a week while the pace line climbs: at risk.
		"reach": {progEntry("reach", "2026-02-17", 1000), progEntry("reach", "2026-02-24", 1000),
			progEntry("reach", "2026-03-03", 1000), progEntry("reach", "2026-03-10", 1000)},
		// Engagement already above its target.
		"engagement": {progEntry("engagement", "2026-03-10", 4.5)},
	}
	in.Progress = map[string]Progress{}
	for _, k := range in.Plan.KPIs {
		m := progMetric(t, k.Metric)
		in.Progress[k.Metric] = Evaluate(k, m, in.Entries[k.Metric], in.Plan.Start, in.Today, in.Plan.AlertPct)
	}
	got := Recommend(in, 3)
	if len(got) != 2 || got[0].Rule != RuleReachBehind || got[1].Rule != RuleTargetMet || got[1].Metric != "engagement" {
		t.Fatalf("Recommend = %+v, want reach_behind then target_met", got)
	}
	if r := got[0]; r.Value != 1000 || r.Target != 3000 || r.DayPart != "evening" || r.BehindPct <= 20 || r.Score < scoreAtRisk {
		t.Errorf("reach advice %+v", r)
	}
}
