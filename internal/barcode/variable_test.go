package barcode

import (
	"strings"
	"testing"
)

func TestVariableMeasure(t *testing.T) {
	t.Parallel()
	weight6x5 := VariableMeasureLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 5, Kind: Weight}
	price5x5 := VariableMeasureLayout{Prefix: "27", ItemDigits: 5, ValueDigits: 5, Kind: Price}
	// GenSpecs-style layout with a price verifier digit: 2 + 5-digit item +
	// verifier + 5-digit price (in fen).
	priceCheck := VariableMeasureLayout{Prefix: "2", ItemDigits: 5, ValueDigits: 5, PriceCheck: true, Kind: Price}
	// 4-digit weight with verifier: 22 + 5-digit item + verifier + 4 digits.
	weightCheck4 := VariableMeasureLayout{Prefix: "22", ItemDigits: 5, ValueDigits: 4, PriceCheck: true, Kind: Weight}
	tests := []struct {
		name   string
		code   string
		layout VariableMeasureLayout
		want   VariableMeasure
	}{
		// "2 123456 01250 C": item 123456, 1.250 kg; EAN-13 check digit 7
		// (also computed by zint, see testdata/zint_fixtures.json).
		{"brief example 2 123456 01250", "2123456012507", weight6x5, VariableMeasure{ItemCode: "123456", Grams: 1250, Kind: Weight}},
		{"zero weight", "2123456000009", weight6x5, VariableMeasure{ItemCode: "123456", Grams: 0, Kind: Weight}},
		{"99.999 kg", "2000001999998", weight6x5, VariableMeasure{ItemCode: "000001", Grams: 99999, Kind: Weight}},
		{"prefix 27 price in fen", "2712345012997", price5x5, VariableMeasure{ItemCode: "12345", Fen: 1299, Kind: Price}},
		// Price 14685 has verifier digit 6 (GenSpecs five-digit example).
		{"five-digit price with verifier", "2123456146851", priceCheck, VariableMeasure{ItemCode: "12345", Fen: 14685, Kind: Price}},
		// Weight 2875 has verifier digit 9 (GenSpecs four-digit example).
		{"four-digit weight with verifier", "2212345928750", weightCheck4, VariableMeasure{ItemCode: "12345", Grams: 2875, Kind: Weight}},
		{"trailing CR LF", "2123456012507\r\n", weight6x5, VariableMeasure{ItemCode: "123456", Grams: 1250, Kind: Weight}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseVariableMeasure(tc.code, tc.layout)
			if err != nil || got != tc.want {
				t.Fatalf("ParseVariableMeasure(%q) = %+v, %v; want %+v", tc.code, got, err, tc.want)
			}
			if !IsRestrictedCirculation(strings.TrimRight(tc.code, "\r\n")) {
				t.Fatalf("IsRestrictedCirculation(%q) = false", tc.code)
			}
			value := got.Grams
			if got.Kind == Price {
				value = got.Fen
			}
			built, err := tc.layout.Build(got.ItemCode, value)
			if err != nil || built != strings.TrimRight(tc.code, "\r\n") {
				t.Fatalf("Build = %q, %v; want %q", built, err, tc.code)
			}
			// Parse sees the same code as a plain EAN-13 flagged as restricted.
			s := mustParse(t, tc.code)
			if s.Symbology != EAN13 || !s.RestrictedCirculation {
				t.Fatalf("Parse: %+v", s)
			}
		})
	}
}

func TestVariableMeasureRefusals(t *testing.T) {
	t.Parallel()
	weight6x5 := VariableMeasureLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 5, Kind: Weight}
	priceCheck := VariableMeasureLayout{Prefix: "2", ItemDigits: 5, ValueDigits: 5, PriceCheck: true, Kind: Price}
	tests := []struct {
		name   string
		code   string
		layout VariableMeasureLayout
		reason Reason
	}{
		{"EAN-13 check digit", "2123456012508", weight6x5, ReasonBadCheckDigit},
		{"price verifier digit", "2123457146850", priceCheck, ReasonBadCheckDigit},
		{"not restricted: prefix 4", "4006381333931", weight6x5, ReasonUnknownFormat},
		{"other prefix than layout", "2712345012997", VariableMeasureLayout{Prefix: "28", ItemDigits: 5, ValueDigits: 5, Kind: Price}, ReasonUnknownFormat},
		{"12 digits", "212345601250", weight6x5, ReasonWrongLength},
		{"14 digits", "02123456012507", weight6x5, ReasonWrongLength},
		{"letter", "21234560125O7", weight6x5, ReasonBadCharacter},
		{"empty", "", weight6x5, ReasonEmpty},
		{"too long", strings.Repeat("2", 1025), weight6x5, ReasonTooLong},
		{"layout lengths do not add up", "2123456012507", VariableMeasureLayout{Prefix: "2", ItemDigits: 5, ValueDigits: 5, Kind: Weight}, ReasonBadLayout},
		{"layout without kind", "2123456012507", VariableMeasureLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 5}, ReasonBadLayout},
		{"layout prefix not 2", "2123456012507", VariableMeasureLayout{Prefix: "4", ItemDigits: 6, ValueDigits: 5, Kind: Weight}, ReasonBadLayout},
		{"layout verifier with 6 digits", "2123456012507", VariableMeasureLayout{Prefix: "2", ItemDigits: 4, ValueDigits: 6, PriceCheck: true, Kind: Price}, ReasonBadLayout},
		{"layout empty prefix", "2123456012507", VariableMeasureLayout{ItemDigits: 7, ValueDigits: 5, Kind: Weight}, ReasonBadLayout},
		{"layout non-digit prefix", "2123456012507", VariableMeasureLayout{Prefix: "2A", ItemDigits: 5, ValueDigits: 5, Kind: Weight}, ReasonBadLayout},
		{"layout negative item digits", "2123456012507", VariableMeasureLayout{Prefix: "2", ItemDigits: -1, ValueDigits: 12, Kind: Weight}, ReasonBadLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseVariableMeasure(tc.code, tc.layout)
			if ReasonOf(err) != tc.reason {
				t.Fatalf("ParseVariableMeasure(%q) = %+v, %v; want %s", tc.code, got, err, tc.reason)
			}
			if got != (VariableMeasure{}) {
				t.Fatalf("refusal returned %+v", got)
			}
		})
	}
}

func TestVariableMeasureLayoutValidate(t *testing.T) {
	t.Parallel()
	good := []VariableMeasureLayout{
		{Prefix: "2", ItemDigits: 6, ValueDigits: 5, Kind: Weight},
		{Prefix: "2", ItemDigits: 5, ValueDigits: 5, PriceCheck: true, Kind: Price},
		{Prefix: "29", ItemDigits: 4, ValueDigits: 5, PriceCheck: true, Kind: Price},
		{Prefix: "2", ItemDigits: 6, ValueDigits: 4, PriceCheck: true, Kind: Weight},
		{Prefix: "2", ItemDigits: 0, ValueDigits: 11, Kind: Price},
	}
	for _, l := range good {
		if err := l.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", l, err)
		}
	}
	if err := (VariableMeasureLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 6, Kind: Weight}).Validate(); ReasonOf(err) != ReasonBadLayout {
		t.Errorf("13 digits layout: %v", err)
	}
	l := VariableMeasureLayout{Prefix: "2", ItemDigits: 6, ValueDigits: 5, Kind: Weight}
	if _, err := l.Build("12345", 1); ReasonOf(err) != ReasonWrongLength {
		t.Errorf("Build short item: %v", err)
	}
	if _, err := l.Build("123456", 100000); ReasonOf(err) != ReasonBadValue {
		t.Errorf("Build value too large: %v", err)
	}
	if _, err := l.Build("123456", -1); ReasonOf(err) != ReasonBadValue {
		t.Errorf("Build negative: %v", err)
	}
	if Weight.String() != "WEIGHT" || Price.String() != "PRICE" || ValueKind(9).String() != "ValueKind(9)" {
		t.Error("ValueKind.String")
	}
	for _, c := range []struct {
		code string
		want bool
	}{{"2123456012507", true}, {"2000000000008", true}, {"4006381333931", false}, {"0212345601250", false}, {"212345601250", false}, {"21234560125A7", false}} {
		if IsRestrictedCirculation(c.code) != c.want {
			t.Errorf("IsRestrictedCirculation(%q) != %v", c.code, c.want)
		}
	}
}
