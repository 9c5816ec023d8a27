package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/kpibot/kpibot/bot"
	"github.com/kpibot/kpibot/bot/telegramtest"
)

// 300 workspaces (150 groups, 150 private chats) get their weekly report
// through the outbox on the real clock with the limits shortened a
// hundredfold, the real Bot API client and the fake Telegram, which answers
// one report 429 and another 500. Every report arrives exactly once, and the
// times at which the fake received the calls keep every limit.
func TestOutboxFanOutKeepsTelegramLimits(t *testing.T) {
	const (
		groups, privates = 150, 150
		extra            = 10 // chats of each kind that get two more messages
		groupEvery       = 30 * time.Millisecond
		privateEvery     = 10 * time.Millisecond
		perSecond        = 250
		backoff          = 20 * time.Millisecond
	)
	tg := telegramtest.New(t)
	api, err := tgbot.New(tg.Token(), tgbot.WithServerURL(tg.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}

	type chatInfo struct {
		id    int64
		group bool
	}
	var chats []chatInfo
	for i := range groups {
		chats = append(chats, chatInfo{tg.Group(int64(-1_000_001-i), fmt.Sprintf("Team %d", i)).ID, true})
	}
	for i := range privates {
		u := telegramtest.User{ID: int64(5_000_001 + i), FirstName: fmt.Sprintf("Owner %d", i)}
		chats = append(chats, chatInfo{tg.PrivateChat(u).ID, false})
	}
	isGroup := map[int64]bool{}
	for _, c := range chats {
		isGroup[c.id] = c.group
	}
	limited, failing := chats[7].id, chats[groups+3].id
	tg.FailNext("sendMessage", limited, telegramtest.TooManyRequests(1))
	tg.FailNext("sendMessage", failing, telegramtest.InternalServerError())

	// Each chat's items, in the order they must arrive.
	texts := map[int64][]string{}
	for i, c := range chats {
		texts[c.id] = []string{fmt.Sprintf("Weekly report 2026-W48 for workspace %d", i)}
		if i < extra || (i >= groups && i < groups+extra) {
			texts[c.id] = append(texts[c.id],
				fmt.Sprintf("Reminder for workspace %d", i), fmt.Sprintf("Alert for workspace %d", i))
		}
	}
	total := 0
	for _, ts := range texts {
		total += len(ts)
	}

	logs := &lockedBuffer{}
	ob := bot.NewOutbox(bot.RealClock(), slog.New(slog.NewTextHandler(logs, nil)),
		bot.WithGroupInterval(groupEvery), bot.WithPrivateInterval(privateEvery),
		bot.WithGlobalRate(perSecond), bot.WithBackoff(backoff, time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ob.Run(ctx)
	}()
	defer func() {
		cancel()
		<-stopped
	}()

	var (
		mu       sync.Mutex
		results  = map[string][]error{}
		finished = make(chan struct{})
		left     = total
	)
	start := time.Now()
	// Four producers enqueue at once, each chat's items from one of them.
	var producers sync.WaitGroup
	for p := range 4 {
		producers.Go(func() {
			for i, c := range chats {
				if i%4 != p {
					continue
				}
				for n, text := range texts[c.id] {
					key := fmt.Sprintf("item:%d:%d", c.id, n)
					ob.Enqueue(bot.Item{
						Chat: c.id, Group: c.group, Key: key,
						Send: func(ctx context.Context) error {
							_, err := api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: c.id, Text: text})
							return err
						},
						Done: func(err error) {
							mu.Lock()
							defer mu.Unlock()
							results[key] = append(results[key], err)
							if left--; left == 0 {
								close(finished)
							}
						},
					})
				}
			}
		})
	}
	producers.Wait()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatalf("not finished after 30 s: Len %d of %d items", ob.Len(), total)
	}
	elapsed := time.Since(start)

	// Every item finished once, without error, and arrived once in order.
	mu.Lock()
	for key, errs := range results {
		if len(errs) != 1 || errs[0] != nil {
			t.Errorf("Done(%s) = %v, want one nil", key, errs)
		}
	}
	if len(results) != total {
		t.Errorf("%d items finished, want %d", len(results), total)
	}
	mu.Unlock()
	for _, c := range chats {
		var got []string
		for _, m := range tg.Messages(c.id) {
			got = append(got, m.PlainText)
		}
		if !slices.Equal(got, texts[c.id]) {
			t.Errorf("chat %d got %d messages %q, want %d in order", c.id, len(got), got, len(texts[c.id]))
		}
	}

	calls := tg.Calls("sendMessage")
	sort.Slice(calls, func(i, j int) bool { return calls[i].At.Before(calls[j].At) })
	var ok, tooMany, serverErr int
	for _, c := range calls {
		switch c.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			tooMany++
		case http.StatusInternalServerError:
			serverErr++
		default:
			t.Errorf("call to %d answered %d", c.ChatID, c.Status)
		}
	}
	if ok != total || tooMany != 1 || serverErr != 1 {
		t.Errorf("%d delivered, %d 429, %d 500; want %d, 1, 1", ok, tooMany, serverErr, total)
	}

	// The global rate, over every call (failed ones count at Telegram too).
	at := make([]time.Duration, len(calls))
	for i, c := range calls {
		at[i] = c.At.Sub(calls[0].At)
	}
	for i := 0; i+perSecond < len(at); i++ {
		if gap := at[i+perSecond] - at[i]; gap < time.Second {
			t.Errorf("calls %d and %d are %v apart: over %d in a second", i, i+perSecond, gap, perSecond)
		}
	}
	most, windows := maxInWindow(at, time.Second)
	if most > perSecond {
		t.Errorf("%d calls in one second, limit %d", most, perSecond)
	}

	// Per chat: the intervals between the calls as Telegram received them.
	last := map[int64]telegramtest.Call{}
	minGap := map[bool]time.Duration{true: time.Hour, false: time.Hour}
	for _, c := range calls {
		if prev, seen := last[c.ChatID]; seen {
			gap := c.At.Sub(prev.At)
			limit := privateEvery
			if isGroup[c.ChatID] {
				limit = groupEvery
			}
			if gap < limit {
				t.Errorf("chat %d: calls %v apart, limit %v", c.ChatID, gap, limit)
			}
			minGap[isGroup[c.ChatID]] = min(minGap[isGroup[c.ChatID]], gap)
			if prev.Status == http.StatusInternalServerError && gap < backoff {
				t.Errorf("chat %d: retried %v after a 500, backoff %v", c.ChatID, gap, backoff)
			}
		}
		last[c.ChatID] = c
	}

	// The 429 paused everything for retry_after, then its item went first.
	for i, c := range calls {
		if c.Status != http.StatusTooManyRequests {
			continue
		}
		if c.ChatID != limited {
			t.Errorf("429 for chat %d, armed for %d", c.ChatID, limited)
		}
		if i+1 < len(calls) {
			next := calls[i+1]
			if gap := next.At.Sub(c.At); gap < time.Second {
				t.Errorf("a call %v after the 429 with retry_after 1 s", gap)
			}
			if next.ChatID != limited || !next.OK() {
				t.Errorf("the first call after the pause went to %d (status %d), want the retried %d", next.ChatID, next.Status, limited)
			}
		}
	}
	if !strings.Contains(logs.String(), "retry_after=1") || !strings.Contains(logs.String(), "will retry") {
		t.Errorf("the 429 and the 500 are not logged: %s", logs)
	}
	if strings.Contains(logs.String(), "Weekly report") {
		t.Errorf("the log carries message text")
	}
	t.Logf("%d items to %d chats in %v: %d calls (1 429, 1 500), %d windows of 1 s checked, at most %d calls in one (limit %d); "+
		"closest calls to one group %v (limit %v), to one private chat %v (limit %v)",
		total, len(chats), elapsed.Round(time.Millisecond), len(calls), windows, most, perSecond,
		minGap[true].Round(time.Microsecond), groupEvery, minGap[false].Round(time.Microsecond), privateEvery)
}
