package kpi

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Goal is a business goal the plan serves (step 1).
type Goal string

// The preset goals; an owner may also word a goal of their own.
const (
	GoalSales     Goal = "sales"
	GoalService   Goal = "service"
	GoalAwareness Goal = "awareness"
)

// Goals lists the preset goals in the order the bot offers them.
var Goals = []Goal{GoalSales, GoalService, GoalAwareness}

// goalMetrics are the catalogue metrics that serve each goal (SPEC 4.3).
var goalMetrics = map[Goal][]string{
	GoalSales:     {"conversions", "ctr"},
	GoalAwareness: {"reach", "follower_growth", "engagement"},
	GoalService:   {"engagement", "response_time"},
}

// SuggestedMetrics returns the catalogue keys that serve the goals, in
// catalogue order, without repeats.
func SuggestedMetrics(goals []Goal) []string {
	var out []string
	for _, m := range Catalog {
		for _, g := range goals {
			if slices.Contains(goalMetrics[g], m.Key) && !slices.Contains(out, m.Key) {
				out = append(out, m.Key)
			}
		}
	}
	return out
}

// FitsGoals reports whether metric serves at least one of the goals. A
// custom metric, or a plan with only its own wording of the goal, cannot be
// judged and fits.
func FitsGoals(m Metric, goals []Goal) bool {
	if m.Custom || len(goals) == 0 {
		return true
	}
	for _, g := range goals {
		if slices.Contains(goalMetrics[g], m.Key) {
			return true
		}
	}
	return false
}

// The audience answers of step 2.
var (
	AgeBands  = []string{"13-17", "18-24", "25-34", "35-44", "45-54", "55+"}
	Platforms = []string{"telegram", "vk", "instagram", "youtube", "tiktok", "other"}
	DayParts  = []string{"morning", "day", "evening", "night"}
)

// Audience is who the plan's content is for (step 2).
type Audience struct {
	Ages      []string `json:"ages,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	Active    []string `json:"active,omitempty"` // day parts when the audience is online
	Interests string   `json:"interests,omitempty"`
}

// Where a KPI's numbers come from, and how often they are logged (step 5).
var (
	Sources     = []string{"manual", "platform", "analytics", "other"}
	Frequencies = []string{"daily", "weekly"}
)

// KPI is one metric with its SMART target.
type KPI struct {
	Metric    string  `json:"metric"`
	Baseline  float64 `json:"baseline"`
	Target    float64 `json:"target"`
	Deadline  Date    `json:"deadline"`
	Source    string  `json:"source,omitempty"`
	Frequency string  `json:"frequency,omitempty"`
}

// Review rhythms and alert thresholds of step 6.
var (
	Reviews         = []string{"weekly", "monthly"}
	AlertThresholds = []int{10, 20, 30}
)

// MaxKPIs is where the bot warns that a plan lost focus.
const MaxKPIs = 5

// MaxText is the longest free-text answer kept (goal wording, interests).
const MaxText = 200

// Plan is a workspace's KPI plan, one version of it.
type Plan struct {
	Version        int       `json:"version"`
	Goals          []Goal    `json:"goals,omitempty"`
	GoalText       string    `json:"goal_text,omitempty"`
	BusinessTarget string    `json:"business_target,omitempty"`
	Audience       Audience  `json:"audience"`
	Custom         []Metric  `json:"custom,omitempty"`
	KPIs           []KPI     `json:"kpis"`
	Review         string    `json:"review,omitempty"`
	AlertPct       int       `json:"alert_pct"`
	Start          Date      `json:"start"`
	Created        time.Time `json:"created"`
	CreatedBy      int64     `json:"created_by,omitempty"`
}

// Metric returns the definition of a metric the plan uses: a catalogue
// metric or one of the plan's custom metrics.
func (p Plan) Metric(key string) (Metric, bool) {
	for _, m := range p.Custom {
		if m.Key == key {
			return m, true
		}
	}
	return CatalogMetric(key)
}

// KPI returns the plan's KPI on metric key, or false.
func (p Plan) KPI(key string) (KPI, bool) {
	for _, k := range p.KPIs {
		if k.Metric == key {
			return k, true
		}
	}
	return KPI{}, false
}

// Validate returns an error wrapping ErrInvalid when the plan cannot be
// saved: no goal, no KPI, a KPI on an unknown metric or with a target that
// fails CheckTarget, an unknown alert threshold, or texts that are too long.
func (p Plan) Validate() error {
	switch {
	case len(p.Goals) == 0 && strings.TrimSpace(p.GoalText) == "":
		return fmt.Errorf("plan: no goal: %w", ErrInvalid)
	case len(p.KPIs) == 0:
		return fmt.Errorf("plan: no KPI: %w", ErrInvalid)
	case !slices.Contains(AlertThresholds, p.AlertPct):
		return fmt.Errorf("plan: alert threshold %d: %w", p.AlertPct, ErrInvalid)
	case utf8.RuneCountInString(p.GoalText) > MaxText || utf8.RuneCountInString(p.BusinessTarget) > MaxText ||
		utf8.RuneCountInString(p.Audience.Interests) > MaxText:
		return fmt.Errorf("plan: text over %d characters: %w", MaxText, ErrInvalid)
	}
	for _, g := range p.Goals {
		if !slices.Contains(Goals, g) {
			return fmt.Errorf("plan: goal %q: %w", g, ErrInvalid)
		}
	}
	for _, m := range p.Custom {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	for _, k := range p.KPIs {
		m, ok := p.Metric(k.Metric)
		if !ok {
			return fmt.Errorf("plan: unknown metric %q: %w", k.Metric, ErrInvalid)
		}
		if _, err := CheckTarget(m, k.Baseline, k.Target, p.Start, k.Deadline); err != nil {
			return fmt.Errorf("plan: %s: %w", k.Metric, err)
		}
	}
	return nil
}
