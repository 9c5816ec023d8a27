package kpi

import (
	"fmt"
	"math"
	"time"
)

// Entry is one logged value of one metric for one day.
type Entry struct {
	ID     string    `json:"id"`
	Metric string    `json:"metric"`
	Value  float64   `json:"value"`
	Date   Date      `json:"date"`    // the day the value is for, in the workspace's time zone
	By     int64     `json:"by"`      // who logged it (Telegram user id)
	ByName string    `json:"by_name"` // their name then, for history and export
	At     time.Time `json:"at"`      // when it was logged
}

// Validate returns an error wrapping ErrInvalid for an entry that cannot be
// stored: no metric, a value that is not finite, or a date that is not a
// calendar day.
func (e Entry) Validate() error {
	switch {
	case e.Metric == "":
		return fmt.Errorf("entry: no metric: %w", ErrInvalid)
	case math.IsNaN(e.Value) || math.IsInf(e.Value, 0):
		return fmt.Errorf("entry %s: value: %w", e.Metric, ErrInvalid)
	case !e.Date.Valid():
		return fmt.Errorf("entry %s: date %v: %w", e.Metric, e.Date, ErrInvalid)
	}
	return nil
}
