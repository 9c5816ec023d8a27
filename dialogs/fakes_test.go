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
	wizards    map[int64]memWizard
	plans      map[int64][]kpi.Plan
	groups     map[int64][]int64
	updates    map[int64]bool
	writes     int
	Err        error
}

type memWizard struct {
	rev   int64
	state []byte
}

func newMemStore() *memStore {
	return &memStore{workspaces: map[int64]kpi.Workspace{}, dialogs: map[[2]int64][]byte{},
		wizards: map[int64]memWizard{}, plans: map[int64][]kpi.Plan{}, groups: map[int64][]int64{}}
}

func (s *memStore) Begin(ctx context.Context, update, chat int64) (bool, kpi.Snapshot, error) {
	var snap kpi.Snapshot
	s.mu.Lock()
	if s.Err != nil {
		s.mu.Unlock()
		return false, snap, s.Err
	}
	if s.updates == nil {
		s.updates = map[int64]bool{}
	}
	first := update == 0 || !s.updates[update]
	s.updates[update] = true
	s.mu.Unlock()
	var err error
	snap.Workspace, err = s.Workspace(ctx, chat)
	snap.HasWorkspace = err == nil
	snap.Plan, err = s.Plan(ctx, chat)
	snap.HasPlan = err == nil
	return first, snap, nil
}

func (s *memStore) Wizard(_ context.Context, chat int64) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, 0, s.Err
	}
	w, ok := s.wizards[chat]
	if !ok {
		return nil, 0, fmt.Errorf("mem: %w", kpi.ErrNotFound)
	}
	return w.state, w.rev, nil
}

func (s *memStore) SaveWizard(_ context.Context, chat int64, rev int64, state []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return rev, s.Err
	}
	if s.wizards[chat].rev != rev {
		return rev, fmt.Errorf("mem: %w", kpi.ErrConflict)
	}
	s.wizards[chat] = memWizard{rev: rev + 1, state: state}
	s.writes++
	return rev + 1, nil
}

func (s *memStore) Plan(_ context.Context, chat int64) (kpi.Plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return kpi.Plan{}, s.Err
	}
	ps := s.plans[chat]
	if len(ps) == 0 {
		return kpi.Plan{}, fmt.Errorf("mem: %w", kpi.ErrNotFound)
	}
	return ps[len(ps)-1], nil
}

func (s *memStore) Plans(_ context.Context, chat int64) ([]kpi.Plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	return s.plans[chat], nil
}

func (s *memStore) CommitPlan(_ context.Context, w kpi.Workspace, p kpi.Plan, rev int64) (kpi.Plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return p, s.Err
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if err := w.Validate(); err != nil {
		return p, err
	}
	if s.wizards[w.ChatID].rev != rev {
		return p, fmt.Errorf("mem: %w", kpi.ErrConflict)
	}
	p.Version = len(s.plans[w.ChatID]) + 1
	s.plans[w.ChatID] = append(s.plans[w.ChatID], p)
	s.workspaces[w.ChatID] = w
	delete(s.wizards, w.ChatID)
	s.writes++
	return p, nil
}

func (s *memStore) AddUserGroup(_ context.Context, user, chat int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	for _, g := range s.groups[user] {
		if g == chat {
			return nil
		}
	}
	s.groups[user] = append(s.groups[user], chat)
	return nil
}

func (s *memStore) UserGroups(_ context.Context, user int64) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	return s.groups[user], nil
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
