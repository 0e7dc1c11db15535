package platform

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Errors returned by ParseMinor (wrapped with the offending text).
var (
	// ErrSyntax reports text that is not a plain decimal number.
	ErrSyntax = errors.New("platform: not a decimal number")
	// ErrPrecision reports non-zero digits beyond the currency's decimals.
	ErrPrecision = errors.New("platform: more decimals than the currency has")
	// ErrRange reports a value outside int64 minor units.
	ErrRange = errors.New("platform: amount out of range")
)

// maxAmountText bounds the text ParseMinor looks at; no real amount is longer.
const maxAmountText = 64

// ParseMinor parses a decimal number written as text into an integer count of minor units
// with the given number of decimals: ParseMinor("128.50", 2) = 12850, ParseMinor("3", 2) =
// 300, ParseMinor("-10.00", 2) = -1000. It never goes through float64.
//
// Accepted: an optional leading '-', at least one digit, an optional '.' followed by at
// least one digit, and an optional exponent ('e' or 'E', optional sign, up to three digits)
// because Java-backed platforms (PDD's Double fields) write large values as "1.0E7".
// Rejected: empty text, '+', spaces, thousands separators, ".5" and "5.", non-zero digits
// beyond decimals (zeros are fine: "1.500" with 2 decimals is 150), and results outside
// int64. Callers decide whether a negative value makes sense (see the parsers).
func ParseMinor(s string, decimals int) (int64, error) {
	if decimals < 0 || decimals > 18 {
		return 0, fmt.Errorf("platform: ParseMinor: decimals %d out of 0..18", decimals)
	}
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrSyntax)
	}
	if len(s) > maxAmountText {
		return 0, fmt.Errorf("%w: %d characters", ErrSyntax, len(s))
	}
	i := 0
	neg := false
	if s[0] == '-' {
		neg = true
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	if intPart == "" {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fracStart:i]
		if fracPart == "" {
			return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		expStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == expStart || i-expStart > 3 {
			return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
		}
		exp, _ = strconv.Atoi(s[expStart:i]) // at most three digits: cannot fail
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}

	// value = digits × 10^(exp − len(fracPart)); minor units = value × 10^decimals.
	digits := strings.TrimLeft(intPart+fracPart, "0")
	shift := exp - len(fracPart) + decimals
	if shift < 0 {
		cut := -shift
		if cut > len(digits) {
			cut = len(digits)
		}
		if strings.Trim(digits[len(digits)-cut:], "0") != "" {
			return 0, fmt.Errorf("%w: %q with %d decimals", ErrPrecision, s, decimals)
		}
		digits = digits[:len(digits)-cut]
		shift = 0
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var v uint64
	for j := 0; j < len(digits); j++ {
		hi, lo := bits.Mul64(v, 10)
		lo, carry := bits.Add64(lo, uint64(digits[j]-'0'), 0)
		if hi != 0 || carry != 0 || lo > limit {
			return 0, fmt.Errorf("%w: %q", ErrRange, s)
		}
		v = lo
	}
	for ; shift > 0 && v != 0; shift-- {
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 || lo > limit {
			return 0, fmt.Errorf("%w: %q", ErrRange, s)
		}
		v = lo
	}
	if neg {
		if v == 1<<63 {
			return math.MinInt64, nil
		}
		return -int64(v), nil
	}
	return int64(v), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// CurrencyDecimals returns the number of minor-unit decimals of an ISO 4217 currency: 0 for
// the zero-decimal currencies (JPY, KRW, VND …), 3 for BHD, IQD, JOD, KWD, LYD, OMR and TND,
// 2 otherwise (CNY, USD, EUR …).
func CurrencyDecimals(code string) int {
	switch strings.ToUpper(code) {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
		"VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// amountParser converts platform amounts of one order, remembering the first error with the
// field it came from, so that mapping code reads as a list of fields.
type amountParser struct {
	decimals int
	err      error
}

// money parses a non-negative amount; missing (empty) means zero.
func (p *amountParser) money(field string, v jsonText) int64 {
	return p.parse(field, v, p.decimals, false)
}

// signed parses an amount that may be negative; missing means zero.
func (p *amountParser) signed(field string, v jsonText) int64 {
	return p.parse(field, v, p.decimals, true)
}

// qty parses a quantity into milli-units (three decimals); it must be positive.
func (p *amountParser) qty(field string, v jsonText) int64 {
	q := p.parse(field, v, 3, false)
	if q == 0 && p.err == nil {
		p.err = fmt.Errorf("platform: %s: quantity must be positive", field)
	}
	return q
}

func (p *amountParser) parse(field string, v jsonText, decimals int, allowNeg bool) int64 {
	if p.err != nil || v == "" {
		return 0
	}
	n, err := ParseMinor(string(v), decimals)
	if err != nil {
		p.err = fmt.Errorf("platform: %s: %w", field, err)
		return 0
	}
	if n < 0 && !allowNeg {
		p.err = fmt.Errorf("platform: %s: negative amount %s", field, v)
		return 0
	}
	return n
}

// add returns a+b, recording an overflow.
func (p *amountParser) add(a, b int64) int64 {
	s, ok := addInt64(a, b)
	if !ok && p.err == nil {
		p.err = ErrRange
	}
	return s
}

// line returns qtyMilli × unitPrice / 1000 rounded half away from zero (both non-negative).
func (p *amountParser) line(qtyMilli, unitPrice int64) int64 {
	v, err := lineAmount(qtyMilli, unitPrice)
	if err != nil && p.err == nil {
		p.err = err
	}
	return v
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

// lineAmount is qtyMilli × unitPrice / 1000, exact in 128 bits, rounded half away from zero.
func lineAmount(qtyMilli, unitPrice int64) (int64, error) {
	if qtyMilli < 0 || unitPrice < 0 {
		return 0, fmt.Errorf("platform: negative quantity or price")
	}
	hi, lo := bits.Mul64(uint64(qtyMilli), uint64(unitPrice))
	if hi >= MilliPerUnit {
		return 0, ErrRange
	}
	q, r := bits.Div64(hi, lo, MilliPerUnit)
	if r >= MilliPerUnit-r {
		q++
	}
	if q > math.MaxInt64 {
		return 0, ErrRange
	}
	return int64(q), nil
}

// unit returns amount ÷ (qtyMilli / 1000), the price of one whole unit, rounded half away
// from zero (amount ≥ 0, qtyMilli > 0).
func (p *amountParser) unit(amount, qtyMilli int64) int64 {
	v, err := lineAmount(amount, MilliPerUnit*MilliPerUnit) // amount × 1000, overflow-checked
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return 0
	}
	return divRound(v, qtyMilli)
}

// divRound is a / b rounded half away from zero for a ≥ 0, b > 0.
func divRound(a, b int64) int64 {
	q, r := a/b, a%b
	if r >= b-r {
		q++
	}
	return q
}
