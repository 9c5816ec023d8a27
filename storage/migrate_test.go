package storage_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/kpi"
	"github.com/kpibot/kpibot/storage"
)

// chatData is what fillChat stored in a chat.
type chatData struct {
	user, otherGroup int64
	title            string
	entries          []kpi.Entry // in the order logged
	wizard           []byte
	wizardRev        int64
	dialog           []byte
}

// fillChat gives chat every kind of key: a workspace, two plan versions,
// three entries of two metrics (all three entry keys), an open wizard and
// a dialog (TTL 7 days), an alert and a done delivery (with TTLs), and a
// user group set holding the chat and another group.
func fillChat(t *testing.T, ctx context.Context, s *storage.Store, chat int64) chatData {
	t.Helper()
	d := chatData{user: -newChat(), otherGroup: newChat(), title: "Отдел продаж"}
	w := kpi.Workspace{ChatID: chat, Type: kpi.ChatGroup, Title: d.title, Lang: kpi.Russian, Timezone: "Europe/Moscow", Active: true, Settings: kpi.DefaultSettings}
	w.ReportHour = 9
	if err := s.SaveWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 2; v++ {
		cur, err := s.Workspace(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := s.SaveWizard(ctx, chat, 0, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitPlan(ctx, cur, testPlan(float64(6000+v)), rev); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	es := []kpi.Entry{
		{Metric: "reach", Value: 5100, Date: kpi.Date{Year: 2026, Month: 11, Day: 28}, By: d.user, ByName: "Аня", At: at},
		{Metric: "leads", Value: 12, Date: kpi.Date{Year: 2026, Month: 11, Day: 29}, By: d.user, ByName: "Аня", At: at.Add(time.Minute)},
		{Metric: "reach", Value: 5300, Date: kpi.Date{Year: 2026, Month: 11, Day: 30}, By: d.user, ByName: "Аня", At: at.Add(2 * time.Minute)},
	}
	stored, _, err := s.AddEntries(ctx, chat, es, kpi.Date{Year: 2026, Month: 11, Day: 1}, kpi.Date{Year: 2026, Month: 11, Day: 30})
	if err != nil {
		t.Fatal(err)
	}
	d.entries = stored
	d.wizard = []byte(`{"step":"metrics","answers":{"goal":"awareness"}}`)
	if d.wizardRev, err = s.SaveWizard(ctx, chat, 0, d.wizard); err != nil {
		t.Fatal(err)
	}
	d.dialog = []byte(`{"step":2}`)
	if err := s.SaveDialog(ctx, chat, d.user, d.dialog); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimAlert(ctx, chat, "reach", "2026-W48"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	tok, ok, err := s.ClaimDelivery(ctx, chat, "weekly", "2026-W48", time.Hour)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.DoneDelivery(ctx, chat, "weekly", "2026-W48", tok, 501); err != nil {
		t.Fatal(err)
	}
	for _, g := range []int64{chat, d.otherGroup} {
		if err := s.AddUserGroup(ctx, d.user, g); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func entryIDs(es []kpi.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// checkChat reads d back from chat through the Store's own methods (no
// writes).
func checkChat(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient, chat int64, d chatData, typ kpi.ChatType) {
	t.Helper()
	w, err := s.Workspace(ctx, chat)
	if err != nil || w.ChatID != chat || w.Type != typ || w.Title != d.title || w.Lang != kpi.Russian ||
		w.Timezone != "Europe/Moscow" || w.ReportHour != 9 || !w.Active || w.Created.IsZero() {
		t.Errorf("chat %d: workspace %+v, %v", chat, w, err)
	}
	plans, err := s.Plans(ctx, chat)
	if err != nil || len(plans) != 2 || plans[0].Version != 1 || plans[0].KPIs[0].Target != 6001 || plans[1].KPIs[0].Target != 6002 {
		t.Errorf("chat %d: plans %+v, %v", chat, plans, err)
	}
	if p, err := s.Plan(ctx, chat); err != nil || p.Version != 2 {
		t.Errorf("chat %d: current plan %+v, %v", chat, p, err)
	}
	all, err := s.AllEntries(ctx, chat)
	got := entryIDs(all)
	slices.Sort(got)
	want := entryIDs(d.entries)
	slices.Sort(want)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("chat %d: all entries %v, %v; want %v", chat, got, err, want)
	}
	recent, err := s.RecentEntries(ctx, chat, "", 10)
	if ids := entryIDs(recent); err != nil || !slices.Equal(ids, []string{d.entries[2].ID, d.entries[1].ID, d.entries[0].ID}) {
		t.Errorf("chat %d: recent entries %v, %v", chat, ids, err)
	}
	reach, err := s.Entries(ctx, chat, "reach", kpi.Date{Year: 2026, Month: 11, Day: 1}, kpi.Date{Year: 2026, Month: 12, Day: 31})
	if err != nil || len(reach) != 2 || reach[0].Value != 5100 || reach[1].Value != 5300 {
		t.Errorf("chat %d: reach entries %+v, %v", chat, reach, err)
	}
	if leads, err := s.RecentEntries(ctx, chat, "leads", 10); err != nil || len(leads) != 1 || leads[0].Value != 12 {
		t.Errorf("chat %d: leads %+v, %v", chat, leads, err)
	}
	if st, rev, err := s.Wizard(ctx, chat); err != nil || rev != d.wizardRev || string(st) != string(d.wizard) {
		t.Errorf("chat %d: wizard %s rev %d, %v", chat, st, rev, err)
	}
	if st, err := s.Dialog(ctx, chat, d.user); err != nil || string(st) != string(d.dialog) {
		t.Errorf("chat %d: dialog %s, %v", chat, st, err)
	}
	if done, err := s.Delivered(ctx, chat, "weekly", "2026-W48"); err != nil || !done {
		t.Errorf("chat %d: delivery %v, %v", chat, done, err)
	}
	if n := rdb.Exists(ctx, "kpi:{"+itoa(chat)+"}:alert:reach:2026-W48").Val(); n != 1 {
		t.Errorf("chat %d: the alert claim is missing", chat)
	}
}

// keyTTLs returns the keys of chat (without the "kpi:{chat}:" prefix) and
// their PTTL (-1: none).
func keyTTLs(t *testing.T, ctx context.Context, rdb redis.UniversalClient, chat int64) map[string]time.Duration {
	t.Helper()
	prefix := "kpi:{" + itoa(chat) + "}:"
	var node redis.Cmdable = rdb
	if cc, ok := rdb.(*redis.ClusterClient); ok { // KEYS goes to the node of the chat's slot
		n, err := cc.MasterForKey(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		node = n
	}
	keys, err := node.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]time.Duration, len(keys))
	for _, k := range keys {
		out[strings.TrimPrefix(k, prefix)] = rdb.PTTL(ctx, k).Val()
	}
	return out
}

func names(m map[string]time.Duration) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkMigrated checks the end state of a migration of d from from to to:
// the data reads back under to, the old id has only its marker, and the
// indexes name to instead of from.
func checkMigrated(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient, d chatData, from, to int64) {
	t.Helper()
	checkChat(t, ctx, s, rdb, to, d, kpi.ChatSupergroup)
	old := keyTTLs(t, ctx, rdb, from)
	if got := names(old); !slices.Equal(got, []string{"moved"}) {
		t.Errorf("old chat keeps %v, want only its marker", got)
	}
	if ttl := old["moved"]; ttl < 29*24*time.Hour || ttl > 30*24*time.Hour {
		t.Errorf("marker TTL %v, want 30 days", ttl)
	}
	if got, ok, err := s.MovedTo(ctx, from); err != nil || !ok || got != to {
		t.Errorf("MovedTo(old) = %d, %v, %v; want %d", got, ok, err, to)
	}
	if _, ok, err := s.MovedTo(ctx, to); err != nil || ok {
		t.Errorf("MovedTo(new) = %v, %v; want not moved", ok, err)
	}
	ids, err := s.Workspaces(ctx)
	if err != nil || !containsID(ids, to) || containsID(ids, from) {
		t.Errorf("Workspaces(): has new %v, has old %v, %v", containsID(ids, to), containsID(ids, from), err)
	}
	groups, err := s.UserGroups(ctx, d.user)
	if err != nil || len(groups) != 2 || !containsID(groups, to) || !containsID(groups, d.otherGroup) {
		t.Errorf("UserGroups = %v, %v; want [%d %d]", groups, err, to, d.otherGroup)
	}
}

func TestMigrateChatMovesEverything(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		writes := &faultHook{}
		rdb.AddHook(writes)
		from, to := newChat(), newChat()
		d := fillChat(t, ctx, s, from)
		before := keyTTLs(t, ctx, rdb, from)
		if len(before) != 10 {
			t.Fatalf("fixture has keys %v, want 10", names(before))
		}
		began := time.Now()
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		took := time.Since(began)
		checkMigrated(t, ctx, s, rdb, d, from, to)

		after := keyTTLs(t, ctx, rdb, to)
		if !slices.Equal(names(after), names(before)) {
			t.Fatalf("new chat has keys %v, old had %v", names(after), names(before))
		}
		// TTLs kept, up to the copy's duration and the embedded store's 100 ms clock.
		const slack = 300 * time.Millisecond
		for k, was := range before {
			got := after[k]
			if was < 0 && got != was || was >= 0 && (got > was+slack || got < was-took-slack) {
				t.Errorf("%s: TTL %v, was %v", k, got, was)
			}
		}
		if after["wizard"] < 6*24*time.Hour || after["dialog:"+itoa(d.user)] < 6*24*time.Hour {
			t.Errorf("wizard and dialog lost their TTLs: %v", after)
		}
		wsBefore, _ := s.Workspace(ctx, to)

		// A second call writes nothing.
		writes.reset()
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatalf("second call: %v", err)
		}
		if n := writes.count(); n != 0 {
			t.Errorf("second call made %d writes, want none", n)
		}
		if ws, _ := s.Workspace(ctx, to); !ws.Updated.Equal(wsBefore.Updated) {
			t.Error("second call rewrote the workspace")
		}
		checkMigrated(t, ctx, s, rdb, d, from, to)

		// The old chat moved to to; it cannot move elsewhere.
		if err := s.MigrateChat(ctx, from, newChat()); !errors.Is(err, kpi.ErrConflict) {
			t.Errorf("moving the old chat elsewhere: %v, want ErrConflict", err)
		}
	})
}

// /start in the new supergroup before the migration arrived: it created a
// default workspace and opened a wizard, but has no plan or entries. The old
// workspace, plans and entries win; the new chat's newer wizard is kept.
func TestMigrateChatOntoAFreshWorkspace(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		from, to := newChat(), newChat()
		d := fillChat(t, ctx, s, from)
		fresh := kpi.Workspace{ChatID: to, Type: kpi.ChatSupergroup, Title: "New", Lang: kpi.English, Timezone: "UTC", Active: true, Settings: kpi.DefaultSettings}
		if err := s.SaveWorkspace(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		rev, err := s.SaveWizard(ctx, to, 0, []byte(`{"step":"goal"}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatal(err)
		}
		w, err := s.Workspace(ctx, to)
		if err != nil || w.ChatID != to || w.Type != kpi.ChatSupergroup || w.Lang != kpi.Russian || w.Title != d.title || w.ReportHour != 9 {
			t.Errorf("workspace %+v, %v; want the old one under the new id", w, err)
		}
		if plans, _ := s.Plans(ctx, to); len(plans) != 2 {
			t.Errorf("%d plans, want the old 2", len(plans))
		}
		if all, _ := s.AllEntries(ctx, to); len(all) != 3 {
			t.Errorf("%d entries, want the old 3", len(all))
		}
		if st, r, err := s.Wizard(ctx, to); err != nil || r != rev || string(st) != `{"step":"goal"}` {
			t.Errorf("wizard %s rev %d, %v; want the new chat's own", st, r, err)
		}
		if st, err := s.Dialog(ctx, to, d.user); err != nil || string(st) != string(d.dialog) {
			t.Errorf("dialog %s, %v", st, err)
		}
		if got := names(keyTTLs(t, ctx, rdb, from)); !slices.Equal(got, []string{"moved"}) {
			t.Errorf("old chat keeps %v", got)
		}
		if ids, _ := s.Workspaces(ctx); !containsID(ids, to) || containsID(ids, from) {
			t.Error("kpi:workspaces not updated")
		}
	})
}

// The new supergroup was set up on its own (a plan and an entry) before the
// migration arrived: its workspace, plan and entries are kept and the old
// ones dropped; keys it lacks (wizard, dialog) still come from the old chat.
func TestMigrateChatOntoASetUpWorkspace(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		from, to := newChat(), newChat()
		d := fillChat(t, ctx, s, from)
		own := kpi.Workspace{ChatID: to, Type: kpi.ChatSupergroup, Title: "New", Lang: kpi.English, Timezone: "UTC", Active: true, Settings: kpi.DefaultSettings}
		if err := s.SaveWorkspace(ctx, own); err != nil {
			t.Fatal(err)
		}
		rev, _ := s.SaveWizard(ctx, to, 0, []byte("{}"))
		if _, err := s.CommitPlan(ctx, own, testPlan(9000), rev); err != nil {
			t.Fatal(err)
		}
		e := kpi.Entry{Metric: "reach", Value: 6000, Date: kpi.Date{Year: 2026, Month: 12, Day: 1}, By: 5, At: time.Now()}
		if _, _, err := s.AddEntries(ctx, to, []kpi.Entry{e}, e.Date, e.Date); err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatal(err)
		}
		if w, _ := s.Workspace(ctx, to); w.Lang != kpi.English || w.Title != "New" {
			t.Errorf("workspace %+v; want the new chat's own", w)
		}
		if plans, _ := s.Plans(ctx, to); len(plans) != 1 || plans[0].KPIs[0].Target != 9000 {
			t.Errorf("plans %+v; want the new chat's one", plans)
		}
		all, _ := s.AllEntries(ctx, to)
		reach, _ := s.Entries(ctx, to, "reach", kpi.Date{Year: 2026, Month: 1, Day: 1}, kpi.Date{Year: 2026, Month: 12, Day: 31})
		recent, _ := s.RecentEntries(ctx, to, "", 10)
		if len(all) != 1 || len(reach) != 1 || len(recent) != 1 || all[0].Value != 6000 {
			t.Errorf("entries %+v / %+v / %+v; want only the new chat's", all, reach, recent)
		}
		if _, ok := keyTTLs(t, ctx, rdb, to)["m:leads"]; ok {
			t.Error("an old entry key was copied")
		}
		if st, r, err := s.Wizard(ctx, to); err != nil || r != d.wizardRev || string(st) != string(d.wizard) {
			t.Errorf("wizard %s rev %d, %v; want the old one (the new chat had none)", st, r, err)
		}
		if st, err := s.Dialog(ctx, to, d.user); err != nil || string(st) != string(d.dialog) {
			t.Errorf("dialog %s, %v", st, err)
		}
		if got := names(keyTTLs(t, ctx, rdb, from)); !slices.Equal(got, []string{"moved"}) {
			t.Errorf("old chat keeps %v", got)
		}
	})
}

func TestMigrateChatEdgeCases(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		for _, c := range [][2]int64{{0, newChat()}, {newChat(), 0}, {-5, -5}} {
			if err := s.MigrateChat(ctx, c[0], c[1]); !errors.Is(err, kpi.ErrInvalid) {
				t.Errorf("MigrateChat(%d, %d): %v, want ErrInvalid", c[0], c[1], err)
			}
		}
		if _, ok, err := s.MovedTo(ctx, newChat()); ok || err != nil {
			t.Errorf("MovedTo(unknown) = %v, %v", ok, err)
		}
		// A chat without data still leaves the marker.
		from, to := newChat(), newChat()
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := s.MovedTo(ctx, from); !ok || got != to {
			t.Errorf("MovedTo = %d, %v", got, ok)
		}
		if n := len(keyTTLs(t, ctx, rdb, to)); n != 0 {
			t.Errorf("new chat got %d keys from nothing", n)
		}
		if ids, _ := s.Workspaces(ctx); containsID(ids, to) {
			t.Error("a chat without a workspace entered kpi:workspaces")
		}
	})
}

// Two updates (migrate_to_chat_id in the old group, migrate_from_chat_id in
// the new one) can start the migration on two replicas at once.
func TestMigrateChatConcurrentCalls(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		from, to := newChat(), newChat()
		d := fillChat(t, ctx, s, from)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := s.MigrateChat(ctx, from, to); err != nil {
					t.Errorf("concurrent migrate: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		checkMigrated(t, ctx, s, rdb, d, from, to)
	})
}

// A send claimed before the migration and finished after it is recorded
// under the new chat, so the new chat does not send it again.
func TestDoneDeliveryFollowsAMigration(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		from, to := newChat(), newChat()
		fillChat(t, ctx, s, from)
		tok, ok, err := s.ClaimDelivery(ctx, from, "weekly", "2026-W49", time.Hour)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := s.MigrateChat(ctx, from, to); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ClaimDelivery(ctx, to, "weekly", "2026-W49", time.Hour); ok {
			t.Fatal("the claim did not move with the chat")
		}
		if err := s.DoneDelivery(ctx, from, "weekly", "2026-W49", tok, 777); err != nil {
			t.Fatalf("done under the old id: %v", err)
		}
		if done, _ := s.Delivered(ctx, to, "weekly", "2026-W49"); !done {
			t.Error("not recorded under the new chat")
		}
		if got := names(keyTTLs(t, ctx, rdb, from)); !slices.Equal(got, []string{"moved"}) {
			t.Errorf("old chat keeps %v", got)
		}

		// Done between the marker and the deletion of the old keys: the
		// copy under the new chat is marked too.
		from, to = newChat(), newChat()
		tok, ok, err = s.ClaimDelivery(ctx, from, "weekly", "2026-W50", time.Hour)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		key := deliveryKey(from, "weekly", "2026-W50")
		rdb.Set(ctx, deliveryKey(to, "weekly", "2026-W50"), rdb.Get(ctx, key).Val(), time.Hour)
		rdb.Set(ctx, "kpi:{"+itoa(from)+"}:moved", itoa(to), time.Hour)
		if err := s.DoneDelivery(ctx, from, "weekly", "2026-W50", tok, 778); err != nil {
			t.Fatalf("done at the commit point: %v", err)
		}
		for _, c := range []int64{from, to} {
			if done, _ := s.Delivered(ctx, c, "weekly", "2026-W50"); !done {
				t.Errorf("chat %d: not recorded", c)
			}
		}
		if err := s.DoneDelivery(ctx, from, "weekly", "2026-W50", tok, 778); err != nil {
			t.Errorf("repeated done: %v", err)
		}
	})
}

// A crash after any number of writes leaves one complete chat (the old one
// before the marker, the new one after it), and calling MigrateChat again
// completes the migration. The crash is simulated by failing every command
// from the (n+1)-th write call on, for every n until a migration gets
// through.
func TestMigrateChatResumesAfterACrashAnywhere(t *testing.T) {
	each(t, func(t *testing.T, ctx context.Context, s *storage.Store, rdb redis.UniversalClient) {
		h := &faultHook{}
		rdb.AddHook(h)
		crashes := 0
		for n := 0; ; n++ {
			if n > 200 {
				t.Fatal("the migration never finished")
			}
			from, to := newChat(), newChat()
			d := fillChat(t, ctx, s, from)
			h.crashAfter(n)
			err := s.MigrateChat(ctx, from, to)
			if !h.disarm() {
				if err != nil {
					t.Fatalf("no crash, yet: %v", err)
				}
				checkMigrated(t, ctx, s, rdb, d, from, to)
				break
			}
			crashes++
			if !errors.Is(err, kpi.ErrUnavailable) {
				t.Fatalf("crash after %d writes: err = %v, want ErrUnavailable", n, err)
			}
			if _, moved, _ := s.MovedTo(ctx, from); moved {
				checkChat(t, ctx, s, rdb, to, d, kpi.ChatSupergroup)
			} else {
				checkChat(t, ctx, s, rdb, from, d, kpi.ChatGroup)
			}
			if err := s.MigrateChat(ctx, from, to); err != nil {
				t.Fatalf("resume after a crash after %d writes: %v", n, err)
			}
			checkMigrated(t, ctx, s, rdb, d, from, to)
			if t.Failed() {
				t.Fatalf("crash after %d writes", n)
			}
		}
		if crashes < 10 {
			t.Errorf("only %d crash points", crashes)
		}
		t.Logf("resumed after a crash at each of %d write calls", crashes)
	})
}

// faultHook counts write calls (a command, pipeline or MULTI/EXEC with a
// write in it) and, when armed, simulates a crash: from the (n+1)-th write
// call on, every command fails without being sent. UNWATCH still goes
// through, so a connection goes back to the pool clean. The error is a dial
// failure, which the embedded store knows was not sent (nothing journalled).
type faultHook struct {
	mu      sync.Mutex
	writes  int
	armed   bool
	left    int
	tripped bool
}

var errCrash = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("simulated crash")}

var writeNames = map[string]bool{
	"set": true, "setnx": true, "del": true, "unlink": true, "hset": true, "hdel": true,
	"rpush": true, "lpush": true, "sadd": true, "srem": true, "zadd": true, "zrem": true,
	"pexpire": true, "expire": true, "persist": true, "rename": true,
}

func (h *faultHook) check(cmds []redis.Cmder) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	write, unwatch := false, true
	for _, c := range cmds {
		write = write || writeNames[c.Name()]
		unwatch = unwatch && c.Name() == "unwatch"
	}
	if h.armed && !unwatch && (h.tripped || write && h.left == 0) {
		h.tripped = true
		return errCrash
	}
	if write {
		h.writes++
		h.left--
	}
	return nil
}

func (h *faultHook) crashAfter(n int) {
	h.mu.Lock()
	h.armed, h.left, h.tripped = true, n, false
	h.mu.Unlock()
}

// disarm stops the crash and reports whether it happened.
func (h *faultHook) disarm() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = false
	return h.tripped
}

func (h *faultHook) reset() {
	h.mu.Lock()
	h.writes = 0
	h.mu.Unlock()
}

func (h *faultHook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.writes
}

func (h *faultHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *faultHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := h.check([]redis.Cmder{cmd}); err != nil {
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (h *faultHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := h.check(cmds); err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		return next(ctx, cmds)
	}
}
