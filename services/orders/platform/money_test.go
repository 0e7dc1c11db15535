package platform

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		decimals int
		want     int64
		err      error
	}{
		{"yuan with fen", "128.50", 2, 12850, nil},
		{"integer", "3", 2, 300, nil},
		{"one decimal", "0.9", 2, 90, nil},
		{"trailing zeros beyond precision", "1.500", 2, 150, nil},
		{"many trailing zeros", "7.000000000000000000000", 2, 700, nil},
		{"leading zeros", "007.05", 2, 705, nil},
		{"zero", "0", 2, 0, nil},
		{"negative zero", "-0.00", 2, 0, nil},
		{"negative refund", "-10.00", 2, -1000, nil},
		{"zero-decimal currency", "1200", 0, 1200, nil},
		{"zero-decimal currency with .00", "1200.00", 0, 1200, nil},
		{"three-decimal currency", "1.234", 3, 1234, nil},
		{"quantity in milli-units", "1.5", 3, 1500, nil},
		{"java double exponent", "1.0E7", 2, 1000000000, nil},
		{"negative exponent", "12345e-2", 2, 12345, nil},
		{"exponent with plus", "1.5e+1", 2, 1500, nil},
		{"max int64", "92233720368547758.07", 2, math.MaxInt64, nil},
		{"min int64", "-92233720368547758.08", 2, math.MinInt64, nil},
		{"zero with huge exponent", "0e999", 2, 0, nil},

		{"too many decimals", "128.505", 2, 0, ErrPrecision},
		{"sub-fen float noise", "0.30000000000000004", 2, 0, ErrPrecision},
		{"exponent leaves fraction", "1e-3", 2, 0, ErrPrecision},
		{"decimals on zero-decimal currency", "5.5", 0, 0, ErrPrecision},
		{"overflow", "92233720368547758.08", 2, 0, ErrRange},
		{"negative overflow", "-92233720368547758.09", 2, 0, ErrRange},
		{"overflow by exponent", "1e20", 2, 0, ErrRange},
		{"empty", "", 2, 0, ErrSyntax},
		{"plus sign", "+1.00", 2, 0, ErrSyntax},
		{"space", " 1.00", 2, 0, ErrSyntax},
		{"thousands separator", "1,000.00", 2, 0, ErrSyntax},
		{"leading dot", ".5", 2, 0, ErrSyntax},
		{"trailing dot", "5.", 2, 0, ErrSyntax},
		{"two dots", "1.2.3", 2, 0, ErrSyntax},
		{"minus only", "-", 2, 0, ErrSyntax},
		{"letters", "12a", 2, 0, ErrSyntax},
		{"currency symbol", "¥12", 2, 0, ErrSyntax},
		{"exponent without digits", "1e", 2, 0, ErrSyntax},
		{"exponent too long", "1e1000", 2, 0, ErrSyntax},
		{"NaN", "NaN", 2, 0, ErrSyntax},
		{"Inf", "Inf", 2, 0, ErrSyntax},
		{"too long", "1" + strings.Repeat("0", 70), 2, 0, ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMinor(tc.in, tc.decimals)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseMinor(%q, %d) = %d, %v; want error %v", tc.in, tc.decimals, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseMinor(%q, %d) = %d, %v; want %d", tc.in, tc.decimals, got, err, tc.want)
			}
		})
	}
	if _, err := ParseMinor("1", 19); err == nil {
		t.Error("decimals 19 accepted")
	}
	if _, err := ParseMinor("1", -1); err == nil {
		t.Error("negative decimals accepted")
	}
}

func TestCurrencyDecimals(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int{"CNY": 2, "usd": 2, "EUR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "": 2} {
		if got := CurrencyDecimals(code); got != want {
			t.Errorf("CurrencyDecimals(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestLineAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		qty, price   int64
		want         int64
		wantOverflow bool
	}{
		{"whole pieces", 2000, 12850, 25700, false},
		{"fractional kg rounds half up", 1255, 6880, 8634, false},
		{"half a fen rounds away from zero", 125, 4, 1, false},
		{"zero", 0, 999, 0, false},
		{"beyond 64-bit intermediate", math.MaxInt64, 1000, math.MaxInt64, false},
		{"overflow", math.MaxInt64, 1001, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := lineAmount(tc.qty, tc.price)
			if tc.wantOverflow {
				if err == nil {
					t.Fatalf("lineAmount(%d, %d) = %d, want overflow", tc.qty, tc.price, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("lineAmount(%d, %d) = %d, %v; want %d", tc.qty, tc.price, got, err, tc.want)
			}
		})
	}
}

// FuzzParseMinor checks that ParseMinor never panics and that whatever it accepts equals
// the exact rational value of the text (computed with math/big) times 10^decimals.
func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"128.50", "-10.00", "0.9", "1.0E7", "1e-3", "92233720368547758.07", "", ".", "-", "1.2.3", "0e999"} {
		f.Add(s, 2)
	}
	f.Add("1.5", 3)
	f.Add("1200", 0)
	f.Fuzz(func(t *testing.T, s string, decimals int) {
		got, err := ParseMinor(s, decimals)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseMinor(%q) = %d but big.Rat rejects the text", s, got)
		}
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
		if !r.IsInt() || r.Num().Cmp(big.NewInt(got)) != 0 {
			t.Fatalf("ParseMinor(%q, %d) = %d, exact value is %s", s, decimals, got, r.RatString())
		}
	})
}
