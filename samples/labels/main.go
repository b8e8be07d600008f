// Command labels writes profiles that carry sample labels, for profdiff's
// tag filters (--tagfocus, --tagignore, --tagshow, --taghide), `top --tags`
// and `report --group-by`:
//
//   - heap.pb.gz: a Go heap profile. Go's heap profiles carry no pprof.Do
//     labels, but every sample has the numeric label "bytes" (the size of
//     the allocations it stands for): retained buffers of 64 B, 1 kB, 64 kB
//     and 1 MB from four functions, with MemProfileRate = 1 so that every
//     allocation is recorded (the figures are exact, not sampled).
//   - cpu.pb.gz: a CPU profile whose work runs under pprof.Do with the
//     labels version (v1, v2) and environment (staging, production); each
//     combination spins for a different share of the time.
//   - series/cpu-NN-TIME.pb.gz: -series CPU profiles one after the other,
//     in which version v2's request handler costs more each time while v1's
//     stays put: one verdict per version with `report --group-by version`.
//   - versions/cpu-NN-TIME.pb.gz (with -versions): the same story with the
//     work counted in iterations, not wall-clock time, so the CPU each
//     version spends does not depend on what else the machine runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var kept [][]byte

//go:noinline
func smallBuffers() {
	for i := 0; i < 4096; i++ {
		kept = append(kept, make([]byte, 64))
	}
}

//go:noinline
func pageBuffers() {
	for i := 0; i < 512; i++ {
		kept = append(kept, make([]byte, 1024))
	}
}

//go:noinline
func chunkBuffers() {
	for i := 0; i < 64; i++ {
		kept = append(kept, make([]byte, 64<<10))
	}
}

//go:noinline
func bigBuffers() {
	for i := 0; i < 8; i++ {
		kept = append(kept, make([]byte, 1<<20))
	}
}

var sink uint64

// spin burns CPU for d.
//
//go:noinline
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := sink
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

// work burns n rounds of CPU, however busy the machine is.
//
//go:noinline
func work(n int) {
	x := sink
	for r := 0; r < n; r++ {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

//go:noinline
func handle(n int) { work(n) }

//go:noinline
func render(n int) { work(n) }

//go:noinline
func handleRequest(d time.Duration) { spin(d) }

//go:noinline
func renderPage(d time.Duration) { spin(d) }

// serve runs the work of one version in one environment under its labels.
func serve(version, env string, handle, render time.Duration) {
	pprof.Do(context.Background(), pprof.Labels("version", version, "environment", env), func(context.Context) {
		handleRequest(handle)
		renderPage(render)
	})
}

func writeHeap(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cpuProfile(path string, work func()) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	work()
	pprof.StopCPUProfile()
	return f.Close()
}

func main() {
	out := flag.String("out", ".", "directory to write the profiles to")
	series := flag.Int("series", 8, "CPU profiles in the series")
	step := flag.Duration("step", 100*time.Millisecond, "work of one profile (each label set a multiple of it)")
	versions := flag.Int("versions", 0, "write versions/: this many CPU profiles with work counted in rounds")
	rounds := flag.Int("rounds", 200000, "versions/: rounds of one unit of work")
	flag.Parse()
	if *versions > 0 {
		writeVersions(filepath.Join(*out, "versions"), *versions, *rounds)
		return
	}
	runtime.MemProfileRate = 1
	smallBuffers()
	pageBuffers()
	chunkBuffers()
	bigBuffers()
	if err := writeHeap(filepath.Join(*out, "heap.pb.gz")); err != nil {
		log.Fatal(err)
	}
	fmt.Println("heap.pb.gz written")

	s := *step
	err := cpuProfile(filepath.Join(*out, "cpu.pb.gz"), func() {
		serve("v1", "production", 4*s, 2*s)
		serve("v1", "staging", s, s)
		serve("v2", "production", 2*s, s)
		serve("v2", "staging", s, s/2)
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("cpu.pb.gz written")

	dir := filepath.Join(*out, "series")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < *series; i++ {
		now := time.Now().UTC()
		name := filepath.Join(dir, fmt.Sprintf("cpu-%02d-%s.pb.gz", i, now.Format("2006-01-02T15-04-05Z")))
		err := cpuProfile(name, func() {
			serve("v1", "production", 2*s, s)
			// v2's handler gets slower with every profile: a regression
			serve("v2", "production", s+time.Duration(i)*s/2, s)
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(filepath.Base(name), "written")
		time.Sleep(1100 * time.Millisecond) // a distinct second in each name
	}
}

// writeVersions: v1's handler does 4 units in every profile, v2's 2 units
// and one more in each profile after the first (a regression that grows);
// both render 1 unit.
func writeVersions(dir string, n, unit int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < n; i++ {
		now := time.Now().UTC()
		name := filepath.Join(dir, fmt.Sprintf("cpu-%02d-%s.pb.gz", i, now.Format("2006-01-02T15-04-05Z")))
		err := cpuProfile(name, func() {
			for _, v := range []struct {
				version string
				handle  int
			}{{"v1", 4}, {"v2", 2 + i}} {
				pprof.Do(context.Background(), pprof.Labels("version", v.version, "environment", "production"),
					func(context.Context) {
						handle(v.handle * unit)
						render(unit)
					})
			}
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(filepath.Base(name), "written")
		time.Sleep(1100 * time.Millisecond)
	}
}
