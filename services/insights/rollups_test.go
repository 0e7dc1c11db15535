package insights

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestBlocksOf checks that a period's blocks are aligned, within the period, in order and
// cover each of its days once, with at most two runs a level.
func TestBlocksOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		from, to string
		blocks   int // expected number of blocks (0: not checked)
	}{
		{"one day", "2026-03-04", "2026-03-04", 1},
		{"a 256-day block exactly", day(time.Unix(256*80*86400, 0).UTC()), day(time.Unix((256*81-1)*86400, 0).UTC()), 1},
		{"30 days", "2026-10-27", "2026-11-25", 0},
		{"a year", "2025-11-26", "2026-11-25", 0},
		{"1100 days", "2023-11-22", "2026-11-25", 0},
		{"before 1970", "1969-12-20", "1970-01-10", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Period{From: date(tc.from), To: date(tc.to)}
			runs := blocksOf(p)
			next := dayNumber(p.From)
			perLevel := map[int]int{}
			blocks := 0
			for _, r := range runs {
				perLevel[r.lvl]++
				for b := r.from; b <= r.to; b++ {
					if r.lvl > 0 && b < 0 {
						t.Fatalf("block %d of level %d before 1970", b, r.lvl)
					}
					if first := b * blockSpan(r.lvl); first != next {
						t.Fatalf("block %d of level %d starts on day %d, want %d", b, r.lvl, first, next)
					}
					next += blockSpan(r.lvl)
					blocks++
				}
			}
			if next != dayNumber(p.To)+1 {
				t.Fatalf("blocks end before day %d, want %d", next, dayNumber(p.To)+1)
			}
			for l, n := range perLevel {
				if n > 2 {
					t.Errorf("%d runs of level %d", n, l)
				}
			}
			if tc.blocks != 0 && blocks != tc.blocks {
				t.Errorf("%d blocks, want %d", blocks, tc.blocks)
			}
			t.Logf("%s: %d blocks in %d runs", tc.name, blocks, len(runs))
		})
	}
}

// TestRanks compares ranks with counting by hand, for narrow and wide ranges.
func TestRanks(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		n     int
		value func() int64
	}{
		{"orders", 1000, func() int64 { return 1 + r.Int64N(7) }},
		{"days", 500, func() int64 { return 20000 + r.Int64N(365) }},
		{"spend", 2000, func() int64 { return r.Int64N(5_000_000) - 1000 }},
		{"one", 1, func() int64 { return 42 }},
		{"two", 2, func() int64 { return 7 + r.Int64N(2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := make([]int64, tc.n)
			for i := range values {
				values[i] = tc.value()
			}
			rk := newRanks(slices.Clone(values))
			sorted := slices.Clone(values)
			slices.Sort(sorted)
			if got, want := rk.lowerMedian(), sorted[(tc.n-1)/2]; got != want {
				t.Errorf("lower median %d, want %d", got, want)
			}
			asked := append(slices.Clone(values[:min(len(values), 300)]), sorted[0]-1, sorted[tc.n-1]+1, sorted[tc.n-1]+5000, values[0])
			got := rk.smaller(asked)
			for j, v := range asked {
				want := 0
				for _, x := range values {
					if x < v {
						want++
					}
				}
				if got[j] != want {
					t.Fatalf("smaller(%d) = %d, want %d", v, got[j], want)
				}
			}
		})
	}
}

// TestNth compares quickselect with sorting, with many equal values too.
func TestNth(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, spread := range []int64{3, 1000, 1 << 40} {
		for _, n := range []int{1, 2, 7, 1000} {
			values := make([]int64, n)
			for i := range values {
				values[i] = r.Int64N(spread) - spread/2
			}
			sorted := slices.Clone(values)
			slices.Sort(sorted)
			for _, k := range []int{0, (n - 1) / 2, n - 1} {
				if got := nth(slices.Clone(values), k); got != sorted[k] {
					t.Errorf("spread %d n %d: nth(%d) = %d, want %d", spread, n, k, got, sorted[k])
				}
			}
		}
	}
}

// TestMinHeap checks that the heap keeps the n biggest values, the smallest of them first.
func TestMinHeap(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 100} {
		var h minHeap
		var all []int64
		for range 1000 {
			v := r.Int64N(300)
			all = append(all, v)
			h.keep(v, n)
		}
		slices.SortFunc(all, func(a, b int64) int { return cmp.Compare(b, a) })
		kept := slices.Clone([]int64(h))
		slices.SortFunc(kept, func(a, b int64) int { return cmp.Compare(b, a) })
		if !slices.Equal(kept, all[:n]) || h[0] != all[n-1] {
			t.Errorf("n %d: kept %v, want %v", n, kept, all[:n])
		}
	}
}

// TestPatchBuyers replaces, adds and removes buyers in kept sums.
func TestPatchBuyers(t *testing.T) {
	t.Parallel()
	b := func(ids ...int64) []periodBuyer {
		var out []periodBuyer
		for _, id := range ids {
			out = append(out, periodBuyer{id: id, orders: id % 7, spend: id * 10})
		}
		return out
	}
	fresh := b(1, 4, 9, 12)
	fresh[1].spend = -1 // 4 changed
	got := patchBuyers(b(2, 3, 4, 5, 7, 10), []int64{1, 3, 4, 9, 10, 12}, fresh)
	want := []periodBuyer{b(1)[0], b(2)[0], fresh[1], b(5)[0], b(7)[0], b(9)[0], b(12)[0]}
	if !slices.Equal(got, want) {
		t.Errorf("patched %+v\nwant %+v", got, want)
	}
	if got := patchBuyers(nil, []int64{3}, b(3)); !slices.Equal(got, b(3)) {
		t.Errorf("patched nothing: %+v", got)
	}
}

// TestAnswerCacheBudget keeps answers within a budget, forgetting the least recently used,
// and answers a kept value only under its stamp.
func TestAnswerCacheBudget(t *testing.T) {
	t.Parallel()
	big := func(n int) *keptBuyers { return &keptBuyers{buyers: make([]periodBuyer, n)} }
	c := newAnswerCache(100_000)
	c.put("a", "1", big(1000)) // ~32 kB
	c.put("b", "1", big(1000))
	if _, ok := c.get("a", "1"); !ok { // a is now the most recently used
		t.Fatal("a forgotten")
	}
	c.put("c", "1", big(1500)) // ~48 kB: b goes
	if _, ok := c.get("b", "1"); ok {
		t.Error("b kept beyond the budget")
	}
	if _, ok := c.get("a", "1"); !ok {
		t.Error("a forgotten instead of b")
	}
	if _, ok := c.get("c", "2"); ok {
		t.Error("c answered under another stamp")
	}
	if c.size > c.budget {
		t.Errorf("size %d over the budget %d", c.size, c.budget)
	}
	c.put("huge", "1", big(10_000)) // alone over the budget: kept alone
	if _, ok := c.get("huge", "1"); !ok || len(c.entries) != 1 {
		t.Errorf("entries %v", c.entries)
	}
}
