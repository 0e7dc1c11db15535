package reconcile

import (
	"testing"
	"time"

	"github.com/erphub/erphub/services/catalog"
)

func TestClosingPeriod(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		cycle      string
		closing    int32
		day, from  string
		closesThen bool
	}{
		{"monthly", 25, "2026-11-25", "2026-10-26", true},
		{"monthly", 25, "2026-11-24", "", false},
		{"monthly", 31, "2026-11-30", "2026-11-01", true},
		{"monthly", 31, "2026-03-31", "2026-03-01", true},
		{"monthly", 31, "2026-02-28", "2026-02-01", true},
		{"semimonthly", 15, "2026-11-15", "2026-11-01", true},
		{"semimonthly", 15, "2026-11-30", "2026-11-16", true},
		{"weekly", 3, "2026-11-25", "2026-11-19", true}, // a Wednesday
		{"weekly", 3, "2026-11-26", "", false},
		{"per_delivery", 0, "2026-11-25", "", false},
	} {
		from, ok := closingPeriod(catalog.SettlementTerms{Cycle: c.cycle, ClosingDay: c.closing}, d(c.day))
		if ok != c.closesThen || ok && !from.Equal(d(c.from)) {
			t.Errorf("%s %d on %s: %v %v, want %v %s", c.cycle, c.closing, c.day, from.Format(time.DateOnly), ok, c.closesThen, c.from)
		}
	}
}
