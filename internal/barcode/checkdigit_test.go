package barcode

import (
	"strings"
	"testing"
)

// Every check digit below was verified by hand with the GS1 mod-10 rule
// and independently by zint (which computes the check digit itself when
// given the code without it; see testdata/zint_fixtures.json).
func TestCheckDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		digits string
		want   byte
	}{
		{"GTIN-13 of GS1 example GTIN 09501101530003", "950110153000", '3'},
		{"GTIN-14 09501101530003", "0950110153000", '3'},
		{"EAN-13 4006381333931", "400638133393", '1'},
		{"EAN-8 96385074", "9638507", '4'},
		{"UPC-A 036000291452", "03600029145", '2'},
		{"ITF-14 10012345678902", "1001234567890", '2'},
		{"SSCC 106141411234567897", "10614141123456789", '7'},
		{"SSCC 09501101530000001x (check digit is 0, not 1)", "09501101530000001", '0'},
		{"GLN 9501101020917", "950110102091", '7'},
		{"GSIN 12345678901234560", "1234567890123456", '0'},
		{"single digit", "5", '5'},
		{"all zeros", "0000000", '0'},
		{"one digit weighted 3", "1", '7'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckDigit(tc.digits)
			if err != nil {
				t.Fatalf("CheckDigit(%q) error %v", tc.digits, err)
			}
			if got != tc.want {
				t.Fatalf("CheckDigit(%q) = %c, want %c", tc.digits, got, tc.want)
			}
		})
	}
}

func TestCheckDigitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		digits string
		reason Reason
	}{
		{"empty", "", ReasonEmpty},
		{"letter", "12A4", ReasonBadCharacter},
		{"space", "123 4", ReasonBadCharacter},
		{"too long", strings.Repeat("1", MaxInputLen+1), ReasonTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := CheckDigit(tc.digits)
			if got := ReasonOf(err); got != tc.reason {
				t.Fatalf("CheckDigit(%q) reason %q (%v), want %q", tc.digits, got, err, tc.reason)
			}
		})
	}
}

func TestValidateGTIN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		code   string
		reason Reason // "" = valid
		detail string // substring of the detail
	}{
		{"GTIN-14", "09501101530003", "", ""},
		{"EAN-13", "4006381333931", "", ""},
		{"EAN-8", "96385074", "", ""},
		{"UPC-A", "036000291452", "", ""},
		{"ITF-14", "10012345678902", "", ""},
		{"restricted circulation EAN-13", "2123456012507", "", ""},
		{"EAN-13 bad check digit", "4006381333932", ReasonBadCheckDigit, "check digit 2, expected 1"},
		{"EAN-8 bad check digit", "96385075", ReasonBadCheckDigit, "check digit 5, expected 4"},
		{"UPC-A bad check digit", "036000291453", ReasonBadCheckDigit, "check digit 3, expected 2"},
		{"GTIN-14 bad check digit", "09501101530004", ReasonBadCheckDigit, "check digit 4, expected 3"},
		{"transposed digits", "4006383133931", ReasonBadCheckDigit, ""},
		{"11 digits", "40063813339", ReasonWrongLength, "11 digits"},
		{"9 digits", "963850740", ReasonWrongLength, ""},
		{"15 digits", "095011015300031", ReasonWrongLength, ""},
		{"letter", "40063813339A1", ReasonBadCharacter, "position 12"},
		{"empty", "", ReasonEmpty, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateGTIN(tc.code)
			if got := ReasonOf(err); got != tc.reason {
				t.Fatalf("ValidateGTIN(%q) = %v, want reason %q", tc.code, err, tc.reason)
			}
			if tc.detail != "" && !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("ValidateGTIN(%q) = %q, want detail containing %q", tc.code, err, tc.detail)
			}
		})
	}
}

func TestNormalizeGTIN(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"96385074", "00000096385074"},
		{"036000291452", "00036000291452"},
		{"4006381333931", "04006381333931"},
		{"10012345678902", "10012345678902"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeGTIN(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeGTIN(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := NormalizeGTIN("123"); ReasonOf(err) != ReasonWrongLength {
		t.Fatalf("NormalizeGTIN(123) = %v, want WRONG_LENGTH", err)
	}
}

// The price/weight verifier digit examples: four-digit price 2875 → 9 and
// five-digit price 14685 → 6 are the worked examples of the GS1 General
// Specifications (§7.9.3/§7.9.4; the same values are used as reference
// tests by other GS1 libraries). The remaining rows were computed by hand
// from the weighting tables.
func TestPriceCheckDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		digits string
		want   byte
	}{
		{"GenSpecs four-digit example", "2875", '9'},
		{"GenSpecs five-digit example", "14685", '6'},
		// 0,0,0,0: sum 0 → 0.
		{"four zeros", "0000", '0'},
		// 1,2,3,4 with 2-,2-,3,5-: 2+4+9+8 = 23, ×3 = 69 → 9.
		{"1234", "1234", '9'},
		// 1,2,3,4,5 with 5+,2-,5-,5+,2-: 5+4+4+2+9 = 24; 10-4 = 6; 5-(d)=6 → d=8.
		{"12345", "12345", '8'},
		// 9,9,9,9 : 7+7+7+1 = 22, ×3 = 66 → 6.
		{"9999", "9999", '6'},
		// 0,1,2,5,0: 0+2+9+7+0 = 18; 10-8 = 2; 5-(d)=2 → d=7.
		{"01250", "01250", '7'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := PriceCheckDigit(tc.digits)
			if err != nil || got != tc.want {
				t.Fatalf("PriceCheckDigit(%q) = %q, %v; want %c", tc.digits, got, err, tc.want)
			}
		})
	}
	for _, bad := range []struct {
		in     string
		reason Reason
	}{{"123", ReasonWrongLength}, {"123456", ReasonWrongLength}, {"12a4", ReasonBadCharacter}, {"", ReasonWrongLength}} {
		if _, err := PriceCheckDigit(bad.in); ReasonOf(err) != bad.reason {
			t.Errorf("PriceCheckDigit(%q) = %v, want %s", bad.in, err, bad.reason)
		}
	}
}

// The weighting tables must match their definitions in GenSpecs §7.9.2.
func TestPriceWeightTables(t *testing.T) {
	t.Parallel()
	for d := 0; d < 10; d++ {
		p2, p5 := 2*d, 5*d
		if got, want := wTwoMinus[d], ((p2%10)-(p2/10)+10)%10; got != want {
			t.Errorf("2- table[%d] = %d, want %d", d, got, want)
		}
		if got, want := wThree[d], (3*d)%10; got != want {
			t.Errorf("3 table[%d] = %d, want %d", d, got, want)
		}
		if got, want := wFivePlus[d], ((p5%10)+(p5/10))%10; got != want {
			t.Errorf("5+ table[%d] = %d, want %d", d, got, want)
		}
		if got, want := wFiveMinus[d], ((p5%10)-(p5/10)+10)%10; got != want {
			t.Errorf("5- table[%d] = %d, want %d", d, got, want)
		}
	}
}
