package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// botProcess is the kpibot process under test.
type botProcess struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error // from Wait, once done is closed
}

// buildBot builds ./cmd/kpibot of the module in the working directory into
// dir; with pprof, an extra file added by go build -overlay (the source
// stays as it is) serves net/http/pprof on $KPILOAD_PPROF_ADDR.
func buildBot(ctx context.Context, dir string, pprof bool) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run kpiload from the kpibot module, or give the binary with -bot")
	}
	modDir := filepath.Dir(gomod)
	bin := filepath.Join(dir, "kpibot")
	args := []string{"build", "-o", bin}
	if pprof {
		overlay, err := writePprofOverlay(dir, filepath.Join(modDir, "cmd", "kpibot"))
		if err != nil {
			return "", err
		}
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/kpibot")...)
	cmd.Dir = modDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/kpibot: %v\n%s", err, b)
	}
	return bin, nil
}

// startBot runs bin with env added to this process's environment, its
// output going to the file logPath. The bot gets SIGTERM should this
// process die first.
func startBot(bin string, env []string, logPath string) (*botProcess, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	b := &botProcess{cmd: cmd, log: f, done: make(chan struct{})}
	go func() {
		b.err = cmd.Wait()
		f.Close()
		close(b.done)
	}()
	return b, nil
}

func (b *botProcess) pid() int { return b.cmd.Process.Pid }

// stop sends SIGTERM and waits for the exit; it kills the bot after
// timeout. It returns the exit code.
func (b *botProcess) stop(timeout time.Duration) (int, error) {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(timeout):
		b.kill()
		return -1, fmt.Errorf("the bot did not stop within %v after SIGTERM and was killed", timeout)
	}
	return b.cmd.ProcessState.ExitCode(), nil
}

// kill ends the bot at once unless it has exited.
func (b *botProcess) kill() {
	select {
	case <-b.done:
	default:
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}

// waitReady waits until the bot answers /readyz and has registered its
// webhook with the fake.
func waitReady(ctx context.Context, base string, fk *fake, bp *botProcess, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-bp.done:
			return fmt.Errorf("the bot exited at start (%v); see its log %s", bp.err, bp.log.Name())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the bot was not ready within %v; see its log %s", timeout, bp.log.Name())
		}
		resp, err := c.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				select {
				case <-fk.webhook:
					return nil
				default:
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// memory is a process's resident memory, from /proc/<pid>/status.
type memory struct {
	RSS, HWM int64 // kB: VmRSS (now) and VmHWM (peak)
}

func readMemory(pid int) (memory, error) {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		name, rest, _ := strings.Cut(s.Text(), ":")
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSS = v
		case "VmHWM":
			m.HWM = v
		}
	}
	if m.RSS == 0 {
		return m, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return m, nil
}

// clockTicks is USER_HZ, the unit of /proc CPU times on Linux.
const clockTicks = 100

// processCPU returns the user and system CPU time a process used so far.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces) start with the state, field 3; utime and stime are 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}

// countLogLevels counts the bot's log lines by level (text format).
func countLogLevels(path string) map[string]int {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]int{}
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		if i := strings.Index(line, "level="); i >= 0 {
			lvl, _, _ := strings.Cut(line[i+len("level="):], " ")
			out[lvl]++
		}
	}
	return out
}
