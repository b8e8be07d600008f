// Command cycle reproduces the case that motivated profdiff: a service whose
// caches are cleared every hour, with time compressed (one "hour" is a
// -cycle, 60 s by default).
//
//   - fillSessionCache fills a session cache during the first sixth of each
//     cycle (the first "ten minutes") and then holds it;
//   - appendAuditLog appends to an in-memory audit log for the whole cycle;
//   - at the end of each cycle both are released (the hourly clear), so the
//     heap total drops sharply: a reset.
//
// Over each cycle's second half the session cache does not change while its
// share of the heap falls by tens of points, because the audit log keeps
// growing: a report must say "value unchanged, share down", not "shrinking".
// A heap snapshot (runtime/pprof, protobuf) is written every -interval.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var (
	sessions [][]byte
	audit    [][]byte
)

// fillSessionCache adds n bytes of session entries.
//
//go:noinline
func fillSessionCache(n int) {
	for ; n > 0; n -= 32 << 10 {
		sessions = append(sessions, make([]byte, 32<<10))
	}
}

// appendAuditLog appends n bytes of audit records.
//
//go:noinline
func appendAuditLog(n int) {
	for ; n > 0; n -= 8 << 10 {
		audit = append(audit, make([]byte, 8<<10))
	}
}

// clearHourly drops both caches, as the service's hourly job does.
func clearHourly() {
	sessions, audit = nil, nil
	runtime.GC()
}

func snapshot(dir string, n int, now time.Time) error {
	runtime.GC()
	name := filepath.Join(dir, fmt.Sprintf("heap-%03d-%s.pb.gz", n, now.UTC().Format("2006-01-02T15:04:05Z")))
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	cycle := flag.Duration("cycle", 60*time.Second, "length of one cache cycle (stands for an hour)")
	interval := flag.Duration("interval", 3*time.Second, "time between snapshots")
	cycles := flag.Float64("cycles", 2.5, "how many cycles to run")
	out := flag.String("out", "snapshots", "directory for the snapshots")
	sessionRate := flag.Int("session-rate", 6<<20, "session bytes per second during the fill")
	auditRate := flag.Int("audit-rate", 2<<20, "audit bytes per second")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	const step = 100 * time.Millisecond
	start := time.Now()
	end := start.Add(time.Duration(float64(*cycle) * *cycles))
	next := start.Add(*interval)
	cycleStart := start
	n := 0
	for now := time.Now(); now.Before(end); now = time.Now() {
		if now.Sub(cycleStart) >= *cycle {
			clearHourly()
			cycleStart = cycleStart.Add(*cycle)
		}
		if now.Sub(cycleStart) < *cycle/6 {
			fillSessionCache(int(float64(*sessionRate) * step.Seconds()))
		}
		appendAuditLog(int(float64(*auditRate) * step.Seconds()))
		time.Sleep(step)
		if time.Now().After(next) {
			t := time.Now()
			if err := snapshot(*out, n, t); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("snapshot %03d at %6.1fs (cycle at %5.1fs): sessions %d MiB, audit %d MiB\n",
				n, t.Sub(start).Seconds(), t.Sub(cycleStart).Seconds(),
				len(sessions)*32>>10, len(audit)*8>>10)
			n++
			next = next.Add(*interval)
		}
	}
}
