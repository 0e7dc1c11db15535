package barcode

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the table of supported GS1 Application Identifiers. The
// formats follow the GS1 General Specifications §3.2 ("GS1 Application
// Identifiers in numerical order") and the individual AI definitions in
// §3.3 (AIs starting with 0) … §3.10 (AIs starting with 9). Notation:
// "n2+n18" = a 2-digit AI followed by exactly 18 digits, "X..20" = up to 20
// characters of set 82, "n3+n3+n..15" = 3-digit AI, 3-digit code, up to 15
// digits.

type charKind uint8

const (
	numeric charKind = iota // digits only
	alnum82                 // GS1 AI encodable character set 82 (§7.11)
	alnum39                 // GS1 AI encodable character set 39 (§7.11)
)

// lintCtx carries what content checks need beyond the value itself.
type lintCtx struct {
	today Date
}

// linter performs a content check on one component of an AI value.
type linter func(ctx *lintCtx, ai, s string) *Error

// part is one component of an AI's data field, e.g. the N3 currency and the
// N..15 amount of AI (393n).
type part struct {
	kind     charKind
	min, max int
	optional bool // may be absent (only the last component)
	lint     linter
}

type aiDef struct {
	ai    string
	title string // GS1 data title
	parts []part
}

func (d *aiDef) maxLen() int {
	n := 0
	for _, p := range d.parts {
		n += p.max
	}
	return n
}

func (d *aiDef) minLen() int {
	n := 0
	for _, p := range d.parts {
		if !p.optional {
			n += p.min
		}
	}
	return n
}

// Component constructors.
func nFix(n int, l linter) part      { return part{kind: numeric, min: n, max: n, lint: l} }
func nVar(lo, hi int, l linter) part { return part{kind: numeric, min: lo, max: hi, lint: l} }
func xVar(hi int) part               { return part{kind: alnum82, min: 1, max: hi} }
func xVarL(hi int, l linter) part    { return part{kind: alnum82, min: 1, max: hi, lint: l} }
func opt(p part) part                { p.optional = true; return p }

// predefinedLength is the GenSpecs table "Element strings with predefined
// length using GS1 Application Identifiers" (GenSpecs §7.8, Figure 7.8.4-2
// in Release 18): when the first two digits of an AI are listed,
// the whole element string (AI + data) has this fixed length and needs no
// FNC1/GS separator after it. Every other AI needs a separator unless it is
// the last one in the symbol — even if its own format is fixed (e.g. 422
// n3, 7003 n10, 8005 n6).
var predefinedLength = map[string]int{
	"00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
	"11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8,
	"20": 4,
	"31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10,
	"41": 16,
}

// aiLength gives the number of digits of an AI from its first two digits,
// following the structure of the AI table (§3.2); 0 means no AI starts with
// these digits.
func aiLength(two string) int {
	if len(two) != 2 || !allDigits(two) {
		return 0
	}
	switch n := atoiSmall(two); {
	case n <= 4, n >= 10 && n <= 22, n == 30, n == 37, n >= 90:
		return 2
	case n >= 23 && n <= 25, n >= 40 && n <= 42, n == 71:
		return 3
	case n >= 31 && n <= 36, n == 39, n == 43, n == 70, n == 72, n >= 80 && n <= 82:
		return 4
	}
	return 0
}

var aiTable = buildAITable()

// AITitle returns the GS1 data title of a supported AI ("BATCH/LOT" for
// "10") and whether the AI is supported.
func AITitle(ai string) (string, bool) {
	d, ok := aiTable[ai]
	if !ok {
		return "", false
	}
	return d.title, true
}

// SupportedAIs returns every AI this package accepts, in ascending order.
func SupportedAIs() []string {
	out := make([]string, 0, len(aiTable))
	for k := range aiTable {
		out = append(out, k)
	}
	// insertion sort: the table is small and this avoids importing sort
	// just for this.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func buildAITable() map[string]*aiDef {
	t := make(map[string]*aiDef, 512)
	add := func(ai, title string, parts ...part) {
		t[ai] = &aiDef{ai: ai, title: title, parts: parts}
	}
	csum := lintCheckDigit
	d0 := lintDateD0
	dd := lintDate

	// §3.3 — AIs starting with 0.
	add("00", "SSCC", nFix(18, csum))
	add("01", "GTIN", nFix(14, csum))
	add("02", "CONTENT", nFix(14, csum))

	// §3.4 — AIs starting with 1. Dates are n6 YYMMDD; DD = 00 is allowed for
	// all six (see parseYYMMDD).
	add("10", "BATCH/LOT", xVar(20))
	add("11", "PROD DATE", nFix(6, d0))
	add("12", "DUE DATE", nFix(6, d0))
	add("13", "PACK DATE", nFix(6, d0))
	add("15", "BEST BEFORE or BEST BY", nFix(6, d0))
	add("16", "SELL BY", nFix(6, d0))
	add("17", "USE BY or EXPIRY", nFix(6, d0))

	// §3.5 — AIs starting with 2.
	add("20", "VARIANT", nFix(2, nil))
	add("21", "SERIAL", xVar(20))
	add("22", "CPV", xVar(20))
	add("235", "TPX", xVar(28))
	add("240", "ADDITIONAL ID", xVar(30))
	add("241", "CUST. PART No.", xVar(30))
	add("242", "MTO VARIANT", nVar(1, 6, nil))
	add("243", "PCN", xVar(20))
	add("250", "SECONDARY SERIAL", xVar(30))
	add("251", "REF. TO SOURCE", xVar(30))
	add("253", "GDTI", nFix(13, csum), opt(xVar(17)))
	add("254", "GLN EXTENSION COMPONENT", xVar(20))
	add("255", "GCN", nFix(13, csum), opt(nVar(1, 12, nil)))

	// §3.6 — AIs starting with 3.
	add("30", "VAR. COUNT", nVar(1, 8, nil))
	measures := []struct{ fam, title string }{
		{"310", "NET WEIGHT (kg)"}, {"311", "LENGTH (m)"}, {"312", "WIDTH (m)"},
		{"313", "HEIGHT (m)"}, {"314", "AREA (m2)"}, {"315", "NET VOLUME (l)"},
		{"316", "NET VOLUME (m3)"},
		{"320", "NET WEIGHT (lb)"}, {"321", "LENGTH (in)"}, {"322", "LENGTH (ft)"},
		{"323", "LENGTH (yd)"}, {"324", "WIDTH (in)"}, {"325", "WIDTH (ft)"},
		{"326", "WIDTH (yd)"}, {"327", "HEIGHT (in)"}, {"328", "HEIGHT (ft)"},
		{"329", "HEIGHT (yd)"},
		{"330", "GROSS WEIGHT (kg)"}, {"331", "LENGTH (m), log"}, {"332", "WIDTH (m), log"},
		{"333", "HEIGHT (m), log"}, {"334", "AREA (m2), log"}, {"335", "VOLUME (l), log"},
		{"336", "VOLUME (m3), log"}, {"337", "KG PER m2"},
		{"340", "GROSS WEIGHT (lb)"}, {"341", "LENGTH (in), log"}, {"342", "LENGTH (ft), log"},
		{"343", "LENGTH (yd), log"}, {"344", "WIDTH (in), log"}, {"345", "WIDTH (ft), log"},
		{"346", "WIDTH (yd), log"}, {"347", "HEIGHT (in), log"}, {"348", "HEIGHT (ft), log"},
		{"349", "HEIGHT (yd), log"},
		{"350", "AREA (in2)"}, {"351", "AREA (ft2)"}, {"352", "AREA (yd2)"},
		{"353", "AREA (in2), log"}, {"354", "AREA (ft2), log"}, {"355", "AREA (yd2), log"},
		{"356", "NET WEIGHT (t oz)"}, {"357", "NET VOLUME (oz)"},
		{"360", "NET VOLUME (qt)"}, {"361", "NET VOLUME (gal.)"}, {"362", "VOLUME (qt), log"},
		{"363", "VOLUME (gal.), log"}, {"364", "VOLUME (in3)"}, {"365", "VOLUME (ft3)"},
		{"366", "VOLUME (yd3)"}, {"367", "VOLUME (in3), log"}, {"368", "VOLUME (ft3), log"},
		{"369", "VOLUME (yd3), log"},
	}
	for _, m := range measures {
		// n4+n6: the fourth AI digit is the number of decimals, 0…5.
		for n := 0; n <= 5; n++ {
			add(m.fam+strconv.Itoa(n), m.title, nFix(6, nil))
		}
	}
	add("37", "COUNT", nVar(1, 8, nil))
	for n := 0; n <= 9; n++ {
		s := strconv.Itoa(n)
		add("390"+s, "AMOUNT", nVar(1, 15, nil))
		add("391"+s, "AMOUNT", nFix(3, lintISO4217), nVar(1, 15, nil))
		add("392"+s, "PRICE", nVar(1, 15, nil))
		add("393"+s, "PRICE", nFix(3, lintISO4217), nVar(1, 15, nil))
	}
	for n := 0; n <= 3; n++ {
		add("394"+strconv.Itoa(n), "PRCNT OFF", nFix(4, nil))
	}
	for n := 0; n <= 5; n++ {
		add("395"+strconv.Itoa(n), "PRICE/UoM", nFix(6, nil))
	}

	// §3.7 — AIs starting with 4.
	add("400", "ORDER NUMBER", xVar(30))
	add("401", "GINC", xVarL(30, lintKey))
	add("402", "GSIN", nFix(17, csum))
	add("403", "ROUTE", xVar(30))
	for i, title := range []string{"SHIP TO LOC", "BILL TO", "PURCHASE FROM", "SHIP FOR LOC",
		"LOC No.", "PAY TO", "PROD/SERV LOC", "PARTY"} {
		add("41"+strconv.Itoa(i), title, nFix(13, csum)) // 410…417, GLN
	}
	add("420", "SHIP TO POST", xVar(20))
	add("421", "SHIP TO POST", nFix(3, lintISO3166), xVar(9))
	add("422", "ORIGIN", nFix(3, lintISO3166))
	add("423", "COUNTRY - INITIAL PROCESS", nVar(3, 15, lintISO3166List))
	add("424", "COUNTRY - PROCESS", nFix(3, lintISO3166))
	add("425", "COUNTRY - DISASSEMBLY", nVar(3, 15, lintISO3166List))
	add("426", "COUNTRY - FULL PROCESS", nFix(3, lintISO3166))
	add("427", "ORIGIN SUBDIVISION", xVar(3))
	add("4300", "SHIP TO COMP", xVarL(35, lintPercent))
	add("4301", "SHIP TO NAME", xVarL(35, lintPercent))
	add("4302", "SHIP TO ADD1", xVarL(70, lintPercent))
	add("4303", "SHIP TO ADD2", xVarL(70, lintPercent))
	add("4304", "SHIP TO SUB", xVarL(70, lintPercent))
	add("4305", "SHIP TO LOC", xVarL(70, lintPercent))
	add("4306", "SHIP TO REG", xVarL(70, lintPercent))
	add("4307", "SHIP TO COUNTRY", part{kind: alnum82, min: 2, max: 2, lint: lintAlpha2})
	add("4308", "SHIP TO PHONE", xVar(30))
	add("4309", "SHIP TO GEO", nFix(10, lintLatitude), nFix(10, lintLongitude))
	add("4310", "RTN TO COMP", xVarL(35, lintPercent))
	add("4311", "RTN TO NAME", xVarL(35, lintPercent))
	add("4312", "RTN TO ADD1", xVarL(70, lintPercent))
	add("4313", "RTN TO ADD2", xVarL(70, lintPercent))
	add("4314", "RTN TO SUB", xVarL(70, lintPercent))
	add("4315", "RTN TO LOC", xVarL(70, lintPercent))
	add("4316", "RTN TO REG", xVarL(70, lintPercent))
	add("4317", "RTN TO COUNTRY", part{kind: alnum82, min: 2, max: 2, lint: lintAlpha2})
	add("4318", "RTN TO POST", xVar(20))
	add("4319", "RTN TO PHONE", xVar(30))
	add("4320", "SRV DESCRIPTION", xVarL(35, lintPercent))
	add("4321", "DANGEROUS GOODS", nFix(1, lintYesNo))
	add("4322", "AUTH TO LEAVE", nFix(1, lintYesNo))
	add("4323", "SIG REQUIRED", nFix(1, lintYesNo))
	add("4324", "NOT BEF DEL DT", nFix(6, d0), nFix(4, lintHHMM))
	add("4325", "NOT AFT DEL DT", nFix(6, d0), nFix(4, lintHHMM))
	add("4326", "REL DATE", nFix(6, dd))
	add("4330", "MAX TEMP F.", nFix(6, nil), opt(part{kind: alnum82, min: 1, max: 1, lint: lintHyphen}))
	add("4331", "MAX TEMP C.", nFix(6, nil), opt(part{kind: alnum82, min: 1, max: 1, lint: lintHyphen}))
	add("4332", "MIN TEMP F.", nFix(6, nil), opt(part{kind: alnum82, min: 1, max: 1, lint: lintHyphen}))
	add("4333", "MIN TEMP C.", nFix(6, nil), opt(part{kind: alnum82, min: 1, max: 1, lint: lintHyphen}))

	// §3.8 — AIs starting with 7.
	add("7001", "NSN", nFix(13, nil))
	add("7002", "MEAT CUT", xVar(30))
	add("7003", "EXPIRY TIME", nFix(6, dd), nFix(4, lintHHMM))
	add("7004", "ACTIVE POTENCY", nVar(1, 4, nil))
	add("7005", "CATCH AREA", xVar(12))
	add("7006", "FIRST FREEZE DATE", nFix(6, dd))
	add("7007", "HARVEST DATE", nFix(6, dd), opt(nFix(6, dd)))
	add("7008", "AQUATIC SPECIES", xVar(3))
	add("7009", "FISHING GEAR TYPE", xVar(10))
	add("7010", "PROD METHOD", xVar(2))
	add("7011", "TEST BY DATE", nFix(6, dd), opt(nFix(4, lintHHMM)))
	add("7020", "REFURB LOT", xVar(20))
	add("7021", "FUNC STAT", xVar(20))
	add("7022", "REV STAT", xVar(20))
	add("7023", "GIAI - ASSEMBLY", xVarL(30, lintKey))
	for n := 0; n <= 9; n++ {
		add("703"+strconv.Itoa(n), "PROCESSOR # "+strconv.Itoa(n), nFix(3, lintISO3166or999), xVar(27))
	}
	for n := 0; n <= 5; n++ {
		add("71"+strconv.Itoa(n), "NHRN", xVar(20))
	}
	for n := 0; n <= 9; n++ {
		add("723"+strconv.Itoa(n), "CERT # "+strconv.Itoa(n+1),
			part{kind: alnum82, min: 2, max: 2}, xVar(28))
	}
	add("7240", "PROTOCOL", xVar(20))

	// §3.9 — AIs starting with 8.
	add("8001", "DIMENSIONS", nFix(4, lintNonZero), nFix(5, lintNonZero), nFix(3, lintNonZero),
		nFix(1, lintWinding), nFix(1, nil))
	add("8002", "CMT No.", xVar(20))
	add("8003", "GRAI", nFix(1, lintZero), nFix(13, csum), opt(xVar(16)))
	add("8004", "GIAI", xVarL(30, lintKey))
	add("8005", "PRICE PER UNIT", nFix(6, nil))
	add("8006", "ITIP", nFix(14, csum), nFix(4, lintPieceOfTotal))
	add("8007", "IBAN", xVarL(34, lintIBAN))
	add("8008", "PROD TIME", nFix(8, lintYYMMDDHH), opt(nVar(1, 4, lintMMoptSS)))
	add("8009", "OPTSEN", xVar(50))
	add("8010", "CPID", part{kind: alnum39, min: 1, max: 30, lint: lintKey})
	add("8011", "CPID SERIAL", nVar(1, 12, lintNoZeroPrefix))
	add("8012", "VERSION", xVar(20))
	add("8017", "GSRN - PROVIDER", nFix(18, csum))
	add("8018", "GSRN - RECIPIENT", nFix(18, csum))
	add("8019", "SRIN", nVar(1, 10, nil))
	add("8020", "REF No.", xVar(25))
	add("8026", "ITIP CONTENT", nFix(14, csum), nFix(4, lintPieceOfTotal))
	add("8200", "PRODUCT URL", xVar(70))

	// §3.10 — AIs starting with 9 (company internal information).
	add("90", "INTERNAL", xVar(30))
	for n := 91; n <= 99; n++ {
		add(strconv.Itoa(n), "INTERNAL", xVar(90))
	}
	return t
}

// --- content checks ("linters") -------------------------------------------

func lintCheckDigit(_ *lintCtx, ai, s string) *Error {
	what := "number"
	switch {
	case ai == "00":
		what = "SSCC"
	case ai == "01" || ai == "02" || ai == "8006" || ai == "8026":
		what = "GTIN"
	case strings.HasPrefix(ai, "41"):
		what = "GLN"
	}
	return verifyMod10(ai, what, s)
}

// lintKey: identification keys with alphanumeric data (GINC, GIAI, CPID)
// start with a GS1 Company Prefix, which has at least 4 digits (GenSpecs
// §1.4.3 / GS1 Company Prefix).
func lintKey(_ *lintCtx, ai, s string) *Error {
	if len(s) < 4 || !allDigits(s[:4]) {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%q does not start with a GS1 Company Prefix (at least 4 digits)", prefix(s, 8)))
	}
	return nil
}

func lintDateD0(c *lintCtx, ai, s string) *Error {
	_, e := parseYYMMDD(ai, s, dayMayBe0, c.today)
	return e
}

func lintDate(c *lintCtx, ai, s string) *Error {
	_, e := parseYYMMDD(ai, s, realDay, c.today)
	return e
}

func lintHHMM(_ *lintCtx, ai, s string) *Error { return checkHHMM(ai, s) }

func lintYYMMDDHH(c *lintCtx, ai, s string) *Error {
	if len(s) != 8 {
		return newErr(ReasonWrongLength, ai, "date and hour must be 8 digits YYMMDDHH")
	}
	if _, e := parseYYMMDD(ai, s[:6], realDay, c.today); e != nil {
		return e
	}
	if h := atoiSmall(s[6:]); h > 23 {
		return newErr(ReasonBadDate, ai, fmt.Sprintf("hour %02d is not a valid hour", h))
	}
	return nil
}

func lintMMoptSS(_ *lintCtx, ai, s string) *Error {
	if len(s) != 2 && len(s) != 4 {
		return newErr(ReasonWrongLength, ai, fmt.Sprintf("minutes[seconds] part has %d digits, expected 2 or 4", len(s)))
	}
	if m := atoiSmall(s[:2]); m > 59 {
		return newErr(ReasonBadDate, ai, fmt.Sprintf("minute %02d is not a valid minute", m))
	}
	if len(s) == 4 {
		if sec := atoiSmall(s[2:]); sec > 59 {
			return newErr(ReasonBadDate, ai, fmt.Sprintf("second %02d is not a valid second", sec))
		}
	}
	return nil
}

func lintISO4217(_ *lintCtx, ai, s string) *Error {
	if !iso4217[s] {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%s is not an ISO 4217 numeric currency code", s))
	}
	return nil
}

func lintISO3166(_ *lintCtx, ai, s string) *Error {
	if !iso3166[s] {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%s is not an ISO 3166-1 numeric country code", s))
	}
	return nil
}

func lintISO3166or999(c *lintCtx, ai, s string) *Error {
	if s == "999" {
		return nil
	}
	return lintISO3166(c, ai, s)
}

func lintISO3166List(c *lintCtx, ai, s string) *Error {
	if len(s)%3 != 0 {
		return newErr(ReasonWrongLength, ai, fmt.Sprintf("%d digits is not a list of 3-digit country codes", len(s)))
	}
	for i := 0; i+3 <= len(s); i += 3 {
		if e := lintISO3166(c, ai, s[i:i+3]); e != nil {
			return e
		}
	}
	return nil
}

func lintYesNo(_ *lintCtx, ai, s string) *Error {
	if s != "0" && s != "1" {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%q must be 0 (no) or 1 (yes)", s))
	}
	return nil
}

func lintPieceOfTotal(_ *lintCtx, ai, s string) *Error {
	piece, total := atoiSmall(s[:2]), atoiSmall(s[2:])
	if piece == 0 || total == 0 || piece > total {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("piece %02d of total %02d is not valid", piece, total))
	}
	return nil
}

func lintHyphen(_ *lintCtx, ai, s string) *Error {
	if s != "-" {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%q: only a '-' (negative) sign may follow the value", s))
	}
	return nil
}

func lintZero(_ *lintCtx, ai, s string) *Error {
	if s != "0" {
		return newErr(ReasonBadValue, ai, "the first digit must be 0")
	}
	return nil
}

func lintNonZero(_ *lintCtx, ai, s string) *Error {
	if strings.Trim(s, "0") == "" {
		return newErr(ReasonBadValue, ai, "dimension must not be zero")
	}
	return nil
}

func lintWinding(_ *lintCtx, ai, s string) *Error {
	if s != "0" && s != "1" && s != "9" {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("winding direction %q must be 0, 1 or 9", s))
	}
	return nil
}

func lintNoZeroPrefix(_ *lintCtx, ai, s string) *Error {
	if len(s) > 1 && s[0] == '0' {
		return newErr(ReasonBadValue, ai, "value must not start with 0")
	}
	return nil
}

func lintLatitude(_ *lintCtx, ai, s string) *Error {
	if v, err := strconv.ParseInt(s, 10, 64); err != nil || v > 1800000000 {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("latitude %s is out of range", s))
	}
	return nil
}

func lintLongitude(_ *lintCtx, ai, s string) *Error {
	if v, err := strconv.ParseInt(s, 10, 64); err != nil || v > 3600000000 {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("longitude %s is out of range", s))
	}
	return nil
}

// lintAlpha2 accepts two capital letters. The list of ISO 3166-1 alpha-2
// codes itself is not checked.
func lintAlpha2(_ *lintCtx, ai, s string) *Error {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("%q is not a two-letter country code", s))
	}
	return nil
}

// lintPercent: AIs 4300… carry percent-encoded text; '%' must be followed by
// two hexadecimal digits.
func lintPercent(_ *lintCtx, ai, s string) *Error {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return newErr(ReasonBadValue, ai, fmt.Sprintf("'%%' at position %d is not followed by two hex digits", i+1))
		}
		i += 2
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
}

// lintIBAN checks an IBAN (ISO 13616): two capital letters, two check
// digits, up to 30 capitals/digits, and mod 97 = 1.
func lintIBAN(_ *lintCtx, ai, s string) *Error {
	bad := newErr(ReasonBadValue, ai, fmt.Sprintf("%q is not a valid IBAN", s))
	if len(s) < 5 {
		return bad
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 2 && c >= 'A' && c <= 'Z':
		case i >= 2 && i < 4 && c >= '0' && c <= '9':
		case i >= 4 && (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'):
		default:
			return bad
		}
	}
	r := 0
	rotated := s[4:] + s[:4]
	for i := 0; i < len(rotated); i++ {
		c := rotated[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	if r != 1 {
		return bad
	}
	return nil
}
