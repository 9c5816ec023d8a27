package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Wizard returns the saved state of chat's setup wizard and its revision,
// or an error wrapping kpi.ErrNotFound when none is open (or it expired).
func (s *Store) Wizard(ctx context.Context, chat int64) ([]byte, int64, error) {
	v, err := s.rdb.HMGet(ctx, chatKey(chat, "wizard"), "rev", "state").Result()
	if err != nil {
		return nil, 0, wrap(fmt.Sprintf("wizard %d", chat), err)
	}
	rs, ok1 := v[0].(string)
	st, ok2 := v[1].(string)
	if !ok1 || !ok2 {
		return nil, 0, fmt.Errorf("storage: wizard %d: %w", chat, kpi.ErrNotFound)
	}
	rev, err := strconv.ParseInt(rs, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: wizard %d: bad revision %q", chat, rs)
	}
	return []byte(st), rev, nil
}

// SaveWizard stores the wizard state of chat if its revision is still rev
// (0 for a wizard not yet saved), and returns the new revision. The state
// expires DialogTTL after its last save. It fails with kpi.ErrConflict when
// another update changed the wizard first: two quick taps never mix.
func (s *Store) SaveWizard(ctx context.Context, chat int64, rev int64, state []byte) (int64, error) {
	key := chatKey(chat, "wizard")
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		cur, err := tx.HGet(ctx, key, "rev").Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if cur != rev {
			return kpi.ErrConflict
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "rev", rev+1, "state", state)
			p.Expire(ctx, key, DialogTTL)
			return nil
		})
		return err
	}, key)
	switch {
	case errors.Is(err, kpi.ErrConflict), errors.Is(err, redis.TxFailedErr):
		return rev, fmt.Errorf("storage: save wizard %d: %w", chat, kpi.ErrConflict)
	case err != nil:
		return rev, wrap(fmt.Sprintf("save wizard %d", chat), err)
	}
	return rev + 1, nil
}

// DeleteWizard closes chat's wizard; it is not an error when none is open.
func (s *Store) DeleteWizard(ctx context.Context, chat int64) error {
	return wrap(fmt.Sprintf("delete wizard %d", chat), s.rdb.Del(ctx, chatKey(chat, "wizard")).Err())
}
