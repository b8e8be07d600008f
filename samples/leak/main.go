// Command leak reproduces a slow leak the way it happens in a service: a
// request cache that is never cleared. It runs three behaviours side by side,
// each in its own function so that the heap profile tells them apart:
//
//   - cacheResponse keeps every response it is given: it grows the whole run;
//   - warmIndex builds an index during warm-up (the first 40% of the run) and
//     then only reads it: it grows, then stays flat (a plateau);
//   - handleRequest allocates per-request garbage that is dropped at once:
//     its in-use memory stays near zero while its allocations pile up.
//
// Every interval it runs a garbage collection and writes a heap snapshot with
// runtime/pprof twice at the same moment: as protobuf (heap-NNN-TIME.pb.gz)
// and as the legacy text form that /debug/pprof/heap?debug=1 returns
// (heap-NNN-TIME.txt). The work stops while it writes, so both describe the
// same heap. Go's default sampling rate (one sample per 512 KiB) is kept, so
// the snapshots carry real sampling noise.
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
	cache = map[int][]byte{} // the leak: filled, never cleared
	index [][]byte           // built during warm-up, then kept
	sink  int                // keeps the garbage from being optimised away
)

// cacheResponse stores a response of n bytes under key and never evicts it.
//
//go:noinline
func cacheResponse(key, n int) {
	buf := make([]byte, n)
	buf[0] = byte(key)
	cache[key] = buf
}

// warmIndex adds n bytes of index pages.
//
//go:noinline
func warmIndex(n int) {
	const page = 64 << 10
	for i := 0; i < n/page; i++ {
		index = append(index, make([]byte, page))
	}
}

// handleRequest builds a response from short-lived buffers.
//
//go:noinline
func handleRequest(i int) {
	parts := make([][]byte, 0, 64)
	for j := 0; j < 64; j++ {
		parts = append(parts, make([]byte, 256+j*16))
	}
	sink += len(parts[i%64])
}

func snapshot(dir string, n int, now time.Time) error {
	runtime.GC()
	stamp := now.UTC().Format("2006-01-02T15:04:05Z")
	base := filepath.Join(dir, fmt.Sprintf("heap-%03d-%s", n, stamp))
	for _, form := range []struct {
		ext   string
		debug int
	}{{".pb.gz", 0}, {".txt", 1}} {
		f, err := os.Create(base + form.ext)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("heap").WriteTo(f, form.debug); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	count := flag.Int("count", 30, "snapshots to write")
	interval := flag.Duration("interval", 2*time.Second, "time between snapshots")
	out := flag.String("out", "snapshots", "directory for the snapshots")
	leakPerTick := flag.Int("leak", 3<<20, "bytes cached (leaked) per tick")
	warmPerTick := flag.Int("warm", 4<<20, "bytes of index built per tick during warm-up")
	requests := flag.Int("requests", 2000, "requests handled per tick")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	ticks := 10 // work steps per interval, so growth is smooth between snapshots
	warmup := *count * ticks * 4 / 10
	key := 0
	start := time.Now()
	for n := 0; n < *count; n++ {
		for t := 0; t < ticks; t++ {
			step := n*ticks + t
			for r := 0; r < *requests/ticks; r++ {
				handleRequest(step*(*requests) + r)
			}
			for left := *leakPerTick / ticks; left > 0; left -= 16 << 10 {
				cacheResponse(key, 16<<10)
				key++
			}
			if step < warmup {
				warmIndex(*warmPerTick / ticks)
			}
			time.Sleep(*interval / time.Duration(ticks))
		}
		now := time.Now()
		if err := snapshot(*out, n, now); err != nil {
			log.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("snapshot %03d at %s: heap in use %d MiB, cache %d entries, index %d pages\n",
			n, now.Sub(start).Round(time.Millisecond), ms.HeapInuse>>20, len(cache), len(index))
	}
	fmt.Println(sink)
}
