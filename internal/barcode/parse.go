package barcode

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxInputLen is the longest input, in bytes, that Parse accepts.
const MaxInputLen = 1024

// Symbology says which kind of barcode the scanned text came from, as far as
// the text itself tells. The string values are stable API values.
type Symbology string

// Symbologies.
const (
	// Unknown: no symbology identifier was sent and the text is a GS1
	// element string (raw or bracketed), so the carrier cannot be known.
	Unknown Symbology = "UNKNOWN"
	// EAN8: an 8-digit GTIN-8 (plain, or after "]E4").
	EAN8 Symbology = "EAN8"
	// EAN13: a 13-digit GTIN-13 (plain, or after "]E0"). Restricted
	// circulation codes with prefix 20–29 are EAN13 too; see
	// Scan.RestrictedCirculation and ParseVariableMeasure.
	EAN13 Symbology = "EAN13"
	// UPCA: a 12-digit GTIN-12 (plain, or 12 digits after "]E0").
	UPCA Symbology = "UPCA"
	// GTIN14: a plain 14-digit GTIN-14 such as an ITF-14 reading ("]I1").
	GTIN14 Symbology = "GTIN14"
	// GS1128: GS1-128 element string ("]C1").
	GS1128 Symbology = "GS1_128"
	// GS1DataMatrix: GS1 DataMatrix element string ("]d2").
	GS1DataMatrix Symbology = "GS1_DATAMATRIX"
	// GS1QR: GS1 QR Code element string ("]Q3").
	GS1QR Symbology = "GS1_QR"
	// GS1DataBar: GS1 DataBar element string ("]e0").
	GS1DataBar Symbology = "GS1_DATABAR"
)

// Element is one AI/value pair of an element string, exactly as found in the
// input (values are not normalised).
type Element struct {
	AI    string
	Value string
}

// Scan is the result of parsing one scanned text.
type Scan struct {
	Symbology Symbology

	GTIN        string // AI (01) or the plain GTIN, as 14 digits; "" if none
	ContentGTIN string // AI (02), 14 digits
	SSCC        string // AI (00), 18 digits
	Lot         string // AI (10)
	Serial      string // AI (21)

	// Dates of AIs (11), (13), (15), (16), (17); zero Date when absent.
	// A 00 day is turned into the last day of the month (see doc.go); the
	// raw "YYMM00" text remains visible in Elements.
	ProductionDate Date // AI (11)
	PackagingDate  Date // AI (13)
	BestBefore     Date // AI (15)
	SellBy         Date // AI (16)
	Expiry         Date // AI (17)

	// VariableCount is AI (30) and Count is AI (37). Both are -1 when the
	// AI is absent (0 is a value that can be encoded).
	VariableCount int64
	Count         int64

	// NetWeight is AI (310n) in kilograms or, when there is no 310n, AI
	// (320n) in pounds. GrossWeight is AI (330n) kg, else (340n) lb. nil
	// when absent.
	NetWeight   *Measure
	GrossWeight *Measure

	// Price is AI (392n) (Currency "") or AI (393n) (Currency = ISO 4217
	// numeric code); nil when absent.
	Price *Amount

	// RestrictedCirculation is true when GTIN, written with 13 digits,
	// starts with 20–29 (GenSpecs restricted circulation numbers, typically
	// in-store variable measure items; decode with ParseVariableMeasure).
	RestrictedCirculation bool

	// Elements lists every AI/value pair in input order, duplicates
	// included. A plain GTIN gives one element {"01", GTIN-14}.
	Elements []Element
}

// Get returns the value of the first element with the given AI.
func (s Scan) Get(ai string) (string, bool) {
	for _, e := range s.Elements {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// Parse parses one scanned text using today's UTC date for the century of
// two-digit years. The error is always an *Error.
func Parse(input string) (Scan, error) { return ParseAt(input, Today()) }

// ParseAt is Parse with an explicit current date (only today.Year is used,
// for the GS1 century rule of §7.12). The error is always an *Error.
func ParseAt(input string, today Date) (Scan, error) {
	s, e := parse(input, today)
	if e != nil {
		return Scan{}, e
	}
	return s, nil
}

func parse(input string, today Date) (Scan, *Error) {
	if len(input) > MaxInputLen {
		return Scan{}, newErr(ReasonTooLong, "", fmt.Sprintf("input has %d bytes, at most %d are accepted", len(input), MaxInputLen))
	}
	// Keyboard-wedge scanners usually end a reading with CR and/or LF.
	s := strings.TrimRight(input, "\r\n")
	if s == "" {
		return Scan{}, newErr(ReasonEmpty, "", "input is empty")
	}
	ctx := &lintCtx{today: today}
	switch c := s[0]; {
	case c == ']':
		return parseWithID(ctx, s)
	case c == '(':
		els, e := splitBracketed(s)
		if e != nil {
			return Scan{}, e
		}
		return buildScan(ctx, Unknown, els)
	case allDigits(s) && gtinSymbology(len(s)) != "":
		return gtinScan(s, gtinSymbology(len(s)))
	case isDigit(c) || c == GS:
		els, e := splitRaw(s)
		if e != nil {
			return Scan{}, e
		}
		return buildScan(ctx, Unknown, els)
	}
	return Scan{}, newErr(ReasonUnknownFormat, "", fmt.Sprintf("input starting with %q is not a GTIN, a GS1 element string or a symbology identifier", prefix(s, 8)))
}

func gtinSymbology(n int) Symbology {
	switch n {
	case 8:
		return EAN8
	case 12:
		return UPCA
	case 13:
		return EAN13
	case 14:
		return GTIN14
	}
	return ""
}

// parseWithID handles input that starts with a symbology identifier
// "]cm" (ISO/IEC 15424; the GS1 values are listed in the GenSpecs chapter 5
// section on symbology identifiers).
func parseWithID(ctx *lintCtx, s string) (Scan, *Error) {
	if len(s) < 3 {
		return Scan{}, newErr(ReasonUnknownFormat, "", fmt.Sprintf("incomplete symbology identifier %q", s))
	}
	id, body := s[:3], s[3:]
	var sym Symbology
	switch id {
	case "]C1":
		sym = GS1128
	case "]d2":
		sym = GS1DataMatrix
	case "]Q3":
		sym = GS1QR
	case "]e0":
		sym = GS1DataBar
	case "]E0", "]E4", "]I1":
		return gtinWithID(id, body)
	default:
		return Scan{}, newErr(ReasonUnknownFormat, "", fmt.Sprintf("symbology identifier %q is not a GS1 symbology accepted here", id))
	}
	if strings.Trim(body, "\x1d") == "" {
		return Scan{}, newErr(ReasonEmpty, "", fmt.Sprintf("no data after symbology identifier %s", id))
	}
	els, e := splitRaw(body)
	if e != nil {
		return Scan{}, e
	}
	return buildScan(ctx, sym, els)
}

func gtinWithID(id, body string) (Scan, *Error) {
	if body == "" {
		return Scan{}, newErr(ReasonEmpty, "", fmt.Sprintf("no data after symbology identifier %s", id))
	}
	if i := firstNonDigit(body); i >= 0 {
		return Scan{}, newErr(ReasonBadCharacter, "", fmt.Sprintf("character %q at position %d is not a digit", body[i], i+1))
	}
	var sym Symbology
	switch {
	case id == "]E0" && len(body) == 13:
		sym = EAN13
	case id == "]E0" && len(body) == 12:
		sym = UPCA
	case id == "]E4" && len(body) == 8:
		sym = EAN8
	case id == "]I1" && len(body) == 14:
		sym = GTIN14
	default:
		return Scan{}, newErr(ReasonWrongLength, "", fmt.Sprintf("%d digits after symbology identifier %s is not a GTIN of that symbology", len(body), id))
	}
	return gtinScan(body, sym)
}

func gtinScan(code string, sym Symbology) (Scan, *Error) {
	if e := validateGTIN("", code); e != nil {
		return Scan{}, e
	}
	g := pad14(code)
	sc := Scan{Symbology: sym, GTIN: g, VariableCount: -1, Count: -1, Elements: []Element{{AI: "01", Value: g}}}
	sc.RestrictedCirculation = IsRestrictedCirculation(g[1:])
	return sc, nil
}

// IsRestrictedCirculation reports whether code is a 13-digit code with
// prefix 20–29 (GS1 restricted circulation numbers for use within a
// geographic region, e.g. in-store variable measure items). It does not
// validate the check digit.
func IsRestrictedCirculation(code string) bool {
	return len(code) == 13 && allDigits(code) && code[0] == '2'
}

// rawEl is an AI and its still unvalidated value.
type rawEl struct {
	def   *aiDef
	value string
	// hint is appended to "too long" messages (raw form, variable field).
	hint string
}

// splitRaw cuts a raw element string (GenSpecs §7.8: AI + data, a GS after
// every field that is not of predefined length unless it is the last) into
// elements. Tolerated: a leading GS, a GS after a predefined-length field,
// several GS in a row, a trailing GS.
func splitRaw(s string) ([]rawEl, *Error) {
	var out []rawEl
	for i := 0; i < len(s); {
		if s[i] == GS {
			i++
			continue
		}
		two := prefix(s[i:], 2)
		n := aiLength(two)
		if n == 0 {
			return nil, newErr(ReasonUnknownAI, digitsOrEmpty(two),
				fmt.Sprintf("no GS1 Application Identifier starts with %q (position %d)", two, i+1))
		}
		if i+n > len(s) || !allDigits(s[i:i+n]) {
			return nil, newErr(ReasonUnknownAI, "",
				fmt.Sprintf("incomplete Application Identifier %q at position %d", prefix(s[i:], n), i+1))
		}
		ai := s[i : i+n]
		d := aiTable[ai]
		if d == nil {
			return nil, newErr(ReasonUnknownAI, ai, "not a GS1 Application Identifier supported by this parser")
		}
		start := i + n
		end := 0
		hint := ""
		if pl, ok := predefinedLength[two]; ok {
			end = i + pl
			want := pl - n
			if end > len(s) {
				return nil, newErr(ReasonWrongLength, ai, fmt.Sprintf("value has %d characters, expected %d", len(s)-start, want))
			}
			if k := strings.IndexByte(s[start:end], GS); k >= 0 {
				return nil, newErr(ReasonWrongLength, ai, fmt.Sprintf("value has %d characters before a GS separator, expected %d", k, want))
			}
		} else {
			k := strings.IndexByte(s[start:], GS)
			if k < 0 {
				end = len(s)
			} else {
				end = start + k
			}
			hint = " (is the GS separator after this variable-length field missing?)"
		}
		out = append(out, rawEl{def: d, value: s[start:end], hint: hint})
		i = end
	}
	return out, nil
}

// splitBracketed cuts the human-readable form "(01)…(10)…" into elements.
// A "(" followed by 2–4 digits and ")" always starts a new AI; a literal "("
// inside a value may be written "\(" (as in the GS1 Barcode Syntax
// Resource's bracketed syntax), and a "(" that does not look like an AI is
// kept as data.
func splitBracketed(s string) ([]rawEl, *Error) {
	var out []rawEl
	for i := 0; i < len(s); {
		ai, n := bracketAI(s, i)
		if n == 0 {
			return nil, newErr(ReasonUnknownAI, "", fmt.Sprintf("expected \"(AI)\" at position %d, found %q", i+1, prefix(s[i:], 6)))
		}
		d := aiTable[ai]
		if d == nil {
			return nil, newErr(ReasonUnknownAI, ai, "not a GS1 Application Identifier supported by this parser")
		}
		j := i + n
		var b strings.Builder
		for j < len(s) {
			if s[j] == '\\' && j+1 < len(s) && s[j+1] == '(' {
				b.WriteByte('(')
				j += 2
				continue
			}
			if s[j] == '(' {
				if _, m := bracketAI(s, j); m > 0 {
					break
				}
			}
			b.WriteByte(s[j])
			j++
		}
		out = append(out, rawEl{def: d, value: b.String()})
		i = j
	}
	return out, nil
}

// bracketAI recognises "(" + 2…4 digits + ")" at s[i:]; it returns the AI
// and the number of bytes consumed, or 0.
func bracketAI(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '(' {
		return "", 0
	}
	j := i + 1
	for j < len(s) && j-i-1 < 5 && isDigit(s[j]) {
		j++
	}
	k := j - i - 1
	if k < 2 || k > 4 || j >= len(s) || s[j] != ')' {
		return "", 0
	}
	return s[i+1 : j], k + 2
}

// validateValue checks one AI value against its definition: total length,
// split into components, character set of each component, then the
// component's content check.
func validateValue(ctx *lintCtx, d *aiDef, v, hint string) *Error {
	lo, hi := d.minLen(), d.maxLen()
	switch {
	case len(v) == 0:
		return newErr(ReasonWrongLength, d.ai, "value is empty")
	case len(v) > hi:
		if lo == hi {
			return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, expected %d%s", len(v), hi, hint))
		}
		return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, at most %d allowed%s", len(v), hi, hint))
	case len(v) < lo:
		if lo == hi {
			return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, expected %d", len(v), lo))
		}
		return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, at least %d required", len(v), lo))
	}
	rest := v
	pos := 0
	for idx, p := range d.parts {
		if rest == "" && p.optional {
			break
		}
		var val string
		if idx == len(d.parts)-1 {
			if len(rest) < p.min || len(rest) > p.max {
				return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, which does not fit the AI's format", len(v)))
			}
			val, rest = rest, ""
		} else {
			if len(rest) < p.max {
				return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, which does not fit the AI's format", len(v)))
			}
			val, rest = rest[:p.max], rest[p.max:]
		}
		switch p.kind {
		case numeric:
			if i := firstNonDigit(val); i >= 0 {
				return newErr(ReasonBadValue, d.ai, fmt.Sprintf("character %q at position %d is not a digit", val[i], pos+i+1))
			}
		case alnum82:
			if i := firstOutside(&cset82, val); i >= 0 {
				return newErr(ReasonBadCharacter, d.ai, fmt.Sprintf("character %q at position %d is not in GS1 character set 82", val[i], pos+i+1))
			}
		case alnum39:
			if i := firstOutside(&cset39, val); i >= 0 {
				return newErr(ReasonBadCharacter, d.ai, fmt.Sprintf("character %q at position %d is not in GS1 character set 39", val[i], pos+i+1))
			}
		}
		if p.lint != nil {
			if e := p.lint(ctx, d.ai, val); e != nil {
				return e
			}
		}
		pos += len(val)
	}
	if rest != "" {
		return newErr(ReasonWrongLength, d.ai, fmt.Sprintf("value has %d characters, which does not fit the AI's format", len(v)))
	}
	return nil
}

// conflictGroup returns a key shared by AIs that must not appear together
// with a different member of the same group (GenSpecs "invalid pairs of
// element strings", e.g. two net weights with different decimal positions,
// or 392n with 393n), or "" for other AIs.
func conflictGroup(ai string) string {
	if len(ai) != 4 || ai[0] != '3' {
		return ""
	}
	switch fam := ai[:3]; {
	case ai[1] >= '1' && ai[1] <= '6':
		return fam
	case fam == "390" || fam == "391":
		return "390/391"
	case fam == "392" || fam == "393":
		return "392/393"
	case fam == "394" || fam == "395":
		return fam
	}
	return ""
}

func buildScan(ctx *lintCtx, sym Symbology, els []rawEl) (Scan, *Error) {
	if len(els) == 0 {
		return Scan{}, newErr(ReasonEmpty, "", "no element strings in input")
	}
	sc := Scan{Symbology: sym, VariableCount: -1, Count: -1, Elements: make([]Element, 0, len(els))}
	seen := make(map[string]string, len(els))
	groups := make(map[string]string)
	for _, el := range els {
		ai := el.def.ai
		if e := validateValue(ctx, el.def, el.value, el.hint); e != nil {
			return Scan{}, e
		}
		if prev, ok := seen[ai]; ok {
			if prev != el.value {
				return Scan{}, newErr(ReasonDuplicateAI, ai, fmt.Sprintf("appears twice with different values %q and %q", prev, el.value))
			}
			sc.Elements = append(sc.Elements, Element{AI: ai, Value: el.value})
			continue
		}
		seen[ai] = el.value
		if g := conflictGroup(ai); g != "" {
			if other, ok := groups[g]; ok && other != ai {
				return Scan{}, newErr(ReasonConflictingAI, ai, fmt.Sprintf("must not appear together with AI (%s)", other))
			}
			groups[g] = ai
		}
		sc.Elements = append(sc.Elements, Element{AI: ai, Value: el.value})
		apply(&sc, ctx, ai, el.value)
	}
	if len(sc.GTIN) == 14 {
		sc.RestrictedCirculation = IsRestrictedCirculation(sc.GTIN[1:])
	}
	return sc, nil
}

// apply copies a validated element into the Scan's typed fields.
func apply(sc *Scan, ctx *lintCtx, ai, v string) {
	date := func() Date {
		d, _ := parseYYMMDD(ai, v, dayMayBe0, ctx.today)
		return d
	}
	num := func(s string) int64 {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	switch ai {
	case "00":
		sc.SSCC = v
	case "01":
		sc.GTIN = v
	case "02":
		sc.ContentGTIN = v
	case "10":
		sc.Lot = v
	case "21":
		sc.Serial = v
	case "11":
		sc.ProductionDate = date()
	case "13":
		sc.PackagingDate = date()
	case "15":
		sc.BestBefore = date()
	case "16":
		sc.SellBy = date()
	case "17":
		sc.Expiry = date()
	case "30":
		sc.VariableCount = num(v)
	case "37":
		sc.Count = num(v)
	}
	if len(ai) != 4 {
		return
	}
	dec := int(ai[3] - '0')
	switch ai[:3] {
	case "310":
		sc.NetWeight = &Measure{Value: num(v), Decimals: dec, Unit: Kilogram}
	case "320":
		if sc.NetWeight == nil {
			sc.NetWeight = &Measure{Value: num(v), Decimals: dec, Unit: Pound}
		}
	case "330":
		sc.GrossWeight = &Measure{Value: num(v), Decimals: dec, Unit: Kilogram}
	case "340":
		if sc.GrossWeight == nil {
			sc.GrossWeight = &Measure{Value: num(v), Decimals: dec, Unit: Pound}
		}
	case "392":
		sc.Price = &Amount{Value: num(v), Decimals: dec}
	case "393":
		sc.Price = &Amount{Value: num(v[3:]), Decimals: dec, Currency: v[:3]}
	}
}

// Bracketed renders elements in the human-readable bracketed form
// "(01)09501101530003(10)ABC". A "(" inside a value is written "\(" so that
// the result parses back to the same elements.
func Bracketed(elements []Element) string {
	var b strings.Builder
	for _, e := range elements {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(strings.ReplaceAll(e.Value, "(", `\(`))
	}
	return b.String()
}

// ElementString renders elements as a raw element string the way a scanner
// transmits it (without symbology identifier): a GS follows every field
// whose AI is not of predefined length, except the last field.
func ElementString(elements []Element) string {
	var b strings.Builder
	for i, e := range elements {
		b.WriteString(e.AI)
		b.WriteString(e.Value)
		if i < len(elements)-1 && !hasPredefinedLength(e.AI) {
			b.WriteByte(GS)
		}
	}
	return b.String()
}

func hasPredefinedLength(ai string) bool {
	if len(ai) < 2 {
		return false
	}
	_, ok := predefinedLength[ai[:2]]
	return ok
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func digitsOrEmpty(s string) string {
	if len(s) == 2 && allDigits(s) {
		return s
	}
	return ""
}
