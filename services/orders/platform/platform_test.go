package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestByPlatform(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		platform string
		want     string
		wantErr  bool
	}{
		{"taobao", "taobao", "taobao", false},
		{"tmall is TOP too", "tmall", "tmall", false},
		{"case and space", " Tmall ", "tmall", false},
		{"pinduoduo", "pinduoduo", "pinduoduo", false},
		{"jd", "jd", "jd", false},
		{"shopify", "shopify", "shopify", false},
		{"woocommerce is webhook-only", "woocommerce", "", true},
		{"unknown", "douyin", "", true},
		{"empty", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, s, st, err := ByPlatform(tc.platform, Credentials{}, nil)
			if tc.wantErr {
				if err == nil || p != nil || s != nil || st != nil {
					t.Fatalf("got %v %v %v %v", p, s, st, err)
				}
				return
			}
			if err != nil || p == nil || s == nil || st == nil || p.Platform() != tc.want {
				t.Fatalf("got %v %v %v %v", p, s, st, err)
			}
		})
	}
}

func TestAPIErrorMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind              ErrorKind
		rate, auth, tempo bool
	}{
		{KindRateLimited, true, false, true},
		{KindTemporary, false, false, true},
		{KindAuth, false, true, false},
		{KindRejected, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			err := fmt.Errorf("pull: %w", &APIError{Platform: "taobao", Method: "m", Code: "7", Kind: tc.kind})
			if errors.Is(err, ErrRateLimited) != tc.rate || errors.Is(err, ErrUnauthorized) != tc.auth || IsTemporary(err) != tc.tempo {
				t.Fatalf("%v: rate %v auth %v temporary %v", err, errors.Is(err, ErrRateLimited), errors.Is(err, ErrUnauthorized), IsTemporary(err))
			}
		})
	}
	if IsTemporary(errors.New("plain")) || IsTemporary(nil) {
		t.Error("plain errors are not temporary")
	}
	inner := errors.New("connection reset")
	if err := (&APIError{Kind: KindTemporary, Err: inner}); !errors.Is(err, inner) {
		t.Error("Unwrap lost the transport error")
	}
}

func TestTransportFailureIsTemporary(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("dial tcp: connection refused")
	})}
	_, _, err := NewPinduoduo(Credentials{BaseURL: "http://127.0.0.1:1"}, hc).FetchChanged(t.Context(), testNow.Add(-time.Minute), testNow, "")
	if !IsTemporary(err) {
		t.Fatalf("transport failure: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = NewJD(Credentials{BaseURL: "http://127.0.0.1:1"}, hc).FetchChanged(ctx, testNow.Add(-time.Minute), testNow, "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestWindow(t *testing.T) {
	t.Parallel()
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		from, to   time.Time
		max        time.Duration
		start, end time.Time
		err        bool
	}{
		{"whole seconds", base, base.Add(time.Minute), 0, base, base.Add(time.Minute), false},
		{"start rounds down, end up", base.Add(1500 * time.Millisecond), base.Add(2500 * time.Millisecond), 0, base.Add(time.Second), base.Add(3 * time.Second), false},
		{"at the limit", base, base.Add(30 * time.Minute), 30 * time.Minute, base, base.Add(30 * time.Minute), false},
		{"over the limit", base, base.Add(30*time.Minute + time.Second), 30 * time.Minute, time.Time{}, time.Time{}, true},
		{"empty", base, base, 0, time.Time{}, time.Time{}, true},
		{"reversed", base.Add(time.Second), base, 0, time.Time{}, time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start, end, err := window(tc.from, tc.to, tc.max)
			if (err != nil) != tc.err || !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Fatalf("window = %v, %v, %v", start, end, err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"shopify float seconds", "2.0", 2 * time.Second},
		{"integer seconds", "30", 30 * time.Second},
		{"http date", "Wed, 01 May 2024 00:00:10 GMT", 10 * time.Second},
		{"missing", "", 0},
		{"garbage", "soon", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			if got := retryAfter(h, now); got != tc.want {
				t.Fatalf("retryAfter(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestJSONText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"19-digit number stays exact", `4012345678901234567`, "4012345678901234567", false},
		{"string", `" 128.50 "`, "128.50", false},
		{"number with decimals", `128.5`, "128.5", false},
		{"null", `null`, "", false},
		{"object", `{}`, "", true},
		{"array", `[1]`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				X jsonText `json:"x"`
			}
			err := json.Unmarshal([]byte(`{"x":`+tc.in+`}`), &v)
			if (err != nil) != tc.err || (!tc.err && string(v.X) != tc.want) {
				t.Fatalf("got %q, %v", v.X, err)
			}
		})
	}
	if b, _ := json.Marshal(jsonText("820982911946154508")); string(b) != "820982911946154508" {
		t.Errorf("id marshals as %s", b)
	}
}

func TestBackwardPageToken(t *testing.T) {
	t.Parallel()
	fetch := func(pageNo int) ([]int, int, error) { return []int{pageNo}, 5, nil }
	tests := []struct {
		page     string
		rows     []int
		next     string
		wantFail bool
	}{
		{"", []int{3}, "2", false}, // size 2, total 5 → pages 1..3: probe 1, then read 3
		{"2", []int{2}, "1", false},
		{"1", []int{1}, "", false},
		{"0", nil, "", true},
		{"-1", nil, "", true},
		{"abc", nil, "", true},
	}
	for _, tc := range tests {
		t.Run("page "+tc.page, func(t *testing.T) {
			t.Parallel()
			rows, next, err := backwardPage(tc.page, 2, fetch)
			if (err != nil) != tc.wantFail || fmt.Sprint(rows) != fmt.Sprint(tc.rows) || next != tc.next {
				t.Fatalf("got %v %q %v", rows, next, err)
			}
		})
	}
	boom := errors.New("boom")
	if _, _, err := backwardPage("", 2, func(int) ([]int, int, error) { return nil, 0, boom }); !errors.Is(err, boom) {
		t.Errorf("probe error lost: %v", err)
	}
}
