package reconcile_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
)

type approvalPaymentJSON struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	Amount          int64  `json:"amount"`
	Discount        int64  `json:"discount"`
	Allocated       int64  `json:"allocated"`
	Unallocated     int64  `json:"unallocated"`
	Status          string `json:"status"`
	ApprovalRequest int64  `json:"approvalRequest"`
	ApprovalComment string `json:"approvalComment"`
	StatusNote      string `json:"statusNote"`
	Reference       string `json:"reference"`
	Allocations     []struct {
		Invoice  int64 `json:"invoice"`
		Amount   int64 `json:"amount"`
		Discount int64 `json:"discount"`
	} `json:"allocations"`
	RequestedAllocations []struct {
		Invoice  int64 `json:"invoice"`
		Amount   int64 `json:"amount"`
		Discount int64 `json:"discount"`
	} `json:"requestedAllocations"`
}

// purchaseInvoice writes a matched supplier invoice of gross fen (its matching against
// orders and receipts is TestPurchaseInvoiceMatch's subject) and answers its id.
func purchaseInvoice(t *testing.T, e *apptest.Env, supplier int64, their string, gross int64) int64 {
	t.Helper()
	must(t, e.App.DB.Exec(`INSERT INTO purchase_invoices (doc_no, supplier_id, their_no, po_id, po_no, inv_date, due_date, status,
		net, tax, gross, created_at) VALUES (?, ?, ?, 0, '', CURDATE(), CURDATE(), 'MATCHED', ?, 0, ?, NOW(6))`,
		"PI-"+their, supplier, their, gross, gross).Error)
	var id int64
	must(t, e.App.DB.Raw(`SELECT id FROM purchase_invoices WHERE their_no = ?`, their).Scan(&id).Error)
	return id
}

// settled answers what is settled on a purchase invoice.
func settled(t *testing.T, e *apptest.Env, invoice int64) (n int64) {
	t.Helper()
	must(t, e.App.DB.Raw(`SELECT settled FROM purchase_invoices WHERE id = ?`, invoice).Scan(&n).Error)
	return n
}

// financeEvents counts the finance documents a source published (outbox events for
// finance, whatever their state).
func financeEvents(t *testing.T, e *apptest.Env, key string) (n int64) {
	t.Helper()
	must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM outbox_events WHERE topic = 'finance.document' AND event_key = ?`, key).Scan(&n).Error)
	return n
}

type inboxJSON struct {
	ApprovalRequests []struct {
		ID             int64  `json:"id"`
		DocumentType   string `json:"documentType"`
		Document       int64  `json:"document"`
		DocumentNumber string `json:"documentNumber"`
		Amount         int64  `json:"amount"`
	} `json:"approvalRequests"`
}

// redeliver hands reconcile the approval outcome of request twice more, as an outbox
// whose acknowledgement was lost would, plus any forged outcomes, and waits until every
// one was handled.
func redeliver(t *testing.T, e *apptest.Env, request int64, forged ...map[string]any) {
	t.Helper()
	var events []struct {
		Topic, EventKey, RequestID string
		Payload                    []byte
	}
	must(t, e.App.DB.Raw(`SELECT topic, event_key, request_id, payload FROM outbox_events WHERE subscriber = 'reconcile-approvals'
		ORDER BY id`).Scan(&events).Error)
	queue := func(topic, key, reqID string, payload []byte) {
		must(t, e.App.DB.Exec(`INSERT INTO outbox_events (topic, subscriber, event_key, payload, request_id, pending, attempts,
			next_attempt_at, created_at) VALUES (?, 'reconcile-approvals', ?, ?, ?, 1, 0, NOW(6), NOW(6))`, topic, key, payload,
			reqID).Error)
	}
	found := false
	for _, ev := range events {
		var p struct {
			Request int64 `json:"request"`
		}
		must(t, json.Unmarshal(ev.Payload, &p))
		if p.Request != request {
			continue
		}
		found = true
		queue(ev.Topic, ev.EventKey, ev.RequestID, ev.Payload)
		queue(ev.Topic, ev.EventKey, ev.RequestID, ev.Payload)
		break
	}
	if !found {
		t.Fatalf("no outcome of request %d was delivered to reconcile", request)
	}
	for _, f := range forged {
		b, err := json.Marshal(f)
		must(t, err)
		queue("approval.decided", "forged", "forged", b)
	}
	e.App.Outbox.Notify()
	waitUntil(t, "redeliveries handled", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM outbox_events WHERE subscriber = 'reconcile-approvals' AND pending = 1`).Scan(&n).Error)
		return n == 0
	})
}

// TestSupplierPaymentApproval: with a supplier_payment flow from 1,000.00, a payment under
// it is allocated and booked at once; one over it waits with its allocations kept and
// nothing allocated or booked, refuses allocation, and is rejected with a comment, changed
// and resubmitted, and approved: the allocations are made and the payment booked exactly
// once, however often the outcome arrives (a superseded request's outcome changes
// nothing). A payment whose invoice was settled while it waited is booked unallocated, as a
// prepayment, saying why; a rejected one can be cancelled, or resubmitted under the
// threshold and booked at once. Customer receipts never wait.
func TestSupplierPaymentApproval(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	supplier := mustSupplier(t, c)
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "大额付款", "documentType": "supplier_payment",
		"active": true, "conditions": []map[string]any{{"minAmount": 100000}},
		"steps": []map[string]any{{"name": "总经理", "role": reqctx.RoleManager, "mode": "ANY"}}})
	boss := e.UserToken(t, "pay-boss", []string{reqctx.RoleManager})
	invA := purchaseInvoice(t, e, supplier, "FP-A", 100000)
	invB := purchaseInvoice(t, e, supplier, "FP-B", 50000)
	invC := purchaseInvoice(t, e, supplier, "FP-C", 80000)
	get := func(id int64) (p approvalPaymentJSON) {
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/supplierPayments/%d", id), c.finance, nil).Decode(t, &p)
		return p
	}

	// under the threshold: allocated and booked at once, as without approvals
	var small approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 30000,
		"allocations": []map[string]any{{"invoice": invB, "amount": 30000}}}).Decode(t, &small)
	if small.Status != "RECORDED" || small.ApprovalRequest != 0 || small.Allocated != 30000 || settled(t, e, invB) != 30000 ||
		financeEvents(t, e, fmt.Sprintf("supplier_payment/%d", small.ID)) != 1 {
		t.Fatalf("small payment %+v, invoice B settled %d", small, settled(t, e, invB))
	}
	// a customer receipt over the threshold needs no approval
	var receipt approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/customerReceipts", c.finance, map[string]any{"party": c.customer.ID, "method": "bank",
		"amount": 500000}).Decode(t, &receipt)
	if receipt.Status != "RECORDED" || receipt.ApprovalRequest != 0 || receipt.Unallocated != 500000 {
		t.Fatalf("customer receipt %+v", receipt)
	}

	// over it: pending, the allocations kept, nothing allocated, nothing for finance
	var big approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 120000,
		"reference": "ICBC-0001", "allocations": []map[string]any{{"invoice": invA, "amount": 100000}, {"invoice": invB, "amount": 20000}}}).
		Decode(t, &big)
	if big.Status != "PENDING_APPROVAL" || big.ApprovalRequest == 0 || big.Allocated != 0 || big.Discount != 0 ||
		len(big.Allocations) != 0 || len(big.RequestedAllocations) != 2 || big.RequestedAllocations[0].Invoice != invA ||
		big.RequestedAllocations[0].Amount != 100000 || big.RequestedAllocations[1].Amount != 20000 {
		t.Fatalf("pending payment %+v", big)
	}
	bigKey := fmt.Sprintf("supplier_payment/%d", big.ID)
	if settled(t, e, invA) != 0 || settled(t, e, invB) != 30000 || financeEvents(t, e, bigKey) != 0 {
		t.Fatalf("a pending payment allocated or booked: A %d, B %d, finance events %d", settled(t, e, invA), settled(t, e, invB),
			financeEvents(t, e, bigKey))
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:allocate", big.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": invA, "amount": 100}}}), "PAYMENT_AWAITING_APPROVAL", big.Number)
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:cancel", big.ID), c.finance, map[string]any{"reason": "x"}),
		"PAYMENT_NOT_REJECTED", "pending_approval")
	refused(t, e.Do(t, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 200000,
		"allocations": []map[string]any{{"invoice": invA, "amount": 100001}}}), "OVER_ALLOCATED", "allocations[0].amount")
	// our statement with the supplier does not count it
	var a accountJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/suppliers/%d/accountStatements:generate", supplier), c.finance, map[string]any{
		"from": c.today.AddDate(0, 0, -1).Format(time.DateOnly), "to": c.today.AddDate(0, 0, 1).Format(time.DateOnly)}).Decode(t, &a)
	if a.Received != 30000 {
		t.Fatalf("supplier statement counts %d paid, want 30000 (the pending payment is not paid)", a.Received)
	}

	var inbox inboxJSON
	e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", boss, nil).Decode(t, &inbox)
	if len(inbox.ApprovalRequests) != 1 || inbox.ApprovalRequests[0].ID != big.ApprovalRequest ||
		inbox.ApprovalRequests[0].DocumentType != "supplier_payment" || inbox.ApprovalRequests[0].Document != big.ID ||
		inbox.ApprovalRequests[0].Amount != 120000 || inbox.ApprovalRequests[0].DocumentNumber != big.Number {
		t.Fatalf("inbox %+v, payment %+v", inbox, big)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", big.ApprovalRequest), boss,
		map[string]any{"comment": "发票A先扣5元质保金"})
	waitUntil(t, "the rejection reaches the payment", func() bool { return get(big.ID).Status == "REJECTED" })
	rejected := get(big.ID)
	if rejected.ApprovalComment != "发票A先扣5元质保金" || rejected.Allocated != 0 || len(rejected.RequestedAllocations) != 2 ||
		settled(t, e, invA) != 0 || financeEvents(t, e, bigKey) != 0 {
		t.Fatalf("rejected payment %+v", rejected)
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:allocate", big.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": invA, "amount": 100}}}), "PAYMENT_REJECTED", big.Number)
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", big.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": invA, "amount": 130000}}}), "INVALID_ARGUMENT", "allocations")
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", big.ID), c.finance, map[string]any{
		"method": "cheque"}), "INVALID_ARGUMENT", "method")

	// changed (a 5.00 cash discount on invoice A, 995.00 paid on it) and resubmitted
	var again approvalPaymentJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", big.ID), c.finance, map[string]any{
		"reference": "ICBC-0002", "allocations": []map[string]any{{"invoice": invA, "amount": 99500, "discount": 500},
			{"invoice": invB, "amount": 20000}}}).Decode(t, &again)
	if again.Status != "PENDING_APPROVAL" || again.ApprovalRequest == 0 || again.ApprovalRequest == big.ApprovalRequest ||
		again.ApprovalComment != "" || again.Amount != 120000 || again.Reference != "ICBC-0002" ||
		len(again.RequestedAllocations) != 2 || again.RequestedAllocations[0].Discount != 500 {
		t.Fatalf("resubmitted payment %+v", again)
	}
	// the late approval of the superseded request changes nothing
	redeliver(t, e, big.ApprovalRequest, map[string]any{"request": big.ApprovalRequest, "documentType": "supplier_payment",
		"document": big.ID, "outcome": "approved"})
	if p := get(big.ID); p.Status != "PENDING_APPROVAL" || p.ApprovalRequest != again.ApprovalRequest || p.Allocated != 0 ||
		financeEvents(t, e, bigKey) != 0 {
		t.Fatalf("a superseded request's outcome changed the payment: %+v", p)
	}

	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", again.ApprovalRequest), boss, map[string]any{"comment": "同意"})
	waitUntil(t, "the approval reaches the payment", func() bool { return get(big.ID).Status == "RECORDED" })
	check := func() {
		t.Helper()
		p := get(big.ID)
		if p.Allocated != 119500 || p.Discount != 500 || p.Unallocated != 500 || len(p.Allocations) != 2 ||
			len(p.RequestedAllocations) != 0 || p.ApprovalComment != "同意" || p.StatusNote != "" {
			t.Fatalf("approved payment %+v", p)
		}
		if settled(t, e, invA) != 100000 || settled(t, e, invB) != 50000 || financeEvents(t, e, bigKey) != 1 {
			t.Fatalf("after approval: A settled %d, B settled %d, finance events %d", settled(t, e, invA), settled(t, e, invB),
				financeEvents(t, e, bigKey))
		}
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM invoice_settlements WHERE source_type = 'payment' AND source_id = ?`, big.ID).Scan(&n).Error)
		if n != 2 {
			t.Fatalf("%d settlements of the payment, want 2", n)
		}
	}
	check()
	// the outcome twice more, and a forged rejection of the same request: nothing changes
	redeliver(t, e, again.ApprovalRequest, map[string]any{"request": again.ApprovalRequest, "documentType": "supplier_payment",
		"document": big.ID, "outcome": "rejected", "comment": "late"})
	check()
	bookedOnce(t, e, map[string]int{"supplier_payment": 2})
	// the payable falls by the money and the discount: 1,200.00 paid + 5.00 discount
	if got, want := strings.Join(voucherLines(t, e, "supplier_payment", big.ID), ", "), "2202 120500/0, 1002 0/120000, 5603 0/500"; got != want {
		t.Fatalf("payment voucher %s, want %s", got, want)
	}

	// approved after its invoice was settled by another payment: booked as a prepayment
	var late approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 150000,
		"allocations": []map[string]any{{"invoice": invC, "amount": 80000}}}).Decode(t, &late)
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "cash", "amount": 80000,
		"allocations": []map[string]any{{"invoice": invC, "amount": 80000}}})
	if late.Status != "PENDING_APPROVAL" || settled(t, e, invC) != 80000 {
		t.Fatalf("late payment %+v, C settled %d", late, settled(t, e, invC))
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", late.ApprovalRequest), boss, map[string]any{})
	waitUntil(t, "the approval reaches the late payment", func() bool { return get(late.ID).Status == "RECORDED" })
	if p := get(late.ID); p.Allocated != 0 || p.Unallocated != 150000 || len(p.Allocations) != 0 ||
		!strings.Contains(p.StatusNote, "prepayment") || !strings.Contains(p.StatusNote, fmt.Sprintf("invoice %d has 0 fen open", invC)) ||
		settled(t, e, invC) != 80000 || financeEvents(t, e, fmt.Sprintf("supplier_payment/%d", late.ID)) != 1 {
		t.Fatalf("approved payment whose invoice was settled meanwhile: %+v, C settled %d", p, settled(t, e, invC))
	}
	// its prepayment is allocatable like any other
	var lateAlloc approvalPaymentJSON
	invD := purchaseInvoice(t, e, supplier, "FP-D", 40000)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/supplierPayments/%d:allocate", late.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": invD, "amount": 40000}}}).Decode(t, &lateAlloc)
	if lateAlloc.Allocated != 40000 || settled(t, e, invD) != 40000 {
		t.Fatalf("allocating the prepayment: %+v", lateAlloc)
	}

	// rejected and cancelled: kept with the reason, never booked
	var dropped approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 100000}).
		Decode(t, &dropped)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", dropped.ApprovalRequest), boss, map[string]any{"comment": "重复付款"})
	waitUntil(t, "the rejection reaches the payment", func() bool { return get(dropped.ID).Status == "REJECTED" })
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:cancel", dropped.ID), c.finance, map[string]any{}),
		"INVALID_ARGUMENT", "reason")
	var cancelled approvalPaymentJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/supplierPayments/%d:cancel", dropped.ID), c.finance, map[string]any{"reason": "重复付款,作废"}).
		Decode(t, &cancelled)
	if cancelled.Status != "CANCELLED" || cancelled.StatusNote != "重复付款,作废" || cancelled.ApprovalComment != "重复付款" ||
		financeEvents(t, e, fmt.Sprintf("supplier_payment/%d", dropped.ID)) != 0 {
		t.Fatalf("cancelled payment %+v", cancelled)
	}
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", dropped.ID), c.finance, map[string]any{}),
		"PAYMENT_NOT_REJECTED", "cancelled")
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:allocate", dropped.ID), c.finance, map[string]any{
		"allocations": []map[string]any{{"invoice": invD, "amount": 1}}}), "PAYMENT_CANCELLED", dropped.Number)

	// rejected, then resubmitted under the threshold: no flow matches, booked at once
	invE := purchaseInvoice(t, e, supplier, "FP-E", 90000)
	var cut approvalPaymentJSON
	e.MustDo(t, 200, "POST", "/v1/supplierPayments", c.finance, map[string]any{"party": supplier, "method": "bank", "amount": 110000,
		"allocations": []map[string]any{{"invoice": invE, "amount": 90000}}}).Decode(t, &cut)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", cut.ApprovalRequest), boss, map[string]any{"comment": "只付发票金额"})
	waitUntil(t, "the rejection reaches the payment", func() bool { return get(cut.ID).Status == "REJECTED" })
	refused(t, e.Do(t, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", cut.ID), c.finance, map[string]any{"amount": 80000}),
		"INVALID_ARGUMENT", "amount")
	var booked approvalPaymentJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/supplierPayments/%d:resubmit", cut.ID), c.finance, map[string]any{"amount": 90000}).
		Decode(t, &booked)
	if booked.Status != "RECORDED" || booked.ApprovalRequest != 0 || booked.Amount != 90000 || booked.Allocated != 90000 ||
		len(booked.RequestedAllocations) != 0 || settled(t, e, invE) != 90000 ||
		financeEvents(t, e, fmt.Sprintf("supplier_payment/%d", cut.ID)) != 1 {
		t.Fatalf("resubmitted under the threshold: %+v, E settled %d", booked, settled(t, e, invE))
	}
	if got := get(cut.ID); got.Status != "RECORDED" || got.Allocated != 90000 || len(got.Allocations) != 1 {
		t.Fatalf("stored %+v", got)
	}
}

// TestStatementWriteOffApproval: with a statement_write_off flow from 1.00 and a 10.00
// write-off limit, a 0.50 write-off applies at once, a 20.00 one is refused over the
// limit, and the 5.00 and 1.60 ones wait for approval: the lines stay undecided, cannot
// be changed, and the statement cannot be confirmed. Rejection sends the 1.60 line back
// to undecided with the comment on it; approval resolves the 5.00 line (once, however
// often the outcome arrives); the 1.60 write-off is tried again (a new request) and
// rejected again, then disputed, and the statement confirms with 5.50 written off.
func TestStatementWriteOffApproval(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	day := c.today.Format(time.DateOnly)
	docNo := func(id int64) (n string) {
		must(t, e.App.DB.Raw(`SELECT doc_no FROM trade_lines WHERE id = ?`, id).Scan(&n).Error)
		return n
	}
	d1 := docNo(tradeLine(t, e, "delivery", c.customer.ID, c.s1.ID, c.sausage, 10, 3990, day)) // 399.00
	d2 := docNo(tradeLine(t, e, "delivery", c.customer.ID, c.s1.ID, c.bacon, 5, 5800, day))    // 290.00
	d3 := docNo(tradeLine(t, e, "delivery", c.customer.ID, c.s1.ID, c.sausage, 4, 3990, day))  // 159.60
	d4 := docNo(tradeLine(t, e, "delivery", c.customer.ID, c.s1.ID, c.bacon, 1, 5800, day))    // 58.00
	d5 := docNo(tradeLine(t, e, "delivery", c.customer.ID, c.s2.ID, c.sausage, 20, 3990, day)) // 798.00
	e.MustDo(t, 200, "PUT", fmt.Sprintf("/v1/customers/%d/reconcileSettings", c.customer.ID), c.finance, map[string]any{
		"writeOffLimit": 1000})
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "对账核销", "documentType": "statement_write_off",
		"active": true, "conditions": []map[string]any{{"minAmount": 100}},
		"steps": []map[string]any{{"name": "财务经理", "role": reqctx.RoleManager, "mode": "ANY"}}})
	boss := e.UserToken(t, "wo-boss", []string{reqctx.RoleManager})
	profile := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/importProfiles", c.finance, map[string]any{"name": "永辉简单对账",
		"format": "csv", "columns": map[string]string{"statementNumber": "结算单号", "documentNumber": "验收单", "documentDate": "日期",
			"deliveryNumber": "送货单号", "supplierItemCode": "货号", "receivedQuantity": "数量", "unitPrice": "单价", "amount": "金额"}}))
	file := "结算单号,验收单,日期,送货单号,货号,数量,单价,金额\n" +
		"YH-JS-07,GR-1," + day + "," + d1 + ",XC-001,10,39.90,399.00\n" + // row 2: matched
		"YH-JS-07,GR-2," + day + "," + d2 + ",LR-002,5,57.00,285.00\n" + // row 3: 5.00 less
		"YH-JS-07,GR-3," + day + "," + d3 + ",XC-001,4,39.50,158.00\n" + // row 4: 1.60 less
		"YH-JS-07,GR-4," + day + "," + d4 + ",LR-002,1,57.50,57.50\n" + // row 5: 0.50 less
		"YH-JS-07,GR-5," + day + "," + d5 + ",XC-001,20,38.90,778.00\n" // row 6: 20.00 less
	var st statementJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/customers/%d/statements:import", c.customer.ID), c.finance, map[string]any{
		"profile": profile, "fileName": "yh-07.csv", "content": base64.StdEncoding.EncodeToString([]byte(file))}).Decode(t, &st)
	type lineJSON struct {
		Row              int    `json:"row"`
		Match            string `json:"match"`
		AmountDifference int64  `json:"amountDifference"`
		Resolution       string `json:"resolution"`
		ResolutionNote   string `json:"resolutionNote"`
		WriteOffState    string `json:"writeOffState"`
		WriteOffRequest  int64  `json:"writeOffRequest"`
		WriteOffComment  string `json:"writeOffComment"`
	}
	lines := func() map[int]lineJSON {
		var s struct {
			Lines []lineJSON `json:"lines"`
		}
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/statements/%d", st.ID), c.finance, nil).Decode(t, &s)
		out := map[int]lineJSON{}
		for _, l := range s.Lines {
			out[l.Row] = l
		}
		return out
	}
	for row, diff := range map[int]int64{2: 0, 3: -500, 4: -160, 5: -50, 6: -2000} {
		if l := lines()[row]; l.AmountDifference != diff || (diff != 0) != (l.Match == "PRICE_DIFFERENCE") {
			t.Fatalf("row %d: %+v, want a difference of %d", row, l, diff)
		}
	}
	resolve := func(row int, action, note string) apptest.Response {
		return e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d/lines/%d:resolve", st.ID, row), c.finance, map[string]any{"action": action,
			"note": note})
	}
	confirm := func() apptest.Response {
		return e.Do(t, "POST", fmt.Sprintf("/v1/statements/%d:confirm", st.ID), c.finance, map[string]any{})
	}
	var l lineJSON
	// under the flow's threshold: written off at once
	must(t, json.Unmarshal(resolve(5, "WRITE_OFF", "尾差").Body, &l))
	if l.Resolution != "WRITE_OFF" || l.WriteOffState != "" || l.WriteOffRequest != 0 {
		t.Fatalf("small write-off %+v", l)
	}
	// the limit stays a hard ceiling
	refused(t, resolve(6, "WRITE_OFF", ""), "OVER_WRITE_OFF_LIMIT", "row 6")
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/6:resolve", st.ID), c.finance, map[string]any{"action": "ACCEPT",
		"note": "促销价"})
	// over the threshold: pending, the line undecided
	var l3, l4 lineJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/3:resolve", st.ID), c.finance, map[string]any{"action": "WRITE_OFF",
		"note": "价差5元核销"}).Decode(t, &l3)
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/4:resolve", st.ID), c.finance, map[string]any{"action": "WRITE_OFF"}).
		Decode(t, &l4)
	if l3.Resolution != "" || l3.WriteOffState != "PENDING" || l3.WriteOffRequest == 0 || l3.ResolutionNote != "价差5元核销" ||
		l4.WriteOffState != "PENDING" || l4.WriteOffRequest == 0 || l4.WriteOffRequest == l3.WriteOffRequest {
		t.Fatalf("pending write-offs %+v %+v", l3, l4)
	}
	if got := lines()[3]; got != l3 {
		t.Fatalf("row 3 reads %+v, answered %+v", got, l3)
	}
	refused(t, resolve(3, "ACCEPT", ""), "WRITE_OFF_AWAITING_APPROVAL", "row 3")
	refused(t, resolve(4, "WRITE_OFF", ""), "WRITE_OFF_AWAITING_APPROVAL", "row 4")
	refused(t, confirm(), "WRITE_OFF_AWAITING_APPROVAL", "rows 3, 4")

	var inbox inboxJSON
	e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", boss, nil).Decode(t, &inbox)
	amounts := map[int64]int64{}
	for _, r := range inbox.ApprovalRequests {
		if r.DocumentType != "statement_write_off" || !strings.HasPrefix(r.DocumentNumber, "YH-JS-07 row ") {
			t.Fatalf("inbox %+v", inbox)
		}
		amounts[r.ID] = r.Amount
	}
	if len(amounts) != 2 || amounts[l3.WriteOffRequest] != 500 || amounts[l4.WriteOffRequest] != 160 {
		t.Fatalf("inbox amounts %v", amounts)
	}

	// rejected: back to undecided, the comment on the line
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", l4.WriteOffRequest), boss, map[string]any{"comment": "找永辉要差价"})
	waitUntil(t, "the rejection reaches the line", func() bool { return lines()[4].WriteOffState == "REJECTED" })
	if got := lines()[4]; got.Resolution != "" || got.WriteOffComment != "找永辉要差价" {
		t.Fatalf("rejected write-off %+v", got)
	}
	refused(t, confirm(), "WRITE_OFF_AWAITING_APPROVAL", "rows 3 ")

	// approved: the line is written off, once
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", l3.WriteOffRequest), boss, map[string]any{"comment": "同意"})
	waitUntil(t, "the approval reaches the line", func() bool { return lines()[3].WriteOffState == "APPROVED" })
	want3 := lineJSON{Row: 3, Match: "PRICE_DIFFERENCE", AmountDifference: -500, Resolution: "WRITE_OFF", ResolutionNote: "价差5元核销",
		WriteOffState: "APPROVED", WriteOffRequest: l3.WriteOffRequest, WriteOffComment: "同意"}
	if got := lines()[3]; got != want3 {
		t.Fatalf("approved write-off %+v, want %+v", got, want3)
	}
	writeOffID := func(row int) (id int64) {
		must(t, e.App.DB.Raw(`SELECT id FROM statement_write_offs WHERE statement_id = ? AND row_no = ?`, st.ID, row).Scan(&id).Error)
		return id
	}
	// the outcome twice more, and a forged rejection of the same request: nothing changes
	redeliver(t, e, l3.WriteOffRequest, map[string]any{"request": l3.WriteOffRequest, "documentType": "statement_write_off",
		"document": writeOffID(3), "outcome": "rejected", "comment": "late"})
	if got := lines()[3]; got != want3 {
		t.Fatalf("after redelivery: row 3 %+v", got)
	}
	refused(t, confirm(), "LINES_UNRESOLVED", "decide rows 4")

	// finance tries the write-off of row 4 again: a new request; the first one's outcome,
	// delivered again, changes nothing
	var retry lineJSON
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/4:resolve", st.ID), c.finance, map[string]any{"action": "WRITE_OFF",
		"note": "再申请"}).Decode(t, &retry)
	if retry.WriteOffState != "PENDING" || retry.WriteOffRequest == l4.WriteOffRequest || retry.WriteOffComment != "" {
		t.Fatalf("write-off tried again %+v", retry)
	}
	redeliver(t, e, l4.WriteOffRequest)
	if got := lines()[4]; got != retry {
		t.Fatalf("the first request's outcome changed the retried write-off: %+v, want %+v", got, retry)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", retry.WriteOffRequest), boss, map[string]any{"comment": "不同意"})
	waitUntil(t, "the second rejection reaches the line", func() bool { return lines()[4].WriteOffState == "REJECTED" })
	if got := lines()[4]; got.Resolution != "" || got.WriteOffComment != "不同意" || got.WriteOffRequest != retry.WriteOffRequest {
		t.Fatalf("rejected again %+v", got)
	}

	// finance decides the rejected line otherwise, and the statement confirms
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/4:resolve", st.ID), c.finance, map[string]any{"action": "DISPUTE",
		"note": "合同价39.90"})
	var conf struct {
		Statement          statementJSON `json:"statement"`
		WriteOffs          int64         `json:"writeOffs"`
		Adjustments        int64         `json:"adjustments"`
		ReceivableDecrease int64         `json:"receivableDecrease"`
		Disputed           int           `json:"disputed"`
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d:confirm", st.ID), c.finance, map[string]any{}).Decode(t, &conf)
	if conf.WriteOffs != 550 || conf.Adjustments != 2000 || conf.ReceivableDecrease != 2550 || conf.Disputed != 1 ||
		conf.Statement.Status != "DISPUTED" {
		t.Fatalf("confirmation %+v", conf)
	}
	if n := financeEvents(t, e, fmt.Sprintf("retailer_statement/%d", st.ID)); n != 1 {
		t.Fatalf("%d finance documents of the statement, want 1", n)
	}
}
