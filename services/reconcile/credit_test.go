package reconcile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// TestDeliveryOverCreditLimit: a delivery order that takes a customer over its credit
// limit (what it owes on delivery basis, with this order) waits for a manager's approval
// and cannot be scanned meanwhile; one within the limit, or for a customer without a limit,
// goes straight to the warehouse.
func TestDeliveryOverCreditLimit(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-c", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	tight, err := e.App.Catalog.CreateCustomer(ctx, catalog.Customer{Code: "XJ", Name: "新佳超市", Kind: "retailer", CreditLimit: 50000})
	must(t, err)
	// it owes 400.00 for an earlier delivery
	must(t, e.App.DB.Exec(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, doc_date, item_id,
		quantity, unit_price, amount, created_at) VALUES ('customer', ?, 'delivery', 888888, 1, 'DO-OLD', ?, ?, 10000, 4000, 40000, NOW(6))`,
		tight.ID, c.today.AddDate(0, 0, -20), c.sausage.ID).Error)
	if b, err := e.App.Reconcile.Balance(t.Context(), tight.ID); err != nil || b != 40000 {
		t.Fatalf("balance %d %v", b, err)
	}
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "超信用额度", "documentType": "delivery_order",
		"active": true, "conditions": []map[string]any{{"minCreditOver": 1}},
		"steps": []map[string]any{{"name": "销售经理", "role": reqctx.RoleManager, "mode": "ANY"}}})
	boss := e.UserToken(t, "sales-boss", []string{reqctx.RoleManager})
	var po struct {
		ID int64 `json:"id"`
	}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": mustSupplier(t, c), "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 10000, "unitPrice": 2000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 1})

	order := func(customer int64, units int) (int64, string) {
		var do struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		e.MustDo(t, 200, "POST", "/v1/deliveryOrders", c.picker, map[string]any{"customer": customer, "warehouse": c.warehouse.ID,
			"lines": []map[string]any{{"item": c.sausage.ID, "quantity": units * 1000, "unitPrice": 4000}}}).Decode(t, &do)
		return do.ID, do.Status
	}
	// 400.00 owed + 80.00 is within 500.00
	if _, status := order(tight.ID, 2); status != "open" {
		t.Fatalf("within the limit: %s", status)
	}
	// 400.00 + 200.00 is 100.00 over
	over, status := order(tight.ID, 5)
	if status != "pending_approval" {
		t.Fatalf("over the limit: %s", status)
	}
	r := e.Do(t, "POST", "/v1/scanSessions", c.picker, map[string]any{"deliveryOrder": over})
	if r.Status < 400 || !strings.Contains(string(r.Body), "AWAITING_APPROVAL") {
		t.Fatalf("scanning an order under approval: %d %s", r.Status, r.Body)
	}
	// no limit, no approval
	if _, status := order(c.customer.ID, 5); status != "open" {
		t.Fatalf("customer without a limit: %s", status)
	}
	var inbox struct {
		ApprovalRequests []struct {
			ID        int64  `json:"id"`
			Document  int64  `json:"document"`
			Amount    int64  `json:"amount"`
			Condition string `json:"condition"`
		} `json:"approvalRequests"`
	}
	e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", boss, nil).Decode(t, &inbox)
	if len(inbox.ApprovalRequests) != 1 || inbox.ApprovalRequests[0].Document != over || inbox.ApprovalRequests[0].Amount != 20000 ||
		!strings.Contains(inbox.ApprovalRequests[0].Condition, "credit") {
		t.Fatalf("inbox %+v", inbox)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", inbox.ApprovalRequests[0].ID), boss, map[string]any{"comment": "老客户,同意"})
	waitUntil(t, "the approved order opens", func() bool {
		var do struct {
			Status string `json:"status"`
		}
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/deliveryOrders/%d", over), c.picker, nil).Decode(t, &do)
		return do.Status == "open"
	})
	apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/scanSessions", c.picker, map[string]any{"deliveryOrder": over}))
}
