package approval_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/approval"
	"github.com/erphub/erphub/services/catalog"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

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

// world is a branch with a warehouse, a supplier, an item, a buyer (warehouse role) who
// makes purchase orders and managers who approve them.
type world struct {
	e         *apptest.Env
	branch    catalog.Branch
	warehouse catalog.Warehouse
	supplier  catalog.Supplier
	item      catalog.Item
	buyer     string
	buyerID   int64
}

type user struct {
	token string
	id    int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, apptest.Start(t), "")
}

func newWorldOn(t *testing.T, e *apptest.Env, suffix string) *world {
	t.Helper()
	w := &world{e: e}
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	var err error
	w.branch, err = cat.CreateBranch(ctx, catalog.Branch{Code: "CQ" + suffix, Name: "重庆"})
	must(t, err)
	w.warehouse, err = cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "CQ-01" + suffix, Name: "重庆成品仓", Branch: w.branch.ID})
	must(t, err)
	w.supplier, err = cat.CreateSupplier(ctx, catalog.Supplier{Code: "SUP" + suffix, Name: "肉联厂"})
	must(t, err)
	w.item, err = cat.CreateItem(ctx, catalog.Item{SKU: "XC-001" + suffix, Name: "麻辣香肠", Unit: "bag", Active: true, VATRateBp: 1300,
		Barcodes: []catalog.Barcode{{Code: "6923456000209" + suffix, Quantity: 1000}}})
	must(t, err)
	b := w.user(t, "buyer"+suffix, reqctx.RoleWarehouse)
	w.buyer, w.buyerID = b.token, b.id
	return w
}

func (w *world) user(t *testing.T, name string, roles ...string) user {
	t.Helper()
	tok := w.e.UserToken(t, "usr-"+name, roles)
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	r := w.e.MustDo(t, 200, "GET", "/v1/currentUser", tok, nil)
	if err := jsonUnmarshalLoose(r.Body, &me); err != nil || me.User.ID == 0 {
		t.Fatalf("current user: %s", r.Body)
	}
	return user{tok, me.User.ID}
}

// flow creates a purchase order flow as the admin and answers its id.
func (w *world) flow(t *testing.T, body map[string]any) int64 {
	t.Helper()
	body["documentType"] = "purchase_order"
	if _, ok := body["active"]; !ok {
		body["active"] = true
	}
	return apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/approvalFlows", w.e.Admin, body))
}

type po struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	Status          string `json:"status"`
	ApprovalComment string `json:"approvalComment"`
}

// purchase makes a purchase order of units bags at price fen each.
func (w *world) purchase(t *testing.T, units int, price int64) po {
	t.Helper()
	var p po
	w.e.MustDo(t, 200, "POST", "/v1/purchaseOrders", w.buyer, map[string]any{"supplier": w.supplier.ID,
		"warehouse": w.warehouse.ID, "lines": []map[string]any{{"item": w.item.ID, "quantity": units * 1000, "unitPrice": price}}}).
		Decode(t, &p)
	return p
}

func (w *world) getPO(t *testing.T, id int64) po {
	t.Helper()
	var p po
	w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseOrders/%d", id), w.buyer, nil).Decode(t, &p)
	return p
}

type request struct {
	ID             int64  `json:"id"`
	DocumentType   string `json:"documentType"`
	Document       int64  `json:"document"`
	DocumentNumber string `json:"documentNumber"`
	Amount         int64  `json:"amount"`
	Step           int32  `json:"step"`
	State          string `json:"state"`
	Flow           int64  `json:"flow"`
	FlowVersion    int32  `json:"flowVersion"`
	Condition      string `json:"condition"`
	History        []struct {
		User       int64  `json:"user"`
		OnBehalfOf int64  `json:"onBehalfOf"`
		Action     string `json:"action"`
		Comment    string `json:"comment"`
		Peer       string `json:"peer"`
		Device     string `json:"device"`
	} `json:"history"`
}

func (w *world) inbox(t *testing.T, token string) []request {
	t.Helper()
	var out struct {
		ApprovalRequests []request `json:"approvalRequests"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", token, nil).Decode(t, &out)
	return out.ApprovalRequests
}

func (w *world) requestOf(t *testing.T, inbox []request, doc int64) request {
	t.Helper()
	for _, r := range inbox {
		if r.Document == doc {
			return r
		}
	}
	t.Fatalf("no request for document %d in %+v", doc, inbox)
	return request{}
}

func (w *world) decide(t *testing.T, want int, token string, id int64, action, comment string) request {
	t.Helper()
	var r request
	res := w.e.MustDo(t, want, "POST", fmt.Sprintf("/v1/approvalRequests/%d:%s", id, action), token,
		map[string]any{"comment": comment}, "X-Device-Id: phone-7", "User-Agent: erphub-phone/1.0")
	if want == 200 {
		res.Decode(t, &r)
	}
	return r
}

// scanRefused checks that a scan session on the order is refused with reason.
func (w *world) scanRefused(t *testing.T, id int64, reason string) {
	t.Helper()
	res := w.e.MustDo(t, 400, "POST", "/v1/scanSessions", w.buyer, map[string]any{"purchaseOrder": id})
	if !strings.Contains(string(res.Body), reason) {
		t.Fatalf("scan session refusal %s lacks %s", res.Body, reason)
	}
}

// TestPurchaseOrderApproval is the contract: thresholds pick the flow, the inbox shows the
// request, the order cannot be scanned until approved, approval opens it.
func TestPurchaseOrderApproval(t *testing.T) {
	w := newWorld(t)
	boss := w.user(t, "boss", reqctx.RoleManager)
	lead := w.user(t, "lead", reqctx.RoleManager)
	// below 1,000 yuan: no approval; 1,000-10,000: one manager (ANY); from 10,000: the boss
	big := w.flow(t, map[string]any{"name": "大额采购", "priority": 1, "conditions": []map[string]any{{"minAmount": 1_000_000}},
		"steps": []map[string]any{{"name": "总经理", "users": []int64{boss.id}, "mode": "ANY"}}})
	mid := w.flow(t, map[string]any{"name": "采购", "priority": 2, "conditions": []map[string]any{{"minAmount": 100_000}},
		"steps": []map[string]any{{"name": "经理", "role": "manager", "mode": "ANY"}}})

	small := w.purchase(t, 10, 2000) // 200.00
	if small.Status != "open" {
		t.Fatalf("small order status %q, want open", small.Status)
	}
	medium := w.purchase(t, 100, 2000) // 2,000.00
	large := w.purchase(t, 1000, 2000) // 20,000.00
	for _, p := range []po{medium, large} {
		if p.Status != "pending_approval" {
			t.Fatalf("order %s status %q, want pending_approval", p.Number, p.Status)
		}
	}
	// the lead sees only the medium one; the boss sees both
	leadBox := w.inbox(t, lead.token)
	if len(leadBox) != 1 {
		t.Fatalf("lead inbox %+v, want the medium order only", leadBox)
	}
	rm := w.requestOf(t, leadBox, medium.ID)
	if rm.Flow != mid || rm.Amount != 200_000 || rm.DocumentType != "purchase_order" || rm.State != "PENDING" || rm.Step != 1 ||
		rm.DocumentNumber != medium.Number || rm.FlowVersion != 1 || !strings.Contains(rm.Condition, "1000.00") {
		t.Fatalf("medium request %+v", rm)
	}
	rl := w.requestOf(t, w.inbox(t, boss.token), large.ID)
	if rl.Flow != big || rl.Amount != 2_000_000 {
		t.Fatalf("large request %+v", rl)
	}
	// the buyer sees no inbox, and the order refuses scanning with a clear reason
	if got := w.inbox(t, w.buyer); len(got) != 0 {
		t.Fatalf("buyer inbox %+v", got)
	}
	w.scanRefused(t, large.ID, "AWAITING_APPROVAL")

	got := w.decide(t, 200, boss.token, rl.ID, "approve", "同意")
	if got.State != "APPROVED" || len(got.History) != 1 || got.History[0].User != boss.id || got.History[0].Device != "phone-7" ||
		got.History[0].Peer == "" || got.History[0].Comment != "同意" {
		t.Fatalf("approved request %+v", got)
	}
	waitUntil(t, "large order opens", func() bool { return w.getPO(t, large.ID).Status == "open" })
	s := apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/scanSessions", w.buyer, map[string]any{"purchaseOrder": large.ID}))
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", s), w.buyer, map[string]any{"code": "6923456000209", "scanId": "s1"})
	if len(w.inbox(t, boss.token)) != 1 { // the medium one: the boss is a manager too
		t.Fatalf("boss inbox after approval: %+v", w.inbox(t, boss.token))
	}
	// a second decision on the decided request is answered 409
	w.decide(t, 409, boss.token, rl.ID, "approve", "")
}

func TestRejectResubmitAndOwnDocument(t *testing.T) {
	w := newWorld(t)
	lead := w.user(t, "lead", reqctx.RoleManager)
	w.flow(t, map[string]any{"name": "采购", "steps": []map[string]any{{"role": "manager"}}})
	// a manager making an order cannot approve it, and is not among its approvers
	maker := w.user(t, "maker", reqctx.RoleManager)
	var own po
	w.e.MustDo(t, 200, "POST", "/v1/purchaseOrders", maker.token, map[string]any{"supplier": w.supplier.ID,
		"warehouse": w.warehouse.ID, "lines": []map[string]any{{"item": w.item.ID, "quantity": 1000, "unitPrice": 100}}}).Decode(t, &own)
	if own.Status != "pending_approval" {
		t.Fatalf("own order %+v", own)
	}
	ro := w.requestOf(t, w.inbox(t, lead.token), own.ID)
	if len(w.inbox(t, maker.token)) != 0 {
		t.Fatalf("the maker sees their own order in the inbox")
	}
	w.decide(t, 400, maker.token, ro.ID, "approve", "")
	if r := w.e.Do(t, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", ro.ID), maker.token, map[string]any{}); !strings.Contains(string(r.Body), "OWN_DOCUMENT") {
		t.Fatalf("self approval answer %d %s", r.Status, r.Body)
	}

	p := w.purchase(t, 5, 1000)
	r := w.requestOf(t, w.inbox(t, lead.token), p.ID)
	w.decide(t, 400, lead.token, r.ID, "reject", "") // a rejection needs a comment
	got := w.decide(t, 200, lead.token, r.ID, "reject", "价格太高")
	if got.State != "REJECTED" {
		t.Fatalf("rejected %+v", got)
	}
	waitUntil(t, "order rejected", func() bool { return w.getPO(t, p.ID).Status == "rejected" })
	if c := w.getPO(t, p.ID).ApprovalComment; c != "价格太高" {
		t.Fatalf("comment on the order %q", c)
	}
	w.scanRefused(t, p.ID, "APPROVAL_REJECTED")
	// resubmitting with new lines starts a new request
	var re po
	w.e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/purchaseOrders/%d:resubmit", p.ID), w.buyer, map[string]any{
		"lines": []map[string]any{{"item": w.item.ID, "quantity": 5000, "unitPrice": 900}}, "remark": "降价"}).Decode(t, &re)
	if re.Status != "pending_approval" || re.ApprovalComment != "" {
		t.Fatalf("resubmitted %+v", re)
	}
	r2 := w.requestOf(t, w.inbox(t, lead.token), p.ID)
	if r2.ID == r.ID || r2.Amount != 4500 {
		t.Fatalf("new request %+v after %+v", r2, r)
	}
	w.decide(t, 200, lead.token, r2.ID, "approve", "")
	waitUntil(t, "resubmitted order opens", func() bool { return w.getPO(t, p.ID).Status == "open" })
}

func TestAnyAndAllSteps(t *testing.T) {
	w := newWorld(t)
	a := w.user(t, "a", reqctx.RoleManager)
	b := w.user(t, "b", reqctx.RoleManager)
	c := w.user(t, "c", reqctx.RoleManager)
	w.flow(t, map[string]any{"name": "两级", "steps": []map[string]any{
		{"name": "any of a, b", "users": []int64{a.id, b.id}, "mode": "ANY"},
		{"name": "all of b, c", "users": []int64{b.id, c.id}, "mode": "ALL"}}})
	p := w.purchase(t, 1, 100)
	r := w.requestOf(t, w.inbox(t, a.token), p.ID)
	got := w.decide(t, 200, a.token, r.ID, "approve", "")
	if got.State != "PENDING" || got.Step != 2 {
		t.Fatalf("after any-of step: %+v", got)
	}
	if len(w.inbox(t, a.token)) != 0 {
		t.Fatal("a still sees the request after step 1")
	}
	got = w.decide(t, 200, c.token, r.ID, "approve", "")
	if got.State != "PENDING" || got.Step != 2 {
		t.Fatalf("after one of all: %+v", got)
	}
	w.decide(t, 409, c.token, r.ID, "approve", "") // c already decided this step
	if w.getPO(t, p.ID).Status != "pending_approval" {
		t.Fatal("order opened before all approved")
	}
	got = w.decide(t, 200, b.token, r.ID, "approve", "")
	if got.State != "APPROVED" || len(got.History) != 3 {
		t.Fatalf("after all: %+v", got)
	}
	waitUntil(t, "order opens", func() bool { return w.getPO(t, p.ID).Status == "open" })
}

func TestFlowVersions(t *testing.T) {
	w := newWorld(t)
	a := w.user(t, "a", reqctx.RoleManager)
	b := w.user(t, "b", reqctx.RoleManager)
	id := w.flow(t, map[string]any{"name": "采购", "steps": []map[string]any{{"users": []int64{a.id}}}})
	p1 := w.purchase(t, 1, 100)
	var f struct {
		Version int32 `json:"version"`
	}
	w.e.MustDo(t, 200, "PATCH", fmt.Sprintf("/v1/approvalFlows/%d", id), w.e.Admin, map[string]any{"name": "采购",
		"documentType": "purchase_order", "active": true, "steps": []map[string]any{{"users": []int64{b.id}}}}).Decode(t, &f)
	if f.Version != 2 {
		t.Fatalf("version %d", f.Version)
	}
	p2 := w.purchase(t, 1, 100)
	r1 := w.requestOf(t, w.inbox(t, a.token), p1.ID)
	r2 := w.requestOf(t, w.inbox(t, b.token), p2.ID)
	if r1.FlowVersion != 1 || r2.FlowVersion != 2 {
		t.Fatalf("versions %d %d", r1.FlowVersion, r2.FlowVersion)
	}
	w.decide(t, 200, a.token, r1.ID, "approve", "")
	var list struct {
		ApprovalFlows []struct {
			ID      int64 `json:"id"`
			Version int32 `json:"version"`
		} `json:"approvalFlows"`
	}
	w.e.MustDo(t, 200, "GET", "/v1/approvalFlows", w.e.Admin, nil).Decode(t, &list)
	if len(list.ApprovalFlows) != 1 || list.ApprovalFlows[0].Version != 2 {
		t.Fatalf("flows %+v", list)
	}
}

func TestDelegation(t *testing.T) {
	w := newWorld(t)
	away := w.user(t, "away", reqctx.RoleManager)
	stand := w.user(t, "stand", reqctx.RoleManager)
	other := w.user(t, "other", reqctx.RoleManager)
	w.flow(t, map[string]any{"name": "采购", "steps": []map[string]any{{"users": []int64{away.id}}}})
	p := w.purchase(t, 1, 100)
	if len(w.inbox(t, stand.token)) != 0 {
		t.Fatal("delegate sees requests before the delegation")
	}
	r := w.requestOf(t, w.inbox(t, away.token), p.ID)
	w.decide(t, 403, stand.token, r.ID, "approve", "")
	now := time.Now().UTC()
	w.e.MustDo(t, 200, "POST", "/v1/approvalDelegations", away.token, map[string]any{"delegate": stand.id,
		"from": now.Add(-time.Hour).Format(time.RFC3339), "to": now.Add(24 * time.Hour).Format(time.RFC3339)})
	// an expired delegation gives nothing
	w.e.MustDo(t, 200, "POST", "/v1/approvalDelegations", away.token, map[string]any{"delegate": other.id,
		"from": now.Add(-48 * time.Hour).Format(time.RFC3339), "to": now.Add(-24 * time.Hour).Format(time.RFC3339)})
	if len(w.inbox(t, other.token)) != 0 {
		t.Fatal("an expired delegate sees requests")
	}
	w.requestOf(t, w.inbox(t, stand.token), p.ID)
	got := w.decide(t, 200, stand.token, r.ID, "approve", "代批")
	if got.State != "APPROVED" || got.History[0].User != stand.id || got.History[0].OnBehalfOf != away.id {
		t.Fatalf("delegated decision %+v", got)
	}
	waitUntil(t, "order opens", func() bool { return w.getPO(t, p.ID).Status == "open" })
}

// TestConcurrentDecisions: managers decide one any-of step at once; exactly one counts.
func TestConcurrentDecisions(t *testing.T) {
	w := newWorld(t)
	const n = 8
	users := make([]user, n)
	ids := make([]int64, n)
	for i := range users {
		users[i] = w.user(t, fmt.Sprintf("m%d", i), reqctx.RoleManager)
		ids[i] = users[i].id
	}
	w.flow(t, map[string]any{"name": "采购", "steps": []map[string]any{{"users": ids, "mode": "ANY"}}})
	for round := range 3 {
		p := w.purchase(t, 1, 100)
		r := w.requestOf(t, w.inbox(t, users[0].token), p.ID)
		var wg sync.WaitGroup
		codes := make([]int, n)
		bodies := make([]string, n)
		start := make(chan struct{})
		for i := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				action, comment := "approve", ""
				if (i+round)%2 == 1 {
					action, comment = "reject", "no"
				}
				res := w.e.Do(t, "POST", fmt.Sprintf("/v1/approvalRequests/%d:%s", r.ID, action), users[i].token,
					map[string]any{"comment": comment})
				codes[i], bodies[i] = res.Status, string(res.Body)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, c := range codes {
			switch {
			case c == http.StatusOK:
				ok++
			case c == http.StatusConflict && strings.Contains(bodies[i], "ALREADY_DECIDED"):
			default:
				t.Fatalf("decision %d: %d %s", i, c, bodies[i])
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d decisions counted, want 1 (%v)", round, ok, codes)
		}
		var one request
		w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/approvalRequests/%d", r.ID), users[0].token, nil).Decode(t, &one)
		if len(one.History) != 1 {
			t.Fatalf("history %+v", one.History)
		}
	}
}

func jsonUnmarshalLoose(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestSubmitFirst: one document offered under several types goes through the first type
// whose flow matches, and keeps at most one pending request whichever type it goes under;
// Matches answers the same without submitting.
func TestSubmitFirst(t *testing.T) {
	w := newWorld(t)
	boss := w.user(t, "boss", reqctx.RoleManager)
	flow := func(docType string, conditions []map[string]any) int64 {
		return apptest.ID(t, w.e.MustDo(t, 200, "POST", "/v1/approvalFlows", w.e.Admin, map[string]any{"name": docType,
			"documentType": docType, "active": true, "conditions": conditions,
			"steps": []map[string]any{{"users": []int64{boss.id}}}}))
	}
	floor := flow(approval.TypePriceBelowFloor, []map[string]any{{"minDiscountBp": 500}})
	order := flow(approval.TypeDeliveryOrder, nil)
	svc, g, ctx := w.e.App.Approval, w.e.App.DB, t.Context()
	doc := func(docType string, discountBp int64) approval.Document {
		return approval.Document{Type: docType, ID: 4242, Number: "DO-T-4242", Amount: 12_345, Branch: w.branch.ID,
			Warehouse: w.warehouse.ID, Maker: w.buyerID, Attributes: map[string]int64{approval.AttrDiscountBp: discountBp}}
	}
	submit := func(discountBp int64) (int64, string) {
		t.Helper()
		var id int64
		var typ string
		must(t, g.Transaction(func(tx *gorm.DB) error {
			var err error
			id, typ, err = svc.SubmitFirst(ctx, tx, []approval.Document{doc(approval.TypePriceBelowFloor, discountBp),
				doc(approval.TypeDeliveryOrder, discountBp)})
			return err
		}))
		return id, typ
	}
	get := func(id int64) request {
		t.Helper()
		var r request
		w.e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/approvalRequests/%d", id), w.e.Admin, nil).Decode(t, &r)
		return r
	}
	// 3 % below the floor: the floor flow wants 5 %, so the order's own flow applies
	first, typ := submit(300)
	if r := get(first); typ != approval.TypeDeliveryOrder || r.Flow != order || r.DocumentType != typ || r.State != "PENDING" {
		t.Fatalf("first submission %s %+v", typ, r)
	}
	// 8 %: the floor flow; the pending delivery_order request of the document is superseded
	second, typ := submit(800)
	if r := get(second); typ != approval.TypePriceBelowFloor || r.Flow != floor || r.Amount != 12_345 || r.State != "PENDING" {
		t.Fatalf("second submission %s %+v", typ, r)
	}
	if r := get(first); r.State != "SUPERSEDED" {
		t.Fatalf("first request after the second %+v", r)
	}
	var pending int64
	must(t, g.Raw(`SELECT COUNT(*) FROM approval_requests WHERE document_id = 4242 AND state = 'PENDING'`).Scan(&pending).Error)
	if pending != 1 {
		t.Fatalf("%d pending requests for one document", pending)
	}
	// Matches answers without submitting
	for bp, want := range map[int64]bool{300: false, 500: true} {
		if ok, err := svc.Matches(ctx, g, doc(approval.TypePriceBelowFloor, bp)); err != nil || ok != want {
			t.Fatalf("matches at %d bp: %v %v", bp, ok, err)
		}
	}
	if ok, err := svc.Matches(ctx, g, doc(approval.TypeStocktake, 0)); err != nil || ok {
		t.Fatalf("a type without flows matches: %v %v", ok, err)
	}
	must(t, g.Raw(`SELECT COUNT(*) FROM approval_requests WHERE document_id = 4242`).Scan(&pending).Error)
	if pending != 2 {
		t.Fatalf("%d requests after Matches, want 2", pending)
	}
	// offered as a plain order only (say the price was raised to the floor), naming the
	// floor type in also: its pending floor request is superseded all the same
	var third int64
	must(t, g.Transaction(func(tx *gorm.DB) error {
		var err error
		third, typ, err = svc.SubmitFirst(ctx, tx, []approval.Document{doc(approval.TypeDeliveryOrder, 0)},
			approval.TypePriceBelowFloor, approval.TypeOverCreditLimit)
		return err
	}))
	if r := get(third); typ != approval.TypeDeliveryOrder || r.State != "PENDING" || get(second).State != "SUPERSEDED" {
		t.Fatalf("third submission %s %+v, second %+v", typ, r, get(second))
	}
	must(t, g.Raw(`SELECT COUNT(*) FROM approval_requests WHERE document_id = 4242 AND state = 'PENDING'`).Scan(&pending).Error)
	if pending != 1 {
		t.Fatalf("%d pending requests for one document after the third submission", pending)
	}
	// bad candidates are refused, naming the field
	for name, c := range map[string][]approval.Document{
		"":                 {},
		"candidates[1].id": {doc(approval.TypePriceBelowFloor, 0), {Type: approval.TypeDeliveryOrder, ID: 1}},
		"document.type":    {{Type: "invoice", ID: 1}},
	} {
		_, _, err := svc.SubmitFirst(ctx, g, c)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || name != "" && (len(e.Violations) == 0 || e.Violations[0].Field != name) {
			t.Fatalf("candidates %+v: %v", c, err)
		}
	}
	_, _, err := svc.SubmitFirst(ctx, g, []approval.Document{doc(approval.TypeDeliveryOrder, 0)}, "sales_order")
	if e, ok := apperr.As(err); !ok || len(e.Violations) != 1 || e.Violations[0].Field != "also[0]" {
		t.Fatalf("an unknown type in also: %v", err)
	}
}
