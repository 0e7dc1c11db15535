package orders

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/orders/platform"
)

// Import limits.
const (
	maxCSVBytes = 2 << 20
	maxCSVRows  = 20000
)

// csvColumns are the columns a retailer PO file may have; po_number, quantity and sku or
// barcode are required.
var csvColumns = []string{"po_number", "outlet_code", "requested_date", "sku", "barcode", "quantity", "unit_price", "title"}

// ImportRetailerOrders reads a supermarket chain's purchase orders from CSV: rows of one
// po_number form one order of channel "retailer" for the customer, keyed
// "<customer>/<po_number>", delivered to the outlet with that code. Re-importing a PO
// replaces it when it changed and is "unchanged" otherwise. Errors: Invalid (file, header
// or unknown customer); a bad row (or an unknown outlet) rejects its PO with the row and
// the reason, and the other POs of the file are stored.
func (s *Service) ImportRetailerOrders(ctx context.Context, customer int64, content string) ([]PushResult, error) {
	if len(content) > maxCSVBytes {
		return nil, apperr.TooLarge("csv", maxCSVBytes)
	}
	if p := reqctx.PrincipalFrom(ctx); p.Kind == reqctx.ActorAPIKey {
		return nil, apperr.Forbidden("connector keys cannot import retailer orders")
	}
	c, err := s.catalog.Customer(ctx, customer)
	if err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			return nil, apperr.Invalid("customer", fmt.Sprintf("customer %d does not exist", customer))
		}
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(content, "\ufeff")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, apperr.Invalid("csv", "needs a header row: "+strings.Join(csvColumns, ", "))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["po_number"]; !ok {
		return nil, apperr.Invalid("csv", "the header names no po_number column")
	}
	if _, ok := col["quantity"]; !ok {
		return nil, apperr.Invalid("csv", "the header names no quantity column")
	}
	_, hasSKU := col["sku"]
	_, hasBarcode := col["barcode"]
	if !hasSKU && !hasBarcode {
		return nil, apperr.Invalid("csv", "the header names neither a sku nor a barcode column")
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	now := s.now()
	byPO := map[string]*Order{}
	problems := map[string]string{}
	var order []string
	for n := 2; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.Invalid("csv", fmt.Sprintf("row %d: %v", n, err))
		}
		if n > maxCSVRows+1 {
			return nil, apperr.Invalid("csv", fmt.Sprintf("more than %d rows", maxCSVRows))
		}
		po := get(rec, "po_number")
		if po == "" {
			return nil, apperr.Invalid("csv", fmt.Sprintf("row %d: po_number is empty", n))
		}
		o, ok := byPO[po]
		if !ok {
			o = &Order{Channel: ChannelRetailer, PlatformOrderID: fmt.Sprintf("%d/%s", customer, po), Number: po,
				Status: string(platform.StatusPaid), Currency: "CNY", Customer: customer, UpdatedAt: now, CreatedAt: now,
				TaxIncluded: true}
			byPO[po] = o
			order = append(order, po)
			if code := get(rec, "outlet_code"); code != "" {
				outlet, err := s.catalog.OutletByCode(ctx, customer, code)
				if err != nil {
					problems[po] = fmt.Sprintf("row %d: outlet_code %q is not an outlet of %s", n, code, c.Code)
				} else {
					o.Outlet = outlet.ID
					o.Address = platform.Address{Name: outlet.Name, Phone: outlet.Phone, City: outlet.City, Street: outlet.Address}
				}
			}
			if d := get(rec, "requested_date"); d != "" {
				if _, err := time.Parse(time.DateOnly, d); err != nil {
					problems[po] = fmt.Sprintf("row %d: requested_date %q is not YYYY-MM-DD", n, d)
				}
				o.RequestedDate = d
			}
		}
		q, err := platform.ParseMinor(get(rec, "quantity"), 3)
		if err != nil || q <= 0 {
			problems[po] = fmt.Sprintf("row %d: quantity %q is not a positive number with at most 3 decimals", n, get(rec, "quantity"))
			continue
		}
		var price int64
		if p := get(rec, "unit_price"); p != "" {
			if price, err = platform.ParseMinor(p, 2); err != nil || price < 0 {
				problems[po] = fmt.Sprintf("row %d: unit_price %q is not yuan with at most 2 decimals", n, p)
				continue
			}
		}
		l := Line{LineNo: int32(len(o.Lines) + 1), SKU: get(rec, "sku"), Barcode: get(rec, "barcode"), Title: get(rec, "title"),
			Quantity: q, UnitPrice: price}
		o.Lines = append(o.Lines, l)
	}
	if len(order) == 0 {
		return nil, apperr.Invalid("csv", "holds no purchase order rows")
	}
	if len(order) > maxBatch {
		return nil, apperr.Invalid("csv", fmt.Sprintf("holds %d purchase orders; at most %d per file", len(order), maxBatch))
	}
	batch := make([]Order, 0, len(order))
	results := make([]PushResult, len(order))
	var index []int // position in results of each order of the batch
	for i, po := range order {
		results[i].PlatformOrderID = po
		if p, bad := problems[po]; bad {
			results[i].Outcome, results[i].Reason = OutcomeRejected, p
			continue
		}
		o := byPO[po]
		for _, l := range o.Lines {
			a, err := money.LineAmount(l.Quantity, l.UnitPrice)
			if err != nil {
				return nil, apperr.Invalid("csv", fmt.Sprintf("PO %s: amounts out of range", po))
			}
			o.Goods += a
		}
		o.Paid = o.Goods
		batch = append(batch, *o)
		index = append(index, i)
	}
	if len(batch) > 0 {
		stored, err := txn.Mutate(ctx, s.db, func(tx *gorm.DB) ([]PushResult, error) {
			return s.upsert(ctx, tx, 0, batch, SourceImport)
		})
		if err != nil {
			return nil, err
		}
		for j, r := range stored {
			r.PlatformOrderID = order[index[j]]
			results[index[j]] = r
		}
		s.outbox.Notify()
	}
	return results, nil
}
