// Package page implements list paging the AIP-158 way: page_size (default 50, capped at
// 1000) and an opaque page_token. Tokens are keyset cursors (the last id answered) bound to
// the list's filters, so that paging never skips or repeats rows while others insert, and a
// token cannot be replayed against a different filter.
package page

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/erphub/erphub/internal/apperr"
)

// Default and Max page sizes.
const (
	Default = 50
	Max     = 1000
)

// Request is a parsed page request: answer up to Size rows with id beyond After.
type Request struct {
	Size  int
	After int64
	// Desc pages newest first: ids below After (After 0 = from the top).
	Desc   bool
	filter uint32
}

// Parse validates page_size and page_token; filters is every filter value of the list, in
// a fixed order.
func Parse(size int32, token string, filters ...any) (Request, error) {
	var v apperr.Violations
	r := Request{Size: Default, filter: filterHash(filters)}
	switch {
	case size < 0:
		v.Add("page_size", "must not be negative")
	case size > Max:
		r.Size = Max
	case size > 0:
		r.Size = int(size)
	}
	if token != "" {
		after, fh, ok := decode(token)
		switch {
		case !ok:
			v.Add("page_token", "is not a token this list answered")
		case fh != r.filter:
			v.Add("page_token", "was answered for different filters")
		default:
			r.After = after
		}
	}
	return r, v.Err("invalid page request")
}

// Limit is the number of rows to fetch: one more than the page, to learn whether another
// page follows.
func (r Request) Limit() int { return r.Size + 1 }

// Next answers the token of the page after a page whose rows had these ids (fetched with
// Limit), and how many of the rows belong to this page.
func (r Request) Next(ids []int64) (token string, n int) {
	if len(ids) <= r.Size {
		return "", len(ids)
	}
	return encode(ids[r.Size-1], r.filter), r.Size
}

func encode(after int64, filter uint32) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("1:%d:%x", after, filter)))
}

func decode(token string) (after int64, filter uint32, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, 0, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "1" {
		return 0, 0, false
	}
	after, err = strconv.ParseInt(parts[1], 10, 64)
	if err != nil || after < 0 {
		return 0, 0, false
	}
	f, err := strconv.ParseUint(parts[2], 16, 32)
	if err != nil {
		return 0, 0, false
	}
	return after, uint32(f), true
}

func filterHash(filters []any) uint32 {
	h := fnv.New32a()
	for _, f := range filters {
		fmt.Fprintf(h, "%v\x00", f)
	}
	return h.Sum32()
}
