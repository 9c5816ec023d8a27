package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
	"github.com/kpibot/kpibot/storage"
)

// webhookURL is what the bot registers with the fake; only its path
// (webhookPath) matters, since the load posts to the bot's HTTP_ADDR
// itself.
const (
	webhookPath = "/hook"
	webhookURL  = "https://example.invalid" + webhookPath
)

// run does one load test: seed, start the fake and the bot, send, stop. The
// report is returned as far as it got, also with an error.
func run(ctx context.Context, cfg Config, logw io.Writer) (*report, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "kpiload: "+format+"\n", args...) }
	rep := &report{cfg: cfg, machine: readMachine()}
	tmp, err := os.MkdirTemp("", "kpiload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	rdb, err := storage.NewClient(cfg.RedisURL)
	if err != nil {
		return rep, err
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return rep, fmt.Errorf("redis %s: %w", redactURL(cfg.RedisURL), err)
	}
	if cfg.Flush {
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			return rep, fmt.Errorf("redis flush: %w", err)
		}
		rep.flushed = true
	}
	logf("seeding %d workspaces in %s", cfg.Workspaces, redactURL(cfg.RedisURL))
	t0 := time.Now()
	if err := seed(ctx, storage.New(rdb), cfg.Workspaces, cfg.Chats, cfg.History, time.Now()); err != nil {
		return rep, err
	}
	rep.seedTime = time.Since(t0)
	rep.redisMem = redisUsedMemory(ctx, rdb)

	tb := &fakeTB{logf: logf}
	defer tb.cleanup()
	tg := telegramtest.New(tb)
	fk, err := startFake(tg)
	if err != nil {
		return rep, err
	}
	defer fk.close()
	sim := newLoad(cfg, tg, time.Now())

	bin := cfg.Bot
	pprofAddr := ""
	if bin == "" || cfg.BotProfile != "" {
		logf("building kpibot")
		if bin, err = buildBot(ctx, tmp, cfg.BotProfile != ""); err != nil {
			return rep, err
		}
	}
	if cfg.BotProfile != "" {
		if err := os.MkdirAll(cfg.BotProfile, 0o755); err != nil {
			return rep, err
		}
		if pprofAddr, err = freeAddr(); err != nil {
			return rep, err
		}
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	secret := randomSecret()
	env := []string{
		"TELEGRAM_BOT_TOKEN=" + tg.Token(),
		"TELEGRAM_API_URL=" + fk.url,
		"REDIS_URL=" + cfg.RedisURL,
		"WEBHOOK_URL=" + webhookURL,
		"WEBHOOK_SECRET=" + secret,
		"HTTP_ADDR=" + httpAddr,
		"LOG_LEVEL=" + cfg.LogLevel,
		"LOG_FORMAT=text",
	}
	if pprofAddr != "" {
		env = append(env, pprofEnv+"="+pprofAddr)
	}
	rep.botLog = filepath.Join(os.TempDir(), fmt.Sprintf("kpiload-bot-%d.log", os.Getpid()))
	bp, err := startBot(bin, append(env, cfg.BotEnv...), rep.botLog)
	if err != nil {
		return rep, err
	}
	defer bp.kill()
	base := "http://" + httpAddr
	if err := waitReady(ctx, base, fk, bp, 30*time.Second); err != nil {
		return rep, err
	}
	logf("bot pid %d ready on %s; settling for %v", bp.pid(), httpAddr, cfg.Settle)
	select {
	case <-time.After(cfg.Settle):
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	if rep.memStart, err = readMemory(bp.pid()); err != nil {
		return rep, err
	}

	before := takeSample(ctx, bp.pid(), rdb, base)
	var profDone <-chan error
	if pprofAddr != "" {
		profDone = fetchCPUProfile(ctx, pprofAddr, cfg.Warmup, cfg.Duration, filepath.Join(cfg.BotProfile, "bot-cpu.pprof"))
	}
	fk.observe(sim.observe)
	stopProfile, err := startCPUProfile(cfg.CPUProfile)
	if err != nil {
		return rep, err
	}
	rep.load = sim.run(ctx, httpAddr, webhookPath, secret, logf)
	stopProfile()
	after := takeSample(ctx, bp.pid(), rdb, base)
	rep.usage = after.since(before)
	rep.memEnd, _ = readMemory(bp.pid())
	rep.botConns = fk.conns.Load()
	if profDone != nil {
		if err := <-profDone; err != nil {
			logf("bot CPU profile: %v", err)
		}
		if err := fetchHeapProfile(ctx, pprofAddr, filepath.Join(cfg.BotProfile, "bot-heap.pprof")); err != nil {
			logf("bot heap profile: %v", err)
		}
		rep.profiles = cfg.BotProfile
		rep.profiledBin = filepath.Join(cfg.BotProfile, "kpibot")
		_ = copyFile(bin, rep.profiledBin)
	}
	rep.exitCode, rep.exitErr = bp.stop(15 * time.Second)
	rep.botLogLines = countLogLevels(rep.botLog)
	rep.fakeErrors = tb.errors.Load()
	return rep, ctx.Err()
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomSecret() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}
