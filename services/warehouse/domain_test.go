package warehouse

import (
	"testing"

	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/services/catalog"
)

func date(y int, m int, d int) *barcode.Date {
	t := barcode.Date{Year: y, Month: timeMonth(m), Day: d}
	return &t
}

func TestValuationKeepsValueExact(t *testing.T) {
	t.Parallel()
	v := valuation{}.receive(3000, 1000, 333) // 3 units for 10.00
	var total int64
	for range 3 {
		var out int64
		var err error
		v, out, err = v.issue(1000)
		if err != nil {
			t.Fatal(err)
		}
		total += out
	}
	if total != 1000 || v.Value != 0 || v.Quantity != 0 {
		t.Fatalf("issued %d in three thirds, left %+v; want all 1000 and nothing left", total, v)
	}
	// beyond zero (negative stock allowed): the last cost
	v = valuation{Quantity: 1000, Value: 500, LastCost: 600}
	v, out, _ := v.issue(3000)
	if out != 500+1200 || v.Quantity != -2000 || v.Value != -1200 {
		t.Fatalf("negative issue: out %d, left %+v", out, v)
	}
	if c := (valuation{Quantity: 2500, Value: 17200}).unitCost(); c != 6880 {
		t.Fatalf("unit cost %d, want 6880", c)
	}
}

func TestShipRules(t *testing.T) {
	t.Parallel()
	today := barcode.Date{Year: 2026, Month: 11, Day: 25}
	old := lotStock{ID: 1, No: "OLD", Expiry: date(2027, 1, 31), Available: 1000}
	young := lotStock{ID: 2, No: "NEW", Expiry: date(2027, 3, 31), Available: 1000}
	expired := lotStock{ID: 3, No: "EXP", Expiry: date(2026, 11, 24), Available: 1000}
	short := lotStock{ID: 4, No: "SHORT", Expiry: date(2026, 12, 5), Available: 1000}
	tests := []struct {
		name    string
		rules   shipRules
		scanned lotStock
		others  []lotStock
		reason  string
		warning bool
	}{
		{"oldest lot ships", shipRules{today: today, fefo: "block"}, old, []lotStock{old, young}, "", false},
		{"younger lot while an older is available", shipRules{today: today, fefo: "block"}, young, []lotStock{old, young}, ReasonNotFEFO, false},
		{"warn only", shipRules{today: today, fefo: "warn"}, young, []lotStock{old, young}, "", true},
		{"fefo off", shipRules{today: today, fefo: "off"}, young, []lotStock{old, young}, "", false},
		{"older lot used up", shipRules{today: today, fefo: "block"}, young, []lotStock{{ID: 1, Expiry: old.Expiry}, young}, "", false},
		{"expired", shipRules{today: today, fefo: "block"}, expired, nil, ReasonLotExpired, false},
		{"short-dated for the customer", shipRules{today: today, fefo: "block", minShelfDays: 30}, short, nil, ReasonLotShortDated, false},
		{"an expired older lot does not block", shipRules{today: today, fefo: "block"}, young, []lotStock{expired, young}, "", false},
		{"a too-short older lot does not block", shipRules{today: today, fefo: "block", minShelfDays: 30}, young, []lotStock{short, young}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			refusal, warning := tc.rules.check(tc.scanned, tc.others)
			got := ""
			if refusal != nil {
				got = refusal.Reason
			}
			if got != tc.reason || (warning != "") != tc.warning {
				t.Fatalf("refusal %q warning %q; want %q warning=%v", got, warning, tc.reason, tc.warning)
			}
		})
	}
}

func TestReadLabel(t *testing.T) {
	t.Parallel()
	sausage := catalog.Item{SKU: "XC", Unit: "kg", Weighed: true, LotTracked: true, ShelfLifeDays: 180}
	bag := catalog.Item{SKU: "PK", Unit: "bag", LotTracked: true, ShelfLifeDays: 180}
	today := barcode.Date{Year: 2026, Month: 11, Day: 25}
	parse := func(s string) barcode.Scan {
		sc, err := barcode.ParseAt(s, today)
		if err != nil {
			t.Fatalf("parse %q: %v", s, err)
		}
		return sc
	}
	gtin := "06923456000100"
	tests := []struct {
		name     string
		scan     barcode.Scan
		item     catalog.Item
		perScan  int64
		client   int64
		qty      int64
		lot      string
		expiry   string
		refusalR string
	}{
		{"weight from 3103", parse("(01)" + gtin + "(17)270331(3103)001250(10)A1"), sausage, 1000, 0, 1250, "A1", "2027-03-31", ""},
		{"weight from 3102", parse("(01)" + gtin + "(3102)000125(10)A1(15)270300"), sausage, 1000, 0, 1250, "A1", "2027-03-31", ""},
		{"expiry from production + shelf life", parse("(01)" + gtin + "(11)261101(3103)000500(10)B2"), sausage, 1000, 0, 500, "B2", "2027-04-30", ""},
		{"weighed without weight", parse(gtin), sausage, 1000, 0, 0, "", "", ReasonQuantityRequired},
		{"weighed with the client's weight", parse(gtin), sausage, 1000, 2300, 2300, "", "", ""},
		{"case of 12 counted once", parse("(01)" + gtin + "(17)270331(10)C3"), bag, 12000, 0, 12000, "C3", "2027-03-31", ""},
		{"count in AI 37", parse("(02)" + gtin + "(37)5(17)270331(10)C3"), bag, 1000, 0, 5000, "C3", "2027-03-31", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, refusal := readLabel(tc.scan, tc.item, tc.perScan, 0, tc.client)
			if tc.refusalR != "" {
				if refusal == nil || refusal.Reason != tc.refusalR {
					t.Fatalf("refusal %+v, want %s", refusal, tc.refusalR)
				}
				return
			}
			if refusal != nil {
				t.Fatalf("refused: %+v", refusal)
			}
			exp := ""
			if r.expiry != nil {
				exp = r.expiry.String()
			}
			if r.quantity != tc.qty || r.lot != tc.lot || exp != tc.expiry {
				t.Fatalf("read %+v (expiry %s), want qty %d lot %s expiry %s", r, exp, tc.qty, tc.lot, tc.expiry)
			}
		})
	}
}
