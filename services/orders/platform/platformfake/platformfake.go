// Package platformfake holds local stand-ins for the platform APIs erphub calls to send
// shipments and stock levels back: a Shopify Admin API (fulfillment orders, fulfillments,
// locations, GraphQL variant lookup, inventory levels) and a Taobao/Tmall TOP router
// (taobao.logistics.offline.send, taobao.skus.custom.get, taobao.items.custom.get,
// taobao.item.quantity.update). They check credentials and signatures the way the
// platforms document them, answer in the platforms' own formats, record what they
// received, and fail on demand, so tests and benchmarks can exercise the real adapters
// end to end without the network.
package platformfake

import (
	"crypto/hmac"
	"crypto/md5"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// SignMD5 is TOP's sign_method=md5 written out as the TOP documentation spells it
// ("签名算法"): upper(hex(md5(secret + k1v1k2v2… + secret))) over every parameter but
// sign with a non-empty value, sorted by name. It is independent of the adapters' own
// signing code, so a test comparing the two checks the adapters.
func SignMD5(p map[string]string, secret string) string {
	var sb strings.Builder
	sb.WriteString(secret)
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if k != "sign" && p[k] != "" {
			sb.WriteString(k)
			sb.WriteString(p[k])
		}
	}
	sb.WriteString(secret)
	return fmt.Sprintf("%X", md5.Sum([]byte(sb.String())))
}

// SignHMACMD5 is TOP's sign_method=hmac: upper(hex(hmac_md5(secret, k1v1k2v2…))).
func SignHMACMD5(p map[string]string, secret string) string {
	m := hmac.New(md5.New, []byte(secret))
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if k != "sign" && p[k] != "" {
			_, _ = io.WriteString(m, k+p[k])
		}
	}
	return fmt.Sprintf("%X", m.Sum(nil))
}

// Shipment is a shipment a fake platform accepted.
type Shipment struct {
	OrderID  string
	Carrier  string
	Tracking []string
	Lines    []string // platform line ids shipped (all when empty)
	At       time.Time
}

// LevelSet is a stock level a fake platform accepted.
type LevelSet struct {
	SKU      string
	Quantity int64
	At       time.Time
}

// recorder keeps what a fake accepted and how many writes it should still fail.
type recorder struct {
	mu        sync.Mutex
	shipments []Shipment
	levels    []LevelSet
	failShip  int
	failStock int
	failed    int
	onLevel   func(LevelSet)
}

// FailShipments makes the next n shipment calls fail with a temporary server error.
func (r *recorder) FailShipments(n int) { r.mu.Lock(); r.failShip = n; r.mu.Unlock() }

// FailStock makes the next n stock level calls fail with a temporary server error.
func (r *recorder) FailStock(n int) { r.mu.Lock(); r.failStock = n; r.mu.Unlock() }

// Failed answers how many calls were failed on demand.
func (r *recorder) Failed() int { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

// OnLevel calls f (outside the fake's lock) for every stock level accepted from now on.
func (r *recorder) OnLevel(f func(LevelSet)) { r.mu.Lock(); r.onLevel = f; r.mu.Unlock() }

// Shipments answers the shipments accepted, oldest first.
func (r *recorder) Shipments() []Shipment {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.shipments)
}

// Levels answers the stock levels accepted, oldest first.
func (r *recorder) Levels() []LevelSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.levels)
}

// Level answers the last level accepted for a SKU (-1 when none was).
func (r *recorder) Level(sku string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.levels) - 1; i >= 0; i-- {
		if r.levels[i].SKU == sku {
			return r.levels[i].Quantity
		}
	}
	return -1
}

// failing answers whether this call is to fail (and counts it).
func (r *recorder) failing(shipment bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := &r.failStock
	if shipment {
		n = &r.failShip
	}
	if *n > 0 {
		*n--
		r.failed++
		return true
	}
	return false
}

func (r *recorder) ship(s Shipment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.At = time.Now()
	r.shipments = append(r.shipments, s)
}

func (r *recorder) level(sku string, q int64) {
	l := LevelSet{SKU: sku, Quantity: q, At: time.Now()}
	r.mu.Lock()
	r.levels = append(r.levels, l)
	f := r.onLevel
	r.mu.Unlock()
	if f != nil {
		f(l)
	}
}
