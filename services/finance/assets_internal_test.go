package finance

import (
	"testing"
	"time"
)

// depreciate runs an asset through its life month by month and answers each month's
// amount.
func depreciate(t *testing.T, a Asset, c AssetCategory, units func(Period) int64) []int64 {
	t.Helper()
	var out []int64
	p := PeriodOf(a.StartDate)
	for range int(c.LifeMonths) + 3 {
		amount, err := monthly(a, c, p, units(p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, amount)
		a.Depreciated += amount
		p = p.Next()
	}
	return out
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

func noUnits(Period) int64 { return 0 }

func TestStraightLine(t *testing.T) {
	// 60,000.00 over 5 years with 5 % salvage: 950.00 a month, from the month after
	a := Asset{OriginalValue: 6_000_000, StartDate: time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC)}
	c := AssetCategory{LifeMonths: 60, SalvageRateBp: 500, Method: StraightLine}
	months := depreciate(t, a, c, noUnits)
	if months[0] != 0 || months[1] != 95_000 || months[60] != 95_000 || months[61] != 0 {
		t.Fatalf("months %v", months[:3])
	}
	if s := sum(months); s != 5_700_000 {
		t.Fatalf("total %d, want 57,000.00", s)
	}
	// an odd amount leaves no remainder at the end
	a.OriginalValue = 1_000_001
	if s := sum(depreciate(t, a, AssetCategory{LifeMonths: 36, Method: StraightLine}, noUnits)); s != 1_000_001 {
		t.Fatalf("total %d", s)
	}
}

func TestAcceleratedMethods(t *testing.T) {
	a := Asset{OriginalValue: 10_000_000, StartDate: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}
	// sum of the years' digits: 95,000.00 over 5 years, 5/15 in the first year
	syd := depreciate(t, a, AssetCategory{LifeMonths: 60, SalvageRateBp: 500, Method: SumOfYears}, noUnits)
	if first := sum(syd[1:13]); first != 3_166_667 {
		t.Fatalf("first year %d, want 31,666.67", first)
	}
	if s := sum(syd); s != 9_500_000 {
		t.Fatalf("sum of years total %d", s)
	}
	// double declining: 40,000, 24,000, 14,400, then (21,600 − 5,000) / 2 twice
	ddb := depreciate(t, a, AssetCategory{LifeMonths: 60, SalvageRateBp: 500, Method: DoubleDeclining}, noUnits)
	for y, want := range []int64{4_000_000, 2_400_000, 1_440_000, 830_000, 830_000} {
		if got := sum(ddb[1+12*y : 13+12*y]); got != want {
			t.Fatalf("double declining year %d: %d, want %d", y+1, got, want)
		}
	}
}

func TestUnitsOfProductionAndDisposal(t *testing.T) {
	a := Asset{OriginalValue: 1_000_000, StartDate: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), TotalUnits: 10_000}
	c := AssetCategory{LifeMonths: 120, Method: UnitsOfProduction}
	got, err := monthly(a, c, 202602, 500)
	if err != nil || got != 50_000 {
		t.Fatalf("500 of 10,000 units: %d %v", got, err)
	}
	if got, _ := monthly(a, c, 202601, 500); got != 0 {
		t.Fatalf("the month it came in depreciated %d", got)
	}
	// disposed of in April: April still depreciates, May does not
	a.DisposedPeriod = 202604
	if got, _ := monthly(a, c, 202604, 100); got != 10_000 {
		t.Fatalf("month of disposal %d", got)
	}
	if got, _ := monthly(a, c, 202605, 100); got != 0 {
		t.Fatalf("after disposal %d", got)
	}
}

func TestPeriods(t *testing.T) {
	p, err := ParsePeriod("2026-12", "period")
	if err != nil || p.Next() != 202701 || p.Prev() != 202611 || Period(202701).Prev() != 202612 || p.YearStart() != 202601 {
		t.Fatalf("period arithmetic %v %v", p, err)
	}
	for _, bad := range []string{"2026-13", "2026-1", "26-01", "2026/01", ""} {
		if _, err := ParsePeriod(bad, "period"); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
	if p.Last().Day() != 31 || Period(202602).Last().Day() != 28 {
		t.Fatal("last day")
	}
}
