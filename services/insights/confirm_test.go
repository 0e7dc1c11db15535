package insights_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	insightsv1 "github.com/erphub/erphub/api/erp/insights/v1"
	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// Confirmation turns suggestions into warehouse documents once, whoever confirms what
// at the same time. Stored suggestions of one run:
//
//	a  order S1 → W1  X 3000      one supplier group: one purchase order,
//	b  order S1 → W1  Y 1500      X at S1's last price 2.50, Y at the price given
//	c  order S1 → W2  X  700      another warehouse: its own purchase order
//	d  order  - → W2  Y  500      no supplier known: the person names one
//
// A purchase-order approval flow applies to every amount, so the orders wait in
// pending_approval like any other.
func TestConfirmSuggestionsOnce(t *testing.T) {
	e := apptest.Start(t)
	ctx := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	cq, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆"})
	must(t, err)
	cd, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CD", Name: "成都"})
	must(t, err)
	w1, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W1", Name: "一号仓", Branch: cq.ID})
	must(t, err)
	w2, err := cat.CreateWarehouse(ctx, catalog.Warehouse{Code: "W2", Name: "二号仓", Branch: cq.ID})
	must(t, err)
	x, err := cat.CreateItem(ctx, catalog.Item{SKU: "X", Name: "腊肉", Unit: "bag", Active: true})
	must(t, err)
	y, err := cat.CreateItem(ctx, catalog.Item{SKU: "Y", Name: "香肠", Unit: "bag", Active: true})
	must(t, err)
	s1, err := cat.CreateSupplier(ctx, catalog.Supplier{Code: "S1", Name: "肉联厂"})
	must(t, err)
	s2, err := cat.CreateSupplier(ctx, catalog.Supplier{Code: "S2", Name: "食品厂"})
	must(t, err)
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "采购", "documentType": "purchase_order",
		"active": true, "steps": []map[string]any{{"name": "经理", "role": reqctx.RoleManager, "mode": "ANY"}}})

	g := e.App.DB.WithContext(ctx)
	exec := func(q string, args ...any) {
		t.Helper()
		must(t, g.Exec(q, args...).Error)
	}
	ts := time.Now().UTC()
	exec(`INSERT INTO purchase_orders (id, doc_no, branch_id, supplier_id, warehouse_id, status, created_at, updated_at)
		VALUES (6001, 'PO-T-1', ?, ?, ?, 'received', ?, ?), (6002, 'PO-T-2', ?, ?, ?, 'cancelled', ?, ?)`,
		cq.ID, s1.ID, w1.ID, ts, ts, cq.ID, s1.ID, w1.ID, ts, ts)
	exec(`INSERT INTO purchase_order_lines (purchase_order_id, line_no, item_id, quantity, received, unit_cost)
		VALUES (6001, 1, ?, 1000, 1000, 250), (6002, 1, ?, 1000, 0, 999)`, x.ID, x.ID) // a cancelled order's price does not count
	run := time.Now().In(e.App.Cfg.TimeZone).Format(time.DateOnly)
	suggest := func(supplier, warehouse, item, qty int64) int64 {
		t.Helper()
		exec(`INSERT INTO insights_suggestions (run_date, kind, supplier_id, warehouse_id, item_id, quantity, status, created_at, updated_at)
			VALUES (?, 'order', ?, ?, ?, ?, 'draft', ?, ?)`, run, supplier, warehouse, item, qty, ts, ts)
		var id int64
		must(t, g.Raw(`SELECT MAX(id) FROM insights_suggestions`).Scan(&id).Error)
		return id
	}
	a, b := suggest(s1.ID, w1.ID, x.ID, 3000), suggest(s1.ID, w1.ID, y.ID, 1500)
	c, d := suggest(s1.ID, w2.ID, x.ID, 700), suggest(0, w2.ID, y.ID, 500)

	client := insightsv1.NewInsightsServiceClient(e.Conn)
	manager := apptest.GRPCContext(e.UserToken(t, "boss", []string{reqctx.RoleManager}))
	refused := func(err error, code codes.Code, field string) {
		t.Helper()
		st, _ := status.FromError(err)
		if st.Code() != code || field != "" && !strings.Contains(st.Message(), field) &&
			!strings.Contains(fmt.Sprint(st.Details()), field) {
			t.Fatalf("err %v, want %s naming %s", err, code, field)
		}
	}
	// Y has never come from S1: its price must be given
	_, err = client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: a})
	refused(err, codes.InvalidArgument, "prices")
	// a manager of another branch may not order for W1; nothing is confirmed
	other := apptest.GRPCContext(e.UserToken(t, "cd-boss", []string{reqctx.RoleManager}, cd.ID))
	_, err = client.ConfirmSuggestion(other, &insightsv1.ConfirmSuggestionRequest{Id: a,
		Prices: []*insightsv1.LinePrice{{ItemId: y.ID, UnitPrice: 180}}})
	refused(err, codes.PermissionDenied, "")

	// eight people confirm a and b at once: one purchase order, both lines
	const n = 8
	answers := make([]*insightsv1.ConfirmSuggestionResponse, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := a
			if i%2 == 1 {
				id = b
			}
			answers[i], errs[i] = client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: id,
				Prices: []*insightsv1.LinePrice{{ItemId: y.ID, UnitPrice: 180}}})
		}()
	}
	wg.Wait()
	created := 0
	var doc *insightsv1.CreatedDocument
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("confirmation %d: %v", i, errs[i])
		}
		got := answers[i].GetSuggestion().GetDocument()
		if doc == nil {
			doc = got
		}
		if got.GetType() != "purchase_order" || got.GetId() != doc.GetId() || got.GetNumber() != doc.GetNumber() ||
			len(answers[i].GetConfirmed()) != 2 {
			t.Fatalf("answer %d: %v, want document %v and both suggestions", i, answers[i], doc)
		}
		if s := answers[i].GetDocumentStatus(); s != "" {
			created++
			if s != "pending_approval" {
				t.Errorf("created purchase order status %q", s)
			}
		}
	}
	if created != 1 {
		t.Fatalf("%d confirmations created a document, want 1", created)
	}
	type poLine struct{ Item, Quantity, UnitPrice int64 }
	purchaseOrder := func(id int64) string {
		t.Helper()
		var po struct {
			Supplier, Warehouse int64
			Status              string
			Lines               []poLine
		}
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/purchaseOrders/%d", id), e.Admin, nil).Decode(t, &po)
		return fmt.Sprintf("%+v", po)
	}
	if got, want := purchaseOrder(doc.GetId()), fmt.Sprintf("{Supplier:%d Warehouse:%d Status:pending_approval Lines:[{Item:%d Quantity:3000 UnitPrice:250} {Item:%d Quantity:1500 UnitPrice:180}]}",
		s1.ID, w1.ID, x.ID, y.ID); got != want {
		t.Errorf("purchase order\n got %s\nwant %s", got, want)
	}
	var count int64
	must(t, g.Raw(`SELECT COUNT(*) FROM purchase_orders WHERE id > 6002`).Scan(&count).Error)
	if count != 1 {
		t.Fatalf("%d purchase orders made, want 1", count)
	}

	// W2's group is its own order, at S1's last price of X
	rc, err := client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: c})
	must(t, err)
	if got, want := purchaseOrder(rc.GetSuggestion().GetDocument().GetId()), fmt.Sprintf("{Supplier:%d Warehouse:%d Status:pending_approval Lines:[{Item:%d Quantity:700 UnitPrice:250}]}",
		s1.ID, w2.ID, x.ID); got != want || rc.GetSuggestion().GetDocument().GetId() == doc.GetId() {
		t.Errorf("W2's purchase order\n got %s\nwant %s", got, want)
	}

	// d names no supplier: the person names S2 and, as S2 never delivered Y, its price
	_, err = client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: d})
	refused(err, codes.InvalidArgument, "supplier_id")
	_, err = client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: d, SupplierId: s2.ID})
	refused(err, codes.InvalidArgument, "prices")
	rd, err := client.ConfirmSuggestion(manager, &insightsv1.ConfirmSuggestionRequest{Id: d, SupplierId: s2.ID,
		Prices: []*insightsv1.LinePrice{{ItemId: y.ID, UnitPrice: 170}}})
	must(t, err)
	if got, want := purchaseOrder(rd.GetSuggestion().GetDocument().GetId()), fmt.Sprintf("{Supplier:%d Warehouse:%d Status:pending_approval Lines:[{Item:%d Quantity:500 UnitPrice:170}]}",
		s2.ID, w2.ID, y.ID); got != want {
		t.Errorf("S2's purchase order\n got %s\nwant %s", got, want)
	}

	// the list shows every suggestion confirmed, with its document and names
	list, err := client.ListSuggestions(manager, &insightsv1.ListSuggestionsRequest{})
	must(t, err)
	var got string
	for _, s := range list.GetSuggestions() {
		got += fmt.Sprintf("%s %s %s %s %s %s; ", s.GetStatus(), s.GetDocument().GetNumber(), s.GetSupplierName(),
			s.GetWarehouseName(), s.GetItemSku(), s.GetItemName())
	}
	want := fmt.Sprintf("confirmed %[1]s 肉联厂 一号仓 X 腊肉; confirmed %[1]s 肉联厂 一号仓 Y 香肠; confirmed %[2]s 肉联厂 二号仓 X 腊肉; "+
		"confirmed %[3]s 食品厂 二号仓 Y 香肠; ", doc.GetNumber(), rc.GetSuggestion().GetDocument().GetNumber(), rd.GetSuggestion().GetDocument().GetNumber())
	if got != want {
		t.Errorf("suggestions\n got %s\nwant %s", got, want)
	}
}
