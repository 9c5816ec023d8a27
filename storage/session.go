package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Begin claims update id (0: nothing to claim) and loads chat's workspace
// and current plan, all in one round trip: first is false when Telegram
// delivered the update before. A claimed id is remembered for UpdateTTL.
func (s *Store) Begin(ctx context.Context, update, chat int64) (first bool, sess kpi.Snapshot, err error) {
	var claim *redis.BoolCmd
	var ws, plan *redis.StringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if update != 0 {
			claim = p.SetNX(ctx, "kpi:update:"+strconv.FormatInt(update, 10), "1", UpdateTTL)
		}
		ws = p.Get(ctx, chatKey(chat, "workspace"))
		plan = p.LIndex(ctx, chatKey(chat, "plans"), -1)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, sess, wrap(fmt.Sprintf("begin %d", chat), err)
	}
	first = claim == nil || claim.Val()
	if raw, err := ws.Result(); err == nil {
		if sess.Workspace, err = decodeWorkspace(raw); err != nil {
			return first, sess, fmt.Errorf("storage: begin %d: workspace: %w", chat, err)
		}
		sess.HasWorkspace = true
	}
	if raw, err := plan.Result(); err == nil {
		if sess.Plan, err = decodePlan(raw); err != nil {
			return first, sess, fmt.Errorf("storage: begin %d: plan: %w", chat, err)
		}
		sess.HasPlan = true
	}
	return first, sess, nil
}
