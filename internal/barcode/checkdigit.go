package barcode

import "fmt"

// CheckDigit computes the GS1 standard mod-10 check digit of digits (GS1
// General Specifications §7.9.1): starting from the rightmost digit, the
// digits are weighted 3, 1, 3, 1, …, the weighted sum is taken and the check
// digit is the amount needed to reach the next multiple of ten.
//
// digits is the data without its check digit (e.g. 12 digits for a GTIN-13).
// The result is the ASCII character '0'…'9', ready to be appended.
func CheckDigit(digits string) (byte, error) {
	switch {
	case digits == "":
		return 0, newErr(ReasonEmpty, "", "no digits to compute a check digit for")
	case len(digits) > MaxInputLen:
		return 0, newErr(ReasonTooLong, "", fmt.Sprintf("%d digits is more than %d", len(digits), MaxInputLen))
	}
	if i := firstNonDigit(digits); i >= 0 {
		return 0, newErr(ReasonBadCharacter, "", fmt.Sprintf("character %q at position %d is not a digit", digits[i], i+1))
	}
	return mod10(digits), nil
}

// mod10 is CheckDigit for a string already known to be all ASCII digits.
func mod10(digits string) byte {
	sum := 0
	w := 3
	for i := len(digits) - 1; i >= 0; i-- {
		sum += int(digits[i]-'0') * w
		w = 4 - w // 3 → 1 → 3 …
	}
	return byte('0' + (10-sum%10)%10)
}

// verifyMod10 checks the last digit of an all-digit string s.
func verifyMod10(ai, what, s string) *Error {
	if len(s) < 2 {
		return newErr(ReasonWrongLength, ai, what+" is too short to carry a check digit")
	}
	want := mod10(s[:len(s)-1])
	if got := s[len(s)-1]; got != want {
		return newErr(ReasonBadCheckDigit, ai, fmt.Sprintf("%s %s has check digit %c, expected %c", what, s, got, want))
	}
	return nil
}

// ValidateGTIN checks that code is a GTIN-8, GTIN-12, GTIN-13 or GTIN-14
// (8, 12, 13 or 14 digits, GenSpecs §3.3.2 / §7.9.1) with a correct check
// digit. The error names the expected and the actual check digit.
func ValidateGTIN(code string) error {
	if e := validateGTIN("", code); e != nil {
		return e
	}
	return nil
}

func validateGTIN(ai, code string) *Error {
	switch {
	case code == "":
		return newErr(ReasonEmpty, ai, "GTIN is empty")
	case len(code) > MaxInputLen:
		return newErr(ReasonTooLong, ai, fmt.Sprintf("%d characters is more than %d", len(code), MaxInputLen))
	}
	if i := firstNonDigit(code); i >= 0 {
		return newErr(ReasonBadCharacter, ai, fmt.Sprintf("character %q at position %d is not a digit", code[i], i+1))
	}
	switch len(code) {
	case 8, 12, 13, 14:
	default:
		return newErr(ReasonWrongLength, ai, fmt.Sprintf("GTIN has %d digits, expected 8, 12, 13 or 14", len(code)))
	}
	return verifyMod10(ai, "GTIN", code)
}

// NormalizeGTIN validates code like ValidateGTIN and returns it as a
// 14-digit GTIN (left-padded with zeros, GenSpecs §3.3.2 GTIN-14 format).
func NormalizeGTIN(code string) (string, error) {
	if e := validateGTIN("", code); e != nil {
		return "", e
	}
	return pad14(code), nil
}

func pad14(code string) string {
	const zeros = "00000000000000"
	if len(code) >= 14 {
		return code
	}
	return zeros[:14-len(code)] + code
}

// Weighting-factor tables of GenSpecs §7.9.2 for the price/weight verifier
// digit. Index = digit, value = weighted product's contribution.
var (
	// 2-: units digit of 2·d minus its tens digit (mod 10).
	wTwoMinus = [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}
	// 3: units digit of 3·d.
	wThree = [10]int{0, 3, 6, 9, 2, 5, 8, 1, 4, 7}
	// 5+: units digit of 5·d plus its tens digit.
	wFivePlus = [10]int{0, 5, 1, 6, 2, 7, 3, 8, 4, 9}
	// 5-: units digit of 5·d minus its tens digit (mod 10).
	wFiveMinus = [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}
)

// PriceCheckDigit computes the price/weight verifier digit of a four- or
// five-digit price or weight field (GS1 General Specifications §7.9.2–§7.9.4,
// used in variable measure restricted circulation numbers).
//
// Four digits: weights 2-, 2-, 3, 5-; the sum times 3, units digit.
// Five digits: weights 5+, 2-, 5-, 5+, 2-; 10 minus the units digit of the
// sum (mod 10) gives a value v; the verifier digit is the digit whose 5-
// product is v.
//
// Published examples: 2875 → 9 and 14685 → 6. The result is an ASCII digit.
func PriceCheckDigit(digits string) (byte, error) {
	if i := firstNonDigit(digits); i >= 0 {
		return 0, newErr(ReasonBadCharacter, "", fmt.Sprintf("character %q at position %d is not a digit", digits[i], i+1))
	}
	d := func(i int) int { return int(digits[i] - '0') }
	switch len(digits) {
	case 4:
		sum := wTwoMinus[d(0)] + wTwoMinus[d(1)] + wThree[d(2)] + wFiveMinus[d(3)]
		return byte('0' + (sum*3)%10), nil
	case 5:
		sum := wFivePlus[d(0)] + wTwoMinus[d(1)] + wFiveMinus[d(2)] + wFivePlus[d(3)] + wTwoMinus[d(4)]
		v := (10 - sum%10) % 10
		for c := 0; c < 10; c++ {
			if wFiveMinus[c] == v {
				return byte('0' + c), nil
			}
		}
	}
	return 0, newErr(ReasonWrongLength, "", fmt.Sprintf("price/weight check digit needs 4 or 5 digits, got %d", len(digits)))
}

func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

func allDigits(s string) bool { return firstNonDigit(s) < 0 }
