// Package barcode parses the text that warehouse handheld scanners send for
// GS1 barcodes, following the GS1 General Specifications ("GenSpecs").
// Section numbers are those of the releases consulted (Release 18 onwards);
// GS1 occasionally renumbers sections between releases, so each citation
// also names the section or figure title.
//
// # What is accepted
//
// Parse (and ParseAt, which takes the current date explicitly) accepts, in
// this order of decision:
//
//  1. Input longer than MaxInputLen (1024) bytes is refused (TOO_LONG)
//     before anything else. Trailing CR/LF (keyboard-wedge "Enter") is
//     removed; nothing else is trimmed. Empty input is EMPTY.
//  2. Input starting with "]" carries an ISO/IEC 15424 symbology identifier
//     (GenSpecs chapter 5, symbology identifiers of the GS1 data carriers):
//     "]C1" GS1-128, "]d2" GS1 DataMatrix, "]Q3" GS1 QR Code, "]e0" GS1
//     DataBar are always followed by a raw element string; "]E0" (EAN-13, or
//     UPC-A as 12 digits), "]E4" (EAN-8) and "]I1" (ITF-14) by a plain GTIN.
//     Any other identifier (e.g. "]d1" plain DataMatrix, "]E3" EAN with
//     add-on, UPC-E) is UNKNOWN_FORMAT.
//  3. Input starting with "(" is the bracketed human-readable form
//     "(01)09501101530003(17)261200(10)ABC123". A "(" followed by 2–4 digits
//     and ")" always starts the next AI; a literal "(" in a value may be
//     written "\(".
//  4. Input of exactly 8, 12, 13 or 14 digits and nothing else is a plain
//     GTIN-8 (EAN8), GTIN-12 (UPCA), GTIN-13 (EAN13) or GTIN-14 (GTIN14, e.g.
//     ITF-14) whose check digit is validated (GenSpecs §7.9.1). It is never
//     tried as an element string: an element string that happens to be 8, 12,
//     13 or 14 digits long, such as "11261225" = (11)261225, must be sent with
//     a symbology identifier or in bracketed form.
//  5. Any other input starting with a digit or GS is a raw GS1 element string
//     without symbology identifier (Symbology Unknown).
//  6. Everything else is UNKNOWN_FORMAT.
//
// A plain GTIN is normalised to 14 digits in Scan.GTIN and reported as one
// element {"01", GTIN-14}. EAN-13 codes with prefix 20–29 (restricted
// circulation numbers, GenSpecs chapter 2 "Restricted Circulation Number"
// and variable measure trade items) parse as EAN13 with
// Scan.RestrictedCirculation set; the item and weight/price inside them
// depend on a national or retailer layout and are decoded with
// ParseVariableMeasure.
//
// # Element strings
//
// An element string is a sequence of Application Identifier (AI) + data
// field (GenSpecs §3, table of AIs in §3.2; concatenation rules in §7.8).
// The AI's length is known from its first two digits. The length of its
// data field is predefined when the first two digits appear in the GenSpecs
// table "Element strings with predefined length using GS1 Application
// Identifiers" (GenSpecs §7.8, Figure 7.8.4-2 in Release 18):
// 00 (20 characters including the AI), 01, 02, 03 (16), 04 (18), 11–19 (8),
// 20 (4), 31–36 (10), 41 (16). All other fields end at a GS (ASCII 29, the
// transmitted form of FNC1) or at the end of the input — even when the
// AI's own format is fixed, such as 422 (n3) or 7003 (n10). Tolerated: a GS
// after a predefined-length field, a leading or trailing GS, repeated GS.
// Only ASCII 29 is a separator (GenSpecs §7.8.4: a separator FNC1 is
// transmitted as GS; in GS1 QR Code a '%' in the symbol may stand for FNC1,
// but the reader transmits it as GS too). Printable stand-ins such as
// "<GS>" are valid data in character set 82 and therefore cannot be
// recognised safely; callers whose scanners send them must replace them
// before calling Parse.
//
// A missing GS after a variable-length field makes that field swallow the
// following element strings, exactly as a conforming reader would: the
// result is refused if the swallowed text breaks the field's format (too
// long → WRONG_LENGTH, letters in a numeric field → BAD_VALUE), and is
// otherwise accepted as the standard implies, e.g. "10ABC" + "17261231"
// without GS is the single lot "ABC17261231".
//
// Every value is checked against its AI's format (GenSpecs §3.2 and the AI
// definitions in §3.3–§3.10): length, numeric or GS1 AI encodable
// character set 82 (§7.11, Figure 7.11-1; BAD_CHARACTER otherwise) or set
// 39 (AI 8010), check digits of AIs 00, 01, 02, 253, 255, 402, 410–417,
// 8003, 8006, 8017, 8018, 8026 (§7.9.1), ISO 4217 currency codes (391n,
// 393n), ISO 3166 numeric country codes (421–426, 703n), dates and times,
// a GS1 Company Prefix (at least four digits) at the start of 401, 7023,
// 8004 and 8010, IBAN (8007), percent-encoding (4300…4320). For 4307/4317
// only the form (two capital letters) of the ISO 3166 alpha-2 code is
// checked. Unknown AIs, and the few GS1 AIs not supported here (for example
// 7040, 7241, 7242, 725n, 8013, 8030, 8110–8112), are UNKNOWN_AI. The same
// AI twice is tolerated when both values are identical (both stay in
// Elements) and refused with DUPLICATE_AI otherwise. Two different AIs of one
// measure family (e.g. 3102 and 3103), or 392n with 393n, are
// CONFLICTING_AI (GenSpecs rules on invalid pairs of element strings). The
// other pairing rules of the GenSpecs (mandatory associations such as "(10)
// requires (01) or (02)", other invalid pairs such as (01) with (02)) are
// not enforced: they concern what a label must carry, not how to read it.
//
// # Dates
//
// Six-digit dates are YYMMDD. The century follows GenSpecs §7.12
// (Determination of century in dates): with D = YY − (current year mod 100),
// D in 51…99 means the previous century, D in −99…−50 the next century,
// otherwise the current century. ParseAt takes the current date; Parse uses
// today's UTC date. Leap years are judged on the resolved four-digit year.
//
// DD = 00 is accepted for AIs 11, 12, 13, 15, 16 and 17, which the GS1
// Syntax Dictionary marks "yymmd0"; their GenSpecs definitions say "if it
// is not necessary to specify the day, the field must be filled with two
// zeros" (checked in the text of AI (11) production date and AI (17)
// expiration date). The day is then taken as the last day of the month, as
// the definition of AI (17) mandates: "the resultant data string SHALL be
// interpreted as the last day of the noted month including any adjustment
// for leap years" (e.g. 130200 = 2013-02-28, 160200 = 2016-02-29). The same
// rule is applied to all six AIs, and the raw "YYMM00" stays visible in
// Scan.Elements. (GSCN 21-040 forbids 00 days in expiry dates of regulated
// healthcare items from 2025; that sector rule is not applied here.) Date
// AIs whose format requires a real day (7003, 7006, 7007, 7011, 8008, 4326)
// refuse 00 with BAD_DATE.
//
// # Quantities
//
// AI 310n/330n (kg) and 320n/340n (lb) become a Measure, an exact decimal
// (n = number of decimals). AI 392n (amount payable, single monetary area)
// and 393n (ISO 4217 numeric currency + amount) become an Amount. Measure
// and Amount conversions use integer arithmetic only.
//
// Parse never panics; every error it returns is an *Error whose Reason is a
// stable code.
package barcode
