// Command kpiload is a load test of kpibot end to end: many users in many
// chats send /log commands and press the Undo button of its answers
// through the webhook of a real kpibot process, which keeps its data in a
// real Redis and talks to a fake Telegram (bot/telegramtest) served by this
// process. It reports updates per second, latency percentiles (from the
// POST of an update to the moment the fake receives the bot's answer to
// it), errors by kind, the bot's resident memory and where the CPU went.
//
// Run it from the module, with a Redis it may write to:
//
//	go run ./cmd/kpiload -rate 3000 -chats 5000 -workspaces 10000 -duration 30s
//
// By default it builds ./cmd/kpibot into a temporary directory (-bot runs a
// given binary instead), flushes Redis database 15 (-redis, -flush) and
// seeds one workspace with a plan per chat.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// Config is the load test's settings, from the command line.
type Config struct {
	Bot        string // kpibot binary; "" builds ./cmd/kpibot
	RedisURL   string
	Flush      bool
	Workspaces int // workspaces seeded, each with a plan
	History    int // entries of each logged metric a seeded workspace starts with
	Chats      int // private chats that send updates
	Groups     int // groups that send updates
	Members    int // users taking turns in each group
	Rate       float64
	Duration   time.Duration
	Warmup     time.Duration
	Press      float64 // share of updates that press Undo instead of /log
	Timeout    time.Duration
	Private    time.Duration // least time between two updates of one private chat
	Group      time.Duration // the same for a group
	Conns      int           // concurrent webhook POSTs
	Settle     time.Duration // pause after start-up before the memory is read
	LogLevel   string
	BotEnv     []string
	CPUProfile string // this process's CPU profile while the load runs
	BotProfile string // directory for the bot's CPU and heap profiles (instrumented build)
	Progress   time.Duration
}

// gcPercent is this process's GOGC, unless GOGC is set. Its heap is test
// data that the fake and the load keep bounded (about 25 MB with 5 000
// chats) while every update allocates afresh, so the collector's work is
// pure overhead, and the tool's CPU counts against the bot's on a shared
// machine: at the default 100 marking took about 5% of the tool's CPU, at
// 800 under 1%, for a heap that peaks at nine times the live data (about
// 200 MB).
const gcPercent = 800

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kpiload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg, os.Stderr)
	if rep != nil {
		rep.write(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kpiload:", err)
		os.Exit(1)
	}
}

// envList is a repeatable -botenv KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

// parseFlags reads the command line. It refuses to flush database 0
// unless -flush is given explicitly.
func parseFlags(args []string) (Config, error) {
	var c Config
	var env envList
	fs := flag.NewFlagSet("kpiload", flag.ContinueOnError)
	fs.StringVar(&c.Bot, "bot", "", "kpibot binary to run (default: go build ./cmd/kpibot into a temporary directory)")
	fs.StringVar(&c.RedisURL, "redis", "redis://127.0.0.1:6379/15", "Redis for the bot and the seeding (REDIS_URL)")
	fs.BoolVar(&c.Flush, "flush", true, "FLUSHDB the -redis database before seeding (database 0 only when given explicitly)")
	fs.IntVar(&c.Workspaces, "workspaces", 10000, "workspaces to seed, each with a plan (at least the chats that send)")
	fs.IntVar(&c.History, "history", 8, "entries of each metric the load logs (reach, engagement) that every seeded workspace starts with, spread evenly over the 8 weeks before today (8: one a week; 56: every day; 0: none)")
	fs.IntVar(&c.Chats, "chats", 5000, "private chats sending updates")
	fs.IntVar(&c.Groups, "groups", 0, "supergroups sending updates")
	fs.IntVar(&c.Members, "members", 5, "users taking turns in each group")
	fs.Float64Var(&c.Rate, "rate", 3000, "updates per second to send (open loop)")
	fs.DurationVar(&c.Duration, "duration", 30*time.Second, "measured run time")
	fs.DurationVar(&c.Warmup, "warmup", 3*time.Second, "run time before the measurement, at the same rate")
	fs.Float64Var(&c.Press, "press", 0.2, "share of updates that press the Undo button of an earlier /log answer (a chat presses only after a /log of its own, so with few turns per chat the share is lower)")
	fs.DurationVar(&c.Timeout, "timeout", 5*time.Second, "an update without its answer after this long is an error")
	fs.DurationVar(&c.Private, "private-interval", 1100*time.Millisecond, "least time between two updates of one private chat (the bot answers about one a second)")
	fs.DurationVar(&c.Group, "group-interval", 3100*time.Millisecond, "least time between two updates of one group (the bot answers 20 a minute)")
	fs.IntVar(&c.Conns, "conns", 64, "concurrent webhook POSTs")
	fs.DurationVar(&c.Settle, "settle", 3*time.Second, "pause after start-up before the memory is read")
	fs.StringVar(&c.LogLevel, "loglevel", "warn", "the bot's LOG_LEVEL")
	fs.Var(&env, "botenv", "extra KEY=VALUE for the bot's environment (repeatable), e.g. GOMAXPROCS=1 or GODEBUG=gctrace=1")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write this process's CPU profile while the load runs (the fake Telegram and the simulated users) to a file")
	fs.StringVar(&c.BotProfile, "botprofile", "", "directory: build the bot with pprof added (go build -overlay; the source is unchanged) and save its CPU and heap profiles there")
	fs.DurationVar(&c.Progress, "progress", 5*time.Second, "progress line interval on stderr (0: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.BotEnv = env
	explicitFlush := false
	fs.Visit(func(f *flag.Flag) { explicitFlush = explicitFlush || f.Name == "flush" })
	switch {
	case c.Rate <= 0:
		return c, fmt.Errorf("-rate must be above 0")
	case c.Chats < 0 || c.Groups < 0 || c.Chats+c.Groups == 0:
		return c, fmt.Errorf("-chats and -groups: at least one chat must send")
	case c.Groups > 0 && c.Members < 1:
		return c, fmt.Errorf("-members must be at least 1")
	case c.Press < 0 || c.Press > 1:
		return c, fmt.Errorf("-press is a share from 0 to 1")
	case c.Duration <= 0 || c.Timeout <= 0 || c.Warmup < 0:
		return c, fmt.Errorf("-duration and -timeout must be above 0, -warmup at least 0")
	case c.Conns < 1:
		return c, fmt.Errorf("-conns must be at least 1")
	case c.History < 0:
		return c, fmt.Errorf("-history must be at least 0")
	}
	db, err := redisDB(c.RedisURL)
	if err != nil {
		return c, err
	}
	if c.Flush && db == 0 && !explicitFlush {
		return c, fmt.Errorf("refusing to FLUSHDB Redis database 0 by default: use a database of its own (-redis .../15), or pass -flush (or -flush=false) explicitly")
	}
	c.Workspaces = max(c.Workspaces, c.Chats+c.Groups)
	return c, nil
}
