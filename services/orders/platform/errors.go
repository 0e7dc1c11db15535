package platform

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. API failures are *APIError values that match ErrRateLimited or
// ErrUnauthorized with errors.Is.
var (
	// ErrRateLimited: the platform throttled the call; retry after APIError.RetryAfter (or
	// a back-off of the caller's choosing).
	ErrRateLimited = errors.New("platform: rate limited")
	// ErrUnauthorized: the platform rejected the credentials (bad signature, expired or
	// invalid session/access token, unknown app key). Retrying will not help.
	ErrUnauthorized = errors.New("platform: credentials rejected")
	// ErrNotFound: the SKU (or order) is not known to the platform.
	ErrNotFound = errors.New("platform: not found")
	// ErrAlreadyShipped: the platform has nothing left to ship on the order (a repeated
	// confirmation whose first answer was lost, or a shipment recorded elsewhere).
	ErrAlreadyShipped = errors.New("platform: nothing left to ship")
	// ErrBodyTooLarge: a webhook body above MaxWebhookBody.
	ErrBodyTooLarge = errors.New("platform: body too large")
	// ErrWindowTooLarge: FetchChanged was asked for a longer window than the platform's
	// incremental API accepts (see each adapter's MaxWindow).
	ErrWindowTooLarge = errors.New("platform: time window too large for the platform")
)

// ErrorKind classifies an APIError for the caller's retry logic.
type ErrorKind int

// The error kinds.
const (
	// KindRejected: the platform refused the request (bad parameters, business rule);
	// retrying the same request will fail again.
	KindRejected ErrorKind = iota
	// KindRateLimited: throttled; retry later.
	KindRateLimited
	// KindTemporary: server-side or transport failure; retry later.
	KindTemporary
	// KindAuth: credentials or signature rejected; needs a new token or a fix.
	KindAuth
)

// String names the kind.
func (k ErrorKind) String() string {
	switch k {
	case KindRateLimited:
		return "rate limited"
	case KindTemporary:
		return "temporary"
	case KindAuth:
		return "auth"
	}
	return "rejected"
}

// APIError is a failed platform call.
type APIError struct {
	// Platform is the adapter's platform name.
	Platform string
	// Method is the API method (TOP/PDD/JD) or HTTP method and path (Shopify).
	Method string
	// HTTPStatus is the HTTP status of the response (0 for transport failures).
	HTTPStatus int
	// Code and SubCode are the platform's error codes (TOP code/sub_code, PDD
	// error_code/sub_code, JD code).
	Code, SubCode string
	// Message is the platform's error text.
	Message string
	// Kind classifies the error.
	Kind ErrorKind
	// RetryAfter is the platform's requested back-off (Shopify Retry-After), if any.
	RetryAfter time.Duration
	// Err is the underlying transport or decoding error, if any.
	Err error
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Platform, e.Method, e.Kind)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " code %s", e.Code)
	}
	if e.SubCode != "" {
		fmt.Fprintf(&b, "/%s", e.SubCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *APIError) Unwrap() error { return e.Err }

// Is reports whether e matches ErrRateLimited or ErrUnauthorized.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return e.Kind == KindRateLimited
	case ErrUnauthorized:
		return e.Kind == KindAuth
	}
	return false
}

// Temporary reports whether retrying later may succeed (rate limits and server-side or
// transport failures).
func (e *APIError) Temporary() bool {
	return e.Kind == KindRateLimited || e.Kind == KindTemporary
}

// IsTemporary reports whether err (or an error it wraps) says it is temporary.
func IsTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// kindForHTTP classifies a non-success HTTP status.
func kindForHTTP(status int) ErrorKind {
	switch {
	case status == 429:
		return KindRateLimited
	case status == 401 || status == 403:
		return KindAuth
	case status >= 500 || status == 408:
		return KindTemporary
	}
	return KindRejected
}
