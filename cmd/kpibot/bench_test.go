package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// roundTrips counts the requests a go-redis client makes to its server:
// one per command, one per pipeline or transaction.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkLogUpdate measures one /log message end to end: the fake
// Telegram delivers it by long polling, the bot parses it, stores the
// entry in the embedded store (journalled and fsync'd) and the reply
// reaches the fake. It reports the Redis round trips per /log.
func BenchmarkLogUpdate(b *testing.B) {
	tg := telegramtest.New(b)
	r := startBot(b, tg, map[string]string{"LOG_LEVEL": "warn"}, nil)
	chat := tg.PrivateChat(anna)
	seedPlan(b, r, chat)
	rt := &roundTrips{}
	r.rdb.AddHook(rt)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg.SendText(chat, anna, fmt.Sprintf("/log охват %d", 1000+i))
		tg.WaitMessages(b, chat.ID, i+1, wait)
	}
	b.StopTimer()
	b.ReportMetric(float64(rt.n.Load())/float64(b.N), "roundtrips/op")
}
