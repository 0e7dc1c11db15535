// Package apperr holds the small set of error kinds every erphub service returns, and the
// one place (ToStatus) that turns them into gRPC statuses at the edge.
//
// The kinds mirror the gRPC codes a client can act on:
//
//	Invalid       bad input, one FieldViolation per bad field  -> InvalidArgument (400)
//	NotFound      the named resource does not exist            -> NotFound (404)
//	Conflict      a business key is taken                      -> AlreadyExists (409)
//	Refused       a business rule says no, with a stable reason -> FailedPrecondition (400)
//	Stale         an etag or version no longer matches         -> Aborted (409)
//	Forbidden     the caller may not touch this resource       -> PermissionDenied (403)
//	Exhausted     too many attempts; wait and retry             -> ResourceExhausted (429)
//
// Domain packages declare their errors as values of these kinds (for example
// ErrInsufficientStock = apperr.Refused("INSUFFICIENT_STOCK", "...")), so the mapping is
// written once instead of once per service. Anything else becomes Internal with a masked
// message; the interceptor logs the detail with the request id.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an Error.
type Kind int

// The kinds; see the package comment.
const (
	KindInvalid Kind = iota + 1
	KindNotFound
	KindConflict
	KindRefused
	KindStale
	KindForbidden
	KindUnauthenticated
	KindUnavailable
	KindTooLarge
	KindExhausted
)

// Domain is the ErrorInfo domain of every reason erphub answers.
const Domain = "erphub"

// FieldViolation names one bad field (path in the request, e.g. "item.barcodes[0]") and why.
type FieldViolation struct {
	Field  string
	Reason string
}

// Error is a classified error. Reason is a stable UPPER_SNAKE code clients may branch on;
// Message is for people. Metadata lands in ErrorInfo.metadata.
type Error struct {
	Kind       Kind
	Reason     string
	Message    string
	Violations []FieldViolation
	Metadata   map[string]string
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		parts = append(parts, v.Field+": "+v.Reason)
	}
	if e.Message == "" {
		return strings.Join(parts, "; ")
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrX) match on kind and reason, so that a domain error value
// stays comparable after With… copies.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Kind == e.Kind && t.Reason == e.Reason
}

// With returns a copy carrying extra metadata (for example the item id that ran short).
func (e *Error) With(key, value string) *Error {
	c := *e
	c.Metadata = make(map[string]string, len(e.Metadata)+1)
	for k, v := range e.Metadata {
		c.Metadata[k] = v
	}
	c.Metadata[key] = value
	return &c
}

// Withf returns a copy with a more specific message.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Refused is a business-rule refusal with a stable reason.
func Refused(reason, message string) *Error {
	return &Error{Kind: KindRefused, Reason: reason, Message: message}
}

// NotFound says the named thing does not exist.
func NotFound(what string, id any) *Error {
	return &Error{Kind: KindNotFound, Reason: "NOT_FOUND", Message: fmt.Sprintf("%s %v not found", what, id)}
}

// Conflict says a business key is taken; field names the key.
func Conflict(field, message string) *Error {
	return &Error{Kind: KindConflict, Reason: "ALREADY_EXISTS", Message: message,
		Metadata: map[string]string{"field": field}}
}

// Stale says the caller's etag or version is out of date.
func Stale(what string) *Error {
	return &Error{Kind: KindStale, Reason: "STALE_ETAG",
		Message: what + " was changed by someone else; read it again and retry with the new etag"}
}

// Forbidden says the caller may not act on this resource (for example another branch's).
func Forbidden(message string) *Error {
	return &Error{Kind: KindForbidden, Reason: "FORBIDDEN", Message: message}
}

// Unauthenticated says the caller has no valid credentials.
func Unauthenticated(message string) *Error {
	return &Error{Kind: KindUnauthenticated, Reason: "UNAUTHENTICATED", Message: message}
}

// Exhausted says the caller made too many attempts and must wait; reason is stable.
func Exhausted(reason, message string) *Error {
	return &Error{Kind: KindExhausted, Reason: reason, Message: message}
}

// Unavailable says a dependency is down and the call may be retried.
func Unavailable(message string) *Error {
	return &Error{Kind: KindUnavailable, Reason: "UNAVAILABLE", Message: message}
}

// TooLarge says the input is bigger than allowed.
func TooLarge(field string, limit int) *Error {
	return &Error{Kind: KindTooLarge, Reason: "TOO_LARGE",
		Message:    fmt.Sprintf("%s is larger than the limit of %d", field, limit),
		Violations: []FieldViolation{{Field: field, Reason: fmt.Sprintf("more than %d", limit)}}}
}

// Violations collects field errors while a request is parsed, so that the caller learns
// about every bad field at once.
type Violations struct {
	list []FieldViolation
}

// Add records a bad field.
func (v *Violations) Add(field, reason string) {
	v.list = append(v.list, FieldViolation{Field: field, Reason: reason})
}

// Addf records a bad field with a formatted reason.
func (v *Violations) Addf(field, format string, args ...any) {
	v.Add(field, fmt.Sprintf(format, args...))
}

// Check adds a violation when ok is false and reports ok.
func (v *Violations) Check(ok bool, field, reason string) bool {
	if !ok {
		v.Add(field, reason)
	}
	return ok
}

// Empty reports whether nothing was recorded.
func (v *Violations) Empty() bool { return len(v.list) == 0 }

// Err returns nil when nothing was recorded, else an Invalid error listing every field.
func (v *Violations) Err(message string) error {
	if len(v.list) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Reason: "INVALID_ARGUMENT", Message: message, Violations: v.list}
}

// Invalid is a single-field bad input error.
func Invalid(field, reason string) *Error {
	return &Error{Kind: KindInvalid, Reason: "INVALID_ARGUMENT", Message: "invalid " + field,
		Violations: []FieldViolation{{Field: field, Reason: reason}}}
}

// As returns the classified error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is classified as k.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}
