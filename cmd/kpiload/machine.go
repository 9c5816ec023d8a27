package main

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// machine describes where the test ran.
type machine struct {
	nproc    int
	cpu      string // model name from /proc/cpuinfo
	goVer    string
	loadavg  string // /proc/loadavg's 1, 5 and 15 minute averages at the start
	procsRun string // runnable/total tasks at the start
}

func readMachine() machine {
	m := machine{nproc: runtime.NumCPU(), goVer: runtime.Version(), cpu: "unknown"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 4 {
			m.loadavg = strings.Join(f[:3], " ")
			m.procsRun = f[3]
		}
	}
	return m
}
