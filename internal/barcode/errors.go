package barcode

import "errors"

// Reason is a stable, machine-readable refusal code. The string values are
// part of the public API (they are sent to API clients) and must not change.
type Reason string

// Refusal reasons.
const (
	// ReasonEmpty: the input (or the data after a symbology identifier) is empty.
	ReasonEmpty Reason = "EMPTY"
	// ReasonTooLong: the input is longer than MaxInputLen bytes.
	ReasonTooLong Reason = "TOO_LONG"
	// ReasonBadCharacter: a character outside the allowed character set
	// (digits for GTINs, GS1 AI encodable character set 82 or 39 for
	// alphanumeric AIs, GenSpecs §7.11).
	ReasonBadCharacter Reason = "BAD_CHARACTER"
	// ReasonBadCheckDigit: a GS1 mod-10 check digit (GenSpecs §7.9.1) or a
	// price/weight verifier digit (GenSpecs §7.9.2–§7.9.4) is wrong.
	ReasonBadCheckDigit Reason = "BAD_CHECK_DIGIT"
	// ReasonWrongLength: a code or AI value has the wrong length. A missing
	// GS separator after a variable-length field usually shows up as this
	// reason (the field swallows what follows and becomes too long).
	ReasonWrongLength Reason = "WRONG_LENGTH"
	// ReasonUnknownAI: an Application Identifier that GS1 does not define or
	// this package does not support.
	ReasonUnknownAI Reason = "UNKNOWN_AI"
	// ReasonBadDate: an impossible date or time (month 13, 31 April, 29
	// February of a common year, hour 24, day 00 where not allowed...).
	ReasonBadDate Reason = "BAD_DATE"
	// ReasonDuplicateAI: the same AI appears twice with different values.
	ReasonDuplicateAI Reason = "DUPLICATE_AI"
	// ReasonBadValue: a value that breaks its AI's format: non-numeric data
	// in a numeric AI, an unknown ISO 4217 currency or ISO 3166 country code,
	// or an arithmetic overflow in a conversion helper.
	ReasonBadValue Reason = "BAD_VALUE"
	// ReasonUnknownFormat: the input is neither a GTIN, nor a GS1 element
	// string, nor a variable measure code of the expected layout (also used
	// for non-GS1 symbology identifiers).
	ReasonUnknownFormat Reason = "UNKNOWN_FORMAT"
	// ReasonConflictingAI: two AIs that GS1 forbids together and that would
	// make a Scan field ambiguous: two different AIs of the same measure
	// family (e.g. 3102 and 3103), or 392n together with 393n.
	ReasonConflictingAI Reason = "CONFLICTING_AI"
	// ReasonBadLayout: a VariableMeasureLayout is inconsistent.
	ReasonBadLayout Reason = "BAD_LAYOUT"
)

// Error says why an input was refused. Every error returned by this package
// is an *Error.
type Error struct {
	// Reason is the stable machine-readable code.
	Reason Reason
	// AI is the Application Identifier concerned, without brackets ("17"),
	// or "" when the refusal is not about one AI.
	AI string
	// Detail is a human-readable explanation, e.g.
	// "AI (17): day 32 is not a valid day".
	Detail string
}

// Error implements the error interface: "REASON: detail".
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Detail == "" {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Detail
}

// Is reports whether target is an *Error with the same Reason, so that
// errors.Is(err, &barcode.Error{Reason: barcode.ReasonBadDate}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || e == nil || t == nil {
		return false
	}
	return e.Reason == t.Reason
}

// ReasonOf returns the Reason of err if it is (or wraps) an *Error, and ""
// otherwise.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Reason
	}
	return ""
}

func newErr(r Reason, ai, detail string) *Error {
	if ai != "" {
		detail = "AI (" + ai + "): " + detail
	}
	return &Error{Reason: r, AI: ai, Detail: detail}
}
