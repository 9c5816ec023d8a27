package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// The Dockerfile's build, reproduced: a static binary (CGO off) runs in an
// empty root, with no libc, no zoneinfo and no shell, and still knows
// Europe/Moscow. It needs root for chroot, as CI has.
func TestStaticBinaryInEmptyRoot(t *testing.T) {
	chroot, root := staticRoot(t)
	out, err := exec.Command(chroot, root, "/kpibot", "selfcheck").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "Europe/Moscow UTC+3" {
		t.Fatalf("selfcheck in an empty root: %v, %q", err, out)
	}
	// Without a token it still stops with the one clear line and exit 2.
	cmd := exec.Command(chroot, root, "/kpibot")
	cmd.Env = []string{}
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "TELEGRAM_BOT_TOKEN") {
		t.Errorf("no token in an empty root: exit %d, %q", cmd.ProcessState.ExitCode(), out)
	}
}

// staticRoot builds the binary as the Dockerfile does into an otherwise
// empty directory and returns the chroot command and that directory.
func staticRoot(t *testing.T) (chroot, root string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	chroot, err := exec.LookPath("chroot")
	if err != nil {
		t.Skip("no chroot command")
	}
	root = t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(root, "kpibot"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Fatalf("the root holds %d files, want only the binary", len(entries))
	}
	return chroot, root
}

// The image's user and a read-only root: the bot runs in the empty root as
// uid 65532 (distroless "nonroot"), with every directory but DATA_DIR
// unwritable to it, answers /start and stops cleanly on SIGTERM; nothing
// outside DATA_DIR was written.
func TestNonRootWithReadOnlyRoot(t *testing.T) {
	chroot, root := staticRoot(t)
	const nonroot = 65532
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, nonroot, nonroot); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o555); err != nil { // root-owned: read-only to the bot
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	tg := telegramtest.New(t)
	cmd := exec.Command(chroot, fmt.Sprintf("--userspec=%d:%d", nonroot, nonroot), root, "/kpibot")
	cmd.Env = []string{"TELEGRAM_BOT_TOKEN=" + tg.Token(), "TELEGRAM_API_URL=" + tg.URL, "DATA_DIR=/data", "HTTP_ADDR=" + addr}
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("bot output:\n%s", logs.String())
		}
	})
	tg.WaitCall(t, "setMyCommands", nil, wait)
	chat := tg.PrivateChat(anna)
	tg.SendText(chat, anna, "/start")
	if msgs := tg.WaitMessages(t, chat.ID, 1, wait); !strings.HasPrefix(msgs[0].PlainText, "Здравствуйте") {
		t.Errorf("answer to /start: %q", msgs[0].PlainText)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10 s of SIGTERM")
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 2 {
		t.Errorf("the root holds %d entries, want the binary and data", len(entries))
	}
	if stored, _ := os.ReadDir(data); len(stored) == 0 {
		t.Error("nothing stored in DATA_DIR")
	}
	if err := os.Chmod(root, 0o700); err != nil { // let TempDir clean up
		t.Fatal(err)
	}
}

// "kpibot healthcheck" is the image's HEALTHCHECK: 0 while the bot serves
// /healthz, 1 when nothing answers.
func TestHealthcheckSubcommand(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	var out strings.Builder
	if code := subcommand("healthcheck", env(map[string]string{"HTTP_ADDR": r.HTTPAddr()}), &out); code != 0 {
		t.Errorf("healthy bot: exit %d, %q", code, out.String())
	}
	r.stop()
	out.Reset()
	if code := subcommand("healthcheck", env(map[string]string{"HTTP_ADDR": r.HTTPAddr()}), &out); code != 1 {
		t.Errorf("stopped bot: exit %d, %q", code, out.String())
	}
}

func TestReadyz(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	if r.emb == nil {
		// REDIS_E2E_URL: the bot is on a shared Redis this test cannot
		// stop; TestRedisOutage checks /readyz during a Redis outage.
		t.Skip("takes the store away: runs on the embedded store only")
	}
	resp, err := http.Get("http://" + r.HTTPAddr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz with the store up: %d", resp.StatusCode)
	}
	r.emb.Close() // the store goes away under the running bot
	resp, err = http.Get("http://" + r.HTTPAddr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store down: %d", resp.StatusCode)
	}
}

// /metrics speaks Prometheus: updates by kind, handler latency, Redis round
// trips, the outbox depth; never the token or a message's text.
func TestMetrics(t *testing.T) {
	tg := telegramtest.New(t)
	r := startBot(t, tg, nil, nil)
	chat := tg.PrivateChat(anna)
	tg.SendText(chat, anna, "/start секретный текст")
	tg.WaitMessages(t, chat.ID, 1, wait)
	tg.SendText(chat, anna, "/help")
	tg.SendText(chat, anna, "/cancel")
	// One chat's updates are handled in order: once the third is answered,
	// the first two were counted.
	tg.WaitMessages(t, chat.ID, 3, wait)
	resp, err := http.Get("http://" + r.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := string(body)
	for _, want := range []string{"kpibot_handler_seconds_bucket", "kpibot_redis_seconds_count", "kpibot_outbox_queue 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for name, min := range map[string]float64{`kpibot_updates_total{kind="command"}`: 2, "kpibot_messages_sent_total": 2} {
		if v := metricValue(out, name); v < min || v > min+1 {
			t.Errorf("%s = %v, want %v or (the third in flight) %v", name, v, min, min+1)
		}
	}
	_, secret, _ := strings.Cut(tg.Token(), ":")
	if strings.Contains(out, secret) || strings.Contains(out, "секретный") {
		t.Error("/metrics shows the token or a message text")
	}
}

// metricValue reads one sample of a Prometheus text exposition, -1 when
// it is not there.
func metricValue(exposition, name string) float64 {
	for _, line := range strings.Split(exposition, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
