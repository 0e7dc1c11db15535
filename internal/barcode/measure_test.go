package barcode

import (
	"math"
	"testing"
)

// AI 310n with n = 0…5: the fourth digit is the number of decimals.
func TestNetWeight310n(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   Measure
		grams  int64
		render string
	}{
		{"(3100)000125", Measure{125, 0, Kilogram}, 125000, "125 kg"},
		{"(3101)001250", Measure{1250, 1, Kilogram}, 125000, "125.0 kg"},
		{"(3102)012345", Measure{12345, 2, Kilogram}, 123450, "123.45 kg"},
		{"(3103)001250", Measure{1250, 3, Kilogram}, 1250, "1.250 kg"},
		// More than 3 decimals: half-up to the gram.
		{"(3104)012345", Measure{12345, 4, Kilogram}, 1235, "1.2345 kg"}, // 1234.5 g → 1235
		{"(3104)012344", Measure{12344, 4, Kilogram}, 1234, "1.2344 kg"}, // 1234.4 g → 1234
		{"(3105)123456", Measure{123456, 5, Kilogram}, 1235, "1.23456 kg"},
		{"(3105)123449", Measure{123449, 5, Kilogram}, 1234, "1.23449 kg"},
		{"(3105)000050", Measure{50, 5, Kilogram}, 1, "0.00050 kg"}, // exactly 0.5 g → 1
		{"(3105)000049", Measure{49, 5, Kilogram}, 0, "0.00049 kg"},
		{"(3100)999999", Measure{999999, 0, Kilogram}, 999999000, "999999 kg"},
		{"(3103)000000", Measure{0, 3, Kilogram}, 0, "0.000 kg"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.in)
			if s.NetWeight == nil || *s.NetWeight != tc.want {
				t.Fatalf("NetWeight = %+v, want %+v", s.NetWeight, tc.want)
			}
			g, err := s.NetWeight.Milli()
			if err != nil || g != tc.grams {
				t.Fatalf("Milli() = %d, %v; want %d", g, err, tc.grams)
			}
			if s.NetWeight.String() != tc.render {
				t.Fatalf("String() = %q, want %q", s.NetWeight.String(), tc.render)
			}
		})
	}
}

// AI 320n (pounds): 1 lb = 0.45359237 kg exactly; grams rounded half-up.
// Expected values computed by hand: 453.59237 × pounds.
func TestNetWeight320nPounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		want  Measure
		grams int64
	}{
		{"(3200)000001", Measure{1, 0, Pound}, 454},            // 453.59237
		{"(3201)012345", Measure{12345, 1, Pound}, 559960},     // 1234.5 lb = 559959.78…
		{"(3202)000250", Measure{250, 2, Pound}, 1134},         // 2.50 lb = 1133.98…
		{"(3202)000001", Measure{1, 2, Pound}, 5},              // 0.01 lb = 4.5359…
		{"(3202)010000", Measure{10000, 2, Pound}, 45359},      // 100 lb = 45359.237
		{"(3203)000001", Measure{1, 3, Pound}, 0},              // 0.45359…
		{"(3203)000002", Measure{2, 3, Pound}, 1},              // 0.90718…
		{"(3205)000001", Measure{1, 5, Pound}, 0},              // 0.0045…
		{"(3205)123456", Measure{123456, 5, Pound}, 560},       // 559.98699…
		{"(3200)999999", Measure{999999, 0, Pound}, 453591916}, // 453591916.40763
		{"(3204)011023", Measure{11023, 4, Pound}, 500},        // 1.1023 lb = 499.997…
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.in)
			if s.NetWeight == nil || *s.NetWeight != tc.want {
				t.Fatalf("NetWeight = %+v, want %+v", s.NetWeight, tc.want)
			}
			if g, err := s.NetWeight.Milli(); err != nil || g != tc.grams {
				t.Fatalf("Milli() = %d, %v; want %d", g, err, tc.grams)
			}
		})
	}
}

func TestGrossWeight330n(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "(00)106141411234567897(3302)123456")
	if s.GrossWeight == nil || *s.GrossWeight != (Measure{123456, 2, Kilogram}) || s.NetWeight != nil {
		t.Fatalf("%+v", s)
	}
	if g, _ := s.GrossWeight.Milli(); g != 1234560 {
		t.Fatalf("grams %d", g)
	}
	s = mustParse(t, "(00)106141411234567897(3401)000100")
	if s.GrossWeight == nil || *s.GrossWeight != (Measure{100, 1, Pound}) {
		t.Fatalf("%+v", s)
	}
}

func TestMilliErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    Measure
	}{
		{"negative decimals", Measure{1, -1, Kilogram}},
		{"too many decimals", Measure{1, 19, Kilogram}},
		{"unknown unit", Measure{1, 0, Unit("m")}},
		{"empty unit", Measure{1, 0, ""}},
		{"overflow kg", Measure{math.MaxInt64, 0, Kilogram}},
		{"overflow lb", Measure{math.MaxInt64 / 100, 0, Pound}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := tc.m.Milli(); ReasonOf(err) != ReasonBadValue {
				t.Fatalf("Milli(%+v) = %v, want BAD_VALUE", tc.m, err)
			}
		})
	}
	// Large values that still fit must be exact.
	if g, err := (Measure{math.MaxInt64, 18, Kilogram}).Milli(); err != nil || g != 9223 {
		t.Fatalf("MaxInt64e-18 kg = %d, %v", g, err) // 9.223372036854775807 kg → 9223.37… g
	}
	if g, err := (Measure{-1250, 3, Kilogram}).Milli(); err != nil || g != -1250 {
		t.Fatalf("negative = %d, %v", g, err)
	}
	if g, err := (Measure{-5, 4, Kilogram}).Milli(); err != nil || g != -1 {
		t.Fatalf("negative half = %d, %v (half away from zero)", g, err)
	}
}

// AI 392n: amount payable in the local currency; 393n: ISO 4217 numeric
// currency + amount. Minor converts exactly into the currency's minor unit.
func TestPrice392n393n(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want     Amount
		decimals int   // of the currency
		minor    int64 // -1 = refused (not exact)
		render   string
	}{
		{"(3920)12", Amount{12, 0, ""}, 2, 1200, "12"},
		{"(3921)125", Amount{125, 1, ""}, 2, 1250, "12.5"},
		{"(3922)1299", Amount{1299, 2, ""}, 2, 1299, "12.99"},
		{"(3922)5", Amount{5, 2, ""}, 2, 5, "0.05"},
		{"(3923)12340", Amount{12340, 3, ""}, 2, 1234, "12.340"},
		{"(3923)12345", Amount{12345, 3, ""}, 2, -1, "12.345"},
		{"(3929)999999999999999", Amount{999999999999999, 9, ""}, 2, -1, "999999.999999999"},
		{"(3932)1561299", Amount{1299, 2, "156"}, 2, 1299, "156 12.99"},
		{"(3930)392500", Amount{500, 0, "392"}, 0, 500, "392 500"},
		{"(3932)978100", Amount{100, 2, "978"}, 2, 100, "978 1.00"},
		{"(3933)048123456", Amount{123456, 3, "048"}, 3, 123456, "048 123.456"},
		{"(3935)156100000", Amount{100000, 5, "156"}, 2, 100, "156 1.00000"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.in)
			if s.Price == nil || *s.Price != tc.want {
				t.Fatalf("Price = %+v, want %+v", s.Price, tc.want)
			}
			got, err := s.Price.Minor(tc.decimals)
			if tc.minor < 0 {
				if ReasonOf(err) != ReasonBadValue {
					t.Fatalf("Minor(%d) = %d, %v; want BAD_VALUE", tc.decimals, got, err)
				}
			} else if err != nil || got != tc.minor {
				t.Fatalf("Minor(%d) = %d, %v; want %d", tc.decimals, got, err, tc.minor)
			}
			if s.Price.String() != tc.render {
				t.Fatalf("String() = %q, want %q", s.Price.String(), tc.render)
			}
		})
	}
	for _, bad := range []struct {
		a   Amount
		dec int
	}{
		{Amount{1, 2, ""}, -1},
		{Amount{1, 2, ""}, 19},
		{Amount{1, -1, ""}, 2},
		{Amount{999999999999999, 0, ""}, 18},
	} {
		if _, err := bad.a.Minor(bad.dec); ReasonOf(err) != ReasonBadValue {
			t.Errorf("Minor(%+v, %d) = %v, want BAD_VALUE", bad.a, bad.dec, err)
		}
	}
}
