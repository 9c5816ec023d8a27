package storage_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
	"github.com/kpibot/kpibot/storage/embedded"
)

// backend is one Redis the suite runs against.
type backend struct {
	name string
	rdb  redis.UniversalClient
}

// backends returns the embedded store (always) and the real Redis named by
// REDIS_TEST_URL (when set). The suite never flushes: every test uses chat
// ids of its own, so a shared Redis is safe.
func backends(t testing.TB) []backend {
	t.Helper()
	ctx := context.Background()
	emb, err := embedded.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() { emb.Close() })
	out := []backend{{"embedded", emb.Client()}}
	if u := os.Getenv("REDIS_TEST_URL"); u != "" {
		rdb, err := storage.NewClient(u)
		if err != nil {
			t.Fatalf("REDIS_TEST_URL: %v", err)
		}
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatalf("REDIS_TEST_URL does not answer: %v", err)
		}
		t.Cleanup(func() { rdb.Close() })
		out = append(out, backend{"redis", rdb})
	}
	return out
}

// each runs f as a subtest against every backend.
func each(t *testing.T, f func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			f(t, context.Background(), storage.New(b.rdb), b.rdb)
		})
	}
}

// allKeys returns the keys matching pattern. KEYS on a cluster client asks
// one node only, so on a cluster it asks every master.
func allKeys(t *testing.T, ctx context.Context, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		keys, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatalf("KEYS %s: %v", pattern, err)
		}
		return keys
	}
	var mu sync.Mutex
	var keys []string
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		ks, err := node.Keys(ctx, pattern).Result()
		mu.Lock()
		keys = append(keys, ks...)
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatalf("KEYS %s: %v", pattern, err)
	}
	return keys
}

// newChat returns a chat id no other test uses, negative like a group's.
func newChat() int64 { return -1000000000000 - rand.Int64N(1<<40) }

func TestWorkspaceRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		chat := newChat()
		if _, err := s.Workspace(ctx, chat); !errors.Is(err, kpi.ErrNotFound) {
			t.Fatalf("unknown chat: err = %v, want ErrNotFound", err)
		}
		w := kpi.Workspace{ChatID: chat, Type: kpi.ChatSupergroup, Title: "Кофейня «Зерно»", Lang: kpi.Russian, Timezone: "Asia/Vladivostok", Active: true}
		if err := s.SaveWorkspace(ctx, w); err != nil {
			t.Fatalf("save: %v", err)
		}
		got, err := s.Workspace(ctx, chat)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if got.Title != w.Title || got.Timezone != w.Timezone || got.Lang != w.Lang || got.Type != w.Type || !got.Active {
			t.Errorf("loaded %+v, saved %+v", got, w)
		}
		if got.Created.IsZero() || got.Updated.IsZero() {
			t.Errorf("timestamps not set: %+v", got)
		}
		ids, err := s.Workspaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !containsID(ids, chat) {
			t.Errorf("Workspaces() lacks %d", chat)
		}

		// A second save keeps the creation time.
		got.Lang = kpi.English
		if err := s.SaveWorkspace(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Workspace(ctx, chat)
		if !again.Created.Equal(got.Created) || again.Lang != kpi.English {
			t.Errorf("after update: %+v", again)
		}
	})
}

func TestWorkspaceInvalidIsRefusedAndNotStored(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, _ redis.UniversalClient) {
		for name, w := range map[string]kpi.Workspace{
			"no chat":      {Type: kpi.ChatPrivate, Lang: kpi.Russian, Timezone: "Europe/Moscow"},
			"bad timezone": {ChatID: newChat(), Type: kpi.ChatGroup, Lang: kpi.Russian, Timezone: "Mars/Olympus"},
			"bad language": {ChatID: newChat(), Type: kpi.ChatGroup, Lang: "de", Timezone: "Europe/Moscow"},
			"channel":      {ChatID: newChat(), Type: "channel", Lang: kpi.Russian, Timezone: "Europe/Moscow"},
		} {
			if err := s.SaveWorkspace(ctx, w); !errors.Is(err, kpi.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
			if w.ChatID != 0 {
				if _, err := s.Workspace(ctx, w.ChatID); !errors.Is(err, kpi.ErrNotFound) {
					t.Errorf("%s: stored anyway (err = %v)", name, err)
				}
			}
		}
	})
}

func TestClaimUpdateOnce(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		id, chat := rand.Int64N(1<<50), newChat()
		first, snap, err := s.Begin(ctx, id, chat)
		if err != nil || !first || snap.HasWorkspace || snap.HasPlan {
			t.Fatalf("first claim = %v, %+v, %v; want true and nothing loaded", first, snap, err)
		}
		again, _, err := s.Begin(ctx, id, chat)
		if err != nil || again {
			t.Fatalf("second claim = %v, %v; want false", again, err)
		}
		other, _, err := s.Begin(ctx, id+1, chat)
		if err != nil || !other {
			t.Fatalf("another id = %v, %v; want true", other, err)
		}
		w := kpi.Workspace{ChatID: chat, Type: kpi.ChatPrivate, Lang: kpi.English, Timezone: "UTC"}
		if err := s.SaveWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		rev, _ := s.SaveWizard(ctx, chat, 0, []byte("{}"))
		if _, err := s.CommitPlan(ctx, w, testPlan(7000), rev); err != nil {
			t.Fatal(err)
		}
		_, snap, err = s.Begin(ctx, 0, chat)
		if err != nil || !snap.HasWorkspace || snap.Workspace.Lang != kpi.English || !snap.HasPlan || snap.Plan.KPIs[0].Target != 7000 {
			t.Errorf("Begin loads %+v, %v", snap, err)
		}
		for _, u := range []int64{id, id + 1} {
			k := "kpi:update:" + itoa(u)
			if ttl := rdb.TTL(ctx, k).Val(); ttl <= 23*time.Hour || ttl > 24*time.Hour {
				t.Errorf("%s: TTL %v, want about 24h", k, ttl)
			}
		}
	})
}

func TestDialogState(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat, user := newChat(), int64(42)
		if _, err := s.Dialog(ctx, chat, user); !errors.Is(err, kpi.ErrNotFound) {
			t.Fatalf("no dialog: err = %v", err)
		}
		state := []byte(`{"step":3,"answers":{"goal":"sales"}}`)
		if err := s.SaveDialog(ctx, chat, user, state); err != nil {
			t.Fatal(err)
		}
		got, err := s.Dialog(ctx, chat, user)
		if err != nil || string(got) != string(state) {
			t.Fatalf("dialog = %q, %v", got, err)
		}
		if _, err := s.Dialog(ctx, chat, user+1); !errors.Is(err, kpi.ErrNotFound) {
			t.Errorf("another user sees the dialog: %v", err)
		}
		keys := allKeys(t, ctx, rdb, "kpi:{"+itoa(chat)+"}:*")
		if len(keys) != 1 || rdb.TTL(ctx, keys[0]).Val() < 6*24*time.Hour {
			t.Errorf("dialog keys %v: want one key with a TTL of about 7 days", keys)
		}
		if err := s.DeleteDialog(ctx, chat, user); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Dialog(ctx, chat, user); !errors.Is(err, kpi.ErrNotFound) {
			t.Errorf("after delete: err = %v", err)
		}
		if err := s.DeleteDialog(ctx, chat, user); err != nil {
			t.Errorf("deleting nothing: %v", err)
		}
	})
}

// Every key of a chat carries the chat's hash tag, so a cluster keeps a
// chat's keys in one slot.
func TestChatKeysShareHashTag(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		chat := newChat()
		w := kpi.Workspace{ChatID: chat, Type: kpi.ChatGroup, Lang: kpi.Russian, Timezone: "Europe/Moscow"}
		if err := s.SaveWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveDialog(ctx, chat, 7, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		keys := allKeys(t, ctx, rdb, "*"+itoa(chat)+"*")
		if len(keys) != 2 {
			t.Fatalf("keys of the chat: %v, want 2", keys)
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, "kpi:{"+itoa(chat)+"}:") {
				t.Errorf("key %q lacks the chat's hash tag", k)
			}
		}
	})
}

func TestUnreachableRedisIsUnavailable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	s := storage.New(rdb)
	ctx := context.Background()
	if err := s.Ping(ctx); !errors.Is(err, kpi.ErrUnavailable) {
		t.Errorf("Ping: %v, want ErrUnavailable", err)
	}
	if _, err := s.Workspace(ctx, 1); !errors.Is(err, kpi.ErrUnavailable) {
		t.Errorf("Workspace: %v, want ErrUnavailable", err)
	}
	if _, _, err := s.Begin(ctx, 1, 1); !errors.Is(err, kpi.ErrUnavailable) {
		t.Errorf("Begin: %v, want ErrUnavailable", err)
	}
}

func TestNewClientForms(t *testing.T) {
	for _, tc := range []struct {
		url  string
		kind string
	}{
		{"redis://localhost:6379/0", "*redis.Client"},
		{"rediss://user:pw@redis.example.com:6380", "*redis.Client"},
		{"redis://:pw@s1:26379/0?master_name=mymaster&addr=s2:26379", "*redis.Client"},
		{"redis://n1:7000?addr=n2:7000&addr=n3:7000", "*redis.ClusterClient"},
	} {
		rdb, err := storage.NewClient(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if got := typeName(rdb); got != tc.kind {
			t.Errorf("%s: client %s, want %s", tc.url, got, tc.kind)
		}
		rdb.Close()
	}
	_, err := storage.NewClient("redis://:s3cretpw@host:6379/notadb")
	if err == nil || strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("bad db: err = %v; want an error without the password", err)
	}
}
