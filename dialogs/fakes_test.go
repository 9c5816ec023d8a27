package dialogs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kpibot/kpibot/kpi"
)

// memStore is an in-memory Store; Err, when set, is returned by every call,
// like a Redis that went away.
type memStore struct {
	mu         sync.Mutex
	workspaces map[int64]kpi.Workspace
	dialogs    map[[2]int64][]byte
	writes     int
	Err        error
}

func newMemStore() *memStore {
	return &memStore{workspaces: map[int64]kpi.Workspace{}, dialogs: map[[2]int64][]byte{}}
}

func (s *memStore) Workspace(_ context.Context, chat int64) (kpi.Workspace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return kpi.Workspace{}, s.Err
	}
	w, ok := s.workspaces[chat]
	if !ok {
		return w, fmt.Errorf("mem: %w", kpi.ErrNotFound)
	}
	return w, nil
}

func (s *memStore) SaveWorkspace(_ context.Context, w kpi.Workspace) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Created.IsZero() {
		w.Created = time.Now()
	}
	s.workspaces[w.ChatID] = w
	s.writes++
	return nil
}

func (s *memStore) Dialog(_ context.Context, chat, user int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	b, ok := s.dialogs[[2]int64{chat, user}]
	if !ok {
		return nil, fmt.Errorf("mem: %w", kpi.ErrNotFound)
	}
	return b, nil
}

func (s *memStore) DeleteDialog(_ context.Context, chat, user int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	delete(s.dialogs, [2]int64{chat, user})
	s.writes++
	return nil
}

// admins is an Admins of fixed answers: the listed users are admins.
type admins map[int64]bool

func (a admins) IsAdmin(_ context.Context, _, user int64) (bool, error) { return a[user], nil }

func newEngine(s *memStore, a admins) *Engine {
	return &Engine{Store: s, Admins: a, DefaultLang: kpi.Russian, DefaultTZ: "Europe/Moscow", Now: time.Now}
}
