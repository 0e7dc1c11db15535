package webapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

type approvalRequest struct {
	ID             int64  `json:"id"`
	DocumentType   string `json:"documentType"`
	Document       int64  `json:"document"`
	DocumentNumber string `json:"documentNumber"`
	State          string `json:"state"`
}

type purchaseOrder struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	Status          string `json:"status"`
	ApprovalComment string `json:"approvalComment"`
}

// eventually polls cond for a few seconds (the approval service may act through the outbox).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestApprovalInboxInBrowser: a manager approves one purchase order over the threshold
// and rejects another in the inbox (two taps each); the first opens, the second goes back
// to its maker with the comment; a request another manager decides leaves the open inbox
// by itself.
func TestApprovalInboxInBrowser(t *testing.T) {
	t.Parallel()
	browserPath(t)
	e := apptest.Start(t)
	if r := e.Do(t, "GET", "/v1/approvalRequests?state=PENDING", e.Admin, nil); r.Status == 404 || r.Status == 501 {
		t.Skip("the approval API is not in this build")
	}
	b := newBrowser(t, e.HTTP)
	admin := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	br, err := cat.CreateBranch(admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := cat.CreateWarehouse(admin, catalog.Warehouse{Code: "CQ-01", Name: "重庆成品仓", Branch: br.ID})
	if err != nil {
		t.Fatal(err)
	}
	sup, err := cat.CreateSupplier(admin, catalog.Supplier{Code: "S1", Name: "渝北肉联"})
	if err != nil {
		t.Fatal(err)
	}
	item, err := cat.CreateItem(admin, catalog.Item{SKU: "XC-001", Name: "麻辣香肠", Unit: "bag", Active: true, VATRateBp: 1300,
		Barcodes: []catalog.Barcode{{Code: gtin("692345600020"), Quantity: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "大额采购", "documentType": "purchase_order",
		"active": true, "conditions": []map[string]any{{"minAmount": 100000}},
		"steps": []map[string]any{{"name": "经理审批", "role": reqctx.RoleManager, "mode": "ANY"}}})
	maker := e.UserToken(t, "li.buyer", []string{reqctx.RoleWarehouse}, br.ID)
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	e.MustDo(t, 200, "GET", "/v1/currentUser", maker, nil).Decode(t, &me)
	mgr := e.UserToken(t, "wang.fang", []string{reqctx.RoleManager}, br.ID)
	other := e.UserToken(t, "zhou.mgr", []string{reqctx.RoleManager}, br.ID)

	order := func(qty int64) int64 { // 200.00 yuan a bag: over the 1,000.00 threshold from 5 bags
		return apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/purchaseOrders", maker, map[string]any{"supplier": sup.ID, "warehouse": wh.ID,
			"lines": []map[string]any{{"item": item.ID, "quantity": qty, "unitPrice": 20000}}}))
	}
	getPO := func(id int64, token string) purchaseOrder {
		var p purchaseOrder
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseOrders/%d", id), token, nil).Decode(t, &p)
		return p
	}
	pending := func() map[int64]approvalRequest { // document -> request, as the manager's inbox has it
		var l struct {
			ApprovalRequests []approvalRequest `json:"approvalRequests"`
		}
		if err := json.Unmarshal(e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", mgr, nil).Body, &l); err != nil {
			t.Fatal(err)
		}
		m := map[int64]approvalRequest{}
		for _, r := range l.ApprovalRequests {
			if r.DocumentType == "purchase_order" {
				m[r.Document] = r
			}
		}
		return m
	}
	toApprove, toReject, elsewhere := order(10000), order(6000), order(8000)
	var reqs map[int64]approvalRequest
	eventually(t, "three pending requests", func() bool { reqs = pending(); return len(reqs) == 3 })
	if s := getPO(toApprove, e.Admin).Status; s != "pending_approval" {
		t.Fatalf("order over the threshold is %s", s)
	}

	// a delivery order that takes a supermarket over its credit limit: the card shows the
	// margin at the current cost and the credit position
	cust, err := cat.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer", CreditLimit: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	e.MustDo(t, 200, "POST", "/v1/adjustments", e.Admin, map[string]any{"warehouse": wh.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": item.ID, "quantity": 50_000, "unitCost": 12_000}}})
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "超信用额度", "documentType": "over_credit_limit",
		"active": true, "conditions": []map[string]any{{"minCreditOver": 1}},
		"steps": []map[string]any{{"name": "经理审批", "role": reqctx.RoleManager, "mode": "ANY"}}})
	overLimit := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/deliveryOrders", maker, map[string]any{"customer": cust.ID,
		"warehouse": wh.ID, "lines": []map[string]any{{"item": item.ID, "quantity": 10_000, "unitPrice": 20_000}}}))
	var creditCard string
	var creditReq int64
	eventually(t, "the delivery order over the credit limit in the inbox", func() bool {
		var l struct {
			ApprovalRequests []approvalRequest `json:"approvalRequests"`
		}
		e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", mgr, nil).Decode(t, &l)
		for _, r := range l.ApprovalRequests {
			if r.DocumentType == "over_credit_limit" && r.Document == overLimit {
				creditCard, creditReq = fmt.Sprintf("#request-%d", r.ID), r.ID
			}
		}
		return creditCard != ""
	})

	b.signIn("wang.fang", "test-password-123")
	b.do(b.visible(creditCard))
	if got := b.text(creditCard); !strings.Contains(got, "¥800.00 (40.00 %)") || !strings.Contains(got, "cost ¥1,200.00") ||
		!strings.Contains(got, "owes ¥0.00 / limit ¥1,000.00 · over by ¥1,000.00") || !strings.Contains(got, "渝佳超市") {
		t.Fatalf("the over-limit card shows %q", got)
	}
	b.shot("inbox-credit")
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", creditReq), other, map[string]any{"comment": "已回款"})
	b.waitFor(fmt.Sprintf(`document.querySelector(%q) === null`, creditCard))
	card := func(doc int64) string { return fmt.Sprintf("#request-%d", reqs[doc].ID) }
	b.do(b.visible(card(toApprove)), b.visible(card(toReject)), b.visible(card(elsewhere)))
	if got := b.text(card(toApprove)); !strings.Contains(got, "¥2,000.00") || !strings.Contains(got, "渝北肉联") ||
		!strings.Contains(got, "XC-001") || !strings.Contains(got, "li.buyer") || !strings.Contains(got, "amount ≥") {
		t.Fatalf("card shows %q", got)
	}
	b.shot("inbox-pending")

	// approve: comment, tap Approve, tap Confirm
	b.do(chromedp.SendKeys(chromedp.CSS(card(toApprove)+" textarea"), "同意，按合同价"),
		chromedp.Click(chromedp.CSS(card(toApprove)+" button.approve")), b.visible(card(toApprove)+" button.confirm-approve"))
	b.shot("inbox-confirm")
	b.do(chromedp.Click(chromedp.CSS(card(toApprove) + " button.confirm-approve")))
	b.waitFor(fmt.Sprintf(`document.querySelector(%q) === null`, card(toApprove)))
	eventually(t, "the approved order to open", func() bool { return getPO(toApprove, e.Admin).Status == "open" })

	// reject with a reason
	b.do(chromedp.SendKeys(chromedp.CSS(card(toReject)+" textarea"), "单价太高，请重新议价"),
		chromedp.Click(chromedp.CSS(card(toReject)+" button.reject")),
		chromedp.Click(chromedp.CSS(card(toReject)+" button.confirm-reject")))
	b.waitFor(fmt.Sprintf(`document.querySelector(%q) === null`, card(toReject)))
	eventually(t, "the rejected order back with its maker", func() bool {
		p := getPO(toReject, maker)
		return p.Status == "rejected" && p.ApprovalComment == "单价太高，请重新议价"
	})

	// another manager decides the third: the open inbox drops it by itself
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", reqs[elsewhere].ID), other, map[string]any{"comment": "ok"})
	b.waitFor(fmt.Sprintf(`document.querySelector(%q) === null`, card(elsewhere)))
	b.do(b.visible("#inbox-empty"))
	if got := b.text("#inbox-flash"); !strings.Contains(got, "Rejected PO-") {
		t.Fatalf("flash %q", got)
	}
	b.shot("inbox-empty")
}
