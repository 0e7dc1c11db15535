// Package text has the few string rules shared by every service: clipping to a column's
// byte size without breaking UTF-8, and masking personal data for logs and list views.
package text

import (
	"strings"
	"unicode/utf8"
)

// Clip shortens s to at most n bytes without splitting a UTF-8 sequence.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// MaskPhone keeps the first three and last four digits of a phone number: 138****5678.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name: 张** / J***.
func MaskName(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(s)
	return string(first) + strings.Repeat("*", max(n-1, 1))
}
