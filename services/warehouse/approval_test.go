package warehouse_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type person struct {
	token string
	id    int64
}

// person makes a user with roles (every branch) and answers its token and id.
func (w *world) person(t *testing.T, name string, roles ...string) person {
	t.Helper()
	tok := w.e.UserToken(t, name, roles)
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/currentUser", tok, nil).Decode(t, &me)
	if me.User.ID == 0 {
		t.Fatalf("no id for %s", name)
	}
	return person{tok, me.User.ID}
}

// flow makes an active approval flow of docType whose one step is the user approver.
func (w *world) flow(t *testing.T, docType, name string, approver int64, conditions ...map[string]any) int64 {
	t.Helper()
	if conditions == nil {
		conditions = []map[string]any{}
	}
	return apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/approvalFlows", w.e.Admin, map[string]any{"name": name,
		"documentType": docType, "active": true, "conditions": conditions,
		"steps": []map[string]any{{"name": name, "users": []int64{approver}, "mode": "ANY"}}}))
}

type approvalRequest struct {
	ID           int64            `json:"id"`
	DocumentType string           `json:"documentType"`
	Document     int64            `json:"document"`
	Amount       int64            `json:"amount"`
	Flow         int64            `json:"flow"`
	Condition    string           `json:"condition"`
	State        string           `json:"state"`
	Facts        map[string]int64 `json:"facts"`
}

// pending answers the request for doc in the approver's inbox (failing when it is not there).
func (w *world) pending(t *testing.T, approver person, doc int64) approvalRequest {
	t.Helper()
	var box struct {
		ApprovalRequests []approvalRequest `json:"approvalRequests"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", approver.token, nil).Decode(t, &box)
	var found []approvalRequest
	for _, r := range box.ApprovalRequests {
		if r.Document == doc {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("inbox %+v: want one request for document %d", box.ApprovalRequests, doc)
	}
	return found[0]
}

func (w *world) decide(t *testing.T, approver person, req int64, action, comment string) {
	t.Helper()
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:%s", req, action), approver.token,
		map[string]any{"comment": comment})
}

// plainStock answers on hand (milli-units) and value (fen) of the plain item in CQ.
func (w *world) plainStock(t *testing.T) (int64, int64) {
	t.Helper()
	levels, value := w.stock(t, w.wCQ.ID, w.plain.ID)
	return levels[""].OnHand, value
}

func (w *world) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.e.App.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

type adjustmentJSON struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	Status          string `json:"status"`
	Amount          int64  `json:"amount"`
	ApprovalRequest int64  `json:"approvalRequest"`
	ApprovalComment string `json:"approvalComment"`
	Failure         string `json:"failure"`
	Document        int64  `json:"document"`
	CreatedBy       int64  `json:"createdBy"`
	Lines           []struct {
		Item     int64 `json:"item"`
		Quantity int64 `json:"quantity"`
	} `json:"lines"`
}

type documentJSON struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Type     string `json:"type"`
	Source   string `json:"source"`
	PostedBy int64  `json:"postedBy"`
	Lines    []struct {
		Item     int64 `json:"item"`
		Quantity int64 `json:"quantity"`
		Value    int64 `json:"value"`
	} `json:"lines"`
}

type adjustmentAnswer struct {
	Status          string          `json:"status"`
	ApprovalRequest int64           `json:"approvalRequest"`
	Document        *documentJSON   `json:"document"`
	Adjustment      *adjustmentJSON `json:"adjustment"`
}

// TestAdjustmentApproval: an adjustment under the stock_adjustment flow's threshold posts
// at once; one over it is stored and moves nothing until approved; approval posts it
// exactly once however often the outcome comes; rejection moves nothing and shows the
// comment to the maker; an approved adjustment that is no longer possible fails with the
// reason, moving nothing.
func TestAdjustmentApproval(t *testing.T) {
	t.Parallel()
	w := setup(t)
	maker := w.person(t, "stock-manager", reqctx.RoleManager)
	boss := w.person(t, "boss", reqctx.RoleManager)
	flow := w.flow(t, "stock_adjustment", "大额库存调整", boss.id, map[string]any{"minAmount": 100_000}) // from ¥1000.00 at cost
	adjust := func(q, unitCost int64) adjustmentAnswer {
		t.Helper()
		var a adjustmentAnswer
		w.e.MustDo(t, 200, "POST", "/v1/adjustments", maker.token, map[string]any{"warehouse": w.wCQ.ID, "reason": "盘亏盘盈",
			"lines": []map[string]any{{"item": w.plain.ID, "quantity": q, "unitCost": unitCost}}}).Decode(t, &a)
		return a
	}
	get := func(id int64) adjustmentJSON {
		t.Helper()
		var a adjustmentJSON
		w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/adjustments/%d", id), maker.token, nil).Decode(t, &a)
		return a
	}
	stockIs := func(when string, onHand, value int64) {
		t.Helper()
		if q, v := w.plainStock(t); q != onHand || v != value {
			t.Fatalf("%s: on hand %d, value %d; want %d, %d", when, q, v, onHand, value)
		}
	}

	// 100 pcs at ¥5.00 = ¥500.00: under the threshold, posted at once as always
	small := adjust(100_000, 500)
	if small.Status != "posted" || small.ApprovalRequest != 0 || small.Adjustment != nil || small.Document == nil ||
		!strings.HasPrefix(small.Document.Number, "SA-") || small.Document.Source != "" || small.Document.PostedBy != maker.id ||
		len(small.Document.Lines) != 1 || small.Document.Lines[0].Quantity != 100_000 || small.Document.Lines[0].Value != 50_000 {
		t.Fatalf("small adjustment %+v %+v", small, small.Document)
	}
	stockIs("after the small adjustment", 100_000, 50_000)

	// 300 pcs at ¥5.00 = ¥1500.00: stored, nothing moves
	big := adjust(300_000, 500)
	if big.Status != "pending_approval" || big.ApprovalRequest == 0 || big.Document != nil || big.Adjustment == nil {
		t.Fatalf("big adjustment %+v", big)
	}
	a := big.Adjustment
	if a.ID == 0 || !strings.HasPrefix(a.Number, "AJ-CQ-") || a.Status != "pending_approval" || a.Amount != 150_000 ||
		a.ApprovalRequest != big.ApprovalRequest || a.CreatedBy != maker.id || len(a.Lines) != 1 || a.Lines[0].Quantity != 300_000 {
		t.Fatalf("stored adjustment %+v", a)
	}
	stockIs("while the big adjustment waits", 100_000, 50_000)
	if got := get(a.ID); got.Status != "pending_approval" || got.Document != 0 {
		t.Fatalf("waiting adjustment %+v", got)
	}
	req := w.pending(t, boss, a.ID)
	if req.ID != big.ApprovalRequest || req.DocumentType != "stock_adjustment" || req.Flow != flow || req.Amount != 150_000 {
		t.Fatalf("request %+v", req)
	}
	w.decide(t, boss, req.ID, "approve", "同意")

	// the outcome again, twice at once, racing the dispatcher's own delivery
	var payload []byte
	if err := w.e.App.DB.Raw(`SELECT payload FROM outbox_events WHERE topic = 'approval.decided' AND subscriber = 'warehouse-approval'
		AND event_key = ?`, fmt.Sprintf("stock_adjustment/%d", a.ID)).Row().Scan(&payload); err != nil || len(payload) == 0 {
		t.Fatalf("outcome event: %v %q", err, payload)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.e.App.Warehouse.DeliverApprovalOutcome(context.Background(), payload)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the approved adjustment posts", func() bool { return get(a.ID).Status == "posted" })
	waitUntil(t, "the dispatcher's delivery", func() bool {
		return w.count(t, `SELECT COUNT(*) FROM outbox_events WHERE subscriber = 'warehouse-approval' AND pending = 1`) == 0
	})
	if n := w.count(t, `SELECT COUNT(*) FROM stock_documents WHERE source_type = 'adjustment' AND source_id = ?`, a.ID); n != 1 {
		t.Fatalf("%d documents posted for the adjustment, want 1", n)
	}
	stockIs("after approval", 400_000, 200_000)
	posted := get(a.ID)
	if posted.Document == 0 || posted.ApprovalComment != "同意" || posted.Failure != "" {
		t.Fatalf("posted adjustment %+v", posted)
	}
	var doc documentJSON
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stockDocuments/%d", posted.Document), maker.token, nil).Decode(t, &doc)
	if doc.Type != "adjustment" || doc.Source != fmt.Sprintf("adjustments/%d", a.ID) || doc.PostedBy != maker.id ||
		len(doc.Lines) != 1 || doc.Lines[0].Quantity != 300_000 || doc.Lines[0].Value != 150_000 {
		t.Fatalf("posted document %+v", doc)
	}

	// 250 pcs out at the average ¥5.00 = ¥1250.00: rejected, nothing moves, the maker sees why
	rej := adjust(-250_000, 0)
	if rej.Status != "pending_approval" || rej.Adjustment.Amount != 125_000 {
		t.Fatalf("removal %+v", rej)
	}
	w.decide(t, boss, w.pending(t, boss, rej.Adjustment.ID).ID, "reject", "先盘点再调整")
	waitUntil(t, "the adjustment is rejected", func() bool { return get(rej.Adjustment.ID).Status == "rejected" })
	if got := get(rej.Adjustment.ID); got.ApprovalComment != "先盘点再调整" || got.Document != 0 {
		t.Fatalf("rejected adjustment %+v", got)
	}
	stockIs("after the rejection", 400_000, 200_000)

	// approved when there is no longer enough stock: failed with the reason, nothing moves
	late := adjust(-300_000, 0)
	if late.Status != "pending_approval" || late.Adjustment.Amount != 150_000 {
		t.Fatalf("late removal %+v", late)
	}
	if now := adjust(-150_000, 0); now.Status != "posted" { // ¥750.00: at once
		t.Fatalf("small removal %+v", now)
	}
	stockIs("after the small removal", 250_000, 125_000)
	w.decide(t, boss, w.pending(t, boss, late.Adjustment.ID).ID, "approve", "")
	waitUntil(t, "the approved removal fails", func() bool { return get(late.Adjustment.ID).Status == "failed" })
	if got := get(late.Adjustment.ID); !strings.Contains(got.Failure, "not enough") || got.Document != 0 {
		t.Fatalf("failed adjustment %+v", got)
	}
	stockIs("after the failed removal", 250_000, 125_000)
	w.ledgerOK(t)

	var list struct {
		Adjustments []adjustmentJSON `json:"adjustments"`
	}
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/adjustments?warehouse=%d&status=failed", w.wCQ.ID), maker.token, nil).Decode(t, &list)
	if len(list.Adjustments) != 1 || list.Adjustments[0].ID != late.Adjustment.ID {
		t.Fatalf("failed adjustments %+v", list.Adjustments)
	}
	r := w.e.MustDo(t, 400, "GET", "/v1/adjustments?status=lost", maker.token, nil)
	if !strings.Contains(string(r.Body), `"status"`) {
		t.Fatalf("bad status filter answer %s", r.Body)
	}
	w.e.MustDo(t, 404, "GET", "/v1/adjustments/999999", maker.token, nil)
}

type completeAnswer struct {
	Status          string        `json:"status"`
	ApprovalRequest int64         `json:"approvalRequest"`
	Document        *documentJSON `json:"document"`
}

type stocktakeJSON struct {
	ID              int64  `json:"id"`
	Status          string `json:"status"`
	Document        int64  `json:"document"`
	ApprovalRequest int64  `json:"approvalRequest"`
	ApprovalComment string `json:"approvalComment"`
	Amount          int64  `json:"amount"`
	Differences     []struct {
		Item     int64  `json:"item"`
		Lot      string `json:"lot"`
		Quantity int64  `json:"quantity"`
		Value    int64  `json:"value"`
	} `json:"differences"`
}

// TestStocktakeApproval: a count whose differences are under the stocktake flow's
// threshold posts at once; one over it records the differences and waits; approval posts
// exactly those differences (stock that moved meanwhile stays); a rejected count moves
// nothing, and the stocktake can be counted again.
func TestStocktakeApproval(t *testing.T) {
	t.Parallel()
	w := setup(t)
	boss := w.person(t, "boss", reqctx.RoleManager)
	w.flow(t, "stocktake", "盘点差异", boss.id, map[string]any{"minAmount": 10_000}) // from ¥100.00
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": w.plain.ID, "quantity": 100_000, "unitCost": 500}}})
	newStocktake := func() int64 {
		t.Helper()
		return apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/stocktakes", w.picker, map[string]any{"warehouse": w.wCQ.ID,
			"countedOnly": true}))
	}
	count := func(stk, units int64) completeAnswer {
		t.Helper()
		s := w.open(t, "stocktake", stk)
		if a := w.scan(t, s, w.gPlain, fmt.Sprintf("c%d-%d", s, units), units*1000); !a.Accepted {
			t.Fatalf("count scan refused: %+v", a)
		}
		var c completeAnswer
		w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), w.picker, map[string]any{}).Decode(t, &c)
		return c
	}
	get := func(id int64) stocktakeJSON {
		t.Helper()
		var x stocktakeJSON
		w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stocktakes/%d", id), w.picker, nil).Decode(t, &x)
		return x
	}
	stockIs := func(when string, onHand, value int64) {
		t.Helper()
		if q, v := w.plainStock(t); q != onHand || v != value {
			t.Fatalf("%s: on hand %d, value %d; want %d, %d", when, q, v, onHand, value)
		}
	}

	// 10 short, ¥50.00 at cost: posted at once
	if c := count(newStocktake(), 90); c.Status != "posted" || c.ApprovalRequest != 0 || c.Document == nil ||
		len(c.Document.Lines) != 1 || c.Document.Lines[0].Quantity != -10_000 || c.Document.Lines[0].Value != -5_000 {
		t.Fatalf("small count %+v %+v", c, c.Document)
	}
	stockIs("after the small count", 90_000, 45_000)

	// 30 short, ¥150.00: the differences wait
	stk := newStocktake()
	c := count(stk, 60)
	if c.Status != "pending_approval" || c.ApprovalRequest == 0 || c.Document != nil {
		t.Fatalf("large count %+v", c)
	}
	stockIs("while the count waits", 90_000, 45_000)
	x := get(stk)
	if x.Status != "pending_approval" || x.ApprovalRequest != c.ApprovalRequest || x.Amount != 15_000 || x.Document != 0 ||
		len(x.Differences) != 1 || x.Differences[0].Item != w.plain.ID || x.Differences[0].Lot != "" ||
		x.Differences[0].Quantity != -30_000 || x.Differences[0].Value != -15_000 {
		t.Fatalf("waiting stocktake %+v", x)
	}
	if r := w.e.Do(t, "POST", "/v1/scanSessions", w.picker, map[string]any{"stocktake": stk}); r.Status != 400 ||
		!strings.Contains(string(r.Body), "AWAITING_APPROVAL") {
		t.Fatalf("counting a waiting stocktake again: %d %s", r.Status, r.Body)
	}
	req := w.pending(t, boss, stk)
	if req.ID != c.ApprovalRequest || req.DocumentType != "stocktake" || req.Amount != 15_000 {
		t.Fatalf("request %+v", req)
	}
	// stock moves meanwhile: 10 more arrive
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "found",
		"lines": []map[string]any{{"item": w.plain.ID, "quantity": 10_000, "unitCost": 500}}})
	stockIs("after the arrival", 100_000, 50_000)
	w.decide(t, boss, req.ID, "approve", "属实")
	waitUntil(t, "the stocktake posts", func() bool { return get(stk).Status == "posted" })
	x = get(stk)
	var doc documentJSON
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/stockDocuments/%d", x.Document), w.picker, nil).Decode(t, &doc)
	if doc.Type != "stocktake" || !strings.HasPrefix(doc.Number, "SC-") || doc.Source != fmt.Sprintf("stocktakes/%d", stk) ||
		len(doc.Lines) != 1 || doc.Lines[0].Quantity != -30_000 || doc.Lines[0].Value != -15_000 || x.ApprovalComment != "属实" {
		t.Fatalf("posted stocktake %+v, document %+v", x, doc)
	}
	stockIs("after approval: exactly the recorded differences", 70_000, 35_000)
	if n := w.count(t, `SELECT COUNT(*) FROM stock_documents WHERE source_type = 'stocktake' AND source_id = ?`, stk); n != 1 {
		t.Fatalf("%d documents for the stocktake", n)
	}

	// a rejected count moves nothing; counted again, the stocktake posts
	again := newStocktake()
	if c := count(again, 40); c.Status != "pending_approval" {
		t.Fatalf("count to reject %+v", c)
	}
	w.decide(t, boss, w.pending(t, boss, again).ID, "reject", "数错了,重盘")
	waitUntil(t, "the count is rejected", func() bool { return get(again).Status == "rejected" })
	if x := get(again); x.ApprovalComment != "数错了,重盘" || x.Document != 0 || len(x.Differences) != 1 {
		t.Fatalf("rejected stocktake %+v", x)
	}
	stockIs("after the rejection", 70_000, 35_000)
	if c := count(again, 68); c.Status != "posted" || c.Document == nil || c.Document.Lines[0].Quantity != -2_000 {
		t.Fatalf("recount %+v", c)
	}
	if x := get(again); x.Status != "posted" || len(x.Differences) != 0 {
		t.Fatalf("recounted stocktake %+v", x)
	}
	stockIs("after the recount", 68_000, 34_000)
	w.ledgerOK(t)
}

type deliveryJSON struct {
	ID              int64  `json:"id"`
	Status          string `json:"status"`
	ApprovalComment string `json:"approvalComment"`
}

// TestDeliveryOrderApprovalTypes: a delivery order goes through the first of
// price_below_floor, over_credit_limit and delivery_order whose flow matches; the
// warehouse treats all three outcomes as the order's.
func TestDeliveryOrderApprovalTypes(t *testing.T) {
	t.Parallel()
	w := setup(t)
	floorBoss := w.person(t, "floor-boss", reqctx.RoleManager)
	salesBoss := w.person(t, "sales-boss", reqctx.RoleManager)
	creditBoss := w.person(t, "credit-boss", reqctx.RoleManager)

	// the floor price is part of the item API, validated
	var item struct {
		ID         int64 `json:"id"`
		FloorPrice int64 `json:"floorPrice"`
	}
	w.e.MustDo(t, 200, "POST", "/v1/items", w.e.Admin, map[string]any{"sku": "LP-001", "name": "腊排骨", "unit": "pcs",
		"floorPrice": 900}).Decode(t, &item)
	if item.FloorPrice != 900 {
		t.Fatalf("created item %+v", item)
	}
	w.e.MustDo(t, 200, "PATCH", fmt.Sprintf("/v1/items/%d", item.ID), w.e.Admin, map[string]any{"floorPrice": 1000}).Decode(t, &item)
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/items/%d", item.ID), w.picker, nil).Decode(t, &item)
	if item.FloorPrice != 1000 {
		t.Fatalf("floor price after the update %+v", item)
	}
	for _, bad := range []int64{-1, 100_000_000_001} {
		r := w.e.MustDo(t, 400, "POST", "/v1/items", w.e.Admin, map[string]any{"sku": "LP-BAD", "name": "x", "unit": "pcs",
			"floorPrice": bad})
		if !strings.Contains(string(r.Body), "item.floor_price") {
			t.Fatalf("floor price %d: %s", bad, r.Body)
		}
	}

	tight, err := w.e.App.Catalog.CreateCustomer(w.admin, catalog.Customer{Code: "XJ", Name: "新佳超市", Kind: "retailer",
		CreditLimit: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	// stock of the plain item at 0.30 a unit, for the margin approvers see
	w.e.MustDo(t, 200, "POST", "/v1/adjustments", w.e.Admin, map[string]any{"warehouse": w.wCQ.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": w.plain.ID, "quantity": 100_000, "unitCost": 30}}})
	floorFlow := w.flow(t, "price_below_floor", "低于底价", floorBoss.id, map[string]any{"minDiscountBp": 500}) // 5 % or more below
	creditFlow := w.flow(t, "over_credit_limit", "超信用额度", creditBoss.id, map[string]any{"minCreditOver": 1})
	orderFlow := w.flow(t, "delivery_order", "发货单", salesBoss.id)

	order := func(customer, units, price int64) deliveryJSON {
		t.Helper()
		var d deliveryJSON
		w.e.MustDo(t, 200, "POST", "/v1/deliveryOrders", w.picker, map[string]any{"customer": customer, "warehouse": w.wCQ.ID,
			"lines": []map[string]any{{"item": w.plain.ID, "quantity": 1000, "unitPrice": 50}, {"item": item.ID,
				"quantity": units * 1000, "unitPrice": price}}}).Decode(t, &d)
		if d.Status != "pending_approval" {
			t.Fatalf("order of %d at %d for customer %d: %+v", units, price, customer, d)
		}
		return d
	}
	tests := []struct {
		name                   string
		customer, units, price int64
		approver               person
		docType                string
		flow, amount           int64
	}{
		{"10 % below the floor", w.customer.ID, 10, 900, floorBoss, "price_below_floor", floorFlow, 9_050},
		{"2 % below: the floor flow wants 5 %, the order's own flow applies", w.customer.ID, 10, 980, salesBoss, "delivery_order", orderFlow, 9_850},
		{"at the floor", w.customer.ID, 10, 1000, salesBoss, "delivery_order", orderFlow, 10_050},
		{"¥100.50 over a ¥500.00 credit limit", tight.ID, 60, 1000, creditBoss, "over_credit_limit", creditFlow, 60_050},
		{"below the floor and over the limit: the floor comes first", tight.ID, 100, 800, floorBoss, "price_below_floor", floorFlow, 80_050},
	}
	orders := map[string]deliveryJSON{}
	for _, tc := range tests {
		d := order(tc.customer, tc.units, tc.price)
		orders[tc.name] = d
		r := w.pending(t, tc.approver, d.ID)
		if r.DocumentType != tc.docType || r.Flow != tc.flow || r.Amount != tc.amount {
			t.Errorf("%s: request %+v; want %s by flow %d for %d", tc.name, r, tc.docType, tc.flow, tc.amount)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if r := w.pending(t, floorBoss, orders["10 % below the floor"].ID); !strings.Contains(r.Condition, "discount ≥ 5%") {
		t.Fatalf("condition %q", r.Condition)
	}
	// what the approver sees at a glance: the credit position, the shortfall below the
	// floor, and the margin at the current unit cost (one unit of the plain item at its
	// average cost; LP-001 has no stock and no cost yet)
	cost := w.count(t, fmt.Sprintf(`SELECT IF(on_hand > 0, value * 1000 DIV on_hand, last_unit_cost) FROM stock_items
		WHERE warehouse_id = %d AND item_id = %d`, w.wCQ.ID, w.plain.ID)) // one unit: 1000 milli-units at the unit cost
	if cost != 30 {
		t.Fatalf("unit cost of the plain item %d, want the 0.30 it was taken in at", cost)
	}
	wantFacts := map[string]int64{"owed": 0, "creditLimit": 50_000, "creditOver": 10_050, "discountBp": 0,
		"cost": cost, "margin": 60_050 - cost, "marginBp": (60_050 - cost) * 10_000 / 60_050}
	if r := w.pending(t, creditBoss, orders["¥100.50 over a ¥500.00 credit limit"].ID); !maps.Equal(r.Facts, wantFacts) {
		t.Fatalf("facts %v, want %v", r.Facts, wantFacts)
	}
	if f := w.pending(t, floorBoss, orders["10 % below the floor"].ID).Facts; f["discountBp"] != 1000 || f["creditLimit"] != 0 {
		t.Fatalf("facts of the order below the floor %v", f)
	}
	getDO := func(id int64) deliveryJSON {
		t.Helper()
		var d deliveryJSON
		w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/deliveryOrders/%d", id), w.picker, nil).Decode(t, &d)
		return d
	}
	// approval of a price_below_floor request opens the order; rejection of an
	// over_credit_limit one leaves it rejected with the comment
	below := orders["10 % below the floor"].ID
	w.decide(t, floorBoss, w.pending(t, floorBoss, below).ID, "approve", "清库存,同意")
	waitUntil(t, "the order below the floor opens", func() bool { return getDO(below).Status == "open" })
	if d := getDO(below); d.ApprovalComment != "清库存,同意" {
		t.Fatalf("approved order %+v", d)
	}
	over := orders["¥100.50 over a ¥500.00 credit limit"].ID
	w.decide(t, creditBoss, w.pending(t, creditBoss, over).ID, "reject", "先回款")
	waitUntil(t, "the order over the limit is rejected", func() bool { return getDO(over).Status == "rejected" })
	if d := getDO(over); d.ApprovalComment != "先回款" {
		t.Fatalf("rejected order %+v", d)
	}
	r := w.e.Do(t, "POST", "/v1/scanSessions", w.picker, map[string]any{"deliveryOrder": over})
	if r.Status != 400 || !strings.Contains(string(r.Body), "APPROVAL_REJECTED") {
		t.Fatalf("scanning a rejected order: %d %s", r.Status, r.Body)
	}
	apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/scanSessions", w.picker, map[string]any{"deliveryOrder": below}))
	// every order has exactly one request, whichever type it went under
	if n := w.count(t, `SELECT COUNT(*) FROM approval_requests WHERE document_type IN
		('price_below_floor', 'over_credit_limit', 'delivery_order')`); n != int64(len(tests)) {
		t.Fatalf("%d requests for %d orders", n, len(tests))
	}
}
