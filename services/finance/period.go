package finance

import (
	"fmt"
	"strconv"
	"time"

	"github.com/erphub/erphub/internal/apperr"
)

// Period is a calendar month as YYYYMM (202601).
type Period int

// ParsePeriod reads "YYYY-MM". Errors: Invalid naming field.
func ParsePeriod(s, field string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return 0, apperr.Invalid(field, "must be a month as YYYY-MM")
	}
	return PeriodOf(t), nil
}

// PeriodOf answers the period of a date.
func PeriodOf(t time.Time) Period { return Period(t.Year()*100 + int(t.Month())) }

// String renders YYYY-MM.
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", int(p)/100, int(p)%100) }

// Year answers the year.
func (p Period) Year() int { return int(p) / 100 }

// Month answers the month.
func (p Period) Month() time.Month { return time.Month(int(p) % 100) }

// Next answers the following month.
func (p Period) Next() Period {
	if p.Month() == 12 {
		return Period((p.Year()+1)*100 + 1)
	}
	return p + 1
}

// Prev answers the month before.
func (p Period) Prev() Period {
	if p.Month() == 1 {
		return Period((p.Year()-1)*100 + 12)
	}
	return p - 1
}

// First answers the first day.
func (p Period) First() time.Time { return time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, time.UTC) }

// Last answers the last day.
func (p Period) Last() time.Time { return p.Next().First().AddDate(0, 0, -1) }

// YearStart answers January of the period's year.
func (p Period) YearStart() Period { return Period(p.Year()*100 + 1) }

// Since answers how many months p is after q (negative when before).
func (p Period) Since(q Period) int {
	return (p.Year()-q.Year())*12 + int(p.Month()) - int(q.Month())
}

// ParseDate reads "YYYY-MM-DD". Errors: Invalid naming field.
func ParseDate(s, field string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, apperr.Invalid(field, "must be a date as YYYY-MM-DD")
	}
	return t, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
