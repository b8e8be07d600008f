// check.go: scoring a report against truth.json, the confusion table, and
// the sentence checker (every reason's words against the report's numbers).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The parts of report.json the checks read.
type repFunc struct {
	Name       string    `json:"name"`
	Flat       []float64 `json:"flat"`
	FlatSigma  []float64 `json:"flat_sigma"`
	First      float64   `json:"first"`
	Last       float64   `json:"last"`
	Delta      float64   `json:"delta"`
	DeltaSigma float64   `json:"delta_sigma"`
	Trend      string    `json:"trend"`
	Reason     string    `json:"reason"`
	TheilSen   *float64  `json:"theil_sen_per_hour"`
	Current    *struct {
		Since   int      `json:"since"`
		PerHour *float64 `json:"rate_per_hour"`
		PerSnap *float64 `json:"rate_per_snapshot"`
	} `json:"current"`
	Plateau *struct {
		Since int `json:"since"`
	} `json:"plateau"`
}

type report struct {
	Order struct {
		HasTimes bool `json:"has_times"`
	} `json:"order"`
	Snapshots []struct {
		Total   float64 `json:"total"`
		Segment int     `json:"segment"`
	} `json:"snapshots"`
	Window struct {
		First int `json:"first"`
		Last  int `json:"last"`
	} `json:"window"`
	Suspects  []string  `json:"suspects"`
	Reasons   []string  `json:"suspect_reasons"`
	Functions []repFunc `json:"functions"`
}

func readJSON(path string, v interface{}) {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

// Outcome is one series' score: one JSON line of `calib check`.
type Outcome struct {
	Dir            string   `json:"dir"`
	Scenario       string   `json:"scenario"`
	Exact          bool     `json:"exact"`
	Rate           float64  `json:"rate"`
	Seed           int64    `json:"seed"`
	Suspects       int      `json:"suspects"`
	FalseSuspect   bool     `json:"false_suspect"`
	ChurnN         int      `json:"churn_functions"`
	ChurnNonStable int      `json:"churn_not_stable"`
	Target         string   `json:"target,omitempty"`
	Want           string   `json:"want,omitempty"`
	Got            string   `json:"got,omitempty"`
	TargetSuspect  bool     `json:"target_suspect"`
	TargetFirst    bool     `json:"target_first"`
	Correct        bool     `json:"correct"` // verdict right (and first suspect when it must be)
	RateErr        *float64 `json:"rate_err,omitempty"`
	OnsetErr       *int     `json:"onset_err,omitempty"`
	Samples        float64  `json:"expected_samples,omitempty"` // sampled runs: the target's objects the sampler records on average
	ResetsOK       *bool    `json:"resets_ok,omitempty"`
	Contradictions []string `json:"contradictions"`
}

func find(r *report, name string) *repFunc {
	for i := range r.Functions {
		if r.Functions[i].Name == name {
			return &r.Functions[i]
		}
	}
	return nil
}

func check(dirs []string) {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, dir := range dirs {
		var t Truth
		var r report
		readJSON(filepath.Join(dir, "truth.json"), &t)
		readJSON(filepath.Join(dir, "report", "report.json"), &r)
		o := Outcome{Dir: dir, Scenario: t.Scenario, Exact: t.Exact, Rate: t.RateFrac, Seed: t.Seed,
			Suspects: len(r.Suspects), Contradictions: []string{}}
		for _, s := range r.Suspects {
			if e, ok := t.Expect[s]; !ok || !e.Suspect {
				o.FalseSuspect = true
			}
		}
		for _, c := range t.Churn {
			o.ChurnN++
			if f := find(&r, c); f != nil && f.Trend != "stable" {
				o.ChurnNonStable++
			}
		}
		names := make([]string, 0, len(t.Expect))
		for name, e := range t.Expect {
			if e.Verdict != "stable" {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		if len(names) > 0 {
			o.Target = names[0] // the suspect-to-be first (cycle: appendAuditLog)
			e := t.Expect[o.Target]
			o.Want = e.Verdict
			f := find(&r, o.Target)
			if f != nil {
				o.Got = f.Trend
			}
			for i, s := range r.Suspects {
				if s == o.Target {
					o.TargetSuspect = true
					o.TargetFirst = i == 0
				}
			}
			o.Correct = o.Got == e.Verdict && (!e.First || o.TargetFirst)
			for _, other := range names[1:] {
				if g := find(&r, other); g == nil || g.Trend != t.Expect[other].Verdict {
					o.Correct = false
				}
			}
			if !t.Exact {
				o.Samples = e.Samples
			}
			if f != nil && e.Onset > 0 {
				// a late start: the current rate and the onset against the truth
				if f.Current != nil && f.Current.PerHour != nil {
					re := (*f.Current.PerHour - e.PerHour) / e.PerHour
					o.RateErr = &re
					oe := f.Current.Since - e.Onset
					o.OnsetErr = &oe
				} else if f.TheilSen != nil {
					re := (*f.TheilSen - e.PerHour) / e.PerHour
					o.RateErr = &re
					oe := r.Window.First - e.Onset
					o.OnsetErr = &oe
				}
			}
		}
		if t.Scenario == "cycle" {
			ok := len(r.Snapshots) > 0 && r.Snapshots[len(r.Snapshots)-1].Segment == len(t.Resets)
			for _, at := range t.Resets {
				ok = ok && at < len(r.Snapshots) && at > 0 && r.Snapshots[at].Segment == r.Snapshots[at-1].Segment+1
			}
			o.ResetsOK = &ok
		}
		o.Contradictions = contradictions(filepath.Join(dir, "report"), &r)
		js, _ := json.Marshal(&o)
		w.Write(append(js, '\n'))
	}
}

// ---- the sentence checker -------------------------------------------------------

var (
	reDuration  = regexp.MustCompile(`(^|[^\w.+-])(-?\d+(?:\.\d+)?) (ms|s|min|h|days?)\b`)
	reRate      = regexp.MustCompile(`([+-]?\d+(?:\.\d+)?)([a-zA-Z]*)/(h|snapshot|min|s|day)\b`)
	reFromTo    = regexp.MustCompile(`\b(grew|shrank) from (-?[\d.]+[a-zA-Z]*) to (-?[\d.]+[a-zA-Z]*)`)
	reWithin    = regexp.MustCompile(`within ±(-?[\d.]+[a-zA-Z]*)`)
	reChange    = regexp.MustCompile(`\bchange ([+-]?[\d.]+[a-zA-Z]*)`)
	reShareWent = regexp.MustCompile(`share of the total went (down|up) from ([\d.]+)% to ([\d.]+)%`)
	reNumUnit   = regexp.MustCompile(`^([+-]?\d+(?:\.\d+)?)([a-zA-Z]*)$`)
	reAgainst   = regexp.MustCompile(`\b(\d+) the other way, a tenth or less`)
)

// value parses a figure as profdiff prints it ("20.99MB", "-512B", "3").
func value(s string) (float64, bool) {
	m := reNumUnit.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"": 1, "B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40,
		"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}
	k, ok := mult[m[2]]
	if !ok {
		return v, true
	}
	return v * k, true
}

// the rounding of a figure printed with two decimals in its unit
func slack(s string) float64 {
	v, _ := value(s)
	return math.Max(math.Abs(v)*0.006, 1)
}

// the first line of report.md: "### 🔺 Grew · inuse\_space +136.75MB (+2413%) ..."
var reStatus = regexp.MustCompile(`^### \S+ (Grew|Leak suspect|A function grew|No growth beyond the noise|PASS|FAIL) · \S+ ([+-]?[0-9.]+[a-zA-Z]*)`)

// a table of growers with no row
var reNoGrowers = regexp.MustCompile(`Top growers\s*\n\s*None beyond the sampling noise`)

// contradictions lists every sentence of the report that its own numbers
// contradict; r was read from dir/report.json.
func contradictions(dir string, r *report) []string {
	bad := []string{}
	pair := len(r.Snapshots) == 2
	say := func(f *repFunc, why string) {
		bad = append(bad, fmt.Sprintf("%s (%s): %q: %s", f.Name, f.Trend, f.Reason, why))
	}
	for i := range r.Functions {
		f := &r.Functions[i]
		s := f.Reason
		for _, m := range reDuration.FindAllStringSubmatch(s, -1) {
			if v, _ := strconv.ParseFloat(m[2], 64); v <= 0 {
				say(f, "a duration of "+m[2]+" "+m[3])
			}
		}
		for _, m := range reRate.FindAllStringSubmatch(s, -1) {
			if v, _ := strconv.ParseFloat(m[1], 64); v == 0 {
				say(f, "a rate of zero")
			}
		}
		for _, m := range reFromTo.FindAllStringSubmatch(s, -1) {
			a, ok1 := value(m[2])
			b, ok2 := value(m[3])
			if ok1 && ok2 && ((m[1] == "grew" && b <= a) || (m[1] == "shrank" && b >= a)) {
				say(f, m[0])
			}
		}
		if strings.Contains(s, "unchanged") && !strings.Contains(s, "within ±") {
			say(f, "unchanged without its band")
		}
		ws, cs := reWithin.FindAllStringSubmatch(s, -1), reChange.FindAllStringSubmatch(s, -1)
		if len(ws) > 0 && len(cs) > 0 {
			band, _ := value(ws[0][1])
			ch, _ := value(cs[0][1])
			if math.Abs(ch) > band+slack(ws[0][1])+slack(cs[0][1]) {
				say(f, fmt.Sprintf("change %s outside ±%s", cs[0][1], ws[0][1]))
			}
		}
		for _, m := range reShareWent.FindAllStringSubmatch(s, -1) {
			a, _ := strconv.ParseFloat(m[2], 64)
			b, _ := strconv.ParseFloat(m[3], 64)
			if (m[1] == "down") != (b < a) {
				say(f, m[0])
			}
		}
		if strings.Contains(s, "because the rest") && f.Plateau != nil && f.Plateau.Since < len(f.Flat) {
			k, n := f.Plateau.Since, len(f.Flat)-1
			restFrom := r.Snapshots[k].Total - f.Flat[k]
			restTo := r.Snapshots[n].Total - f.Flat[n]
			if strings.Contains(s, "because the rest grew") && restTo <= restFrom {
				say(f, "the rest did not grow")
			}
			if strings.Contains(s, "because the rest shrank") && restTo >= restFrom {
				say(f, "the rest did not shrink")
			}
		}
		if m := reAgainst.FindStringSubmatch(s); (m != nil || strings.Contains(s, "none the other way")) &&
			f.Current != nil && len(f.FlatSigma) == len(f.Flat) {
			// the steps since the onset that go against the verdict by more
			// than half a sampled object (docs/analysis.md, section 7): none,
			// or as many as it says (a byte either way for rounding)
			dir := 1.0
			if f.Trend == "shrinking" {
				dir = -1
			}
			weight := func(k int) float64 {
				if f.Flat[k] == 0 {
					return 0
				}
				return f.FlatSigma[k] * f.FlatSigma[k] / math.Abs(f.Flat[k])
			}
			surely, maybe, first := 0, 0, -1
			for k := f.Current.Since + 1; k < len(f.Flat); k++ {
				step, tol := dir*(f.Flat[k]-f.Flat[k-1]), 0.5*math.Max(weight(k), weight(k-1))
				if step < -tol-1 {
					surely++
					if first < 0 {
						first = k
					}
				}
				if step < -tol+1 {
					maybe++
				}
			}
			said := 0
			if m != nil {
				said, _ = strconv.Atoi(m[1])
			}
			if m == nil && surely > 0 {
				say(f, fmt.Sprintf("\"none the other way\", yet snapshot %d goes against it", first))
			} else if m != nil && (said < surely || said > maybe) {
				say(f, fmt.Sprintf("says %d the other way, counted %d", said, surely))
			}
		}
		verb := strings.SplitN(s, " ", 2)[0]
		switch f.Trend {
		case "growing":
			if verb != "grows" && verb != "grew" {
				say(f, "growing, but says "+verb)
			}
		case "shrinking":
			if verb != "shrinks" && verb != "shrank" {
				say(f, "shrinking, but says "+verb)
			}
		case "plateau":
			if verb != "grew" {
				say(f, "plateau, but says "+verb)
			}
		case "stable":
			if verb == "grows" || verb == "grew" || verb == "shrinks" || verb == "shrank" {
				say(f, "stable, but says "+verb)
			}
		}
		if (f.Trend == "growing" || f.Trend == "shrinking") && !pair {
			if m := reRate.FindStringSubmatch(s); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				if (v > 0) != (f.Trend == "growing") {
					say(f, "the rate's sign")
				}
				if f.Current != nil && m[3] == "h" && f.Current.PerHour != nil {
					got, _ := value(m[1] + m[2])
					if math.Abs(got-*f.Current.PerHour) > slack(m[1]+m[2]) {
						say(f, fmt.Sprintf("rate %s%s/h is not the verdict's %.0f/h", m[1], m[2], *f.Current.PerHour))
					}
				}
			}
		}
		if pair {
			for _, word := range []string{"/h", "/snapshot", "Mann-Kendall", "Theil-Sen", "steadily", "R²", "intervals"} {
				if strings.Contains(s, word) {
					say(f, "a pair, yet "+word)
				}
			}
			if (f.Trend == "growing" || f.Trend == "shrinking") && !strings.Contains(s, "beyond the sampling noise") {
				say(f, "a pair's change without its noise")
			}
		}
	}
	if md, err := os.ReadFile(filepath.Join(dir, "report.md")); err == nil {
		text := string(md)
		if len(r.Suspects) > 0 && strings.Contains(text, "No function grows") {
			bad = append(bad, "report.md: suspects, yet \"No function grows\"")
		}
		if len(r.Suspects) > 0 && reNoGrowers.MatchString(text) {
			bad = append(bad, "report.md: suspects, yet the growers' table says none grew")
		}
		if pair && strings.Contains(text, "steadily") {
			bad = append(bad, "report.md: a pair, yet \"steadily\"")
		}
		// the first line's verdict against the total's change it gives:
		// "Grew · inuse_space -7.59MB" was one (docs/report.md)
		first := strings.SplitN(text, "\n", 2)[0]
		if m := reStatus.FindStringSubmatch(first); m != nil && strings.HasPrefix(m[2], "-") && m[1] == "Grew" {
			bad = append(bad, "report.md: "+first+": grew, yet the total's change is "+m[2])
		}
	}
	return bad
}

// words checks reports only: calib words DIR/report.json...
func words(paths []string) {
	n := 0
	for _, p := range paths {
		var r report
		readJSON(p, &r)
		for _, c := range contradictions(filepath.Dir(p), &r) {
			fmt.Printf("%s: %s\n", p, c)
			n++
		}
	}
	if n > 0 {
		os.Exit(1)
	}
}

// ---- the table --------------------------------------------------------------------

func table(args []string) {
	if len(args) != 1 {
		log.Fatal("usage: calib table OUTCOMES.jsonl")
	}
	f, err := os.Open(args[0])
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	type row struct {
		key                               string
		runs, falseSusp, churnN, churnBad int
		correct, plateauWrong, contra     int
		lateOK, rateOK, onsetOK, resetsOK int
		hasLate, hasResets                bool
		bestRate                          float64 // the expected runs within 25% for the best estimator
	}
	rows := map[string]*row{}
	var keys []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var examples []string
	for sc.Scan() {
		var o Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			log.Fatal(err)
		}
		mode := "sampled"
		if o.Exact {
			mode = "exact"
		}
		key := o.Scenario
		if o.Scenario == "leak" || o.Scenario == "leakin" || o.Scenario == "late" {
			key = fmt.Sprintf("%s %.1f%%", o.Scenario, o.Rate*100)
		}
		key += " " + mode
		rw := rows[key]
		if rw == nil {
			rw = &row{key: key}
			rows[key] = rw
			keys = append(keys, key)
		}
		rw.runs++
		if o.FalseSuspect {
			rw.falseSusp++
		}
		rw.churnN += o.ChurnN
		rw.churnBad += o.ChurnNonStable
		if o.Correct {
			rw.correct++
		}
		if o.Want == "growing" && o.Got == "plateau" {
			rw.plateauWrong++
		}
		rw.contra += len(o.Contradictions)
		if len(o.Contradictions) > 0 && len(examples) < 10 {
			examples = append(examples, o.Dir+": "+o.Contradictions[0])
		}
		if o.RateErr != nil {
			rw.hasLate = true
			rok := math.Abs(*o.RateErr) <= 0.25
			ook := o.OnsetErr != nil && *o.OnsetErr >= -2 && *o.OnsetErr <= 2
			if rok {
				rw.rateOK++
			}
			if ook {
				rw.onsetOK++
			}
			if rok && ook && o.TargetSuspect {
				rw.lateOK++
			}
			rw.bestRate += bestWithin(o.Samples, 0.25)
		}
		if o.ResetsOK != nil {
			rw.hasResets = true
			if *o.ResetsOK {
				rw.resetsOK++
			}
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	sort.Strings(keys)
	fmt.Println("| scenario | runs | runs with a false suspect | churn functions not stable | target verdict right | monotone leak called plateau | late: suspect, rate within 25%, onset within 2 | resets found | contradictions |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, k := range keys {
		rw := rows[k]
		target := fmt.Sprintf("%d/%d", rw.correct, rw.runs)
		if strings.HasPrefix(k, "churn") || strings.HasPrefix(k, "slowchurn") {
			target = "-"
		}
		late, resets := "-", "-"
		if rw.hasLate {
			late = fmt.Sprintf("%d/%d (rate %d, best possible %.0f; onset %d)", rw.lateOK, rw.runs, rw.rateOK,
				rw.bestRate, rw.onsetOK)
		}
		if rw.hasResets {
			resets = fmt.Sprintf("%d/%d", rw.resetsOK, rw.runs)
		}
		pct := 0.0
		if rw.churnN > 0 {
			pct = 100 * float64(rw.churnBad) / float64(rw.churnN)
		}
		fmt.Printf("| %s | %d | %d | %d/%d (%.1f%%) | %s | %d | %s | %s | %d |\n", k, rw.runs, rw.falseSusp,
			rw.churnBad, rw.churnN, pct, target, rw.plateauWrong, late, resets, rw.contra)
	}
	for _, e := range examples {
		fmt.Println("contradiction:", e)
	}
}

// bestWithin is the probability that a rate measured from the objects a
// sampler recorded is within frac of the truth when it records n of them
// on average: the count is Poisson(n) and the best estimate is
// proportional to it (each sampled object stands for the same bytes), so
// no estimator does better than P(|X - n| <= frac n). n = 0: not sampled
// (an exact profile), always within.
func bestWithin(n, frac float64) float64 {
	if n <= 0 {
		return 1
	}
	p := 0.0
	for x := math.Ceil((1 - frac) * n); x <= math.Floor((1+frac)*n); x++ {
		lg, _ := math.Lgamma(x + 1)
		p += math.Exp(x*math.Log(n) - n - lg)
	}
	return p
}
