package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"
)

// pprofEnv names the address the instrumented bot serves pprof on.
const pprofEnv = "KPILOAD_PPROF_ADDR"

// pprofSource is the file -botprofile adds to package main of the bot at
// build time only. It serves the default mux, which the bot itself never
// uses, so its own HTTP_ADDR shows nothing new.
const pprofSource = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("` + pprofEnv + `"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
`

// writePprofOverlay writes the pprof file and the go build -overlay JSON
// that adds it to pkgDir, and returns the JSON's path.
func writePprofOverlay(dir, pkgDir string) (string, error) {
	src := filepath.Join(dir, "kpiload_pprof.go")
	if err := os.WriteFile(src, []byte(pprofSource), 0o644); err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(pkgDir, "zz_kpiload_pprof.go"): src},
	})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, b, 0o644)
}

// fetchCPUProfile takes the bot's CPU profile over the measured part of
// the run (after the warm-up) into file; the channel gives the outcome.
func fetchCPUProfile(ctx context.Context, addr string, warmup, d time.Duration, file string) <-chan error {
	done := make(chan error, 1)
	go func() {
		select {
		case <-time.After(warmup):
		case <-ctx.Done():
			done <- ctx.Err()
			return
		}
		secs := max(int(d/time.Second), 1)
		done <- fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs), file, time.Duration(secs+30)*time.Second)
	}()
	return done
}

// fetchHeapProfile saves the bot's heap profile (after a GC) into file.
func fetchHeapProfile(ctx context.Context, addr, file string) error {
	return fetch(ctx, "http://"+addr+"/debug/pprof/heap?gc=1", file, 30*time.Second)
}

func fetch(ctx context.Context, url, file string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startCPUProfile profiles this process into file ("" does nothing) until
// the returned function is called.
func startCPUProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
