package barcode

import (
	"fmt"
	"time"
)

// Date is a calendar date without time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns today's date in UTC. Parse uses it.
func Today() Date { return DateOf(time.Now().UTC()) }

// IsZero reports whether d is the zero Date (used for "absent").
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "2026-11-25"; the zero Date gives "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// Valid reports whether d is a real calendar date (years 1–9999).
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// MarshalText encodes d as "YYYY-MM-DD" ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts "YYYY-MM-DD" or "" (zero Date).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || !allDigits(string(b[:4])) ||
		!allDigits(string(b[5:7])) || !allDigits(string(b[8:])) {
		return newErr(ReasonBadDate, "", fmt.Sprintf("%q is not a YYYY-MM-DD date", b))
	}
	v := Date{Year: atoiSmall(string(b[:4])), Month: time.Month(atoiSmall(string(b[5:7]))), Day: atoiSmall(string(b[8:]))}
	if !v.Valid() {
		return newErr(ReasonBadDate, "", fmt.Sprintf("%q is not a valid date", b))
	}
	*d = v
	return nil
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// daysIn returns the number of days of month m in year y (0 for a bad month).
func daysIn(y int, m time.Month) int {
	switch m {
	case time.January, time.March, time.May, time.July, time.August, time.October, time.December:
		return 31
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	}
	return 0
}

// centuryYear resolves a two-digit year per GS1 General Specifications §7.12
// ("Determination of century in dates"): let D = YY − (current year mod 100).
// If D is 51…99 the year is in the previous century, if D is −99…−50 it is
// in the next century, otherwise in the current century. A six-digit date
// can therefore express dates from 49 years in the past to 50 years in the
// future.
func centuryYear(yy int, today Date) int {
	cur := today.Year
	century := cur - mod(cur, 100) // floor to the century
	diff := yy - mod(cur, 100)
	switch {
	case diff >= 51:
		century -= 100
	case diff <= -50:
		century += 100
	}
	return century + yy
}

func mod(a, b int) int {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// dayRule says whether DD = 00 is allowed in a YYMMDD field.
type dayRule int

const (
	realDay   dayRule = iota // "yymmdd": DD must be a real day
	dayMayBe0                // "yymmd0": DD = 00 allowed, meaning the last day of the month
)

// parseYYMMDD decodes a six-digit GS1 date. s must be 6 ASCII digits.
// With dayMayBe0, DD = 00 yields the last day of the month (GenSpecs AI
// (15)/(16)/(17): "SHALL be interpreted as the last day of the noted month
// including any adjustment for leap years"); the same rule is applied to
// AIs (11), (12), (13), whose definitions also allow a 00 day ("if it is not
// necessary to specify the day, the field must be filled with two zeros").
// The century comes from §7.12, so leap years are judged on the resolved
// four-digit year (2100 is not a leap year).
func parseYYMMDD(ai, s string, rule dayRule, today Date) (Date, *Error) {
	if len(s) != 6 || !allDigits(s) {
		return Date{}, newErr(ReasonBadValue, ai, fmt.Sprintf("date %q is not six digits YYMMDD", s))
	}
	yy, mm, dd := atoiSmall(s[0:2]), atoiSmall(s[2:4]), atoiSmall(s[4:6])
	if mm < 1 || mm > 12 {
		return Date{}, newErr(ReasonBadDate, ai, fmt.Sprintf("month %02d is not a valid month", mm))
	}
	year := centuryYear(yy, today)
	last := daysIn(year, time.Month(mm))
	switch {
	case dd == 0 && rule == dayMayBe0:
		dd = last
	case dd == 0:
		return Date{}, newErr(ReasonBadDate, ai, "day 00 is not allowed for this AI (a real day is required)")
	case dd > last:
		return Date{}, newErr(ReasonBadDate, ai, fmt.Sprintf("day %02d is not a valid day of %04d-%02d", dd, year, mm))
	}
	return Date{Year: year, Month: time.Month(mm), Day: dd}, nil
}

// checkHHMM validates a four-digit time HHMM (00–23, 00–59).
func checkHHMM(ai, s string) *Error {
	if len(s) != 4 || !allDigits(s) {
		return newErr(ReasonBadValue, ai, fmt.Sprintf("time %q is not four digits HHMM", s))
	}
	if h := atoiSmall(s[:2]); h > 23 {
		return newErr(ReasonBadDate, ai, fmt.Sprintf("hour %02d is not a valid hour", h))
	}
	if m := atoiSmall(s[2:]); m > 59 {
		return newErr(ReasonBadDate, ai, fmt.Sprintf("minute %02d is not a valid minute", m))
	}
	return nil
}

// atoiSmall converts a short string of ASCII digits (caller guarantees
// digits and at most 9 of them) to an int.
func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
