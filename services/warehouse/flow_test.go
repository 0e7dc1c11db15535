package warehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
	"github.com/erphub/erphub/services/warehouse"
)

// gtin completes a 13-digit body with its GS1 check digit.
func gtin(body string) string {
	cd, err := barcode.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(cd)
}

func yymmdd(t time.Time) string { return t.Format("060102") }

// label is what a scanner sends for a GS1-128 label: the ]C1 symbology identifier, GTIN,
// expiry, lot (variable length, so a GS follows it) and, for weighed goods, the net weight
// in kg with 3 decimals (AI 3103).
func label(g string, lot string, expiry time.Time, grams int64) string {
	g = strings.Repeat("0", 14-len(g)) + g
	s := "]C101" + g + "10" + lot + "\x1d17" + yymmdd(expiry)
	if grams > 0 {
		s += fmt.Sprintf("3103%06d", grams)
	}
	return s
}

type world struct {
	e           *apptest.Env
	admin       context.Context
	cq, cd      catalog.Branch
	wCQ, wCD    catalog.Warehouse
	supplier    catalog.Supplier
	customer    catalog.Customer
	outlet      catalog.Outlet
	sausage     catalog.Item // weighed, lot-tracked
	bag         catalog.Item // packed, lot-tracked, EAN-13 unit and ITF-14 case of 12
	plain       catalog.Item // no lots
	gSausage    string
	gBag, gCase string
	gPlain      string
	picker      string // warehouse user of CQ
	today       time.Time
}

func setup(t *testing.T) *world {
	t.Helper()
	e := apptest.Start(t)
	w := &world{e: e, today: time.Now().UTC()}
	w.admin = reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	w.cq, err = cat.CreateBranch(w.admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(err)
	w.cd, err = cat.CreateBranch(w.admin, catalog.Branch{Code: "CD", Name: "成都"})
	must(err)
	w.wCQ, err = cat.CreateWarehouse(w.admin, catalog.Warehouse{Code: "CQ-01", Name: "重庆成品仓", Branch: w.cq.ID})
	must(err)
	w.wCD, err = cat.CreateWarehouse(w.admin, catalog.Warehouse{Code: "CD-01", Name: "成都成品仓", Branch: w.cd.ID})
	must(err)
	w.supplier, err = cat.CreateSupplier(w.admin, catalog.Supplier{Code: "S1", Name: "渝北肉联"})
	must(err)
	w.customer, err = cat.CreateCustomer(w.admin, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer", MinRemainingShelfLifeDays: 30})
	must(err)
	w.outlet, err = cat.CreateOutlet(w.admin, catalog.Outlet{Customer: w.customer.ID, Code: "YJ001", Name: "观音桥店"})
	must(err)
	w.gSausage, w.gBag, w.gPlain = gtin("0692345600010"), gtin("692345600020"), gtin("692345600030")
	w.gCase = gtin("1692345600020")
	w.sausage, err = cat.CreateItem(w.admin, catalog.Item{SKU: "XC-001", Name: "麻辣香肠", Unit: "kg", Weighed: true, LotTracked: true,
		ShelfLifeDays: 180, VATRateBp: 900, Active: true, Barcodes: []catalog.Barcode{{Code: w.gSausage, Quantity: 1000}}})
	must(err)
	w.bag, err = cat.CreateItem(w.admin, catalog.Item{SKU: "PK-101", Name: "香肠 500g 袋装", Unit: "bag", LotTracked: true,
		ShelfLifeDays: 180, VATRateBp: 1300, Active: true, Barcodes: []catalog.Barcode{{Code: w.gBag, Quantity: 1000}, {Code: w.gCase, Quantity: 12000}}})
	must(err)
	w.plain, err = cat.CreateItem(w.admin, catalog.Item{SKU: "PM-001", Name: "真空袋", Unit: "pcs", Active: true,
		Barcodes: []catalog.Barcode{{Code: w.gPlain, Quantity: 1000}}})
	must(err)
	w.picker = e.UserToken(t, "picker", []string{reqctx.RoleWarehouse}, w.cq.ID)
	return w
}

func (w *world) days(n int) time.Time { return w.today.AddDate(0, 0, n) }

type scanAnswer struct {
	Accepted bool   `json:"accepted"`
	Reason   string `json:"reason"`
	Item     int64  `json:"item"`
	Lot      string `json:"lot"`
	Expiry   string `json:"expiry"`
	Quantity int64  `json:"quantity"`
	Detail   string `json:"detail"`
	Replayed bool   `json:"replayed"`
	Line     *struct {
		TotalDone int64 `json:"totalDone"`
		Ordered   int64 `json:"ordered"`
	} `json:"line"`
}

func (w *world) scan(t *testing.T, session int64, code, scanID string, qty int64) scanAnswer {
	t.Helper()
	body := map[string]any{"code": code, "scanId": scanID}
	if qty > 0 {
		body["quantity"] = qty
	}
	r := w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", session), w.picker, body)
	var a scanAnswer
	r.Decode(t, &a)
	return a
}

func (w *world) open(t *testing.T, field string, id int64) int64 {
	t.Helper()
	r := w.e.MustDo(t, 200, "POST", "/v1/scanSessions", w.picker, map[string]any{field: id, "device": "PDA-07"})
	return apptest.ID(t, r)
}

type levelJSON struct {
	Item      int64  `json:"item"`
	Warehouse int64  `json:"warehouse"`
	Lot       string `json:"lot"`
	Expiry    string `json:"expiry"`
	OnHand    int64  `json:"onHand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

func (w *world) stock(t *testing.T, wh, item int64) (map[string]levelJSON, int64) {
	t.Helper()
	r := w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stock?warehouse=%d&item=%d&showEmpty=true", wh, item), w.picker, nil)
	var out struct {
		Levels []levelJSON `json:"levels"`
		Items  []struct {
			Value int64 `json:"value"`
		} `json:"items"`
	}
	r.Decode(t, &out)
	m := map[string]levelJSON{}
	for _, l := range out.Levels {
		m[l.Lot] = l
	}
	var value int64
	if len(out.Items) == 1 {
		value = out.Items[0].Value
	}
	return m, value
}

func (w *world) ledgerOK(t *testing.T) {
	t.Helper()
	bad, err := w.e.App.Warehouse.CheckLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("stock differs from the ledger:\n%s", strings.Join(bad, "\n"))
	}
}

// receive receives the standard purchase order: 10.000 kg of sausage in two lots at
// 68.80 yuan/kg and 24 bags in one lot at 12.50.
func (w *world) receive(t *testing.T) (po int64, lotOld, lotNew string) {
	t.Helper()
	r := w.e.MustDo(t, 200, "POST", "/v1/purchaseOrders", w.picker, map[string]any{
		"supplier": w.supplier.ID, "warehouse": w.wCQ.ID,
		"lines": []map[string]any{
			{"item": w.sausage.ID, "quantity": 10000, "unitPrice": 6880},
			{"item": w.bag.ID, "quantity": 24000, "unitPrice": 1250},
		}})
	po = apptest.ID(t, r)
	s := w.open(t, "purchaseOrder", po)
	lotOld, lotNew = "L"+yymmdd(w.days(-5)), "L"+yymmdd(w.days(-1))
	for i, sc := range []struct {
		code string
		qty  int64
	}{
		{label(w.gSausage, lotNew, w.days(120), 3500), 3500},
		{label(w.gSausage, lotNew, w.days(120), 2500), 2500},
		{label(w.gSausage, lotOld, w.days(60), 4000), 4000},
		{label(w.gCase, "B1", w.days(150), 0), 12000},
		{label(w.gCase, "B1", w.days(150), 0), 12000},
	} {
		a := w.scan(t, s, sc.code, fmt.Sprintf("rcv-%d", i), 0)
		if !a.Accepted || a.Quantity != sc.qty {
			t.Fatalf("receiving scan %d: %+v", i, a)
		}
	}
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), w.picker, map[string]any{})
	return po, lotOld, lotNew
}

// TestReceiveShipAndTrace receives a purchase order by scanning GS1-128 labels with lots,
// expiry dates and weights, ships a delivery order by scanning with FEFO enforced, and
// checks on-hand, the ledger, the valuation and the recall trace.
func TestReceiveShipAndTrace(t *testing.T) {
	t.Parallel()
	w := setup(t)
	posted := make(chan warehouse.PostedEvent, 10)
	w.e.App.Outbox.Subscribe("test-finance", []string{warehouse.TopicDocumentPosted}, func(_ context.Context, d outbox.Delivery) error {
		var ev warehouse.PostedEvent
		if err := d.Decode(&ev); err != nil {
			return err
		}
		posted <- ev
		return nil
	})
	po, lotOld, lotNew := w.receive(t)

	levels, value := w.stock(t, w.wCQ.ID, w.sausage.ID)
	if levels[lotNew].OnHand != 6000 || levels[lotOld].OnHand != 4000 || value != 68800 {
		t.Fatalf("after receipt: %+v value %d; want 6.000 + 4.000 kg worth 688.00", levels, value)
	}
	if levels[lotOld].Expiry != w.days(60).Format(time.DateOnly) {
		t.Fatalf("lot expiry %q", levels[lotOld].Expiry)
	}
	var poAnswer struct {
		Status string `json:"status"`
		Lines  []struct {
			Done int64 `json:"done"`
		} `json:"lines"`
	}
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseOrders/%d", po), w.picker, nil).Decode(t, &poAnswer)
	if poAnswer.Status != "received" || poAnswer.Lines[0].Done != 10000 || poAnswer.Lines[1].Done != 24000 {
		t.Fatalf("purchase order after receipt: %+v", poAnswer)
	}

	// ship 5.000 kg to an outlet with the retailer's PO number
	r := w.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", w.picker, map[string]any{
		"customer": w.customer.ID, "warehouse": w.wCQ.ID, "outlet": w.outlet.ID, "retailerPoNumber": "YJ-PO-778",
		"lines": []map[string]any{{"item": w.sausage.ID, "quantity": 5000, "unitPrice": 9800}}})
	do := apptest.ID(t, r)
	s := w.open(t, "deliveryOrder", do)
	if a := w.scan(t, s, label(w.gSausage, lotNew, w.days(120), 1000), "s1", 0); a.Accepted || a.Reason != warehouse.ReasonNotFEFO {
		t.Fatalf("newer lot while an older one is available: %+v", a)
	}
	if a := w.scan(t, s, label(w.gSausage, lotOld, w.days(60), 4000), "s2", 0); !a.Accepted || a.Lot != lotOld {
		t.Fatalf("older lot: %+v", a)
	}
	// the older lot is used up: the newer one may go now
	a := w.scan(t, s, label(w.gSausage, lotNew, w.days(120), 1000), "s3", 0)
	if !a.Accepted || a.Line == nil || a.Line.TotalDone != 5000 {
		t.Fatalf("newer lot after the older is used up: %+v", a)
	}
	if a := w.scan(t, s, label(w.gSausage, lotNew, w.days(120), 500), "s4", 0); a.Accepted || a.Reason != warehouse.ReasonOverQuantity {
		t.Fatalf("over-scan: %+v", a)
	}
	// a retried scan counts once
	if a := w.scan(t, s, label(w.gSausage, lotOld, w.days(60), 4000), "s2", 0); !a.Accepted || !a.Replayed {
		t.Fatalf("replayed scan: %+v", a)
	}
	// stock is held while the session is open
	levels, _ = w.stock(t, w.wCQ.ID, w.sausage.ID)
	if levels[lotOld].Reserved != 4000 || levels[lotOld].Available != 0 || levels[lotNew].Reserved != 1000 {
		t.Fatalf("held stock: %+v", levels)
	}
	var done struct {
		Document struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
			Type   string `json:"type"`
			Lines  []struct {
				Quantity int64 `json:"quantity"`
				Value    int64 `json:"value"`
			} `json:"lines"`
		} `json:"document"`
	}
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), w.picker, map[string]any{}).Decode(t, &done)
	if done.Document.Type != "delivery" || !strings.HasPrefix(done.Document.Number, "GI-CQ-") {
		t.Fatalf("document %+v", done.Document)
	}
	var issued int64
	for _, l := range done.Document.Lines {
		issued += l.Value
	}
	// moving average: 688.00 for 10 kg, 5 kg leave at 344.00
	if issued != -34400 {
		t.Fatalf("issued value %d, want -34400", issued)
	}
	levels, value = w.stock(t, w.wCQ.ID, w.sausage.ID)
	if levels[lotOld].OnHand != 0 || levels[lotNew].OnHand != 5000 || levels[lotNew].Reserved != 0 || value != 34400 {
		t.Fatalf("after shipping: %+v value %d", levels, value)
	}
	w.ledgerOK(t)

	// the recall trace of the older lot
	var trace struct {
		Backward []struct {
			Supplier int64  `json:"supplier"`
			Source   string `json:"source"`
			Quantity int64  `json:"quantity"`
		} `json:"backward"`
		Forward []struct {
			Customer       int64  `json:"customer"`
			Outlet         int64  `json:"outlet"`
			OrderReference string `json:"orderReference"`
			Quantity       int64  `json:"quantity"`
		} `json:"forward"`
		Customers []int64 `json:"customers"`
	}
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/lots/%d:%s:trace", w.sausage.ID, lotOld), w.picker, nil).Decode(t, &trace)
	if len(trace.Backward) != 1 || trace.Backward[0].Supplier != w.supplier.ID || trace.Backward[0].Source != fmt.Sprintf("purchaseOrders/%d", po) {
		t.Fatalf("backward trace %+v", trace.Backward)
	}
	if len(trace.Forward) != 1 || trace.Forward[0].Customer != w.customer.ID || trace.Forward[0].Outlet != w.outlet.ID ||
		trace.Forward[0].OrderReference != "YJ-PO-778" || trace.Forward[0].Quantity != -4000 {
		t.Fatalf("forward trace %+v", trace.Forward)
	}

	// both posted documents reached the subscriber through the outbox, with their values
	var receipt, delivery warehouse.PostedEvent
	for receipt.Document == 0 || delivery.Document == 0 {
		select {
		case ev := <-posted:
			switch ev.Type {
			case warehouse.DocReceipt:
				receipt = ev
			case warehouse.DocDelivery:
				delivery = ev
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("posted documents not delivered: receipt %+v delivery %+v", receipt, delivery)
		}
	}
	var receiptValue int64
	for _, l := range receipt.Lines {
		receiptValue += l.Value
	}
	if receipt.Supplier != w.supplier.ID || receiptValue != 68800+30000 || receipt.Source != fmt.Sprintf("purchaseOrders/%d", po) {
		t.Fatalf("receipt event %+v (value %d)", receipt, receiptValue)
	}
	if delivery.Customer != w.customer.ID || delivery.Outlet != w.outlet.ID || delivery.RetailerPO != "YJ-PO-778" ||
		len(delivery.Lines) != 2 || delivery.Lines[0].UnitPrice != 9800 {
		t.Fatalf("delivery event %+v", delivery)
	}
}

// TestEveryRefusal shows each refusal reason with a real scan.
func TestEveryRefusal(t *testing.T) {
	t.Parallel()
	w := setup(t)
	_, lotOld, _ := w.receive(t)
	// a short-dated lot, received on its own
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": w.sausage.ID, "lot": "SHORT", "quantity": 2000, "expiry": w.days(10).Format(time.DateOnly), "unitCost": 6000}}})

	r := w.e.MustDo(t, 200, "POST", "/v1/purchaseOrders", w.picker, map[string]any{"supplier": w.supplier.ID, "warehouse": w.wCQ.ID,
		"lines": []map[string]any{{"item": w.sausage.ID, "quantity": 1000}, {"item": w.bag.ID, "quantity": 1000}}})
	rs := w.open(t, "purchaseOrder", apptest.ID(t, r))
	r = w.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", w.picker, map[string]any{"customer": w.customer.ID, "warehouse": w.wCQ.ID,
		"lines": []map[string]any{{"item": w.sausage.ID, "quantity": 3000}, {"item": w.bag.ID, "quantity": 50000}}})
	ss := w.open(t, "deliveryOrder", apptest.ID(t, r))

	unknown := gtin("692345699999")
	badCheck := w.gBag[:12] + string('0'+(w.gBag[12]-'0'+1)%10)
	tests := []struct {
		name    string
		session int64
		code    string
		qty     int64
		reason  string
	}{
		{"unknown barcode", rs, unknown, 0, warehouse.ReasonUnknownBarcode},
		{"unknown internal code", rs, "NO-SUCH-CODE", 0, warehouse.ReasonUnknownBarcode},
		{"bad check digit", rs, badCheck, 0, warehouse.ReasonBadBarcode},
		{"missing AI content", rs, "]C101" + w.gSausage + "17", 0, warehouse.ReasonBadBarcode},
		{"not on the order", rs, w.gPlain, 0, warehouse.ReasonNotOnOrder},
		{"lot required", rs, w.gBag, 0, warehouse.ReasonLotRequired},
		{"weighed item without weight", rs, "]C101" + w.gSausage + "10NEWLOT\x1d17" + yymmdd(w.days(90)), 0, warehouse.ReasonQuantityRequired},
		{"expired lot received", rs, label(w.gSausage, "EXPIRED", w.days(-1), 500), 0, warehouse.ReasonLotExpired},
		{"over quantity", rs, label(w.gSausage, "L9", w.days(90), 1500), 0, warehouse.ReasonOverQuantity},
		{"expiry differs from the lot on file", rs, label(w.gSausage, lotOld, w.days(61), 100), 0, warehouse.ReasonLotMismatch},
		{"short-dated for the customer", ss, label(w.gSausage, "SHORT", w.days(10), 500), 0, warehouse.ReasonLotShortDated},
		{"not first-expiry-first-out", ss, label(w.gSausage, "L"+yymmdd(w.days(-1)), w.days(120), 500), 0, warehouse.ReasonNotFEFO},
		{"more than is in stock", ss, label(w.gCase, "B1", w.days(150), 0), 36000, warehouse.ReasonInsufficientStock},
		{"no stock of this lot here", ss, label(w.gCase, "ZZ", w.days(150), 0), 0, warehouse.ReasonInsufficientStock},
	}
	for i, tc := range tests {
		a := w.scan(t, tc.session, tc.code, fmt.Sprintf("r-%d", i), tc.qty)
		if a.Accepted || a.Reason != tc.reason || a.Detail == "" {
			t.Errorf("%s: %+v; want refused with %s and a detail", tc.name, a, tc.reason)
		}
	}
	// expired stock on hand is refused when shipping
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "found",
		"lines": []map[string]any{{"item": w.bag.ID, "lot": "OLDBAG", "quantity": 1000, "expiry": w.days(-3).Format(time.DateOnly)}}})
	if a := w.scan(t, ss, label(w.gBag, "OLDBAG", w.days(-3), 0), "r-expired", 0); a.Reason != warehouse.ReasonLotExpired {
		t.Errorf("expired lot shipped: %+v", a)
	}
	// refusals change nothing
	levels, _ := w.stock(t, w.wCQ.ID, w.bag.ID)
	if levels["B1"].Reserved != 0 {
		t.Fatalf("a refused scan held stock: %+v", levels["B1"])
	}
	w.ledgerOK(t)
	// a completed session takes no more scans, and bad input is a 400 naming the field
	w.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", rs), w.picker, map[string]any{"code": strings.Repeat("9", 1025)})
	w.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", rs), w.picker, map[string]any{}) // nothing scanned
}

// TestHotItemNeverOversells: 64 scanners ship the same item, each on its own delivery
// order, from stock for exactly 40 units: exactly 40 scans are accepted.
func TestHotItemNeverOversells(t *testing.T) {
	t.Parallel()
	w := setup(t)
	const stock, scanners = 40, 64
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": w.plain.ID, "quantity": stock * 1000, "unitCost": 30}}})
	sessions := make([]int64, scanners)
	for i := range sessions {
		r := w.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", w.picker, map[string]any{"customer": w.customer.ID, "warehouse": w.wCQ.ID,
			"lines": []map[string]any{{"item": w.plain.ID, "quantity": 2000}}})
		sessions[i] = w.open(t, "deliveryOrder", apptest.ID(t, r))
	}
	var accepted, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range scanners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 2 {
				a := w.scan(t, sessions[i], w.gPlain, fmt.Sprintf("hot-%d-%d", i, j), 0)
				switch {
				case a.Accepted:
					accepted.Add(1)
				case a.Reason == warehouse.ReasonInsufficientStock:
					refused.Add(1)
				default:
					t.Errorf("unexpected answer %+v", a)
				}
			}
		}()
	}
	wg.Wait()
	if accepted.Load() != stock || refused.Load() != 2*scanners-stock {
		t.Fatalf("%d accepted, %d refused; want %d and %d", accepted.Load(), refused.Load(), stock, 2*scanners-stock)
	}
	for _, s := range sessions {
		r := w.e.Do(t, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), w.picker, map[string]any{"allowPartial": true})
		if r.Status != 200 && !strings.Contains(string(r.Body), "NOTHING_SCANNED") {
			t.Fatalf("complete: %d %s", r.Status, r.Body)
		}
	}
	levels, value := w.stock(t, w.wCQ.ID, w.plain.ID)
	if levels[""].OnHand != 0 || levels[""].Reserved != 0 || value != 0 {
		t.Fatalf("after shipping everything: %+v value %d", levels, value)
	}
	w.ledgerOK(t)
}

// TestTransferStocktakeAdjustment moves stock to the other branch through transit, counts
// a warehouse and corrects it by hand.
func TestTransferStocktakeAdjustment(t *testing.T) {
	t.Parallel()
	w := setup(t)
	_, lotOld, lotNew := w.receive(t)
	r := w.e.MustDo(t, 200, "POST", "/v1/transfers", w.picker, map[string]any{"fromWarehouse": w.wCQ.ID, "toWarehouse": w.wCD.ID,
		"lines": []map[string]any{{"item": w.sausage.ID, "quantity": 4000}}})
	tr := apptest.ID(t, r)
	out := w.open(t, "transfer", tr)
	if a := w.scan(t, out, label(w.gSausage, lotOld, w.days(60), 4000), "t1", 0); !a.Accepted {
		t.Fatalf("transfer out scan: %+v", a)
	}
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", out), w.picker, map[string]any{})
	var trAnswer struct {
		Status string `json:"status"`
	}
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/transfers/%d", tr), w.picker, nil).Decode(t, &trAnswer)
	if trAnswer.Status != "in_transit" {
		t.Fatalf("transfer %+v", trAnswer)
	}
	// the Chengdu picker receives it; the Chongqing picker may not
	cdPicker := w.e.UserToken(t, "cd-picker", []string{reqctx.RoleWarehouse}, w.cd.ID)
	w.e.MustDo(t, 403, "POST", "/v1/scanSessions", w.picker, map[string]any{"transfer": tr})
	in := apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/scanSessions", cdPicker, map[string]any{"transfer": tr}))
	body := map[string]any{"code": label(w.gSausage, lotOld, w.days(60), 4000), "scanId": "t2"}
	var a scanAnswer
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", in), cdPicker, body).Decode(t, &a)
	if !a.Accepted {
		t.Fatalf("transfer in scan: %+v", a)
	}
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", in), cdPicker, map[string]any{})
	cq, cqValue := w.stock(t, w.wCQ.ID, w.sausage.ID)
	r = w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stock?warehouse=%d&item=%d", w.wCD.ID, w.sausage.ID), cdPicker, nil)
	var cd struct {
		Levels []levelJSON `json:"levels"`
		Items  []struct {
			Value int64 `json:"value"`
		} `json:"items"`
	}
	r.Decode(t, &cd)
	if cq[lotOld].OnHand != 0 || len(cd.Levels) != 1 || cd.Levels[0].OnHand != 4000 || cqValue+cd.Items[0].Value != 68800 {
		t.Fatalf("after transfer: CQ %+v (%d), CD %+v", cq, cqValue, cd)
	}

	// stocktake: 5.900 kg of the newer lot found (0.100 short) and 1.000 kg of a lot not on file
	r = w.e.MustDo(t, 200, "POST", "/v1/stocktakes", w.picker, map[string]any{"warehouse": w.wCQ.ID, "countedOnly": true})
	count := w.open(t, "stocktake", apptest.ID(t, r))
	w.scan(t, count, label(w.gSausage, lotNew, w.days(120), 5900), "c1", 0)
	w.scan(t, count, label(w.gSausage, "FOUND", w.days(100), 1000), "c2", 0)
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", count), w.picker, map[string]any{})
	cq, _ = w.stock(t, w.wCQ.ID, w.sausage.ID)
	if cq[lotNew].OnHand != 5900 || cq["FOUND"].OnHand != 1000 {
		t.Fatalf("after stocktake: %+v", cq)
	}
	// adjustments are for managers
	w.e.MustDo(t, 403, "POST", "/v1/adjustments", w.picker, map[string]any{"warehouse": w.wCQ.ID, "reason": "x",
		"lines": []map[string]any{{"item": w.plain.ID, "quantity": 1000}}})
	r = w.e.MustDo(t, 400, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "damaged",
		"lines": []map[string]any{{"item": w.sausage.ID, "lot": "FOUND", "quantity": -5000}}})
	if !strings.Contains(string(r.Body), "INSUFFICIENT_STOCK") {
		t.Fatalf("removing more than there is: %s", r.Body)
	}
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "damaged in handling",
		"lines": []map[string]any{{"item": w.sausage.ID, "lot": "FOUND", "quantity": -250}}})
	w.ledgerOK(t)
	var ledger struct {
		Entries []json.RawMessage `json:"entries"`
	}
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stockLedger?item=%d&pageSize=100", w.sausage.ID), w.e.Admin, nil).Decode(t, &ledger)
	if len(ledger.Entries) < 7 {
		t.Fatalf("only %d ledger entries", len(ledger.Entries))
	}
}

// TestUndoAndCancel gives back what scans held.
func TestUndoAndCancel(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.receive(t)
	r := w.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", w.picker, map[string]any{"customer": w.customer.ID, "warehouse": w.wCQ.ID,
		"lines": []map[string]any{{"item": w.bag.ID, "quantity": 24000}}})
	do := apptest.ID(t, r)
	s := w.open(t, "deliveryOrder", do)
	w.scan(t, s, label(w.gCase, "B1", w.days(150), 0), "u1", 0)
	w.scan(t, s, label(w.gBag, "B1", w.days(150), 0), "u2", 0)
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:undo", s), w.picker, map[string]any{"scanId": "u1"})
	w.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/scanSessions/%d:undo", s), w.picker, map[string]any{"scanId": "u1"})
	levels, _ := w.stock(t, w.wCQ.ID, w.bag.ID)
	if levels["B1"].Reserved != 1000 {
		t.Fatalf("after undo: %+v", levels["B1"])
	}
	r = w.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), w.picker, map[string]any{})
	if !strings.Contains(string(r.Body), "SHORTAGE") {
		t.Fatalf("short completion: %s", r.Body)
	}
	w.e.MustDo(t, 400, "POST", fmt.Sprintf("/v1/deliveryOrders/%d:cancel", do), w.e.Admin, nil) // session open
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:cancel", s), w.picker, map[string]any{})
	levels, _ = w.stock(t, w.wCQ.ID, w.bag.ID)
	if levels["B1"].Reserved != 0 || levels["B1"].OnHand != 24000 {
		t.Fatalf("after cancel: %+v", levels["B1"])
	}
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/deliveryOrders/%d:cancel", do), w.e.Admin, nil)
	w.ledgerOK(t)
}
