package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	reconcilev1 "github.com/erphub/erphub/api/erp/reconcile/v1"
)

// Reconciliation scenario:
//
//   - statement-import-100k: a chain with 900 outlets has 100,000 delivery lines of 200
//     items on our side (20,000 deliveries of five lines; written straight into
//     trade_lines, because scanning out 20,000 deliveries would take hours and is measured
//     by the warehouse scenarios); its 100,000-line settlement file (CSV, 97 % matching,
//     1 % short-received, 1 % at another price, 1 % unknown to us, plus 500 fee lines) is
//     imported and matched in one call. units/s is statement lines per second; the
//     elapsed time is the whole import: decode, parse, resolve, match, store.
//   - account-statement-900: our statement of account of that chain for the 25 days:
//     opening balance, 100,000 delivery lines of 900 outlets, the accepted differences,
//     closing balance, generated and stored in one call. units/s is lines per second.
func init() {
	register(scenario{name: "statement-import-100k", clients: 1, unitsOf: func() int { return *statementLines + 500 },
		setup: setupStatement, op: importOp, once: true},
		scenario{name: "account-statement-900", clients: 1, unitsOf: func() int { return *statementLines },
			setup: setupStatement, op: accountStatementOp, once: true})
}

var statementLines = flag.Int("statement-lines", 100_000, "delivery lines and statement lines for statement-import-100k")

var rec struct {
	once      sync.Once
	err       error
	customer  int64
	profile   int64
	file      []byte
	done      atomic.Bool
	generated atomic.Bool
}

func setupStatement(ctx context.Context, e *env) error {
	rec.once.Do(func() { rec.err = seedChain(ctx, e) })
	return rec.err
}

func seedChain(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	started := time.Now()
	var c struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/customers", map[string]any{"code": "CHAIN", "name": "连锁超市", "kind": "retailer"}, &c); err != nil {
		return err
	}
	rec.customer = c.ID
	const outlets, items = 900, 200
	if err := parallel(8, outlets, func(i int) error {
		return e.call(ctx, "POST", fmt.Sprintf("/v1/customers/%d/outlets", c.ID), map[string]any{"code": fmt.Sprintf("S%04d", i),
			"name": fmt.Sprintf("门店 %d", i)}, nil)
	}); err != nil {
		return err
	}
	ids, err := createItems(ctx, e, "REC", items)
	if err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	// our side: deliveries of five lines each, over the last 25 days
	n := *statementLines
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var file bytes.Buffer
	file.WriteString("类型,单据号,单据日期,订单号,送货单号,门店,货号,订货数量,实收数量,含税单价,含税金额,费用类型\n")
	const chunk = 2000
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		var q strings.Builder
		q.WriteString(`INSERT INTO trade_lines (party_type, party_id, kind, source_id, line_no, doc_no, po_no, outlet_id, outlet_code,
			doc_date, item_id, quantity, unit_price, amount, vat_rate_bp, created_at) VALUES `)
		args := make([]any, 0, (end-start)*16)
		for i := start; i < end; i++ {
			doc, line := i/5, i%5+1
			outlet := fmt.Sprintf("S%04d", doc%outlets)
			item := (doc*7 + line*13) % items
			qty := int64(1+i%40) * 1000
			price := int64(1990 + item*10)
			amount := qty * price / 1000
			day := today.AddDate(0, 0, -(doc % 25))
			deliveryNo := fmt.Sprintf("DO-BX-%07d", doc)
			po := fmt.Sprintf("PO%08d", doc)
			if i > start {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NOW(6))")
			args = append(args, "customer", c.ID, "delivery", 900_000_000+doc, line, deliveryNo, po, 0, outlet, day, ids[item], qty,
				price, amount, 1300)
			// their line: most as delivered; some short, some at another price, some unknown to us
			theirQty, theirPrice, theirDelivery, theirOutlet := qty, price, deliveryNo, outlet
			switch i % 100 {
			case 17:
				theirQty -= 1000
			case 53:
				theirPrice -= 100
			case 91:
				theirDelivery, po, theirOutlet = "", fmt.Sprintf("PX%08d", doc), "S9999"
			}
			theirAmount := theirQty * theirPrice / 1000
			fmt.Fprintf(&file, "收货,GR%08d,%s,%s,%s,%s,REC-%03d,%d,%d,%d.%02d,%d.%02d,\n", doc, day.Format("2006-01-02"), po,
				theirDelivery, theirOutlet, item, qty/1000, theirQty/1000, theirPrice/100, theirPrice%100, theirAmount/100, theirAmount%100)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	for i := range 500 {
		fmt.Fprintf(&file, "费用,FY%05d,%s,,,S%04d,,,,,-%d.00,%s\n", i, today.Format("2006-01-02"), i%outlets, 100+i,
			[]string{"DM海报费", "端架费", "物流费", "销售返利", "条码费"}[i%5])
	}
	rec.file = file.Bytes()
	cols := map[string]string{"recordType": "类型", "documentNumber": "单据号", "documentDate": "单据日期", "poNumber": "订单号",
		"deliveryNumber": "送货单号", "outletCode": "门店", "supplierItemCode": "货号", "orderedQuantity": "订货数量",
		"receivedQuantity": "实收数量", "unitPrice": "含税单价", "amount": "含税金额", "feeType": "费用类型"}
	var p struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/importProfiles", map[string]any{"name": "bench chain", "format": "csv", "columns": cols,
		"recordTypes": map[string]string{"收货": "RECEIPT", "费用": "FEE"}}, &p); err != nil {
		return err
	}
	rec.profile = p.ID
	fmt.Printf("  (%d delivery lines to 900 outlets and a %d-line, %.1f MB statement file ready in %.1f s)\n", n, n+500,
		float64(len(rec.file))/1e6, time.Since(started).Seconds())
	return nil
}

func importOp(ctx context.Context, e *env, w int) error {
	if rec.done.Swap(true) {
		return errExhausted
	}
	resp, err := reconcilev1.NewReconcileServiceClient(e.conn(w)).ImportCustomerStatement(e.auth(ctx),
		&reconcilev1.ImportCustomerStatementRequest{Customer: rec.customer, Profile: rec.profile, FileName: "bench.csv", Content: rec.file})
	if err != nil {
		return err
	}
	c := resp.GetStatement().GetCounts()
	fmt.Printf("  (matched %d, quantity differences %d, price differences %d, only theirs %d, only ours %d, fees %d)\n",
		c["MATCHED"], c["QUANTITY_DIFFERENCE"], c["PRICE_DIFFERENCE"], c["ONLY_THEIRS"], c["ONLY_OURS"], c["FEE"])
	if want := int32(*statementLines * 97 / 100); c["MATCHED"] < want {
		return fmt.Errorf("only %d lines matched, want at least %d", c["MATCHED"], want)
	}
	return nil
}

func accountStatementOp(ctx context.Context, e *env, w int) error {
	if rec.generated.Swap(true) {
		return errExhausted
	}
	today := time.Now().UTC()
	resp, err := reconcilev1.NewReconcileServiceClient(e.conn(w)).GenerateAccountStatement(e.auth(ctx),
		&reconcilev1.GenerateAccountStatementRequest{Customer: rec.customer, From: today.AddDate(0, 0, -30).Format(time.DateOnly),
			To: today.Format(time.DateOnly)})
	if err != nil {
		return err
	}
	st := resp.GetStatement()
	fmt.Printf("  (statement %s: %d lines, %d outlets, closing %d fen)\n", st.GetNumber(), st.GetLineCount(), st.GetOutletCount(),
		st.GetClosing())
	if st.GetOutletCount() != 900 || int(st.GetLineCount()) < *statementLines {
		return fmt.Errorf("statement has %d lines of %d outlets", st.GetLineCount(), st.GetOutletCount())
	}
	return nil
}

// createItems makes n bagged items at 13 % VAT with SKUs PREFIX-000…, 8 at a time, and
// answers their ids in SKU order.
func createItems(ctx context.Context, e *env, prefix string, n int) ([]int64, error) {
	ids := make([]int64, n)
	err := parallel(8, n, func(i int) error {
		var it struct{ ID int64 }
		err := e.call(ctx, "POST", "/v1/items", map[string]any{"sku": fmt.Sprintf("%s-%03d", prefix, i), "name": "腊味",
			"unit": "bag", "vatRateBp": 1300}, &it)
		ids[i] = it.ID
		return err
	})
	return ids, err
}
