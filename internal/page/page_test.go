package page

import (
	"testing"

	"github.com/erphub/erphub/internal/apperr"
)

func TestParse(t *testing.T) {
	t.Parallel()
	r, err := Parse(0, "")
	if err != nil || r.Size != Default || r.After != 0 {
		t.Fatalf("defaults: %+v %v", r, err)
	}
	if r, _ := Parse(5000, ""); r.Size != Max {
		t.Fatalf("size not capped: %d", r.Size)
	}
	if _, err := Parse(-1, ""); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("negative size: %v", err)
	}
	for _, bad := range []string{"garbage", "MTp4OjA", "!!"} {
		if _, err := Parse(10, bad); !apperr.IsKind(err, apperr.KindInvalid) {
			t.Errorf("token %q accepted: %v", bad, err)
		}
	}
}

func TestNextPages(t *testing.T) {
	t.Parallel()
	r, _ := Parse(3, "", "kg", true)
	next, n := r.Next([]int64{4, 7, 9, 12})
	if n != 3 || next == "" {
		t.Fatalf("n=%d next=%q", n, next)
	}
	r2, err := Parse(3, next, "kg", true)
	if err != nil || r2.After != 9 {
		t.Fatalf("after = %d, %v; want 9", r2.After, err)
	}
	if _, err := Parse(3, next, "g", true); err == nil {
		t.Fatal("a token was accepted for other filters")
	}
	if next, n := r2.Next([]int64{12}); next != "" || n != 1 {
		t.Fatalf("last page: next=%q n=%d", next, n)
	}
}
