package money

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

func TestMulDiv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		a, b, c int64
		want    int64
	}{
		{"exact", 1250, 3800, 1000, 4750},
		{"half rounds up", 1, 5, 10, 1},
		{"just under half rounds down", 1, 49, 100, 0},
		{"negative half rounds away from zero", -1, 5, 10, -1},
		{"negative divisor", 7, 3, -2, -11},
		{"zero", 0, 123, 7, 0},
		{"large intermediate beyond int64", math.MaxInt64 / 2, 4, 8, math.MaxInt64/4 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := MulDiv(tc.a, tc.b, tc.c)
			if err != nil || got != tc.want {
				t.Fatalf("MulDiv(%d,%d,%d) = %d, %v; want %d", tc.a, tc.b, tc.c, got, err, tc.want)
			}
		})
	}
	if _, err := MulDiv(math.MaxInt64, 2, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow not reported: %v", err)
	}
	if _, err := MulDiv(1, 1, 0); err == nil {
		t.Error("division by zero not reported")
	}
}

func TestLineAmountAndTax(t *testing.T) {
	t.Parallel()
	// 1.255 kg at 68.80 yuan/kg = 86.344 -> 86.34
	if got, _ := LineAmount(1255, 6880); got != 8634 {
		t.Errorf("LineAmount = %d, want 8634", got)
	}
	// 0.125 kg at 0.04 yuan = 0.005 -> 0.01 (half up)
	if got, _ := LineAmount(125, 4); got != 1 {
		t.Errorf("LineAmount half = %d, want 1", got)
	}
	// 100.00 net at 13 % -> 13.00
	if got, _ := TaxOnNet(10000, 1300); got != 1300 {
		t.Errorf("TaxOnNet = %d", got)
	}
	for _, tc := range []struct {
		gross   int64
		rate    int32
		net, tx int64
	}{
		{11300, 1300, 10000, 1300},
		{10900, 900, 10000, 900},
		{100, 1300, 88, 12}, // 1.00 gross: tax 0.1150 -> 0.12, net 0.88
		{-11300, 1300, -10000, -1300},
		{12345, 0, 12345, 0},
	} {
		net, tax, err := SplitGross(tc.gross, tc.rate)
		if err != nil || net != tc.net || tax != tc.tx || net+tax != tc.gross {
			t.Errorf("SplitGross(%d,%d) = %d + %d, %v; want %d + %d", tc.gross, tc.rate, net, tax, err, tc.net, tc.tx)
		}
	}
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		total   int64
		weights []int64
		want    []int64
	}{
		{"proportional", 1000, []int64{1, 1, 2}, []int64{250, 250, 500}},
		{"remainder to the largest fractions", 100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{"negative total", -100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{"zero weights split evenly", 5, []int64{0, 0}, []int64{3, 2}},
		{"discount over lines", 1001, []int64{3990, 12800, 560}, []int64{230, 739, 32}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Allocate(tc.total, tc.weights)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for i := range got {
				sum += got[i]
				if got[i] != tc.want[i] {
					t.Fatalf("Allocate = %v, want %v", got, tc.want)
				}
			}
			if sum != tc.total {
				t.Fatalf("parts sum to %d, not %d", sum, tc.total)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	cases := map[string]string{Yuan(123456): "1234.56", Yuan(-5): "-0.05", Kilo(1250): "1.250",
		Kilo(-7): "-0.007", Percent(1300): "13%", Percent(150): "1.5%", Percent(0): "0%"}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// FuzzMulDiv checks MulDiv against exact big-integer arithmetic.
func FuzzMulDiv(f *testing.F) {
	f.Add(int64(1250), int64(3800), int64(1000))
	f.Add(int64(-1), int64(5), int64(10))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add(int64(math.MinInt64), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, a, b, c int64) {
		if c == 0 {
			return
		}
		got, err := MulDiv(a, b, c)
		// exact: q = a*b/c rounded half away from zero
		num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		den := big.NewInt(c)
		neg := num.Sign()*den.Sign() < 0
		num.Abs(num)
		den.Abs(den)
		q, r := new(big.Int).QuoRem(num, den, new(big.Int))
		if new(big.Int).Mul(r, big.NewInt(2)).Cmp(den) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		if neg {
			q.Neg(q)
		}
		if !q.IsInt64() {
			if err == nil {
				t.Fatalf("MulDiv(%d,%d,%d) = %d, want overflow", a, b, c, got)
			}
			return
		}
		if err != nil || got != q.Int64() {
			t.Fatalf("MulDiv(%d,%d,%d) = %d, %v; want %d", a, b, c, got, err, q.Int64())
		}
	})
}

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in     string
		places int
		round  bool
		want   int64
		bad    bool
	}{
		{"1,234.50", 2, false, 123450, false}, {"-0.5", 2, false, -50, false}, {"+12", 2, false, 1200, false},
		{".25", 2, false, 25, false}, {"3.", 2, false, 300, false}, {"1.250", 3, false, 1250, false},
		{"12.300", 2, false, 1230, false}, {"12.301", 2, false, 0, true}, {"12.305", 2, true, 1231, false},
		{"12.300000000000001", 2, true, 1230, false}, {"-12.345", 2, true, -1235, false},
		{"1,23.00", 2, false, 0, true}, {"12a", 2, false, 0, true}, {"", 2, false, 0, true}, {"-", 2, false, 0, true},
		{".", 2, false, 0, true}, {"99999999999999999999", 2, false, 0, true}, {"1.2.3", 2, false, 0, true},
	} {
		got, err := ParseDecimal(c.in, c.places, c.round)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseDecimal(%q, %d, %v) = %d, %v; want %d (bad %v)", c.in, c.places, c.round, got, err, c.want, c.bad)
		}
	}
}
