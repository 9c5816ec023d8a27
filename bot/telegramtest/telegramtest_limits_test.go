package telegramtest_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// tooMany returns err's retry_after when it is the client's 429, else -1.
func tooMany(err error) int {
	var e *bot.TooManyRequestsError
	if !errors.As(err, &e) {
		return -1
	}
	return e.RetryAfter
}

// until blocks until the wall clock reaches at: the moment a limit is
// known to let the next call through (not a guess).
func until(at time.Time) { <-time.After(time.Until(at)) }

// Global rate: in any second at most n sends, all chats together; the
// next is refused with retry_after 1 and delivers nothing, and once the
// oldest send is a second old exactly one more goes through.
func TestFloodLimitsGlobalRate(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithFloodLimits(3, 0, 0))
	b := newBot(t, srv)
	ctx := context.Background()
	var chats []telegramtest.Chat
	for i := range 5 {
		chats = append(chats, srv.PrivateChat(telegramtest.User{ID: int64(2001 + i), FirstName: "U"}))
	}
	for i := range 3 {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chats[i].ID, Text: "report"}); err != nil {
			t.Fatalf("send %d within the rate: %v", i, err)
		}
	}
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chats[3].ID, Text: "report"})
	if tooMany(err) != 1 {
		t.Fatalf("the 4th send in a second: %v, want 429 with retry_after 1", err)
	}
	if !strings.Contains(err.Error(), "Too Many Requests: retry after 1") {
		t.Errorf("429 description: %v", err)
	}
	if n := len(srv.Messages(chats[3].ID)); n != 0 {
		t.Errorf("a refused send delivered %d messages", n)
	}
	last := srv.Calls("sendMessage")[3]
	if last.Status != 429 || last.Description != "Too Many Requests: retry after 1" {
		t.Errorf("recorded call: %d %q", last.Status, last.Description)
	}
	log := srv.FloodViolationLog()
	if srv.FloodViolations() != 1 || len(log) != 1 || log[0].Limit != "global" || log[0].ChatID != chats[3].ID ||
		log[0].Seq != last.Seq || log[0].Wait <= 0 || log[0].Wait > time.Second {
		t.Errorf("violations %d: %+v", srv.FloodViolations(), log)
	}
	arrived := srv.FloodArrivals(0)
	if len(arrived) != 3 {
		t.Fatalf("%d counted arrivals, want the 3 accepted (a refused call does not count)", len(arrived))
	}

	// The window slides: a second after the first send one more goes, not two.
	until(arrived[0].Add(time.Second))
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chats[3].ID, Text: "report"}); err != nil {
		t.Fatalf("a second after the first send: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chats[4].ID, Text: "report"}); tooMany(err) != 1 {
		// Only if the machine took over a second since the 2nd send may it pass.
		if time.Since(arrived[1]) < time.Second {
			t.Errorf("the window let a second call through: %v", err)
		}
	}
	if n := len(srv.Messages(chats[3].ID)); n != 1 {
		t.Errorf("chat 4 has %d messages after the retry, want 1", n)
	}
}

// Per chat: a group takes one send per group interval, a private chat one
// per private interval; sendPhoto, sendDocument and the edits count,
// sendChatAction and reads do not; another chat is not held up;
// retry_after is the wait rounded up.
func TestFloodLimitsPerChat(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithFloodLimits(0, 2500*time.Millisecond, 1500*time.Millisecond))
	b := newBot(t, srv)
	ctx := context.Background()
	g1, g2 := srv.Group(-3001, "Team A"), srv.Supergroup(-1003002, "Team B", false)
	p := srv.PrivateChat(alice)

	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g1.ID, Text: "one"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: g1.ID,
		Photo: &models.InputFileUpload{Filename: "chart.png", Data: bytes.NewReader(tinyPNG(t))}})
	if tooMany(err) != 3 {
		t.Errorf("a photo right after a message to a group: %v, want retry_after 3 (2.5 s rounded up)", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g2.ID, Text: "one"}); err != nil {
		t.Errorf("another group is held up: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g2.ID, Text: "two"}); tooMany(err) != 3 {
		t.Errorf("a supergroup takes the group interval: %v", err)
	}

	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: p.ID, Text: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: p.ID, Action: models.ChatActionTyping}); err != nil {
		t.Errorf("a chat action is not a send: %v", err)
	}
	if _, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: p.ID}); err != nil {
		t.Errorf("a read is not a send: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: p.ID, MessageID: sent.ID, Text: "final"})
	if tooMany(err) != 2 {
		t.Errorf("an edit right after a send to a private chat: %v, want retry_after 2 (1.5 s rounded up)", err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: p.ID,
		Document: &models.InputFileUpload{Filename: "r.csv", Data: strings.NewReader("a,b\n")}})
	if tooMany(err) != 2 {
		t.Errorf("a document right after a send: %v", err)
	}
	if m, _ := srv.Message(p.ID, sent.ID); m.PlainText != "draft" {
		t.Errorf("a refused edit changed the message to %q", m.PlainText)
	}
	if n := len(srv.Messages(g1.ID)); n != 1 {
		t.Errorf("group 1 has %d messages, want 1", n)
	}

	kinds := map[string]int{}
	for _, v := range srv.FloodViolationLog() {
		kinds[v.Limit]++
	}
	if srv.FloodViolations() != 4 || kinds["group"] != 2 || kinds["private"] != 2 {
		t.Errorf("%d violations by limit %v, want 2 group and 2 private", srv.FloodViolations(), kinds)
	}
	if n := len(srv.FloodArrivals(p.ID)); n != 1 {
		t.Errorf("%d counted calls to the private chat, want 1 (chat action and getChat do not count)", n)
	}
}

// A refused call does not use up a failure armed with FailNext; an armed
// failure that fires counts against the limits, as every request reaching
// Telegram does.
func TestFloodLimitsAndArmedFailures(t *testing.T) {
	const every = 50 * time.Millisecond
	srv := telegramtest.New(t, telegramtest.WithFloodLimits(0, 0, every))
	b := newBot(t, srv)
	ctx := context.Background()
	p := srv.PrivateChat(alice)
	send := func() error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: p.ID, Text: "report"})
		return err
	}

	if err := send(); err != nil {
		t.Fatal(err)
	}
	srv.FailNext("sendMessage", p.ID, telegramtest.InternalServerError())
	if err := send(); tooMany(err) != 1 {
		t.Fatalf("too soon: %v", err)
	}
	if srv.ArmedFailures() != 1 {
		t.Fatal("a refused call used up the armed failure")
	}
	until(srv.FloodArrivals(p.ID)[0].Add(every))
	if err := send(); err == nil || tooMany(err) != -1 {
		t.Fatalf("the armed 500 did not fire: %v", err)
	}
	if err := send(); tooMany(err) != 1 {
		t.Fatalf("right after the 500: %v, want 429 (the 500 counted)", err)
	}
	arrived := srv.FloodArrivals(p.ID)
	if len(arrived) != 2 {
		t.Fatalf("counted %d calls, want 2", len(arrived))
	}
	until(arrived[1].Add(every))
	if err := send(); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages(p.ID)); n != 2 {
		t.Errorf("%d messages delivered, want 2", n)
	}
	arrived = srv.FloodArrivals(p.ID)
	for i := 1; i < len(arrived); i++ {
		if gap := arrived[i].Sub(arrived[i-1]); gap < every {
			t.Errorf("counted calls %v apart", gap)
		}
	}
	if srv.FloodViolations() != 2 {
		t.Errorf("%d violations, want 2", srv.FloodViolations())
	}
}

// Calls arriving at once are checked one by one: of 20 concurrent sends to
// one group only one is delivered, and of 40 concurrent sends to 40 chats
// no second holds more than the global rate.
func TestFloodLimitsUnderConcurrency(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithFloodLimits(10, time.Hour, 0))
	b := newBot(t, srv)
	ctx := context.Background()
	g := srv.Group(-4001, "Busy")

	var wg sync.WaitGroup
	var mu sync.Mutex
	retries := map[int]int{}
	for range 20 {
		wg.Go(func() {
			_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: g.ID, Text: "report"})
			mu.Lock()
			retries[tooMany(err)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	// One accepted (no 429: -1), the rest told to wait the hour.
	if retries[-1] != 1 || retries[3600] != 19 {
		t.Errorf("answers by retry_after: %v, want 1 accepted and 19 × 3600", retries)
	}
	if n := len(srv.Messages(g.ID)); n != 1 {
		t.Errorf("%d messages in the group, want 1", n)
	}

	// 9 more of the global 10 are left in this second (if it has not passed).
	before := srv.FloodViolations()
	var ok sync.WaitGroup
	for i := range 40 {
		c := srv.PrivateChat(telegramtest.User{ID: int64(4100 + i), FirstName: "U"})
		ok.Go(func() { _, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: c.ID, Text: "report"}) })
	}
	ok.Wait()
	arrived := srv.FloodArrivals(0)
	for i := 0; i+10 < len(arrived); i++ {
		if arrived[i+10].Sub(arrived[i]) < time.Second {
			t.Fatalf("11 counted calls within %v", arrived[i+10].Sub(arrived[i]))
		}
	}
	delivered := 0
	for _, c := range srv.Calls("sendMessage") {
		if c.OK() {
			delivered++
		}
	}
	if delivered != len(arrived) || srv.FloodViolations()-before != 40-(delivered-1) {
		t.Errorf("%d delivered, %d counted, %d new violations of 40 sends", delivered, len(arrived), srv.FloodViolations()-before)
	}
	t.Logf("40 concurrent sends to 40 chats: %d delivered, %d refused", delivered-1, srv.FloodViolations()-before)
}

// Without WithFloodLimits nothing is enforced or counted.
func TestNoFloodLimitsByDefault(t *testing.T) {
	srv := telegramtest.New(t)
	b := newBot(t, srv)
	p := srv.PrivateChat(alice)
	for i := range 30 {
		if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: p.ID, Text: "x"}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if srv.FloodViolations() != 0 || srv.FloodArrivals(0) != nil || srv.FloodViolationLog() != nil {
		t.Error("limits enforced or counted without WithFloodLimits")
	}
}
