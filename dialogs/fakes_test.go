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
	entries    map[int64][]kpi.Entry
	alerts     map[string]bool
	writes     int
	Err        error
}

type memWizard struct {
	rev   int64
	state []byte
}

func newMemStore() *memStore {
	return &memStore{workspaces: map[int64]kpi.Workspace{}, dialogs: map[[2]int64][]byte{},
		wizards: map[int64]memWizard{}, plans: map[int64][]kpi.Plan{}, groups: map[int64][]int64{},
		entries: map[int64][]kpi.Entry{}, alerts: map[string]bool{}}
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
	// Tests tap at machine speed: flood_test.go covers the flood limit.
	return &Engine{Store: s, Admins: a, DefaultLang: kpi.Russian, DefaultTZ: "Europe/Moscow", Now: time.Now, NoFlood: true}
}

func (s *memStore) SaveDialog(_ context.Context, chat, user int64, state []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	s.dialogs[[2]int64{chat, user}] = state
	s.writes++
	return nil
}

func inRange(e kpi.Entry, from, to kpi.Date) bool { return !e.Date.Before(from) && !to.Before(e.Date) }

func (s *memStore) AddEntries(_ context.Context, chat int64, es []kpi.Entry, from, to kpi.Date) ([]kpi.Entry, map[string][]kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, nil, s.Err
	}
	for i := range es {
		if err := es[i].Validate(); err != nil {
			return nil, nil, err
		}
		if es[i].ID == "" {
			es[i].ID = fmt.Sprintf("m%d", len(s.entries[chat])+i)
		}
	}
	s.entries[chat] = append(s.entries[chat], es...)
	s.writes++
	out := map[string][]kpi.Entry{}
	for _, e := range es {
		if _, done := out[e.Metric]; done {
			continue
		}
		out[e.Metric] = []kpi.Entry{}
		for _, x := range s.entries[chat] {
			if x.Metric == e.Metric && inRange(x, from, to) {
				out[e.Metric] = append(out[e.Metric], x)
			}
		}
	}
	return es, out, nil
}

func (s *memStore) MetricsEntries(_ context.Context, chat int64, metrics []string, from, to kpi.Date) (map[string][]kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	out := map[string][]kpi.Entry{}
	for _, x := range s.entries[chat] {
		if inRange(x, from, to) {
			out[x.Metric] = append(out[x.Metric], x)
		}
	}
	return out, nil
}

func (s *memStore) AllEntries(_ context.Context, chat int64) ([]kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]kpi.Entry(nil), s.entries[chat]...), s.Err
}

func (s *memStore) RecentEntries(_ context.Context, chat int64, metric string, n int) ([]kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []kpi.Entry
	es := s.entries[chat]
	for i := len(es) - 1; i >= 0 && len(out) < n; i-- {
		if metric == "" || es[i].Metric == metric {
			out = append(out, es[i])
		}
	}
	return out, s.Err
}

func (s *memStore) Entry(_ context.Context, chat int64, id string) (kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries[chat] {
		if e.ID == id {
			return e, nil
		}
	}
	return kpi.Entry{}, fmt.Errorf("mem: %w", kpi.ErrNotFound)
}

func (s *memStore) DeleteEntry(_ context.Context, chat int64, id string) (kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.entries[chat] {
		if e.ID == id {
			s.entries[chat] = append(s.entries[chat][:i:i], s.entries[chat][i+1:]...)
			s.writes++
			return e, nil
		}
	}
	return kpi.Entry{}, fmt.Errorf("mem: %w", kpi.ErrNotFound)
}

func (s *memStore) LastEntryBy(_ context.Context, chat, user int64, since time.Time) (kpi.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	es := s.entries[chat]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].By == user && !es[i].At.Before(since) {
			return es[i], nil
		}
	}
	return kpi.Entry{}, fmt.Errorf("mem: %w", kpi.ErrNotFound)
}

func (s *memStore) ClaimAlert(_ context.Context, chat int64, metric, week string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := fmt.Sprint(chat, metric, week)
	first := !s.alerts[k]
	s.alerts[k] = true
	return first, nil
}

func (s *memStore) DeleteWizard(_ context.Context, chat int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.wizards, chat)
	return s.Err
}

func (s *memStore) MigrateChat(_ context.Context, from, to int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.workspaces[from]; ok {
		w.ChatID = to
		s.workspaces[to] = w
		delete(s.workspaces, from)
	}
	s.plans[to], s.entries[to] = s.plans[from], s.entries[from]
	delete(s.plans, from)
	delete(s.entries, from)
	return s.Err
}
