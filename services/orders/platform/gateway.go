package platform

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxResponseBody bounds what the adapters read from a platform response.
const maxResponseBody = 32 << 20

// concatSorted is the string the TOP, PDD and JD signatures digest: every parameter except
// "sign" and empty values, sorted by name in byte (ASCII) order, written as name+value with
// no separators. TOP "API调用方法详解" 签名算法 steps 1–2; PDD and JD use the same rule.
func concatSorted(params map[string]string) string {
	keys := make([]string, 0, len(params))
	n := 0
	for k, v := range params {
		if k == "sign" || v == "" {
			continue
		}
		keys = append(keys, k)
		n += len(k) + len(v)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	return b.String()
}

// signMD5 is upper(hex(md5(secret + concatSorted(params) + secret))): TOP sign_method=md5,
// PDD and JD.
func signMD5(params map[string]string, secret string) string {
	sum := md5.Sum([]byte(secret + concatSorted(params) + secret))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// signHMACMD5 is upper(hex(hmac_md5(key=secret, concatSorted(params)))): TOP
// sign_method=hmac.
func signHMACMD5(params map[string]string, secret string) string {
	m := hmac.New(md5.New, []byte(secret))
	m.Write([]byte(concatSorted(params)))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// postForm posts params form-encoded and returns the body of a 200 response. Non-200
// statuses and transport failures become *APIError; now dates a Retry-After header.
func postForm(ctx context.Context, hc *http.Client, platform, method, endpoint string, params map[string]string, now time.Time) ([]byte, error) {
	form := make(url.Values, len(params))
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("platform: %s %s: %w", platform, method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	req.Header.Set("Accept", "application/json")
	body, resp, err := do(ctx, hc, platform, method, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{Platform: platform, Method: method, HTTPStatus: resp.StatusCode,
			Kind: kindForHTTP(resp.StatusCode), RetryAfter: retryAfter(resp.Header, now),
			Message: snippet(body)}
	}
	return body, nil
}

// do sends req and reads the whole (bounded) body.
func do(ctx context.Context, hc *http.Client, platform, method string, req *http.Request) ([]byte, *http.Response, error) {
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("platform: %s %s: %w", platform, method, ctx.Err())
		}
		return nil, nil, &APIError{Platform: platform, Method: method, Kind: KindTemporary, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, nil, &APIError{Platform: platform, Method: method, HTTPStatus: resp.StatusCode, Kind: KindTemporary, Err: err}
	}
	if len(body) > maxResponseBody {
		return nil, nil, &APIError{Platform: platform, Method: method, HTTPStatus: resp.StatusCode,
			Kind: KindRejected, Err: errors.New("response larger than 32 MiB")}
	}
	return body, resp, nil
}

// retryAfter reads a Retry-After header (seconds, possibly fractional as Shopify sends
// "2.0", or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if whole, frac, ok := strings.Cut(v, "."); ok && strings.Trim(frac, "0") == "" {
		v = whole
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// window checks a FetchChanged window and returns it in whole seconds: from rounded down and
// to rounded up, so consecutive windows never leave a gap whether the platform treats the
// end as inclusive or exclusive (they may overlap by a second; versions are ordered by
// UpdatedAt, so a repeat is harmless).
func window(from, to time.Time, max time.Duration) (time.Time, time.Time, error) {
	if !to.After(from) {
		return time.Time{}, time.Time{}, fmt.Errorf("platform: empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	start := from.Truncate(time.Second)
	end := to.Truncate(time.Second)
	if end.Before(to) {
		end = end.Add(time.Second)
	}
	if max > 0 && end.Sub(start) > max {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s > %s", ErrWindowTooLarge, end.Sub(start), max)
	}
	return start, end, nil
}

// backwardPage implements the Chinese platforms' advice to page an incremental list from the
// last page back to the first ("通过从后往前翻页的方式可以避免漏单问题", TOP
// taobao.trades.sold.increment.get and PDD pdd.order.number.list.increment.get): an order
// modified again during paging leaves the window and shifts later rows toward page 1, which
// a backward reader sees again instead of skipping.
//
// The page token is the page number still to read. For the first call ("") fetch reads
// page 1 to learn the total; when everything fits on it those rows are returned, otherwise
// they are dropped and the last page is read.
func backwardPage[T any](page string, size int, fetch func(pageNo int) (rows []T, total int, err error)) ([]T, string, error) {
	pageNo := 0
	if page != "" {
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 {
			return nil, "", fmt.Errorf("platform: bad page token %q", page)
		}
		pageNo = n
	} else {
		rows, total, err := fetch(1)
		if err != nil {
			return nil, "", err
		}
		last := (total + size - 1) / size
		if last <= 1 {
			return rows, "", nil
		}
		pageNo = last
	}
	rows, _, err := fetch(pageNo)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if pageNo > 1 {
		next = strconv.Itoa(pageNo - 1)
	}
	return rows, next, nil
}

// nowFunc returns f or time.Now.
func nowFunc(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

// clientOr returns hc or http.DefaultClient.
func clientOr(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return http.DefaultClient
}

// validateShipment checks the fields every platform needs.
func validateShipment(s Shipment) error {
	if strings.TrimSpace(s.PlatformOrderID) == "" {
		return errors.New("platform: shipment without PlatformOrderID")
	}
	if strings.TrimSpace(s.Carrier) == "" {
		return errors.New("platform: shipment without Carrier")
	}
	if len(s.TrackingNumbers) == 0 {
		return errors.New("platform: shipment without tracking number")
	}
	for _, n := range s.TrackingNumbers {
		if strings.TrimSpace(n) == "" {
			return errors.New("platform: empty tracking number")
		}
	}
	return nil
}

// validateStock checks SetStock arguments.
func validateStock(sku string, quantity int64) error {
	if strings.TrimSpace(sku) == "" {
		return errors.New("platform: SetStock without SKU")
	}
	if quantity < 0 {
		return fmt.Errorf("platform: SetStock %s: negative quantity %d", sku, quantity)
	}
	return nil
}
