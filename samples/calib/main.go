// Command calib writes real Go heap series whose truth is known, and scores
// profdiff's verdicts on them: the calibration harness of docs/analysis.md
// (bench/calibrate drives it).
//
//	calib gen   -scenario S -seed N [-exact] [-rate F] -out DIR
//	calib check DIR...   one JSON line per series: its outcome against DIR/truth.json
//	calib table FILE     the confusion table from those lines
//	calib words REPORT.json...  only the sentence checker (any report)
//
// gen runs a small service in this process: six "churn" functions each keep
// a pool of live objects of random sizes and replace part of it every
// interval (steady state, no leak: the heap of a service under load), plus,
// by scenario, one function whose behaviour is the truth to find:
//
//	churn    nothing else
//	slowchurn  nothing else, and each churn pool replaces only 5% of itself
//	         per interval (objects live about 20 snapshots: lag-1
//	         autocorrelation of a sampled churn value about 0.8, against
//	         about 0.6 with churn's 20-60%)
//	leak     main.leakSessions keeps -rate x the churn total per snapshot, from the start
//	late     main.leakSessions starts leaking at two thirds of the series
//	leakin   the leak of -rate is allocated by main.churnRequests, which also
//	         churns (a handler that keeps part of what it allocates)
//	plateau  main.warmCache grows for the first 40% of the series, then holds
//	drain    main.drainPool starts large and frees part of itself every interval
//	cycle    every "hour" main.fillSessionCache fills (first sixth) and
//	         main.appendAuditLog appends (whole hour); both are then cleared
//
// Every interval it runs a GC and writes a heap profile with runtime/pprof
// (protobuf, gzip'd). Time is simulated, not slept: each profile's own
// time_nanos is set to the simulated moment (profdiff orders by it) and the
// file name carries the same UTC time. Sampling is Go's default (512 KiB)
// unless -exact sets runtime.MemProfileRate = 1 (every allocation).
// truth.json beside the series records what a correct analysis says.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"time"
)

// The churn functions: each allocates the objects of its own pool.
//
//go:noinline
func churnRequests(n int) []byte { return make([]byte, n) }

//go:noinline
func churnParse(n int) []byte { return make([]byte, n) }

//go:noinline
func churnRender(n int) []byte { return make([]byte, n) }

//go:noinline
func churnQueue(n int) []byte { return make([]byte, n) }

//go:noinline
func churnCompress(n int) []byte { return make([]byte, n) }

//go:noinline
func churnTokens(n int) []byte { return make([]byte, n) }

// The functions whose behaviour is the truth.
var held = map[string][][]byte{}

//go:noinline
func leakSessions(n int) { held["leak"] = append(held["leak"], make([]byte, n)) }

//go:noinline
func warmCache(n int) { held["warm"] = append(held["warm"], make([]byte, n)) }

//go:noinline
func drainPool(n int) { held["drain"] = append(held["drain"], make([]byte, n)) }

//go:noinline
func fillSessionCache(n int) { held["session"] = append(held["session"], make([]byte, n)) }

//go:noinline
func appendAuditLog(n int) { held["audit"] = append(held["audit"], make([]byte, n)) }

type churnFn struct {
	name  string
	alloc func(int) []byte
	mib   float64 // mean live size
}

var churns = []churnFn{
	{"main.churnRequests", churnRequests, 4},
	{"main.churnParse", churnParse, 6},
	{"main.churnRender", churnRender, 8},
	{"main.churnQueue", churnQueue, 10},
	{"main.churnCompress", churnCompress, 5},
	{"main.churnTokens", churnTokens, 7},
}

// Expect is what a correct analysis says of one function.
type Expect struct {
	Verdict string  `json:"verdict"`            // growing, plateau, shrinking, stable
	Suspect bool    `json:"suspect"`            // must be among the leak suspects
	First   bool    `json:"first_suspect"`      // must be the first
	Onset   int     `json:"onset"`              // the last snapshot before the behaviour began
	Stop    int     `json:"stop,omitempty"`     // plateau: the first snapshot of the flat part
	Rate    float64 `json:"bytes_per_snapshot"` // while it lasts, in heap bytes (size classes)
	PerHour float64 `json:"bytes_per_hour"`
	// leak, late: how many of its objects Go's default sampler records on
	// average while it lasts; a rate measured from N sampled objects is
	// known to about 1/sqrt(N) at best (docs/analysis.md, section 10)
	Samples float64 `json:"expected_samples,omitempty"`
}

// Truth is truth.json.
type Truth struct {
	Scenario   string            `json:"scenario"`
	Seed       int64             `json:"seed"`
	Exact      bool              `json:"exact"`
	RateFrac   float64           `json:"rate_fraction"` // of the churn total per snapshot
	Snapshots  int               `json:"snapshots"`
	IntervalS  float64           `json:"interval_s"`
	ChurnTotal float64           `json:"churn_total_bytes"`
	Churn      []string          `json:"churn"`
	Expect     map[string]Expect `json:"expect"`
	Resets     []int             `json:"resets"` // first snapshot after each reset
	// Live bytes each churn function really held at each snapshot
	// (lengths asked for, before the allocator's size classes)
	Live map[string][]float64 `json:"live"`
}

func logUniform(r *rand.Rand, lo, hi float64) int {
	return int(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))))
}

// pool is a churn function's live objects.
type pool struct {
	fn      churnFn
	objs    [][]byte
	replace float64 // fraction replaced per interval
}

func (p *pool) fill(r *rand.Rand) {
	target := int(p.fn.mib * (1 << 20))
	for have := 0; have < target; {
		b := p.fn.alloc(logUniform(r, 256, 32<<10))
		have += len(b)
		p.objs = append(p.objs, b)
	}
}

func (p *pool) churn(r *rand.Rand, frac float64) {
	m := int(math.Round(frac * float64(len(p.objs))))
	for i := 0; i < m; i++ {
		k := r.Intn(len(p.objs))
		p.objs[k] = p.fn.alloc(logUniform(r, 256, 32<<10))
	}
}

// The heap's size classes: an object of n bytes takes heapSize(n) (Go
// rounds small objects up to a size class, up to 12.5%, 6.7% on average
// for 1-8 KiB, and its heap profile records the rounded size), so the truth
// is in the bytes the heap holds, not the bytes asked for.
var sizeClasses []int

func initSizeClasses() {
	// append to a nil slice allocates exactly the size class of its length
	for n := 1; n <= 32<<10; {
		c := cap(append([]byte(nil), make([]byte, n)...))
		sizeClasses = append(sizeClasses, c)
		n = c + 1
	}
}

func heapSize(n int) int {
	i := sort.SearchInts(sizeClasses, n)
	if i == len(sizeClasses) {
		return n // large objects: whole pages, close enough above 32 KiB
	}
	return sizeClasses[i]
}

// sampleRate is Go's default runtime.MemProfileRate.
const sampleRate = 512 << 10

// allocBytes calls f with object sizes adding up to n bytes, and returns
// the bytes the heap holds for them and the number of them Go's default
// sampler records on average (an object of s bytes with probability
// 1 - exp(-s/rate)).
func allocBytes(r *rand.Rand, n float64, f func(int)) (heap, samples float64) {
	for left := int(n); left > 0; {
		s := logUniform(r, 1<<10, 8<<10)
		if s > left {
			s = left
		}
		f(s)
		h := float64(heapSize(s))
		heap += h
		samples += 1 - math.Exp(-h/sampleRate)
		left -= s
	}
	return heap, samples
}

// setTime sets a protobuf Profile's time_nanos (field 9) to ns, and its
// period (field 12) to period when that is not 0.
func setTime(gz []byte, ns, period int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	pb, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(pb)+16)
	for i := 0; i < len(pb); {
		start := i
		key, n := binary.Uvarint(pb[i:])
		if n <= 0 {
			return nil, fmt.Errorf("bad protobuf key at %d", i)
		}
		i += n
		switch key & 7 {
		case 0:
			_, n = binary.Uvarint(pb[i:])
			i += n
		case 1:
			i += 8
		case 2:
			l, n := binary.Uvarint(pb[i:])
			i += n + int(l)
		case 5:
			i += 4
		default:
			return nil, fmt.Errorf("wire type %d at %d", key&7, start)
		}
		if key>>3 == 9 || (period != 0 && key>>3 == 12) {
			continue
		}
		out = append(out, pb[start:i]...)
	}
	out = binary.AppendUvarint(out, 9<<3)
	out = binary.AppendUvarint(out, uint64(ns))
	if period != 0 {
		out = binary.AppendUvarint(out, 12<<3)
		out = binary.AppendUvarint(out, uint64(period))
	}
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(out)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return zb.Bytes(), nil
}

func snapshot(dir string, n int, at time.Time) error {
	runtime.GC()
	var buf bytes.Buffer
	// Exact (rate 1): the profile writer's own allocations would each be
	// recorded with their stacks, which took half of the time of a series.
	// Rate 0 during the write records none of them and writes the same
	// values (rate 1 and 0 are both left unscaled); the period is put back.
	var period int64
	if runtime.MemProfileRate == 1 {
		runtime.MemProfileRate, period = 0, 1
	}
	err := pprof.Lookup("heap").WriteTo(&buf, 0)
	if period != 0 {
		runtime.MemProfileRate = 1
	}
	if err != nil {
		return err
	}
	data, err := setTime(buf.Bytes(), at.UnixNano(), period)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, fmt.Sprintf("heap-%03d-%s.pb.gz", n, at.UTC().Format("2006-01-02T15:04:05Z")))
	return os.WriteFile(name, data, 0o644)
}

func gen(args []string) {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	scenario := fs.String("scenario", "churn", "churn, slowchurn, leak, leakin, late, plateau, drain or cycle")
	seed := fs.Int64("seed", 1, "random seed")
	exact := fs.Bool("exact", false, "runtime.MemProfileRate = 1 (every allocation)")
	rate := fs.Float64("rate", 0.005, "leak: bytes per snapshot as a fraction of the churn total")
	count := fs.Int("snapshots", 0, "snapshots (default 40; cycle 60)")
	interval := fs.Duration("interval", 0, "simulated time between snapshots (default 1m; cycle 3m)")
	out := fs.String("out", "series", "directory for the series")
	fs.Parse(args)
	initSizeClasses()
	if *exact {
		runtime.MemProfileRate = 1
	}
	if *count == 0 {
		*count = 40
		if *scenario == "cycle" {
			*count = 60
		}
	}
	if *interval == 0 {
		*interval = time.Minute
		if *scenario == "cycle" {
			*interval = 3 * time.Minute
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	r := rand.New(rand.NewSource(*seed))
	n := *count
	perHour := float64(time.Hour) / float64(*interval)
	var churnTotal float64
	t := Truth{Scenario: *scenario, Seed: *seed, Exact: *exact, Snapshots: n,
		IntervalS: interval.Seconds(), Expect: map[string]Expect{}, Resets: []int{},
		Live: map[string][]float64{}}
	pools := make([]*pool, len(churns))
	for i, c := range churns {
		pools[i] = &pool{fn: c, replace: 0.2 + 0.4*r.Float64()}
		if *scenario == "slowchurn" {
			pools[i].replace = 0.05
		}
		pools[i].fill(r)
		churnTotal += c.mib * (1 << 20)
		t.Churn = append(t.Churn, c.name)
		t.Expect[c.name] = Expect{Verdict: "stable", Onset: -1}
	}
	t.ChurnTotal = churnTotal
	leakPer := *rate * churnTotal
	onset := -1
	var drainStart float64
	leakName, leakFn := "main.leakSessions", leakSessions
	if *scenario == "leakin" {
		// kept in the same slice, allocated by the churning function itself
		leakName = "main.churnRequests"
		leakFn = func(n int) { held["leak"] = append(held["leak"], churnRequests(n)) }
		// room for every object up front (1.5 MB, once, by gen: stable), so
		// that the slice's own growth is not a second leaking function
		held["leak"] = make([][]byte, 0, 1<<16)
		t.Churn = t.Churn[1:] // churns[0] is churnRequests: now the truth to find
	}
	switch *scenario {
	case "churn", "slowchurn":
	case "leak", "leakin", "late":
		t.RateFrac = *rate
		onset = 0
		if *scenario == "late" {
			onset = 2 * n / 3
		}
		t.Expect[leakName] = Expect{Verdict: "growing", Suspect: true, First: true, Onset: onset,
			Rate: leakPer, PerHour: leakPer * perHour}
	case "plateau":
		t.RateFrac = 0.015
		stop := 4 * n / 10
		t.Expect["main.warmCache"] = Expect{Verdict: "plateau", Onset: 0, Stop: stop,
			Rate: 0.015 * churnTotal, PerHour: 0.015 * churnTotal * perHour}
	case "drain":
		t.RateFrac = -0.0125
		drainStart, _ = allocBytes(r, 0.5*churnTotal, drainPool)
		t.Expect["main.drainPool"] = Expect{Verdict: "shrinking", Onset: 0,
			Rate: -0.0125 * churnTotal, PerHour: -0.0125 * churnTotal * perHour}
	case "cycle":
		t.Expect["main.appendAuditLog"] = Expect{Verdict: "growing", Suspect: true, First: true, Onset: -1,
			Rate: 0.06 * churnTotal, PerHour: 0.06 * churnTotal * perHour}
		t.Expect["main.fillSessionCache"] = Expect{Verdict: "plateau", Onset: -1,
			Rate: 0.15 * churnTotal, PerHour: 0.15 * churnTotal * perHour}
	default:
		log.Fatalf("unknown scenario %q", *scenario)
	}
	start := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const ticks = 10 // work steps per interval, so that change is gradual
	hourStart := 0
	var leakHeap, leakSamples float64 // what main.leakSessions allocated
	for s := 0; s < n; s++ {
		if s > 0 {
			for k := 0; k < ticks; k++ {
				for _, p := range pools {
					p.churn(r, p.replace/ticks)
				}
				switch *scenario {
				case "leak", "leakin", "late":
					if s > onset {
						h, m := allocBytes(r, leakPer/ticks, leakFn)
						leakHeap += h
						leakSamples += m
					}
				case "plateau":
					if s <= 4*n/10 {
						allocBytes(r, 0.015*churnTotal/ticks, warmCache)
					}
				case "drain":
					d := held["drain"]
					drop := int(math.Round(float64(len(d)) * 0.025 / ticks))
					if drop < 1 {
						drop = 1
					}
					if drop < len(d) {
						for i := 0; i < drop; i++ {
							d[i] = nil // the backing array keeps what it holds alive
						}
						held["drain"] = d[drop:]
					}
				case "cycle":
					inHour := s - hourStart
					perSeg := int(perHour)
					if inHour <= perSeg/6 {
						allocBytes(r, 0.15*churnTotal/ticks, fillSessionCache)
					}
					allocBytes(r, 0.06*churnTotal/ticks, appendAuditLog)
				}
			}
		}
		// a second of jitter either way: real collectors are not punctual
		at := start.Add(time.Duration(s) * *interval).Add(time.Duration(r.Intn(2001)-1000) * time.Millisecond)
		for _, p := range pools {
			var live float64
			for _, b := range p.objs {
				live += float64(len(b))
			}
			t.Live[p.fn.name] = append(t.Live[p.fn.name], live)
		}
		if err := snapshot(*out, s, at); err != nil {
			log.Fatal(err)
		}
		if *scenario == "cycle" && s+1 < n && (s+1)%int(perHour) == 0 {
			// the hourly clear, just after this snapshot
			delete(held, "session")
			delete(held, "audit")
			t.Resets = append(t.Resets, s+1)
			hourStart = s + 1
		}
	}
	if *scenario == "leak" || *scenario == "leakin" || *scenario == "late" {
		// measured, not assumed: the heap bytes it kept per snapshot
		e := t.Expect[leakName]
		e.Rate = leakHeap / float64(n-1-onset)
		e.PerHour = e.Rate * perHour
		e.Samples = leakSamples
		t.Expect[leakName] = e
	}
	if *scenario == "drain" {
		// measured, not assumed: what the pool lost per snapshot on average
		e := t.Expect["main.drainPool"]
		var left float64
		for _, b := range held["drain"] {
			left += float64(heapSize(len(b)))
		}
		e.Rate = (left - drainStart) / float64(n-1)
		e.PerHour = e.Rate * perHour
		t.Expect["main.drainPool"] = e
	}
	js, _ := json.MarshalIndent(&t, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "truth.json"), append(js, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	runtime.KeepAlive(pools)
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("calib: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: calib gen|check|table|words ...")
	}
	switch os.Args[1] {
	case "gen":
		gen(os.Args[2:])
	case "check":
		check(os.Args[2:])
	case "table":
		table(os.Args[2:])
	case "words":
		words(os.Args[2:])
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}
