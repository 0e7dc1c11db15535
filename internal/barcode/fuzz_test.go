package barcode

import (
	"errors"
	"strings"
	"testing"
)

var knownReasons = map[Reason]bool{
	ReasonEmpty: true, ReasonTooLong: true, ReasonBadCharacter: true, ReasonBadCheckDigit: true,
	ReasonWrongLength: true, ReasonUnknownAI: true, ReasonBadDate: true, ReasonDuplicateAI: true,
	ReasonBadValue: true, ReasonUnknownFormat: true, ReasonConflictingAI: true, ReasonBadLayout: true,
}

func fuzzSeeds() []string {
	return []string{
		"",
		"4006381333931", "96385074", "036000291452", "10012345678902", "2123456012507",
		"(01)09501101530003(17)261200(10)ABC123(3103)001250",
		"]C101095011015300031726120010ABC123" + gs + "3103001250",
		"]d201095011015300031726120010ABC123" + gs + "3103001250",
		"]Q3010950110153000310A%B" + gs + "21123",
		"]e0010950110153000331030012501526123110LOT7",
		"]E00036000291452", "]E496385074", "]I110012345678902",
		"(00)106141411234567897(02)09501101530003(37)24(15)270228(10)B2026-11",
		"(01)09501101530003(3932)1561299(3201)012345",
		"(01)09501101530003(3922)1299(3102)012345",
		`(10)A\(12)B(21)x`, "(10)A(B",
		"]C1" + "0109501101530003" + "10ABC" + "17261231",
		"(01)09501101530003(7003)2612311430(422)156(7002)1234ABCD(91)LINE-3",
		"(8008)261231235959(8006)095011015300030102(8007)GB82WEST12345698765432",
		"(4330)000400-(4309)01234567890123456789(8001)01000150050011",
		"(17)000200", "(17)260229", "(10)A(10)B", "(3102)012345(3103)123450",
		gs + gs, "]C1", "]", "(", "()", "(0)", "(01", "\r\n", "hello",
		strings.Repeat("0", MaxInputLen+1),
	}
}

// FuzzParse: Parse never panics, refuses long input with TOO_LONG, always
// returns *Error with a known Reason, and every accepted Scan round-trips
// through both the bracketed and the raw element-string forms.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseAt(in, fixedToday)
		if len(in) > MaxInputLen {
			if ReasonOf(err) != ReasonTooLong {
				t.Fatalf("len %d: %v, want TOO_LONG", len(in), err)
			}
			return
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !knownReasons[e.Reason] || e.Detail == "" {
				t.Fatalf("bad error %#v", err)
			}
			if !scansEqual(s, Scan{}) {
				t.Fatalf("refusal with non-zero Scan %+v", s)
			}
			return
		}
		checkScanInvariants(t, s)

		b := Bracketed(s.Elements)
		if len(b) <= MaxInputLen {
			s2, err := ParseAt(b, fixedToday)
			if err != nil {
				t.Fatalf("bracketed round trip of %q: %q: %v", in, b, err)
			}
			if !scansEqual(s2, withSym(s, Unknown)) {
				t.Fatalf("bracketed round trip of %q via %q:\n got %+v\nwant %+v", in, b, s2, s)
			}
		}
		r := "]C1" + ElementString(s.Elements)
		if len(r) <= MaxInputLen {
			s3, err := ParseAt(r, fixedToday)
			if err != nil {
				t.Fatalf("raw round trip of %q: %q: %v", in, r, err)
			}
			if !scansEqual(s3, withSym(s, GS1128)) {
				t.Fatalf("raw round trip of %q via %q:\n got %+v\nwant %+v", in, r, s3, s)
			}
		}
	})
}

func checkScanInvariants(t *testing.T, s Scan) {
	t.Helper()
	if len(s.Elements) == 0 {
		t.Fatalf("accepted scan without elements: %+v", s)
	}
	for _, e := range s.Elements {
		if aiTable[e.AI] == nil || e.Value == "" {
			t.Fatalf("bad element %+v", e)
		}
	}
	for _, g := range []string{s.GTIN, s.ContentGTIN} {
		if g != "" && (len(g) != 14 || ValidateGTIN(g) != nil) {
			t.Fatalf("bad GTIN %q", g)
		}
	}
	if s.SSCC != "" && (len(s.SSCC) != 18 || verifyMod10("00", "SSCC", s.SSCC) != nil) {
		t.Fatalf("bad SSCC %q", s.SSCC)
	}
	for _, d := range []Date{s.ProductionDate, s.PackagingDate, s.BestBefore, s.SellBy, s.Expiry} {
		if !d.IsZero() && !d.Valid() {
			t.Fatalf("invalid date %+v", d)
		}
	}
	if s.VariableCount < -1 || s.Count < -1 {
		t.Fatalf("bad counts %d %d", s.VariableCount, s.Count)
	}
	for _, m := range []*Measure{s.NetWeight, s.GrossWeight} {
		if m != nil {
			if _, err := m.Milli(); err != nil {
				t.Fatalf("Milli(%+v): %v", m, err)
			}
		}
	}
	if s.Price != nil {
		if _, err := s.Price.Minor(s.Price.Decimals); err != nil {
			t.Fatalf("Minor(%+v): %v", s.Price, err)
		}
	}
}

// FuzzVariableMeasure exercises ParseVariableMeasure (its name does not
// start with FuzzParse so that "-fuzz=FuzzParse" selects a single target):
// no panic for any code and layout; TOO_LONG for long codes; an accepted
// code is rebuilt identically by Layout.Build and is a restricted
// circulation EAN-13 for Parse as well.
func FuzzVariableMeasure(f *testing.F) {
	f.Add("2123456012507", "2", 6, 5, false, 1)
	f.Add("2712345012997", "27", 5, 5, false, 2)
	f.Add("2123456146851", "2", 5, 5, true, 2)
	f.Add("2212345928750", "22", 5, 4, true, 1)
	f.Add("2123456012508", "2", 6, 5, false, 1)
	f.Add("", "", 0, 0, false, 0)
	f.Add(strings.Repeat("2", 1025), "2", 6, 5, false, 1)
	f.Fuzz(func(t *testing.T, code, prefix string, item, value int, check bool, kind int) {
		l := VariableMeasureLayout{Prefix: prefix, ItemDigits: item, ValueDigits: value, PriceCheck: check, Kind: ValueKind(kind)}
		v, err := ParseVariableMeasure(code, l)
		if len(code) > MaxInputLen {
			if ReasonOf(err) != ReasonTooLong {
				t.Fatalf("len %d: %v", len(code), err)
			}
			return
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !knownReasons[e.Reason] || e.Detail == "" {
				t.Fatalf("bad error %#v", err)
			}
			if v != (VariableMeasure{}) {
				t.Fatalf("refusal with value %+v", v)
			}
			return
		}
		n := v.Grams
		if v.Kind == Price {
			n = v.Fen
		} else if v.Fen != 0 {
			t.Fatalf("weight with fen %+v", v)
		}
		built, err := l.Build(v.ItemCode, n)
		if want := strings.TrimRight(code, "\r\n"); err != nil || built != want {
			t.Fatalf("Build = %q, %v; want %q", built, err, want)
		}
		s, err := ParseAt(code, fixedToday)
		if err != nil || s.Symbology != EAN13 || !s.RestrictedCirculation {
			t.Fatalf("ParseAt(%q) = %+v, %v", code, s, err)
		}
	})
}
