package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Plan returns the current (latest) plan of chat, or an error wrapping
// kpi.ErrNotFound when it has none.
func (s *Store) Plan(ctx context.Context, chat int64) (kpi.Plan, error) {
	raw, err := s.rdb.LIndex(ctx, chatKey(chat, "plans"), -1).Result()
	if err != nil {
		return kpi.Plan{}, wrap(fmt.Sprintf("plan %d", chat), err)
	}
	p, err := decodePlan(raw)
	if err != nil {
		return p, fmt.Errorf("storage: plan %d: decode: %w", chat, err)
	}
	return p, nil
}

// Plans returns every saved version of chat's plan, oldest first.
func (s *Store) Plans(ctx context.Context, chat int64) ([]kpi.Plan, error) {
	raw, err := s.rdb.LRange(ctx, chatKey(chat, "plans"), 0, -1).Result()
	if err != nil {
		return nil, wrap(fmt.Sprintf("plans %d", chat), err)
	}
	out := make([]kpi.Plan, 0, len(raw))
	for _, r := range raw {
		p, err := decodePlan(r)
		if err != nil {
			return nil, fmt.Errorf("storage: plans %d: decode: %w", chat, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// CommitPlan saves p as the next version of w's plan, saves w, and closes
// the wizard whose revision is wizardRev, all in one transaction. It
// returns the plan with its version number. It fails with kpi.ErrConflict
// when the wizard changed or closed meanwhile (a second tap on Confirm) and
// with kpi.ErrInvalid for a plan or workspace that does not validate.
func (s *Store) CommitPlan(ctx context.Context, w kpi.Workspace, p kpi.Plan, wizardRev int64) (kpi.Plan, error) {
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("storage: commit %w", err)
	}
	if err := w.Validate(); err != nil {
		return p, fmt.Errorf("storage: commit %w", err)
	}
	w.Updated = s.now().UTC()
	plans, wizard, wsKey := chatKey(w.ChatID, "plans"), chatKey(w.ChatID, "wizard"), chatKey(w.ChatID, "workspace")
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		rev, err := tx.HGet(ctx, wizard, "rev").Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if rev != wizardRev {
			return kpi.ErrConflict
		}
		n, err := tx.LLen(ctx, plans).Result()
		if err != nil {
			return err
		}
		p.Version = int(n) + 1
		pb, err := json.Marshal(p)
		if err != nil {
			return err
		}
		wb, err := json.Marshal(w)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.RPush(ctx, plans, pb)
			pipe.Set(ctx, wsKey, wb, 0)
			pipe.Del(ctx, wizard)
			return nil
		})
		return err
	}, plans, wizard)
	switch {
	case errors.Is(err, kpi.ErrConflict), errors.Is(err, redis.TxFailedErr):
		return p, fmt.Errorf("storage: commit plan %d: %w", w.ChatID, kpi.ErrConflict)
	case err != nil:
		return p, wrap(fmt.Sprintf("commit plan %d", w.ChatID), err)
	}
	return p, nil
}
