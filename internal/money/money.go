// Package money is the one place where erphub rounds. Money is int64 fen (minor units),
// quantities are int64 milli-units (1.250 kg = 1250), prices are fen per whole unit, tax
// rates are basis points (1300 = 13 %). Every product and quotient is computed exactly in
// 128 bits and rounded half away from zero (四舍五入) once, at the end.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// ErrOverflow reports a result outside int64.
var ErrOverflow = errors.New("money: amount out of range")

// MilliPerUnit is the number of milli-units in one unit.
const MilliPerUnit = 1000

// BasisPoints is 100 %.
const BasisPoints = 10000

// MulDiv returns a·b/c rounded half away from zero, exactly. c must not be zero.
func MulDiv(a, b, c int64) (int64, error) {
	if c == 0 {
		return 0, errors.New("money: division by zero")
	}
	neg := (a < 0) != (b < 0) != (c < 0)
	ua, ub, uc := abs(a), abs(b), abs(c)
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uc {
		return 0, ErrOverflow
	}
	q, r := bits.Div64(hi, lo, uc)
	// half away from zero: round up when the remainder is at least half of the divisor
	if r >= uc-r {
		q++
	}
	if neg && q == 1<<63 {
		return math.MinInt64, nil
	}
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	if neg && q != 0 {
		return -int64(q), nil
	}
	return int64(q), nil
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// LineAmount is quantity (milli-units) × unit price (fen per unit), rounded to the fen.
func LineAmount(qtyMilli, unitPriceFen int64) (int64, error) {
	return MulDiv(qtyMilli, unitPriceFen, MilliPerUnit)
}

// TaxOnNet is the VAT on a net amount at rateBp, rounded to the fen.
func TaxOnNet(netFen int64, rateBp int32) (int64, error) {
	return MulDiv(netFen, int64(rateBp), BasisPoints)
}

// SplitGross splits a tax-inclusive amount into net and tax so that net + tax = gross
// exactly: tax = gross·rate/(1+rate) rounded to the fen, net = gross − tax.
func SplitGross(grossFen int64, rateBp int32) (net, tax int64, err error) {
	tax, err = MulDiv(grossFen, int64(rateBp), BasisPoints+int64(rateBp))
	if err != nil {
		return 0, 0, err
	}
	return grossFen - tax, tax, nil
}

// Allocate splits total over weights in proportion, by largest remainder, so that the
// parts sum to total exactly (for example a discount or freight over order lines). With
// all weights zero the total is split evenly. Weights must not be negative.
func Allocate(total int64, weights []int64) ([]int64, error) {
	n := len(weights)
	out := make([]int64, n)
	if n == 0 {
		if total != 0 {
			return nil, errors.New("money: nothing to allocate over")
		}
		return out, nil
	}
	var sum int64
	for _, w := range weights {
		if w < 0 {
			return nil, errors.New("money: negative weight")
		}
		if sum > math.MaxInt64-w {
			return nil, ErrOverflow
		}
		sum += w
	}
	if sum == 0 {
		weights = make([]int64, n)
		for i := range weights {
			weights[i] = 1
		}
		sum = int64(n)
	}
	sign := int64(1)
	if total < 0 {
		sign, total = -1, -total
	}
	rems := make([]uint64, n)
	var given int64
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(total), uint64(w))
		q, r := bits.Div64(hi, lo, uint64(sum))
		out[i] = int64(q)
		rems[i] = r
		given += int64(q)
	}
	// hand out the leftover fen, one each, to the largest remainders (earliest first on ties)
	for left := total - given; left > 0; left-- {
		best := -1
		for i := range rems {
			if best < 0 || rems[i] > rems[best] {
				best = i
			}
		}
		out[best]++
		rems[best] = 0
	}
	for i := range out {
		out[i] *= sign
	}
	return out, nil
}

// Percent renders basis points for people: 1300 -> "13%", 150 -> "1.5%".
func Percent(bp int32) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, abs(int64(bp%100))), "0"), ".")
	return s + "%"
}

// Yuan renders fen as yuan with two decimals: 123456 -> "1234.56", -5 -> "-0.05".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign = "-"
	}
	u := abs(fen)
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Kilo renders milli-units with three decimals: 1250 -> "1.250".
func Kilo(milli int64) string {
	sign := ""
	if milli < 0 {
		sign = "-"
	}
	u := abs(milli)
	return fmt.Sprintf("%s%d.%03d", sign, u/1000, u%1000)
}

// ParseDecimal reads decimal text ("1,234.50", "-0.5", "+12") as an integer with places
// decimals (2: yuan to fen, 3: units to milli-units), exactly, without floating point.
// Thousands separators are allowed before the point; digits beyond places must be zeros
// unless round is set, in which case the value is rounded half away from zero (for
// numbers a spreadsheet stored in binary, such as 12.300000000000001).
func ParseDecimal(s string, places int, round bool) (int64, error) {
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && (!dot || frac == "") {
		return 0, errors.New("is not a number")
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, errors.New("has misplaced thousands separators")
			}
		}
		whole = strings.Join(groups, "")
	}
	var v uint64
	const limit = math.MaxInt64 / 10
	digit := func(c byte) error {
		if c < '0' || c > '9' {
			return fmt.Errorf("is not a number (%q)", c)
		}
		if v > limit {
			return ErrOverflow
		}
		v = v*10 + uint64(c-'0')
		return nil
	}
	for i := 0; i < len(whole); i++ {
		if err := digit(whole[i]); err != nil {
			return 0, err
		}
	}
	up := false
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("is not a number (%q)", c)
		}
		switch {
		case i < places:
			if err := digit(c); err != nil {
				return 0, err
			}
		case c == '0':
		case !round:
			return 0, fmt.Errorf("has more than %d decimals", places)
		case i == places:
			up = c >= '5'
		}
	}
	for i := len(frac); i < places; i++ {
		if err := digit('0'); err != nil {
			return 0, err
		}
	}
	if up {
		v++
	}
	if v > math.MaxInt64 {
		return 0, ErrOverflow
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}
