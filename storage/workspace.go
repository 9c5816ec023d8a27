package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
)

// Workspace returns the workspace of chat, or an error wrapping
// kpi.ErrNotFound when the chat has none.
func (s *Store) Workspace(ctx context.Context, chat int64) (kpi.Workspace, error) {
	raw, err := s.rdb.Get(ctx, chatKey(chat, "workspace")).Result()
	if err != nil {
		return kpi.Workspace{}, wrap(fmt.Sprintf("workspace %d", chat), err)
	}
	w, err := decodeWorkspace(raw)
	if err != nil {
		return w, fmt.Errorf("storage: workspace %d: decode: %w", chat, err)
	}
	return w, nil
}

// SaveWorkspace validates w and stores it, stamping Updated (and Created on
// the first save). It fails with kpi.ErrInvalid for a workspace that does
// not validate and kpi.ErrUnavailable when Redis cannot be reached.
func (s *Store) SaveWorkspace(ctx context.Context, w kpi.Workspace) error {
	if err := w.Validate(); err != nil {
		return fmt.Errorf("storage: save %w", err)
	}
	now := s.now().UTC()
	if w.Created.IsZero() {
		w.Created = now
	}
	w.Updated = now
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("storage: workspace %d: encode: %w", w.ChatID, err)
	}
	// The index is a key of its own slot, so the two writes are pipelined,
	// not a transaction; SADD is idempotent and the next save repairs it.
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, chatKey(w.ChatID, "workspace"), b, 0)
		p.SAdd(ctx, workspacesKey, strconv.FormatInt(w.ChatID, 10))
		return nil
	})
	return wrap(fmt.Sprintf("save workspace %d", w.ChatID), err)
}

// Workspaces returns the chat ids of every workspace, in no set order.
func (s *Store) Workspaces(ctx context.Context) ([]int64, error) {
	ids, err := s.rdb.SMembers(ctx, workspacesKey).Result()
	if err != nil {
		return nil, wrap("list workspaces", err)
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("storage: list workspaces: bad id %q", id)
		}
		out = append(out, n)
	}
	return out, nil
}
