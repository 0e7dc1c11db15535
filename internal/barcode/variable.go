package barcode

import (
	"fmt"
	"strconv"
	"strings"
)

// ValueKind says what the value digits of a variable measure code mean.
type ValueKind int

// Value kinds. The zero ValueKind is invalid.
const (
	// Weight: the value is a weight in grams.
	Weight ValueKind = iota + 1
	// Price: the value is a price in minor currency units (fen for CNY).
	Price
)

func (k ValueKind) String() string {
	switch k {
	case Weight:
		return "WEIGHT"
	case Price:
		return "PRICE"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// VariableMeasureLayout describes how a scale (or a national scheme) lays
// out a restricted circulation EAN-13 for variable measure items (GenSpecs
// chapter 2, Restricted Circulation Numbers: the meaning of prefixes 20–29
// is set by the GS1 Member Organisation of the region or by the retailer):
//
//	Prefix | item code | [price/weight verifier digit] | value | check digit
//
// with len(Prefix) + ItemDigits + (1 if PriceCheck) + ValueDigits = 12; the
// 13th digit is the normal GS1 mod-10 check digit.
type VariableMeasureLayout struct {
	Prefix      string // e.g. "2" or "27": the leading digits that identify this scheme; must start with 2
	ItemDigits  int    // digits of the item code after the prefix
	ValueDigits int    // digits of the weight/price
	PriceCheck  bool   // a verifier digit (GenSpecs §7.9.2–§7.9.4) precedes the value; needs ValueDigits 4 or 5
	Kind        ValueKind
}

// VariableMeasure is a decoded variable measure code. Grams is set for
// Kind == Weight, Fen for Kind == Price; the other one is 0.
type VariableMeasure struct {
	ItemCode string
	Grams    int64
	Fen      int64
	Kind     ValueKind
}

// Validate checks that the layout is consistent: the prefix is 1–12 digits
// starting with 2 (restricted circulation prefixes 20–29), the lengths add up
// to 12, a verifier digit is only used with 4 or 5 value digits, and Kind is
// Weight or Price. The error Reason is BAD_LAYOUT.
func (l VariableMeasureLayout) Validate() error {
	if e := l.validate(); e != nil {
		return e
	}
	return nil
}

func (l VariableMeasureLayout) validate() *Error {
	bad := func(format string, args ...any) *Error {
		return newErr(ReasonBadLayout, "", fmt.Sprintf(format, args...))
	}
	switch {
	case l.Prefix == "" || len(l.Prefix) > 12 || !allDigits(l.Prefix):
		return bad("prefix %q must be 1 to 12 digits", l.Prefix)
	case l.Prefix[0] != '2':
		return bad("prefix %q must start with 2 (restricted circulation prefixes 20-29)", l.Prefix)
	case l.ItemDigits < 0 || l.ItemDigits > 12:
		return bad("item digits %d out of range", l.ItemDigits)
	case l.ValueDigits < 1 || l.ValueDigits > 12:
		return bad("value digits %d out of range", l.ValueDigits)
	case l.PriceCheck && l.ValueDigits != 4 && l.ValueDigits != 5:
		return bad("a price/weight verifier digit needs 4 or 5 value digits, not %d", l.ValueDigits)
	case l.Kind != Weight && l.Kind != Price:
		return bad("kind %v is neither Weight nor Price", l.Kind)
	}
	n := len(l.Prefix) + l.ItemDigits + l.ValueDigits
	if l.PriceCheck {
		n++
	}
	if n != 12 {
		return bad("prefix %d + item %d + verifier %d + value %d digits = %d, must be 12",
			len(l.Prefix), l.ItemDigits, b2i(l.PriceCheck), l.ValueDigits, n)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ParseVariableMeasure decodes a 13-digit restricted circulation code with
// the given layout, e.g. layout {Prefix "2", ItemDigits 6, ValueDigits 5,
// Kind Weight}: "2123456012507" → item "123456", 1250 g. It validates the
// EAN-13 check digit and, if the layout has one, the price/weight verifier
// digit.
func ParseVariableMeasure(code string, l VariableMeasureLayout) (VariableMeasure, error) {
	v, e := parseVariableMeasure(code, l)
	if e != nil {
		return VariableMeasure{}, e
	}
	return v, nil
}

func parseVariableMeasure(code string, l VariableMeasureLayout) (VariableMeasure, *Error) {
	if len(code) > MaxInputLen {
		return VariableMeasure{}, newErr(ReasonTooLong, "", fmt.Sprintf("input has %d bytes, at most %d are accepted", len(code), MaxInputLen))
	}
	if e := l.validate(); e != nil {
		return VariableMeasure{}, e
	}
	code = strings.TrimRight(code, "\r\n")
	if code == "" {
		return VariableMeasure{}, newErr(ReasonEmpty, "", "input is empty")
	}
	if i := firstNonDigit(code); i >= 0 {
		return VariableMeasure{}, newErr(ReasonBadCharacter, "", fmt.Sprintf("character %q at position %d is not a digit", code[i], i+1))
	}
	if len(code) != 13 {
		return VariableMeasure{}, newErr(ReasonWrongLength, "", fmt.Sprintf("code has %d digits, a variable measure EAN-13 has 13", len(code)))
	}
	if e := verifyMod10("", "EAN-13", code); e != nil {
		return VariableMeasure{}, e
	}
	if !strings.HasPrefix(code, l.Prefix) {
		return VariableMeasure{}, newErr(ReasonUnknownFormat, "", fmt.Sprintf("code %s does not start with the layout prefix %s", code, l.Prefix))
	}
	p := len(l.Prefix)
	item := code[p : p+l.ItemDigits]
	p += l.ItemDigits
	var verifier byte
	if l.PriceCheck {
		verifier = code[p]
		p++
	}
	digits := code[p : p+l.ValueDigits]
	if l.PriceCheck {
		want, _ := PriceCheckDigit(digits) // 4 or 5 digits, guaranteed by validate
		if want != verifier {
			return VariableMeasure{}, newErr(ReasonBadCheckDigit, "", fmt.Sprintf("price/weight verifier digit of %s is %c, expected %c", digits, verifier, want))
		}
	}
	value, _ := strconv.ParseInt(digits, 10, 64) // at most 12 digits
	out := VariableMeasure{ItemCode: item, Kind: l.Kind}
	if l.Kind == Weight {
		out.Grams = value
	} else {
		out.Fen = value
	}
	return out, nil
}

// Build is the inverse of ParseVariableMeasure: it lays out itemCode and
// value (grams or fen), adding the verifier digit if the layout has one and
// the EAN-13 check digit. Useful for tests and label printing.
func (l VariableMeasureLayout) Build(itemCode string, value int64) (string, error) {
	if e := l.validate(); e != nil {
		return "", e
	}
	if len(itemCode) != l.ItemDigits || !allDigits(itemCode) {
		return "", newErr(ReasonWrongLength, "", fmt.Sprintf("item code %q must be %d digits", itemCode, l.ItemDigits))
	}
	digits := strconv.FormatInt(value, 10)
	if value < 0 || len(digits) > l.ValueDigits {
		return "", newErr(ReasonBadValue, "", fmt.Sprintf("value %d does not fit in %d digits", value, l.ValueDigits))
	}
	digits = strings.Repeat("0", l.ValueDigits-len(digits)) + digits
	s := l.Prefix + itemCode
	if l.PriceCheck {
		c, _ := PriceCheckDigit(digits)
		s += string(c)
	}
	s += digits
	return s + string(mod10(s)), nil
}
