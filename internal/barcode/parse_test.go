package barcode

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fixedToday is the "current date" used by ParseAt in tests, so that the
// two-digit years of the examples resolve deterministically.
var fixedToday = Date{2026, 11, 25}

const gs = "\x1d"

func base(sym Symbology) Scan { return Scan{Symbology: sym, VariableCount: -1, Count: -1} }

func scansEqual(a, b Scan) bool { return reflect.DeepEqual(a, b) }

func withSym(s Scan, sym Symbology) Scan { s.Symbology = sym; return s }

func mustParse(t *testing.T, in string) Scan {
	t.Helper()
	s, err := ParseAt(in, fixedToday)
	if err != nil {
		t.Fatalf("ParseAt(%q): %v", in, err)
	}
	return s
}

func TestParsePlainGTIN(t *testing.T) {
	t.Parallel()
	gtin := func(sym Symbology, g14 string, rcn bool) Scan {
		s := base(sym)
		s.GTIN = g14
		s.RestrictedCirculation = rcn
		s.Elements = []Element{{"01", g14}}
		return s
	}
	tests := []struct {
		name string
		in   string
		want Scan
	}{
		{"EAN-8", "96385074", gtin(EAN8, "00000096385074", false)},
		{"UPC-A", "036000291452", gtin(UPCA, "00036000291452", false)},
		{"EAN-13", "4006381333931", gtin(EAN13, "04006381333931", false)},
		{"GTIN-13 of the GS1 example GTIN", "9501101530003", gtin(EAN13, "09501101530003", false)},
		{"ITF-14 / GTIN-14", "10012345678902", gtin(GTIN14, "10012345678902", false)},
		{"GTIN-14 with indicator 0", "09501101530003", gtin(GTIN14, "09501101530003", false)},
		{"restricted circulation EAN-13 prefix 21", "2123456012507", gtin(EAN13, "02123456012507", true)},
		{"restricted circulation EAN-13 prefix 29", "2900000000001", gtin(EAN13, "02900000000001", true)},
		{"EAN-13 prefix 30 is not restricted", "3000000000007", gtin(EAN13, "03000000000007", false)},
		{"]E0 EAN-13", "]E04006381333931", gtin(EAN13, "04006381333931", false)},
		{"]E0 UPC-A as 13 digits (what zbar sends)", "]E00036000291452", gtin(EAN13, "00036000291452", false)},
		{"]E0 UPC-A as 12 digits", "]E0036000291452", gtin(UPCA, "00036000291452", false)},
		{"]E4 EAN-8", "]E496385074", gtin(EAN8, "00000096385074", false)},
		{"]I1 ITF-14", "]I110012345678902", gtin(GTIN14, "10012345678902", false)},
		{"trailing CR LF from keyboard wedge", "4006381333931\r\n", gtin(EAN13, "04006381333931", false)},
		{"trailing LF", "96385074\n", gtin(EAN8, "00000096385074", false)},
		{"8 digits are always a GTIN-8, even if they also read as (11)261223", "11261223", gtin(EAN8, "00000011261223", false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := mustParse(t, tc.in); !scansEqual(got, tc.want) {
				t.Fatalf("ParseAt(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseElementStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want func() Scan
	}{
		{"GTIN, expiry DD=00, lot, net weight kg", "(01)09501101530003(17)261200(10)ABC123(3103)001250", func() Scan {
			s := base(Unknown)
			s.GTIN, s.Expiry, s.Lot = "09501101530003", Date{2026, 12, 31}, "ABC123"
			s.NetWeight = &Measure{Value: 1250, Decimals: 3, Unit: Kilogram}
			s.Elements = []Element{{"01", "09501101530003"}, {"17", "261200"}, {"10", "ABC123"}, {"3103", "001250"}}
			return s
		}},
		{"pallet: SSCC, content, count, best before, lot", "(00)106141411234567897(02)09501101530003(37)24(15)270228(10)B2026-11", func() Scan {
			s := base(Unknown)
			s.SSCC, s.ContentGTIN, s.Count, s.BestBefore, s.Lot = "106141411234567897", "09501101530003", 24, Date{2027, 2, 28}, "B2026-11"
			s.Elements = []Element{{"00", "106141411234567897"}, {"02", "09501101530003"}, {"37", "24"}, {"15", "270228"}, {"10", "B2026-11"}}
			return s
		}},
		{"all dates, lot and serial", "(01)09501101530003(11)260115(13)260116(16)260301(17)260415(10)L42(21)SN-0001", func() Scan {
			s := base(Unknown)
			s.GTIN, s.Lot, s.Serial = "09501101530003", "L42", "SN-0001"
			s.ProductionDate, s.PackagingDate, s.SellBy, s.Expiry = Date{2026, 1, 15}, Date{2026, 1, 16}, Date{2026, 3, 1}, Date{2026, 4, 15}
			s.Elements = []Element{{"01", "09501101530003"}, {"11", "260115"}, {"13", "260116"}, {"16", "260301"}, {"17", "260415"}, {"10", "L42"}, {"21", "SN-0001"}}
			return s
		}},
		{"392n price and 310n", "(01)09501101530003(3922)1299(3102)012345", func() Scan {
			s := base(Unknown)
			s.GTIN = "09501101530003"
			s.Price = &Amount{Value: 1299, Decimals: 2}
			s.NetWeight = &Measure{Value: 12345, Decimals: 2, Unit: Kilogram}
			s.Elements = []Element{{"01", "09501101530003"}, {"3922", "1299"}, {"3102", "012345"}}
			return s
		}},
		{"393n price in CNY and 320n pounds", "(01)09501101530003(3932)1561299(3201)012345", func() Scan {
			s := base(Unknown)
			s.GTIN = "09501101530003"
			s.Price = &Amount{Value: 1299, Decimals: 2, Currency: "156"}
			s.NetWeight = &Measure{Value: 12345, Decimals: 1, Unit: Pound}
			s.Elements = []Element{{"01", "09501101530003"}, {"3932", "1561299"}, {"3201", "012345"}}
			return s
		}},
		{"variable count, GTIN-14 indicator 1", "(01)19501101530000(30)12(3103)012750(10)MEAT/07", func() Scan {
			s := base(Unknown)
			s.GTIN, s.VariableCount, s.Lot = "19501101530000", 12, "MEAT/07"
			s.NetWeight = &Measure{Value: 12750, Decimals: 3, Unit: Kilogram}
			s.Elements = []Element{{"01", "19501101530000"}, {"30", "12"}, {"3103", "012750"}, {"10", "MEAT/07"}}
			return s
		}},
		{"gross weight kg preferred over lb", "(00)106141411234567897(3403)002866(3303)001300", func() Scan {
			s := base(Unknown)
			s.SSCC = "106141411234567897"
			s.GrossWeight = &Measure{Value: 1300, Decimals: 3, Unit: Kilogram}
			s.Elements = []Element{{"00", "106141411234567897"}, {"3403", "002866"}, {"3303", "001300"}}
			return s
		}},
		{"net weight kg preferred over lb", "(01)09501101530003(3202)000250(3103)001134", func() Scan {
			s := base(Unknown)
			s.GTIN = "09501101530003"
			s.NetWeight = &Measure{Value: 1134, Decimals: 3, Unit: Kilogram}
			s.Elements = []Element{{"01", "09501101530003"}, {"3202", "000250"}, {"3103", "001134"}}
			return s
		}},
		{"count zero is present, not absent", "(02)09501101530003(37)0", func() Scan {
			s := base(Unknown)
			s.ContentGTIN, s.Count = "09501101530003", 0
			s.Elements = []Element{{"02", "09501101530003"}, {"37", "0"}}
			return s
		}},
		{"restricted circulation number inside AI 01", "(01)02123456012507(3103)001250", func() Scan {
			s := base(Unknown)
			s.GTIN, s.RestrictedCirculation = "02123456012507", true
			s.NetWeight = &Measure{Value: 1250, Decimals: 3, Unit: Kilogram}
			s.Elements = []Element{{"01", "02123456012507"}, {"3103", "001250"}}
			return s
		}},
		{"meat: expiry time, origin, cut, internal", "(01)09501101530003(7003)2612311430(422)156(7002)1234ABCD(91)LINE-3", func() Scan {
			s := base(Unknown)
			s.GTIN = "09501101530003"
			s.Elements = []Element{{"01", "09501101530003"}, {"7003", "2612311430"}, {"422", "156"}, {"7002", "1234ABCD"}, {"91", "LINE-3"}}
			return s
		}},
		{"logistics: GLNs, order, route, ship-to post", "(00)106141411234567897(410)9501101000018(411)9501101000025(400)PO-1(403)R1(420)100020", func() Scan {
			s := base(Unknown)
			s.SSCC = "106141411234567897"
			s.Elements = []Element{{"00", "106141411234567897"}, {"410", "9501101000018"}, {"411", "9501101000025"}, {"400", "PO-1"}, {"403", "R1"}, {"420", "100020"}}
			return s
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := tc.want()
			got := mustParse(t, tc.in)
			if !scansEqual(got, want) {
				t.Fatalf("bracketed\n got %+v\nwant %+v", got, want)
			}
			// The same data, as scanners send it, must give the same Scan.
			raw := ElementString(want.Elements)
			for _, p := range []struct {
				prefix string
				sym    Symbology
			}{{"", Unknown}, {"]C1", GS1128}, {"]d2", GS1DataMatrix}, {"]Q3", GS1QR}, {"]e0", GS1DataBar}} {
				got := mustParse(t, p.prefix+raw)
				if !scansEqual(got, withSym(want, p.sym)) {
					t.Fatalf("raw %q\n got %+v\nwant %+v", p.prefix+raw, got, withSym(want, p.sym))
				}
			}
		})
	}
}

// Bracketed and raw forms, with every tolerated separator variation, must
// give identical Scans (apart from the symbology that only the identifier
// reveals).
func TestFormsGiveIdenticalScans(t *testing.T) {
	t.Parallel()
	sets := [][]Element{
		{{"01", "09501101530003"}, {"17", "261200"}, {"10", "ABC123"}, {"3103", "001250"}},
		{{"01", "09501101530003"}, {"10", "ABC"}, {"17", "261231"}},
		{{"00", "106141411234567897"}},
		{{"10", "A(12)B"}, {"21", "x"}},
		{{"01", "09501101530003"}, {"3922", "1299"}, {"21", "S/1"}, {"3103", "000500"}},
	}
	for i, els := range sets {
		bracketed := Bracketed(els)
		want := mustParse(t, bracketed)
		raw := ElementString(els)
		var sloppy strings.Builder // GS after every field, leading, doubled and trailing
		sloppy.WriteString(gs)
		for _, e := range els {
			sloppy.WriteString(e.AI + e.Value + gs + gs)
		}
		variants := map[string]Symbology{
			raw:                     Unknown,
			"]C1" + raw:             GS1128,
			"]d2" + raw:             GS1DataMatrix,
			"]Q3" + raw:             GS1QR,
			"]e0" + raw:             GS1DataBar,
			"]C1" + raw + "\r\n":    GS1128,
			"]d2" + gs + raw:        GS1DataMatrix,
			"]C1" + sloppy.String(): GS1128,
			sloppy.String():         Unknown,
			bracketed + "\n":        Unknown,
		}
		for in, sym := range variants {
			got := mustParse(t, in)
			if !scansEqual(got, withSym(want, sym)) {
				t.Errorf("set %d: %q\n got %+v\nwant %+v", i, in, got, withSym(want, sym))
			}
		}
	}
}

// A variable-length field without the GS that should end it swallows the
// following element strings, as the standard's reading rules imply. The
// result is refused when the swallowed text breaks the field's format and
// accepted (with the swallowed meaning) when it does not.
func TestMissingSeparator(t *testing.T) {
	t.Parallel()
	const gtin = "0109501101530003"
	tests := []struct {
		name   string
		in     string
		reason Reason // "" = accepted
		ai     string
		check  func(Scan) bool
	}{
		{"lot swallows a following expiry date", "]C1" + gtin + "10ABC" + "17261231", "", "",
			func(s Scan) bool { return s.Lot == "ABC17261231" && s.Expiry.IsZero() && len(s.Elements) == 2 }},
		{"lot swallows a following weight (still ≤ 20 chars)", "]C1" + "10ABC123" + "3103001250", "", "",
			func(s Scan) bool { return s.Lot == "ABC1233103001250" && s.NetWeight == nil }},
		{"serial swallows a following GTIN", "]C1" + "21SN1" + gtin, "", "",
			func(s Scan) bool { return s.Serial == "SN1"+gtin && s.GTIN == "" }},
		{"lot that becomes longer than 20", "]C1" + gtin + "10LOT12345678" + "17261231" + "3103001250", ReasonWrongLength, "10", nil},
		{"variable count that becomes longer than 8 digits", "]C1" + gtin + "3012" + "3103001250", ReasonWrongLength, "30", nil},
		{"count swallowing a lot becomes non-numeric", "]C1" + gtin + "375" + "10ABC", ReasonBadValue, "37", nil},
		{"fixed-format but not predefined AI 422 needs GS too", "]C1" + gtin + "422156" + "10ABC", ReasonWrongLength, "422", nil},
		{"AI 7003 (n10) without GS before the next AI", "]C1" + gtin + "70032612311430" + "10X1", ReasonWrongLength, "7003", nil},
		{"price 392n swallowing a lot", "]C1" + gtin + "39221299" + "10ABC", ReasonBadValue, "3922", nil},
		{"the same data with GS is fine", "]C1" + gtin + "10ABC" + gs + "17261231", "", "",
			func(s Scan) bool { return s.Lot == "ABC" && s.Expiry == Date{2026, 12, 31} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseAt(tc.in, fixedToday)
			if ReasonOf(err) != tc.reason {
				t.Fatalf("ParseAt(%q) = %+v, %v; want reason %q", tc.in, s, err, tc.reason)
			}
			if err != nil {
				e := err.(*Error)
				if e.AI != tc.ai {
					t.Fatalf("error AI %q, want %q (%v)", e.AI, tc.ai, err)
				}
				if tc.reason == ReasonWrongLength && tc.ai != "422" && tc.ai != "7003" && !strings.Contains(e.Detail, "GS separator") {
					t.Fatalf("detail %q should hint at the missing GS", e.Detail)
				}
				return
			}
			if !tc.check(s) {
				t.Fatalf("ParseAt(%q) = %+v", tc.in, s)
			}
		})
	}
}

func TestBracketedSyntax(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		lot  string
	}{
		{"escaped parenthesis followed by digits", `(10)A\(12)B`, "A(12)B"},
		{"lone parenthesis is data", "(10)A(B", "A(B"},
		{"parenthesis with five digits is data", "(10)A(12345)", "A(12345)"},
		{"closing parenthesis is data", "(10)A)B", "A)B"},
		{"escaped parenthesis at the end", `(10)AB\(`, "AB("},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.in)
			if s.Lot != tc.lot {
				t.Fatalf("lot %q, want %q", s.Lot, tc.lot)
			}
			if again := mustParse(t, Bracketed(s.Elements)); !scansEqual(again, s) {
				t.Fatalf("round trip %q: %+v", Bracketed(s.Elements), again)
			}
		})
	}
	if got := Bracketed([]Element{{"10", "A(1"}, {"17", "261231"}}); got != `(10)A\(1(17)261231` {
		t.Fatalf("Bracketed = %q", got)
	}
	if got := ElementString([]Element{{"01", "09501101530003"}, {"10", "A"}, {"17", "261231"}, {"21", "S"}}); got != "0109501101530003"+"10A"+gs+"17261231"+"21S" {
		t.Fatalf("ElementString = %q", got)
	}
}

func TestDuplicateAIs(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "(01)09501101530003(10)ABC(01)09501101530003(10)ABC")
	if s.GTIN != "09501101530003" || s.Lot != "ABC" || len(s.Elements) != 4 {
		t.Fatalf("identical duplicates: %+v", s)
	}
	for _, in := range []string{
		"(10)ABC(10)ABD",
		"(01)09501101530003(01)04006381333931",
		"]C1" + "17261231" + "17261230",
		"(3103)001250(3103)001251",
	} {
		_, err := ParseAt(in, fixedToday)
		if ReasonOf(err) != ReasonDuplicateAI {
			t.Errorf("%q: %v, want DUPLICATE_AI", in, err)
		}
	}
}

func TestConflictingAIs(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"(01)09501101530003(3102)012345(3103)123450", // two net weights, different decimals
		"(01)09501101530003(3922)1299(3932)1561299",  // 392n with 393n
		"(01)09501101530003(3922)1299(3923)12990",
		"(00)106141411234567897(3302)000100(3303)001000",
	} {
		_, err := ParseAt(in, fixedToday)
		if ReasonOf(err) != ReasonConflictingAI {
			t.Errorf("%q: %v, want CONFLICTING_AI", in, err)
		}
	}
}

// Every refusal Reason, with the AI it must name.
func TestRefusals(t *testing.T) {
	t.Parallel()
	long := "]C1" + strings.Repeat("0109501101530003", 63) + "17261231" + "2001" + gs // exactly 1024 bytes
	if len(long) != MaxInputLen {
		t.Fatalf("test input is %d bytes", len(long))
	}
	if _, err := ParseAt(long, fixedToday); err != nil {
		t.Fatalf("1024 bytes must be accepted: %v", err)
	}
	tests := []struct {
		name   string
		in     string
		reason Reason
		ai     string
	}{
		{"empty", "", ReasonEmpty, ""},
		{"only CR LF", "\r\n", ReasonEmpty, ""},
		{"only a symbology identifier", "]C1", ReasonEmpty, ""},
		{"symbology identifier and GS", "]d2" + gs, ReasonEmpty, ""},
		{"]E0 without digits", "]E0", ReasonEmpty, ""},
		{"1025 bytes", long + "0", ReasonTooLong, ""},
		{"1025 bytes of garbage", strings.Repeat("\xff", 1025), ReasonTooLong, ""},
		{"space in lot", "(10)AB CD", ReasonBadCharacter, "10"},
		{"# in serial", "]C1" + "21AB#1", ReasonBadCharacter, "21"},
		{"non-ASCII in lot", "(10)Lot-é", ReasonBadCharacter, "10"},
		{"GS inside bracketed lot", "(10)AB" + gs + "CD", ReasonBadCharacter, "10"},
		{"letter in ]E0 GTIN", "]E0400638133393A", ReasonBadCharacter, ""},
		{"EAN-13 check digit", "4006381333932", ReasonBadCheckDigit, ""},
		{"EAN-8 check digit", "96385075", ReasonBadCheckDigit, ""},
		{"UPC-A check digit", "036000291453", ReasonBadCheckDigit, ""},
		{"ITF-14 check digit", "10012345678903", ReasonBadCheckDigit, ""},
		{"(01) check digit", "(01)09501101530004", ReasonBadCheckDigit, "01"},
		{"(02) check digit", "]C1" + "0209501101530001" + "3710", ReasonBadCheckDigit, "02"},
		{"(00) brief example 095011015300000011 has a wrong check digit", "(00)095011015300000011", ReasonBadCheckDigit, "00"},
		{"(00) check digit", "]C100106141411234567898", ReasonBadCheckDigit, "00"},
		{"(410) check digit", "(410)9501101020918", ReasonBadCheckDigit, "410"},
		{"(414) check digit", "]C14149501101000017", ReasonBadCheckDigit, "414"},
		{"(01) too short in brackets", "(01)0950110153000", ReasonWrongLength, "01"},
		{"(01) too long in brackets", "(01)095011015300031", ReasonWrongLength, "01"},
		{"(01) truncated raw", "]C1" + "01095011015300", ReasonWrongLength, "01"},
		{"GS inside predefined-length field", "]C1" + "01095011015" + gs + "30003", ReasonWrongLength, "01"},
		{"empty lot in brackets", "(10)(21)X", ReasonWrongLength, "10"},
		{"empty lot before GS", "]C1" + "10" + gs + "21X", ReasonWrongLength, "10"},
		{"]E0 with 8 digits", "]E096385074", ReasonWrongLength, ""},
		{"]I1 with 13 digits", "]I14006381333931", ReasonWrongLength, ""},
		{"AI 05 is not assigned", "(05)12", ReasonUnknownAI, "05"},
		{"raw AI 05", "]C1" + "0512", ReasonUnknownAI, "05"},
		{"AI 23 (withdrawn)", "]C1" + "0109501101530003" + "231", ReasonUnknownAI, "231"},
		{"AI 3106: decimals 0..5 only", "(3106)001250", ReasonUnknownAI, "3106"},
		{"AI 8013 not supported", "(8013)1987654Ad4X4bL5ttr2310c2K", ReasonUnknownAI, "8013"},
		{"incomplete AI at the end", "]C1" + "0109501101530003" + "3", ReasonUnknownAI, ""},
		{"garbage after a predefined field", "]C1" + "0109501101530003" + "AB", ReasonUnknownAI, ""},
		{"bracket without AI", "(AB)12", ReasonUnknownAI, ""},
		{"month 13", "(17)261301", ReasonBadDate, "17"},
		{"29 Feb 2026", "]C1" + "0109501101530003" + "15260229", ReasonBadDate, "15"},
		{"duplicate lot", "(10)A(10)B", ReasonDuplicateAI, "10"},
		{"letter in weight", "(3103)00125A", ReasonBadValue, "3103"},
		{"unknown currency", "(3932)0001299", ReasonBadValue, "3932"},
		{"unknown country", "(422)999", ReasonBadValue, "422"},
		{"GINC without company prefix", "(401)ABC", ReasonBadValue, "401"},
		{"plain text", "hello", ReasonUnknownFormat, ""},
		{"leading space", " 4006381333931", ReasonUnknownFormat, ""},
		{"non-GS1 DataMatrix ]d1", "]d10109501101530003", ReasonUnknownFormat, ""},
		{"plain Code 128 ]C0", "]C0ABC", ReasonUnknownFormat, ""},
		{"EAN with add-on ]E3", "]E3400638133393112", ReasonUnknownFormat, ""},
		{"truncated identifier", "]C", ReasonUnknownFormat, ""},
		{"GS1 Digital Link URI", "https://id.gs1.org/01/09501101530003", ReasonUnknownFormat, ""},
		{"two net weights", "(3102)012345(3103)123450", ReasonConflictingAI, "3103"},
	}
	seen := map[Reason]bool{}
	for _, tc := range tests {
		seen[tc.reason] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseAt(tc.in, fixedToday)
			if err == nil {
				t.Fatalf("ParseAt(%q) accepted: %+v", tc.in, s)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Reason != tc.reason || e.AI != tc.ai {
				t.Fatalf("ParseAt(%q) = {%s %q %q}, want reason %s AI %q", tc.in, e.Reason, e.AI, e.Detail, tc.reason, tc.ai)
			}
			if e.Detail == "" || !strings.HasPrefix(err.Error(), string(tc.reason)+": ") {
				t.Fatalf("Error() = %q", err.Error())
			}
			if !scansEqual(s, Scan{}) {
				t.Fatalf("refused input returned a non-zero Scan %+v", s)
			}
		})
	}
	for _, r := range []Reason{ReasonEmpty, ReasonTooLong, ReasonBadCharacter, ReasonBadCheckDigit, ReasonWrongLength,
		ReasonUnknownAI, ReasonBadDate, ReasonDuplicateAI, ReasonBadValue, ReasonUnknownFormat, ReasonConflictingAI} {
		if !seen[r] {
			t.Errorf("no refusal test for %s", r)
		}
	}
}

func TestElementStringWithoutPrefix(t *testing.T) {
	t.Parallel()
	// 16 digits: not a GTIN length, so it is an element string.
	s := mustParse(t, "0109501101530003")
	if s.Symbology != Unknown || s.GTIN != "09501101530003" {
		t.Fatalf("%+v", s)
	}
	// 13 digits are a GTIN-13 even though (400)6381333931 would be a valid
	// element string; with an identifier they are the element string.
	if s := mustParse(t, "4006381333931"); s.Symbology != EAN13 {
		t.Fatalf("%+v", s)
	}
	if s := mustParse(t, "]C14006381333931"); len(s.Elements) != 1 || s.Elements[0] != (Element{"400", "6381333931"}) {
		t.Fatalf("%+v", s)
	}
	// 8 digits: GTIN-8 rule wins; (11)261225 needs an identifier.
	if _, err := ParseAt("11261225", fixedToday); ReasonOf(err) != ReasonBadCheckDigit {
		t.Fatalf("11261225: %v", err)
	}
	if s := mustParse(t, "]C111261225"); s.ProductionDate != (Date{2026, 12, 25}) {
		t.Fatalf("%+v", s)
	}
	// A raw element string may begin with a GS (FNC1 transmitted as GS).
	if s := mustParse(t, gs+"0109501101530003"); s.GTIN != "09501101530003" {
		t.Fatalf("%+v", s)
	}
}

func TestScanGetAndErrorHelpers(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "(01)09501101530003(10)ABC(422)156")
	if v, ok := s.Get("422"); !ok || v != "156" {
		t.Fatalf("Get(422) = %q %v", v, ok)
	}
	if _, ok := s.Get("21"); ok {
		t.Fatal("Get(21) should be absent")
	}
	_, err := ParseAt("(17)260132", fixedToday)
	if !errors.Is(err, &Error{Reason: ReasonBadDate}) || errors.Is(err, &Error{Reason: ReasonBadValue}) {
		t.Fatalf("errors.Is with %v", err)
	}
	if err.Error() != "BAD_DATE: AI (17): day 32 is not a valid day of 2026-01" {
		t.Fatalf("Error() = %q", err.Error())
	}
	if ReasonOf(nil) != "" || ReasonOf(errors.New("x")) != "" {
		t.Fatal("ReasonOf of foreign errors")
	}
	var nilErr *Error
	if nilErr.Error() != "<nil>" || (&Error{Reason: ReasonEmpty}).Error() != "EMPTY" {
		t.Fatal("Error() edge cases")
	}
}

func TestParseUsesTodayForCentury(t *testing.T) {
	t.Parallel()
	// With the real clock, a date 10 years ahead of this year must land in
	// this century, not the previous one.
	y := Today().Year
	yy := (y + 10) % 100
	in := "(17)" + string(rune('0'+yy/10)) + string(rune('0'+yy%10)) + "0101"
	s, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if s.Expiry.Year != y+10 {
		t.Fatalf("Parse(%q).Expiry = %s, want year %d", in, s.Expiry, y+10)
	}
}
