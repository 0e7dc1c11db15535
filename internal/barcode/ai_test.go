package barcode

import (
	"strings"
	"testing"
)

// The AI table must agree with the structural rules it relies on.
func TestAITableConsistency(t *testing.T) {
	t.Parallel()
	for ai, d := range aiTable {
		if d.ai != ai {
			t.Errorf("%s: def says %s", ai, d.ai)
		}
		if n := aiLength(ai[:2]); n != len(ai) {
			t.Errorf("AI %s has %d digits but aiLength(%s) = %d", ai, len(ai), ai[:2], n)
		}
		if pl, ok := predefinedLength[ai[:2]]; ok {
			if d.minLen() != d.maxLen() || d.maxLen() != pl-len(ai) {
				t.Errorf("AI %s is in the predefined-length table (%d) but its format is %d..%d", ai, pl, d.minLen(), d.maxLen())
			}
		}
		for i, p := range d.parts {
			last := i == len(d.parts)-1
			if !last && (p.min != p.max || p.optional) {
				t.Errorf("AI %s: only the last component may be variable or optional", ai)
			}
			if p.min < 1 || p.max < p.min {
				t.Errorf("AI %s: bad component bounds %d..%d", ai, p.min, p.max)
			}
		}
		if d.title == "" {
			t.Errorf("AI %s has no title", ai)
		}
		// No AI may be a prefix of another (GS1 AIs are prefix-free).
		for other := range aiTable {
			if other != ai && strings.HasPrefix(other, ai) {
				t.Errorf("AI %s is a prefix of AI %s", ai, other)
			}
		}
	}
	list := SupportedAIs()
	if len(list) != len(aiTable) {
		t.Fatalf("SupportedAIs has %d entries, table %d", len(list), len(aiTable))
	}
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			t.Fatalf("SupportedAIs not sorted at %d: %s, %s", i, list[i-1], list[i])
		}
	}
	if title, ok := AITitle("10"); !ok || title != "BATCH/LOT" {
		t.Fatalf("AITitle(10) = %q, %v", title, ok)
	}
	if _, ok := AITitle("05"); ok {
		t.Fatal("AITitle(05) should be unknown")
	}
	if len(iso4217) < 150 || len(iso3166) != 249 {
		t.Fatalf("code lists: %d currencies, %d countries", len(iso4217), len(iso3166))
	}
	for _, c := range []string{"156", "978", "840", "392", "826", "643"} {
		if !IsISO4217Numeric(c) {
			t.Errorf("currency %s missing", c)
		}
	}
	for _, c := range []string{"156", "276", "840", "036", "250", "724", "076", "484"} {
		if !IsISO3166Numeric(c) {
			t.Errorf("country %s missing", c)
		}
	}
}

// One real example per AI the brief lists (and a few more): the bracketed
// form and the raw "]C1" form must both be accepted and give the same
// element; a broken value must be refused with the given reason.
func TestEveryAI(t *testing.T) {
	t.Parallel()
	today := Date{2026, 11, 25}
	tests := []struct {
		ai, good  string
		bad       string
		badReason Reason
	}{
		{"00", "106141411234567897", "106141411234567898", ReasonBadCheckDigit},
		{"01", "09501101530003", "0950110153000", ReasonWrongLength},
		{"02", "09501101530003", "09501101530001", ReasonBadCheckDigit},
		{"10", "ABC123", "ABC 123", ReasonBadCharacter},
		{"11", "260115", "261301", ReasonBadDate},
		{"12", "260100", "260132", ReasonBadDate},
		{"13", "260116", "26011", ReasonWrongLength},
		{"15", "261231", "2612310", ReasonWrongLength},
		{"16", "260200", "26020A", ReasonBadValue},
		{"17", "261200", "260229", ReasonBadDate},
		{"20", "01", "1", ReasonWrongLength},
		{"21", "SN-0001", "SN#1", ReasonBadCharacter},
		{"22", "CPV1", "123456789012345678901", ReasonWrongLength},
		{"235", "TPX1", "TPX~", ReasonBadCharacter},
		{"240", "REF.1", "1234567890123456789012345678901", ReasonWrongLength},
		{"241", "CUST-9", "CUST 9", ReasonBadCharacter},
		{"242", "123456", "1234567", ReasonWrongLength},
		{"250", "SEC1", "SEC@1", ReasonBadCharacter},
		{"251", "REF", "R|F", ReasonBadCharacter},
		{"253", "9501101020917ABC", "9501101020918", ReasonBadCheckDigit},
		{"254", "EXT1", "EXT 1", ReasonBadCharacter},
		{"255", "9501101020917123", "950110102091", ReasonWrongLength},
		{"30", "12", "123456789", ReasonWrongLength},
		{"3100", "000125", "00125", ReasonWrongLength},
		{"3103", "001250", "0012A0", ReasonBadValue},
		{"3105", "123456", "1234567", ReasonWrongLength},
		{"3113", "001500", "", ReasonWrongLength},
		{"3120", "000002", "x", ReasonWrongLength},
		{"3132", "000150", "", ReasonWrongLength},
		{"3141", "000020", "", ReasonWrongLength},
		{"3153", "001000", "", ReasonWrongLength},
		{"3164", "000500", "", ReasonWrongLength},
		{"3202", "000250", "00025", ReasonWrongLength},
		{"3303", "001300", "00130A", ReasonBadValue},
		{"3402", "000300", "", ReasonWrongLength},
		{"37", "24", "2A", ReasonBadValue},
		{"3902", "1000", "1234567890123456", ReasonWrongLength},
		{"3912", "9781000", "0001000", ReasonBadValue},
		{"3922", "1299", "12A9", ReasonBadValue},
		{"3932", "1561299", "0001299", ReasonBadValue},
		{"3940", "0050", "005", ReasonWrongLength},
		{"3952", "001299", "1299", ReasonWrongLength},
		{"400", "PO-778", "PO 778", ReasonBadCharacter},
		{"401", "950110100GINC1", "GINC1", ReasonBadValue},
		{"402", "12345678901234560", "12345678901234561", ReasonBadCheckDigit},
		{"403", "RT/9", "RT~9", ReasonBadCharacter},
		{"410", "9501101020917", "9501101020918", ReasonBadCheckDigit},
		{"411", "9501101000018", "9501101000019", ReasonBadCheckDigit},
		{"412", "9501101000025", "950110100002", ReasonWrongLength},
		{"413", "9501101000032", "950110100003A", ReasonBadValue},
		{"414", "9501101000049", "9501101000040", ReasonBadCheckDigit},
		{"415", "9501101000056", "9501101000050", ReasonBadCheckDigit},
		{"416", "9501101020917", "9501101020910", ReasonBadCheckDigit},
		{"417", "9501101000018", "9501101000011", ReasonBadCheckDigit},
		{"420", "100020", "100 020", ReasonBadCharacter},
		{"421", "156100020", "999100020", ReasonBadValue},
		{"422", "156", "999", ReasonBadValue},
		{"423", "156276", "15627", ReasonWrongLength},
		{"424", "276", "27", ReasonWrongLength},
		{"425", "156276840", "156999", ReasonBadValue},
		{"426", "156", "000", ReasonBadValue},
		{"427", "CA", "CAL1", ReasonWrongLength},
		{"4300", "ACME%20Meat", "ACME%2", ReasonBadValue},
		{"4321", "1", "2", ReasonBadValue},
		{"4324", "2612011200", "2612011260", ReasonBadDate},
		{"4330", "000400-", "000400+", ReasonBadValue},
		{"4333", "000400", "00040", ReasonWrongLength},
		{"4307", "CN", "cn", ReasonBadValue},
		{"4309", "03099999990700000000", "18000000010000000000", ReasonBadValue},
		{"4309", "03099999990700000000", "03099999993600000001", ReasonBadValue},
		{"7001", "1234567890123", "123456789012", ReasonWrongLength},
		{"7002", "1234ABCD", "1234 ABCD", ReasonBadCharacter},
		{"7003", "2612311430", "2612312400", ReasonBadDate},
		{"7006", "261120", "261200", ReasonBadDate},
		{"7007", "261101261120", "2611012611", ReasonWrongLength},
		{"7030", "156ABC", "000ABC", ReasonBadValue},
		{"7031", "999ABC", "99ABC", ReasonBadValue},
		{"8001", "01000150050011", "00000150050011", ReasonBadValue},
		{"8001", "01000150050091", "01000150050021", ReasonBadValue},
		{"8003", "09501101020917SN1", "19501101020917SN1", ReasonBadValue},
		{"8004", "9501101SN1", "SN1", ReasonBadValue},
		{"8006", "095011015300030102", "095011015300030302", ReasonBadValue},
		{"8007", "GB82WEST12345698765432", "GB82WEST12345698765433", ReasonBadValue},
		{"8008", "26112508", "2611250", ReasonWrongLength},
		{"8008", "2611250830", "2611250860", ReasonBadDate},
		{"8008", "261125083059", "26112508305", ReasonWrongLength},
		{"8008", "26112508", "26112524", ReasonBadDate},
		{"8010", "9501101CP#1-/", "9501101cp", ReasonBadCharacter},
		{"8011", "123", "0123", ReasonBadValue},
		{"8017", "950110153000000007", "950110153000000008", ReasonBadCheckDigit},
		{"8020", "REF-1", "REF 1", ReasonBadCharacter},
		{"8026", "095011015300030102", "095011015300030000", ReasonBadValue},
		{"8200", "http://example.com", "http://example.com/#", ReasonBadCharacter},
		{"90", "INT", "1234567890123456789012345678901", ReasonWrongLength},
		{"91", "ABC", "A B", ReasonBadCharacter},
		{"99", "XYZ", "", ReasonWrongLength},
	}
	for _, tc := range tests {
		t.Run(tc.ai, func(t *testing.T) {
			t.Parallel()
			want := []Element{{tc.ai, tc.good}}
			br, err := ParseAt("("+tc.ai+")"+tc.good, today)
			if err != nil {
				t.Fatalf("bracketed (%s)%s: %v", tc.ai, tc.good, err)
			}
			raw, err := ParseAt("]C1"+tc.ai+tc.good, today)
			if err != nil {
				t.Fatalf("raw %s%s: %v", tc.ai, tc.good, err)
			}
			if !equalElements(br.Elements, want) || !equalElements(raw.Elements, want) {
				t.Fatalf("elements %v / %v, want %v", br.Elements, raw.Elements, want)
			}
			raw.Symbology = br.Symbology
			if !scansEqual(br, raw) {
				t.Fatalf("bracketed %+v != raw %+v", br, raw)
			}
			_, err = ParseAt("("+tc.ai+")"+tc.bad, today)
			if ReasonOf(err) != tc.badReason {
				t.Fatalf("(%s)%s: %v, want %s", tc.ai, tc.bad, err, tc.badReason)
			}
			if e := err.(*Error); e.AI != tc.ai || !strings.HasPrefix(e.Detail, "AI ("+tc.ai+"): ") {
				t.Fatalf("error %#v does not name AI %s", e, tc.ai)
			}
		})
	}
}

func equalElements(a, b []Element) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
