package catalog

import (
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/erphub/erphub/internal/apperr"
)

// Meta is what every catalog resource carries besides its own fields.
type Meta struct {
	ID         int64
	Archived   bool
	Version    int
	CreateTime time.Time
	UpdateTime time.Time
}

// Etag is the resource's version as an opaque string.
func (m Meta) Etag() string { return strconv.Itoa(m.Version) }

// checkEtag refuses a stale etag; an empty one means "whatever is there".
func (m Meta) checkEtag(etag, what string) error {
	if etag != "" && etag != m.Etag() {
		return apperr.Stale(what)
	}
	return nil
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// text checks a free-text field: required or not, at most max characters.
func text(v *apperr.Violations, field, s string, required bool, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case required && n == 0:
		v.Add(field, "is required")
	case n > max:
		v.Addf(field, "must be at most %d characters", max)
	case !utf8.ValidString(s):
		v.Add(field, "is not valid UTF-8")
	}
}

func code(v *apperr.Violations, field, s string) {
	v.Check(codeRE.MatchString(s), field, "must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit")
}

// immutable refuses a change to a field that cannot change after creation.
func immutable[T comparable](v *apperr.Violations, field string, was, now T) {
	if was != now {
		v.Add(field, "cannot be changed")
	}
}

// outputOnly reports mask paths a client may send back but that are never written.
func outputOnly(p string) bool {
	return p == "create_time" || p == "update_time" || p == "archived"
}
