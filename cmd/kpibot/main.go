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
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones inside the binary: a scratch or distroless image has none
)

func main() {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") { // flags: the test binary's own
		os.Exit(subcommand(os.Args[1], os.Getenv, os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Getenv, os.Stderr))
}

// subcommand runs the helpers an image without a shell needs:
// "healthcheck" asks the running bot's /healthz (Docker's HEALTHCHECK),
// "selfcheck" shows that the binary carries its time zones.
func subcommand(name string, getenv func(string) string, out io.Writer) int {
	switch name {
	case "healthcheck":
		addr := getenv("HTTP_ADDR")
		if addr == "" {
			addr = ":8080"
		}
		if addr[0] == ':' {
			addr = "127.0.0.1" + addr
		}
		c := &http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get("http://" + addr + "/healthz")
		if err != nil {
			fmt.Fprintln(out, "unhealthy:", err)
			return 1
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Fprintln(out, "unhealthy: HTTP", resp.StatusCode)
			return 1
		}
		fmt.Fprintln(out, "ok")
		return 0
	case "selfcheck":
		loc, err := time.LoadLocation("Europe/Moscow")
		if err != nil {
			fmt.Fprintln(out, "no time zones:", err)
			return 1
		}
		_, off := time.Date(2026, 1, 1, 12, 0, 0, 0, loc).Zone()
		fmt.Fprintf(out, "Europe/Moscow UTC%+d\n", off/3600)
		return 0
	}
	fmt.Fprintf(out, "kpibot: unknown command %q (the bot takes its settings from the environment; see README)\n", name)
	return 2
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
