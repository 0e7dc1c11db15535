package barcode

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{Year: y, Month: m, Day: day} }

// GS1 General Specifications §7.12: D = YY − current YY; 51…99 → previous
// century, −99…−50 → next century, else current century. The cases sit on
// both sides of each boundary.
func TestCenturyRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		today  Date
		yymmdd string
		want   Date
	}{
		{"2026: D=+50 stays in this century", d(2026, 11, 25), "760101", d(2076, 1, 1)},
		{"2026: D=+51 goes to previous century", d(2026, 11, 25), "770101", d(1977, 1, 1)},
		{"2026: D=+73", d(2026, 11, 25), "990101", d(1999, 1, 1)},
		{"2026: D=-26", d(2026, 11, 25), "000101", d(2000, 1, 1)},
		{"2026: D=0", d(2026, 11, 25), "261125", d(2026, 11, 25)},
		{"2000: D=+99 previous century", d(2000, 1, 1), "990101", d(1999, 1, 1)},
		{"2000: D=+51 previous century", d(2000, 1, 1), "510101", d(1951, 1, 1)},
		{"2000: D=+50 same century", d(2000, 1, 1), "500101", d(2050, 1, 1)},
		{"2080: D=-50 next century", d(2080, 6, 1), "300101", d(2130, 1, 1)},
		{"2080: D=-49 same century", d(2080, 6, 1), "310101", d(2031, 1, 1)},
		{"2099: D=-99 next century", d(2099, 12, 31), "000101", d(2100, 1, 1)},
		{"2099: D=-50 next century", d(2099, 12, 31), "490101", d(2149, 1, 1)},
		{"2099: D=-49 same century", d(2099, 12, 31), "500101", d(2050, 1, 1)},
		{"2051: D=-51 next century", d(2051, 6, 15), "000101", d(2100, 1, 1)},
		{"2051: D=-50 next century", d(2051, 6, 15), "010101", d(2101, 1, 1)},
		{"2051: D=-49 same century", d(2051, 6, 15), "020101", d(2002, 1, 1)},
		{"1999: D=-99 next century", d(1999, 3, 3), "000101", d(2000, 1, 1)},
		{"1999: D=+0", d(1999, 3, 3), "990101", d(1999, 1, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseAt("(17)"+tc.yymmdd, tc.today)
			if err != nil {
				t.Fatalf("ParseAt: %v", err)
			}
			if s.Expiry != tc.want {
				t.Fatalf("expiry %s with today %s = %s, want %s", tc.yymmdd, tc.today, s.Expiry, tc.want)
			}
		})
	}
}

// DD = 00 means the last day of the month (GenSpecs definitions of AIs 15,
// 16, 17; allowed but without interpretation for 11, 12, 13).
func TestDayZeroIsLastDayOfMonth(t *testing.T) {
	t.Parallel()
	today := d(2026, 11, 25)
	tests := []struct {
		name  string
		in    string
		today Date
		field func(Scan) Date
		want  Date
	}{
		{"January", "(17)260100", today, expiry, d(2026, 1, 31)},
		{"February leap year 2024", "(17)240200", today, expiry, d(2024, 2, 29)},
		{"February common year 2026", "(17)260200", today, expiry, d(2026, 2, 28)},
		{"February 2028 leap", "(15)280200", today, bestBefore, d(2028, 2, 29)},
		{"February 2000 (divisible by 400) leap", "(17)000200", today, expiry, d(2000, 2, 29)},
		{"February 2100 (century, not leap) when today is 2080", "(17)000200", d(2080, 1, 1), expiry, d(2100, 2, 28)},
		{"April", "(17)260400", today, expiry, d(2026, 4, 30)},
		{"June", "(16)260600", today, sellBy, d(2026, 6, 30)},
		{"July", "(17)260700", today, expiry, d(2026, 7, 31)},
		{"September", "(15)260900", today, bestBefore, d(2026, 9, 30)},
		{"November", "(17)261100", today, expiry, d(2026, 11, 30)},
		{"December", "(17)261200", today, expiry, d(2026, 12, 31)},
		{"production date 11 allows 00", "(11)260200", today, production, d(2026, 2, 28)},
		{"packaging date 13 allows 00", "(13)240200", today, packaging, d(2024, 2, 29)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseAt(tc.in, tc.today)
			if err != nil {
				t.Fatalf("ParseAt(%q): %v", tc.in, err)
			}
			if got := tc.field(s); got != tc.want {
				t.Fatalf("ParseAt(%q) date = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func expiry(s Scan) Date     { return s.Expiry }
func bestBefore(s Scan) Date { return s.BestBefore }
func sellBy(s Scan) Date     { return s.SellBy }
func production(s Scan) Date { return s.ProductionDate }
func packaging(s Scan) Date  { return s.PackagingDate }

func TestBadDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		today  Date
		detail string
	}{
		{"month 13", "(17)261301", d(2026, 11, 25), "month 13"},
		{"month 00", "(17)260001", d(2026, 11, 25), "month 00"},
		{"day 32", "(17)260132", d(2026, 11, 25), "AI (17): day 32 is not a valid day"},
		{"31 April", "(15)260431", d(2026, 11, 25), "day 31"},
		{"31 November", "(11)261131", d(2026, 11, 25), "day 31"},
		{"29 February 2026", "(17)260229", d(2026, 11, 25), "day 29"},
		{"29 February 2100 (today 2080)", "(17)000229", d(2080, 1, 1), "2100-02"},
		{"30 February 2028", "(17)280230", d(2026, 11, 25), "day 30"},
		{"7003 day 00 not allowed", "(7003)2612001430", d(2026, 11, 25), "day 00"},
		{"7003 hour 24", "(7003)2612312400", d(2026, 11, 25), "hour 24"},
		{"7003 minute 60", "(7003)2612311460", d(2026, 11, 25), "minute 60"},
		{"7006 day 00", "(7006)261200", d(2026, 11, 25), "day 00"},
		{"8008 hour 25", "(8008)26123125", d(2026, 11, 25), "hour 25"},
		{"8008 second 60", "(8008)261231235960", d(2026, 11, 25), "second 60"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseAt(tc.in, tc.today)
			if ReasonOf(err) != ReasonBadDate {
				t.Fatalf("ParseAt(%q) = %v, want BAD_DATE", tc.in, err)
			}
			if e := err.(*Error); !strings.Contains(e.Detail, tc.detail) {
				t.Fatalf("detail %q does not contain %q", e.Detail, tc.detail)
			}
		})
	}
	// 29 February 2000 is valid when today is 2026 (2000 is a leap year).
	if s, err := ParseAt("(17)000229", d(2026, 11, 25)); err != nil || s.Expiry != d(2000, 2, 29) {
		t.Fatalf("29 Feb 2000: %v %v", s.Expiry, err)
	}
}

func TestDateMethods(t *testing.T) {
	t.Parallel()
	a, b := d(2026, 11, 25), d(2026, 12, 1)
	if a.String() != "2026-11-25" || (Date{}).String() != "" {
		t.Fatalf("String: %q %q", a.String(), Date{}.String())
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Fatal("IsZero")
	}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 || !a.Before(b) || !b.After(a) || a.After(b) {
		t.Fatal("Compare/Before/After")
	}
	if d(2025, 1, 1).Compare(d(2024, 12, 31)) != 1 || d(2026, 3, 1).Compare(d(2026, 2, 28)) != 1 {
		t.Fatal("Compare across year/month")
	}
	if got := a.Time(); !got.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("Time = %v", got)
	}
	if DateOf(time.Date(2026, 11, 25, 23, 59, 0, 0, time.UTC)) != a {
		t.Fatal("DateOf")
	}
	if !a.Valid() || d(2026, 2, 29).Valid() || d(2024, 2, 29).Valid() == false || (Date{}).Valid() {
		t.Fatal("Valid")
	}
	j, err := json.Marshal(struct{ D, Z Date }{a, Date{}})
	if err != nil || string(j) != `{"D":"2026-11-25","Z":""}` {
		t.Fatalf("json = %s, %v", j, err)
	}
	var back struct{ D, Z Date }
	if err := json.Unmarshal(j, &back); err != nil || back.D != a || !back.Z.IsZero() {
		t.Fatalf("unmarshal = %+v, %v", back, err)
	}
	for _, bad := range []string{`"2026-02-30"`, `"2026/11/25"`, `"26-11-25"`, `"2026-1-25x"`} {
		var x Date
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
}

func TestTodayIsUTC(t *testing.T) {
	t.Parallel()
	before := DateOf(time.Now().UTC())
	got := Today()
	after := DateOf(time.Now().UTC())
	if got != before && got != after {
		t.Fatalf("Today() = %s, want %s", got, before)
	}
}
