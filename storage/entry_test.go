package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

// An entry taken back (Undo) is gone from every read, also from the
// read-back of the next /log, and stays gone.
func TestDeletedEntryDoesNotComeBack(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat, user := newChat(), int64(501)
		day := kpi.Date{Year: 2026, Month: 11, Day: 20}
		at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		add := func(v float64, name string) (kpi.Entry, []kpi.Entry) {
			t.Helper()
			es, back, err := s.AddEntries(ctx, chat, []kpi.Entry{{Metric: "reach", Value: v, Date: day, By: user, ByName: name, At: at}}, day, day)
			if err != nil {
				t.Fatal(err)
			}
			at = at.Add(time.Minute)
			return es[0], back["reach"]
		}
		first, _ := add(100, "Аня")
		second, back := add(200, `Anna "A" & Co`) // escaped by json.Marshal
		if len(back) != 2 || back[0].ByName == back[1].ByName {
			t.Fatalf("read back %+v, want both entries", back)
		}
		if got, err := s.DeleteEntry(ctx, chat, second.ID); err != nil || got.ByName != second.ByName || got.Value != 200 {
			t.Fatalf("DeleteEntry = %+v, %v", got, err)
		}
		if _, err := s.DeleteEntry(ctx, chat, second.ID); !errors.Is(err, kpi.ErrNotFound) {
			t.Errorf("second DeleteEntry: %v, want ErrNotFound", err)
		}
		if _, err := s.Entry(ctx, chat, second.ID); !errors.Is(err, kpi.ErrNotFound) {
			t.Errorf("Entry of the deleted one: %v, want ErrNotFound", err)
		}
		third, back := add(300, "Аня")
		if !sameIDs(back, first.ID, third.ID) {
			t.Errorf("read back after the delete: %+v, want the first and third", back)
		}
		es, err := s.Entries(ctx, chat, "reach", day, day)
		if err != nil || !sameIDs(es, first.ID, third.ID) {
			t.Errorf("Entries: %+v, %v", es, err)
		}
		recent, err := s.RecentEntries(ctx, chat, "", 10)
		if err != nil || !sameIDs(recent, third.ID, first.ID) {
			t.Errorf("RecentEntries: %+v, %v", recent, err)
		}
		all, err := s.AllEntries(ctx, chat)
		if err != nil || len(all) != 2 {
			t.Errorf("AllEntries: %+v, %v", all, err)
		}
		if last, err := s.LastEntryBy(ctx, chat, user, time.Time{}); err != nil || last.ID != third.ID {
			t.Errorf("LastEntryBy: %+v, %v", last, err)
		}
	})
}

// sameIDs reports whether es are the entries with ids, in that order.
func sameIDs(es []kpi.Entry, ids ...string) bool {
	if len(es) != len(ids) {
		return false
	}
	for i := range es {
		if es[i].ID != ids[i] {
			return false
		}
	}
	return true
}
