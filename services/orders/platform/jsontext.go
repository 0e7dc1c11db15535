package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// jsonText is a scalar the platform may send as a JSON string or a JSON number; it keeps the
// text exactly as written (a number's literal, a string's contents, trimmed) so that ids and
// amounts never pass through float64. null and missing leave it empty.
type jsonText string

// UnmarshalJSON implements json.Unmarshaler.
func (t *jsonText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = jsonText(strings.TrimSpace(s))
	case b[0] == '-' || isDigit(b[0]):
		// encoding/json has already checked that b is a valid number literal.
		*t = jsonText(b)
	case string(b) == "true" || string(b) == "false":
		*t = jsonText(b)
	default:
		return fmt.Errorf("platform: expected a string or number, got %.20s", b)
	}
	return nil
}

// MarshalJSON writes the text as a JSON number when it is a plain integer (ids), else as a
// string.
func (t jsonText) MarshalJSON() ([]byte, error) {
	if isInteger(string(t)) {
		return []byte(t), nil
	}
	return json.Marshal(string(t))
}

// id returns the text as an identifier, rejecting anything but digits (platform ids are
// unsigned integers, sent as numbers or strings).
func (t jsonText) id() (string, error) {
	s := string(t)
	if s == "" {
		return "", fmt.Errorf("platform: missing id")
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return "", fmt.Errorf("platform: id %q is not an unsigned integer", s)
		}
	}
	return s, nil
}

func isInteger(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// flexBool is a boolean sent as true/false, "true"/"false" or 1/0.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	var t jsonText
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(string(t)) {
	case "true", "1":
		*f = true
	case "false", "0", "":
		*f = false
	default:
		return fmt.Errorf("platform: %q is not a boolean", t)
	}
	return nil
}

// chinaZone is Beijing time. China has had no daylight saving since 1991, so a fixed offset
// is exact and needs no time-zone database on the host.
var chinaZone = time.FixedZone("CST", 8*60*60)

// chinaLayout is the wall-clock format TOP, PDD and JD use ("2016-01-01 12:00:00").
const chinaLayout = "2006-01-02 15:04:05"

// parseChinaTime parses a Beijing wall-clock time into UTC; empty means zero.
func parseChinaTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(chinaLayout, s, chinaZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("platform: %s: %w", field, err)
	}
	return t.UTC(), nil
}

// formatChinaTime formats t as Beijing wall-clock time.
func formatChinaTime(t time.Time) string { return t.In(chinaZone).Format(chinaLayout) }

// parseRFC3339 parses an ISO 8601 time with offset into UTC; empty means zero.
func parseRFC3339(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("platform: %s: %w", field, err)
	}
	return t.UTC(), nil
}

// timeParser collects the first time-parsing error, like amountParser.
type timeParser struct{ err error }

func (p *timeParser) china(field, s string) time.Time {
	t, err := parseChinaTime(field, s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return t
}

func (p *timeParser) rfc3339(field, s string) time.Time {
	t, err := parseRFC3339(field, s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return t
}

// gmt parses WooCommerce's "*_gmt" fields: ISO 8601 without offset, in UTC.
func (p *timeParser) gmt(field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("platform: %s: %w", field, err)
	}
	return t.UTC()
}

// joinNonEmpty joins the non-empty, trimmed parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// firstNonEmpty returns the first non-empty (trimmed) argument.
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// cloneRaw copies b so that the order does not alias the caller's buffer.
func cloneRaw(b []byte) json.RawMessage {
	return append(json.RawMessage(nil), b...)
}
