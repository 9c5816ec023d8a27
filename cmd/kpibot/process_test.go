package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/kpibot/kpibot/bot/telegramtest"
)

// TestMainProcess is the bot process itself when the test binary runs as
// a child of TestSIGTERM; otherwise it does nothing.
func TestMainProcess(t *testing.T) {
	if os.Getenv("KPIBOT_TEST_CHILD") != "1" {
		t.Skip("runs only as a child process")
	}
	main()
}

// startProcess runs the bot as a real process (main, signals and all).
func startProcess(t *testing.T, tg *telegramtest.Server, dataDir string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(),
		"KPIBOT_TEST_CHILD=1",
		"TELEGRAM_BOT_TOKEN="+tg.Token(),
		"TELEGRAM_API_URL="+tg.URL,
		"DATA_DIR="+dataDir,
		"HTTP_ADDR=127.0.0.1:0",
		"REDIS_URL=",
	)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, out
}

// SIGTERM stops the bot cleanly: exit 0, the store flushed, and after a
// restart on the same DATA_DIR the chat is remembered.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	tg := telegramtest.New(t)
	dir := t.TempDir()
	chat := tg.PrivateChat(anna)

	for round, want := range []string{"Здравствуйте, Анна", "С возвращением, Анна"} {
		cmd, out := startProcess(t, tg, dir)
		tg.SendText(chat, anna, "/start")
		msgs := tg.WaitMessages(t, chat.ID, round+1, wait)
		if got := msgs[round].PlainText; !strings.HasPrefix(got, want) {
			t.Errorf("round %d: %q, want %q", round, got, want)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); err != nil || code != 0 {
			t.Fatalf("round %d: exit %d (%v), want 0\n%s", round, code, err, out)
		}
		logs := out.String()
		if !strings.Contains(logs, "stopped") {
			t.Errorf("round %d: no clean stop in the log:\n%s", round, logs)
		}
		_, secret, _ := strings.Cut(tg.Token(), ":")
		if strings.Contains(logs, secret) {
			t.Errorf("round %d: the token is in the process output", round)
		}
	}
}
