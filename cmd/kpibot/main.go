// Command kpibot runs the KPI coach bot: configuration from the environment
// (see README), the store (embedded or Redis), Telegram, and the HTTP
// endpoints. SIGINT or SIGTERM stops it: it stops taking updates, finishes
// the ones in flight, flushes the store and exits 0.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Getenv, os.Stderr))
}

// run starts the bot and blocks until ctx is done. It returns the process
// exit code: 2 for a configuration error, 1 for a failure, 0 for a clean stop.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "kpibot: %v\n", err)
		return 2
	}
	m := NewMain(cfg, stderr)
	if err := m.Open(ctx); err != nil {
		var ce *ConfigError
		m.Log.Error("start failed", "err", err)
		m.Close()
		if errors.As(err, &ce) {
			return 2
		}
		return 1
	}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		m.Log.Error("stopped with an error", "err", err)
		return 1
	}
	return 0
}
