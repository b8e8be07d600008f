// Command memstat simulates a service in a container whose memory grows, and
// records, every second, both what the Go heap profile says and what the
// kernel's memory cgroup says. It exists because a container's memory figure
// (memory.usage_in_bytes / memory.current) is not the Go heap: page cache
// written by the process is charged to its cgroup too. Two scenarios:
//
//   - pagecache: the heap stays flat while appendLog writes to a log file on
//     disk (10 MiB/s by default); the kernel keeps the written pages in the
//     page cache, so the cgroup's cache / active_file / inactive_file grow
//     while rss (anonymous memory) and the heap profile stay flat;
//   - heapgrow: retainRecords keeps every record it allocates (8 MiB/s by
//     default), so anonymous memory grows with the heap profile.
//
// In both, loadConfig holds a fixed 16 MiB for the whole run, so the heap
// profile is never empty.
//
// At every whole second (the workload paused) it runs a GC and writes, all
// with the same UTC time T in their names:
//
//	heap.T.pb.gz             the heap profile (runtime/pprof, protobuf)
//	memory.stat.T            a copy of the cgroup's memory.stat
//	memory.usage_in_bytes.T  (cgroup v1) or memory.current.T (cgroup v2)
//
// It reads its own cgroup from /proc/self/cgroup; record.sh runs it alone in a
// child cgroup so that these files describe this program only.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

var (
	config  [][]byte // loaded once, held all run
	records [][]byte // heapgrow: kept forever
)

// fill writes a non-zero pattern into every byte: memory that is allocated
// but never touched is not resident, and would not show in the cgroup.
func fill(b []byte, seed int) {
	for i := range b {
		b[i] = byte('a' + (i+seed)%26)
	}
}

// loadConfig allocates n bytes of configuration held for the whole run.
//
//go:noinline
func loadConfig(n int) {
	for ; n > 0; n -= 256 << 10 {
		b := make([]byte, 256<<10)
		fill(b, n)
		config = append(config, b)
	}
}

// appendLog writes n bytes of log lines to f from a reused buffer: it
// allocates nothing per call, so the heap does not grow.
//
//go:noinline
func appendLog(f *os.File, buf []byte, n int) error {
	for ; n > 0; n -= len(buf) {
		w := buf
		if n < len(w) {
			w = w[:n]
		}
		if _, err := f.Write(w); err != nil {
			return err
		}
	}
	return nil
}

// retainRecords allocates n bytes of 64 KiB records and keeps them all.
//
//go:noinline
func retainRecords(n int) {
	for ; n > 0; n -= 64 << 10 {
		b := make([]byte, 64<<10)
		fill(b, len(records))
		records = append(records, b)
	}
}

// newLogBuffer returns a buffer of n bytes of log lines.
func newLogBuffer(n int) []byte {
	buf := make([]byte, 0, n)
	for i := 0; len(buf) < n; i++ {
		buf = append(buf, fmt.Sprintf("2026-11-22T00:00:00Z INFO request %08d served in 12ms status=200\n", i)...)
	}
	return buf[:n]
}

// memoryCgroup returns the directory of this process's memory cgroup and the
// name of its usage file.
func memoryCgroup() (dir, usage string, err error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", "", err
	}
	var v2 string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" { // cgroup v1
				return filepath.Join("/sys/fs/cgroup/memory", parts[2]), "memory.usage_in_bytes", nil
			}
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
		}
	}
	for _, root := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		dir := filepath.Join(root, v2)
		if _, err := os.Stat(filepath.Join(dir, "memory.current")); err == nil {
			return dir, "memory.current", nil
		}
	}
	return "", "", fmt.Errorf("no memory cgroup found in /proc/self/cgroup")
}

func copyFile(dst, src string) ([]byte, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	return data, os.WriteFile(dst, data, 0o644)
}

// statFields picks a few fields from memory.stat (v1 or v2 names).
func statFields(data []byte) map[string]int64 {
	m := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 {
			m[f[0]], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return m
}

// snapshot writes the heap profile and the cgroup files, all named with t.
func snapshot(out, cg, usage string, t time.Time) (string, error) {
	runtime.GC()
	stamp := t.UTC().Format("2006-01-02T15:04:05Z")
	f, err := os.Create(filepath.Join(out, "heap."+stamp+".pb.gz"))
	if err != nil {
		return "", err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	stat, err := copyFile(filepath.Join(out, "memory.stat."+stamp), filepath.Join(cg, "memory.stat"))
	if err != nil {
		return "", err
	}
	cur, err := copyFile(filepath.Join(out, usage+"."+stamp), filepath.Join(cg, usage))
	if err != nil {
		return "", err
	}
	s := statFields(stat)
	anon, file := s["rss"], s["cache"] // cgroup v1 names
	if _, ok := s["anon"]; ok {        // cgroup v2 names
		anon, file = s["anon"], s["file"]
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	const mib = 1 << 20
	return fmt.Sprintf("%s usage %4d MiB  anon %4d MiB  file %4d MiB  active_file %4d MiB  inactive_file %4d MiB  dirty %4d MiB  go HeapAlloc %4d MiB",
		stamp, mustInt(cur)/mib, anon/mib, file/mib, s["active_file"]/mib, s["inactive_file"]/mib,
		(s["dirty"]+s["file_dirty"])/mib, ms.HeapAlloc/mib), nil
}

func mustInt(b []byte) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func main() {
	scenario := flag.String("scenario", "pagecache", "pagecache or heapgrow")
	count := flag.Int("count", 25, "snapshots to take, one per second")
	out := flag.String("out", "", "directory for the snapshots (default: the scenario's name)")
	logPath := flag.String("logfile", "/var/tmp/profdiff-memstat.log", "log file written by pagecache (must be on a disk filesystem, not tmpfs); removed at the end")
	writeRate := flag.Int("write-rate", 10<<20, "pagecache: bytes of log written per second")
	growRate := flag.Int("grow-rate", 8<<20, "heapgrow: bytes of records kept per second")
	flag.Parse()
	if *scenario != "pagecache" && *scenario != "heapgrow" {
		log.Fatalf("unknown scenario %q", *scenario)
	}
	if *out == "" {
		*out = *scenario
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	cg, usage, err := memoryCgroup()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("scenario %s, memory cgroup %s (%s), %s, GOMAXPROCS %d\n",
		*scenario, cg, usage, runtime.Version(), runtime.GOMAXPROCS(0))

	loadConfig(16 << 20)
	var logf *os.File
	var logBuf []byte
	if *scenario == "pagecache" {
		logf, err = os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(*logPath)
		defer logf.Close()
		logBuf = newLogBuffer(256 << 10)
		fmt.Printf("writing %d MiB/s to %s\n", *writeRate>>20, *logPath)
	}

	const ticks = 10 // work steps per second
	for n := 0; n <= *count; n++ {
		// Snapshot at the next whole second, so every name is distinct.
		next := time.Now().Truncate(time.Second).Add(time.Second)
		for t := 0; t < ticks; t++ {
			if n > 0 { // snapshot 0 is the baseline, before any work
				switch *scenario {
				case "pagecache":
					if err := appendLog(logf, logBuf, *writeRate/ticks); err != nil {
						log.Fatal(err)
					}
				case "heapgrow":
					retainRecords(*growRate / ticks)
				}
			}
			time.Sleep(time.Until(next.Add(-time.Second + time.Duration(t+1)*time.Second/ticks)))
		}
		time.Sleep(time.Until(next))
		line, err := snapshot(*out, cg, usage, next)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(line)
	}
	runtime.KeepAlive(config)
	runtime.KeepAlive(records)
}
