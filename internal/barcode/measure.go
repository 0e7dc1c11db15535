package barcode

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Unit is the unit of a Measure.
type Unit string

// Units of weight carried by AIs 310n/330n (kilograms) and 320n/340n
// (pounds).
const (
	Kilogram Unit = "kg"
	Pound    Unit = "lb"
)

// Measure is an exact decimal quantity: Value × 10^-Decimals Unit. AI
// (3103)001250 gives {Value: 1250, Decimals: 3, Unit: Kilogram} = 1.250 kg.
type Measure struct {
	Value    int64
	Decimals int
	Unit     Unit
}

// maxDecimals bounds Decimals in the helpers (10^18 still fits in int64).
const maxDecimals = 18

// poundInGramsNum / poundInGramsDen is 1 lb in grams, exactly:
// 1 lb = 0.45359237 kg (international yard and pound agreement, 1959)
// = 453.59237 g = 45359237 / 100000 g.
const (
	poundInGramsNum = 45359237
	poundInGramsDen = 100000
)

// Milli returns the weight in grams (milli-kilograms).
//
// Kilograms: exact when Decimals ≤ 3; with more decimals the value is
// rounded half-up (half away from zero) to the gram, e.g. 1.23450 kg →
// 1235 g. Pounds are converted with 1 lb = 0.45359237 kg exactly and then
// rounded half-up to the gram. Only integer arithmetic is used. Errors:
// unknown unit, negative or out-of-range Decimals, or a result that does not
// fit in int64 (all BAD_VALUE).
func (m Measure) Milli() (int64, error) {
	if m.Decimals < 0 || m.Decimals > maxDecimals {
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("decimals %d out of range 0..%d", m.Decimals, maxDecimals))
	}
	num := big.NewInt(m.Value)
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(m.Decimals)), nil)
	switch m.Unit {
	case Kilogram:
		num.Mul(num, big.NewInt(1000))
	case Pound:
		num.Mul(num, big.NewInt(poundInGramsNum))
		den.Mul(den, big.NewInt(poundInGramsDen))
	default:
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("unit %q is not a weight unit", m.Unit))
	}
	q := divRoundHalfUp(num, den)
	if !q.IsInt64() {
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("%s does not fit in int64 grams", m))
	}
	return q.Int64(), nil
}

// divRoundHalfUp returns num/den rounded to the nearest integer, halves
// away from zero. den must be positive.
func divRoundHalfUp(num, den *big.Int) *big.Int {
	neg := num.Sign() < 0
	a := new(big.Int).Abs(num)
	q, r := new(big.Int).QuoRem(a, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

// String renders the measure exactly, e.g. "1.250 kg".
func (m Measure) String() string {
	s := formatDecimal(m.Value, m.Decimals)
	if m.Unit != "" {
		s += " " + string(m.Unit)
	}
	return s
}

// Amount is an exact decimal amount of money: Value × 10^-Decimals in the
// currency Currency (ISO 4217 numeric code, e.g. "156" for CNY). Currency is
// "" for AI (392n), whose currency is implied by the trading context.
type Amount struct {
	Value    int64
	Decimals int
	Currency string
}

// Minor converts the amount into minor units of a currency with
// decimalsOfCurrency decimals (2 for CNY: the result is in fen). The
// conversion is exact or fails: an amount with more precision than the
// currency (e.g. 12.345 with 2 decimals) is refused with BAD_VALUE rather
// than rounded, as is a result that overflows int64.
func (a Amount) Minor(decimalsOfCurrency int) (int64, error) {
	switch {
	case decimalsOfCurrency < 0 || decimalsOfCurrency > maxDecimals:
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("currency decimals %d out of range 0..%d", decimalsOfCurrency, maxDecimals))
	case a.Decimals < 0 || a.Decimals > maxDecimals:
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("amount decimals %d out of range 0..%d", a.Decimals, maxDecimals))
	}
	num := big.NewInt(a.Value)
	if diff := decimalsOfCurrency - a.Decimals; diff >= 0 {
		num.Mul(num, pow10(diff))
	} else {
		q, r := new(big.Int).QuoRem(num, pow10(-diff), new(big.Int))
		if r.Sign() != 0 {
			return 0, newErr(ReasonBadValue, "", fmt.Sprintf("amount %s has more than %d decimals", a, decimalsOfCurrency))
		}
		num = q
	}
	if !num.IsInt64() {
		return 0, newErr(ReasonBadValue, "", fmt.Sprintf("amount %s does not fit in int64 minor units", a))
	}
	return num.Int64(), nil
}

// String renders the amount exactly, prefixed by its currency code if any,
// e.g. "156 12.50" or "12.50".
func (a Amount) String() string {
	s := formatDecimal(a.Value, a.Decimals)
	if a.Currency != "" {
		s = a.Currency + " " + s
	}
	return s
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// formatDecimal writes v × 10^-dec without loss ("1250", 3 → "1.250").
func formatDecimal(v int64, dec int) string {
	if dec <= 0 || dec > maxDecimals {
		if dec == 0 {
			return strconv.FormatInt(v, 10)
		}
		return fmt.Sprintf("%dE%d", v, -dec)
	}
	s := new(big.Int).Abs(big.NewInt(v)).String()
	if len(s) <= dec {
		s = strings.Repeat("0", dec-len(s)+1) + s
	}
	s = s[:len(s)-dec] + "." + s[len(s)-dec:]
	if v < 0 {
		s = "-" + s
	}
	return s
}
