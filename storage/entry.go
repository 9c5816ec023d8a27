package storage

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Entries of a chat live in three keys, all in the chat's slot:
//
//	kpi:{<chat>}:e            hash: entry id -> JSON kpi.Entry
//	kpi:{<chat>}:m:<metric>   sorted set: the entry's JSON, scored by its day (days since 1970-01-01)
//	kpi:{<chat>}:log          sorted set: entry id, scored by when it was logged (unix ms)
//
// The per-metric set answers "the values of this KPI in these weeks" in one
// command; the log answers "the latest entries" and "this member's last".

func entriesKey(chat int64) string          { return chatKey(chat, "e") }
func metricKey(chat int64, m string) string { return chatKey(chat, "m", m) }
func logKey(chat int64) string              { return chatKey(chat, "log") }
func dayScore(d kpi.Date) float64           { return float64(d.Time(time.UTC).Unix() / 86400) }
func dayRange(from, to kpi.Date) (string, string) {
	return strconv.FormatFloat(dayScore(from), 'f', 0, 64), strconv.FormatFloat(dayScore(to), 'f', 0, 64)
}

// newEntryID returns an id that sorts by time and does not repeat.
func newEntryID(at time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(at.UnixMicro(), 36) + fmt.Sprintf("%x", b)
}

// AddEntries stores entries (giving each an id) and, in the same
// transaction, reads back every entry of the metrics written whose date
// lies in [from, to], so the caller can show progress without another
// round trip. It fails with kpi.ErrInvalid for an entry that does not
// validate, storing none of them.
func (s *Store) AddEntries(ctx context.Context, chat int64, entries []kpi.Entry, from, to kpi.Date) ([]kpi.Entry, map[string][]kpi.Entry, error) {
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return nil, nil, fmt.Errorf("storage: add entries %d: %w", chat, err)
		}
		if entries[i].ID == "" {
			entries[i].ID = newEntryID(entries[i].At)
		}
	}
	lo, hi := dayRange(from, to)
	var reads []*redis.StringSliceCmd
	var metrics []string
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			p.HSet(ctx, entriesKey(chat), e.ID, b)
			p.ZAdd(ctx, metricKey(chat, e.Metric), redis.Z{Score: dayScore(e.Date), Member: string(b)})
			p.ZAdd(ctx, logKey(chat), redis.Z{Score: float64(e.At.UnixMilli()), Member: e.ID})
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if seen[e.Metric] {
				continue
			}
			seen[e.Metric] = true
			metrics = append(metrics, e.Metric)
			reads = append(reads, p.ZRangeByScore(ctx, metricKey(chat, e.Metric), &redis.ZRangeBy{Min: lo, Max: hi}))
		}
		return nil
	})
	if err != nil {
		return nil, nil, wrap(fmt.Sprintf("add entries %d", chat), err)
	}
	out := make(map[string][]kpi.Entry, len(metrics))
	for i, m := range metrics {
		es, err := decodeEntries(reads[i].Val())
		if err != nil {
			return nil, nil, fmt.Errorf("storage: add entries %d: %w", chat, err)
		}
		out[m] = es
	}
	return entries, out, nil
}

func decodeEntries(raw []string) ([]kpi.Entry, error) {
	out := make([]kpi.Entry, 0, len(raw))
	for _, r := range raw {
		e, err := decodeEntry(r)
		if err != nil {
			return nil, fmt.Errorf("decode entry: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Entries returns the entries of metric dated in [from, to], oldest first.
func (s *Store) Entries(ctx context.Context, chat int64, metric string, from, to kpi.Date) ([]kpi.Entry, error) {
	lo, hi := dayRange(from, to)
	raw, err := s.rdb.ZRangeByScore(ctx, metricKey(chat, metric), &redis.ZRangeBy{Min: lo, Max: hi}).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("entries %d/%s", chat, metric), err)
	}
	es, err := decodeEntries(raw)
	if err != nil {
		return nil, fmt.Errorf("storage: entries %d/%s: %w", chat, metric, err)
	}
	return es, nil
}

// MetricsEntries returns, in one round trip, the entries of each metric
// dated in [from, to].
func (s *Store) MetricsEntries(ctx context.Context, chat int64, metrics []string, from, to kpi.Date) (map[string][]kpi.Entry, error) {
	lo, hi := dayRange(from, to)
	cmds := make([]*redis.StringSliceCmd, len(metrics))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range metrics {
			cmds[i] = p.ZRangeByScore(ctx, metricKey(chat, m), &redis.ZRangeBy{Min: lo, Max: hi})
		}
		return nil
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("entries %d", chat), err)
	}
	out := make(map[string][]kpi.Entry, len(metrics))
	for i, m := range metrics {
		es, err := decodeEntries(cmds[i].Val())
		if err != nil {
			return nil, fmt.Errorf("storage: entries %d/%s: %w", chat, m, err)
		}
		out[m] = es
	}
	return out, nil
}

// AllEntries returns every entry of chat, in no set order (for export).
func (s *Store) AllEntries(ctx context.Context, chat int64) ([]kpi.Entry, error) {
	raw, err := s.rdb.HVals(ctx, entriesKey(chat)).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("all entries %d", chat), err)
	}
	es, err := decodeEntries(raw)
	if err != nil {
		return nil, fmt.Errorf("storage: all entries %d: %w", chat, err)
	}
	return es, nil
}

// RecentEntries returns up to n entries of chat, the latest logged first;
// metric, when not empty, keeps only that metric's.
func (s *Store) RecentEntries(ctx context.Context, chat int64, metric string, n int) ([]kpi.Entry, error) {
	ids, err := s.rdb.ZRevRange(ctx, logKey(chat), 0, 499).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("recent entries %d", chat), err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := s.rdb.HMGet(ctx, entriesKey(chat), ids...).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("recent entries %d", chat), err)
	}
	var out []kpi.Entry
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // deleted meanwhile
		}
		e, err := decodeEntry(str)
		if err != nil {
			return nil, fmt.Errorf("storage: recent entries %d: %w", chat, err)
		}
		if metric != "" && e.Metric != metric {
			continue
		}
		if out = append(out, e); len(out) == n {
			break
		}
	}
	return out, nil
}

// Entry returns one entry of chat, or an error wrapping kpi.ErrNotFound.
func (s *Store) Entry(ctx context.Context, chat int64, id string) (kpi.Entry, error) {
	raw, err := s.rdb.HGet(ctx, entriesKey(chat), id).Result()
	if err != nil {
		return kpi.Entry{}, wrap(fmt.Sprintf("entry %d/%s", chat, id), err)
	}
	e, err := decodeEntry(raw)
	if err != nil {
		return e, fmt.Errorf("storage: entry %d/%s: %w", chat, id, err)
	}
	return e, nil
}

// DeleteEntry removes one entry of chat and returns it. It fails with
// kpi.ErrNotFound when the entry is gone (deleted by an earlier tap).
func (s *Store) DeleteEntry(ctx context.Context, chat int64, id string) (kpi.Entry, error) {
	var e kpi.Entry
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		raw, err := tx.HGet(ctx, entriesKey(chat), id).Result()
		if err != nil {
			return err
		}
		if e, err = decodeEntry(raw); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HDel(ctx, entriesKey(chat), id)
			p.ZRem(ctx, metricKey(chat, e.Metric), raw)
			p.ZRem(ctx, logKey(chat), id)
			return nil
		})
		return err
	}, entriesKey(chat))
	if errors.Is(err, redis.TxFailedErr) {
		return e, fmt.Errorf("storage: delete entry %d/%s: %w", chat, id, kpi.ErrConflict)
	}
	return e, wrap(fmt.Sprintf("delete entry %d/%s", chat, id), err)
}

// LastEntryBy returns user's latest entry in chat logged at or after since,
// or an error wrapping kpi.ErrNotFound.
func (s *Store) LastEntryBy(ctx context.Context, chat, user int64, since time.Time) (kpi.Entry, error) {
	ids, err := s.rdb.ZRevRangeByScore(ctx, logKey(chat), &redis.ZRangeBy{
		Max: "+inf", Min: strconv.FormatInt(since.UnixMilli(), 10), Count: 500,
	}).Result()
	if err != nil {
		return kpi.Entry{}, wrap(fmt.Sprintf("last entry %d/%d", chat, user), err)
	}
	if len(ids) > 0 {
		vals, err := s.rdb.HMGet(ctx, entriesKey(chat), ids...).Result()
		if err != nil {
			return kpi.Entry{}, wrap(fmt.Sprintf("last entry %d/%d", chat, user), err)
		}
		for _, v := range vals {
			str, ok := v.(string)
			if !ok {
				continue
			}
			if e, err := decodeEntry(str); err == nil && e.By == user {
				return e, nil
			}
		}
	}
	return kpi.Entry{}, fmt.Errorf("storage: last entry %d/%d: %w", chat, user, kpi.ErrNotFound)
}

// ClaimAlert records that the "at risk" alert of metric for the ISO week
// key was sent; it returns false when it was sent already.
func (s *Store) ClaimAlert(ctx context.Context, chat int64, metric, week string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, chatKey(chat, "alert", metric, week), "1", 8*24*time.Hour).Result()
	return ok, wrap(fmt.Sprintf("claim alert %d/%s", chat, metric), err)
}
