package orders

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/services/orders/platform"
)

// store holds the order queries; with(tx) scopes them to a transaction.
type store struct{ db *gorm.DB }

func (s store) with(tx *gorm.DB) store { return store{db: tx} }

func row(n, k int) string {
	r := "(" + strings.TrimSuffix(strings.Repeat("?,", k), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(r+",", n), ",")
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullDate(d string) any {
	if d == "" {
		return nil
	}
	return d
}

// storedVersion is what the upsert compares against.
type storedVersion struct {
	ID                int64
	PlatformOrderID   string
	PlatformUpdatedAt time.Time
	ContentHash       []byte
	Status            string
	Exception         string
	Version           int
}

// lockOrders answers the stored versions of a shop's orders by key, locked. Keys are first
// looked up without locks (a locking read of a missing key would take a gap lock, and
// every concurrent batch inserting new orders into the same gap would deadlock); the rows
// found are then locked by primary key, in id order, which reads their latest version. A
// key inserted by another batch after this lookup makes the insert fail on the unique key,
// and the whole transaction runs again.
func (s store) lockOrders(shop int64, keys []string) (map[string]storedVersion, error) {
	var ids []int64
	if err := s.db.Raw(`SELECT id FROM orders WHERE shop_id = ? AND platform_order_id IN ?`, shop, keys).Scan(&ids).Error; err != nil {
		return nil, err
	}
	out := make(map[string]storedVersion, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []storedVersion
	if err := s.db.Raw(`SELECT id, platform_order_id, platform_updated_at, content_hash, status, exception, version
		FROM orders WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.PlatformOrderID] = r
	}
	return out, nil
}

const orderColumns = `shop_id, platform_order_id, channel, order_number, status, currency, buyer_id, buyer_nick, buyer_name,
	buyer_phone, buyer_phone_tail, buyer_email, ship_name, ship_phone, ship_country, ship_province, ship_city, ship_district,
	ship_street, ship_postal_code, goods, discount, shipping, tax, fees, paid, tax_included, platform_created_at, paid_at,
	platform_updated_at, buyer_remark, seller_remark, customer_id, outlet_id, requested_date, exception, exception_detail,
	content_hash, raw, version, created_at, updated_at`

const orderColumnCount = 42

func orderArgs(o *Order, now time.Time) []any {
	return []any{o.Shop, o.PlatformOrderID, o.Channel, o.Number, o.Status, o.Currency, o.Buyer.PlatformID, o.Buyer.Nick,
		o.Buyer.Name, o.Buyer.Phone, phoneTail(o.Buyer.Phone), o.Buyer.Email, o.Address.Name, o.Address.Phone, o.Address.Country,
		o.Address.Province, o.Address.City, o.Address.District, o.Address.Street, o.Address.PostalCode, o.Goods, o.Discount,
		o.Shipping, o.Tax, o.Fees, o.Paid, o.TaxIncluded, nullTime(o.CreatedAt), nullTime(o.PaidAt), o.UpdatedAt.UTC(),
		o.BuyerRemark, o.SellerRemark, o.Customer, o.Outlet, nullDate(o.RequestedDate), o.Exception, o.ExceptionDetail,
		o.hash, o.Raw, o.Version, now, now}
}

// insertOrders inserts new orders in one statement and fills in their ids.
func (s store) insertOrders(orders []*Order, now time.Time) error {
	if len(orders) == 0 {
		return nil
	}
	args := make([]any, 0, len(orders)*orderColumnCount)
	keys := make([]string, len(orders))
	for i, o := range orders {
		args = append(args, orderArgs(o, now)...)
		keys[i] = o.PlatformOrderID
	}
	if len(orders) == 1 {
		// one row: its id comes back with the insert, no second round trip
		res, err := s.db.Statement.ConnPool.ExecContext(s.db.Statement.Context,
			`INSERT INTO orders (`+orderColumns+`) VALUES `+row(1, orderColumnCount), args...)
		if err != nil {
			return err
		}
		orders[0].ID, err = res.LastInsertId()
		return err
	}
	if err := s.db.Exec(`INSERT INTO orders (`+orderColumns+`) VALUES `+row(len(orders), orderColumnCount), args...).Error; err != nil {
		return err
	}
	// auto-increment ids of a multi-row insert are not guaranteed consecutive on every
	// engine (interleaved lock mode, Galera, TiDB): read them back by key
	var ids []struct {
		ID              int64
		PlatformOrderID string
	}
	if err := s.db.Raw(`SELECT id, platform_order_id FROM orders WHERE shop_id = ? AND platform_order_id IN ?`,
		orders[0].Shop, keys).Scan(&ids).Error; err != nil {
		return err
	}
	byKey := make(map[string]int64, len(ids))
	for _, r := range ids {
		byKey[r.PlatformOrderID] = r.ID
	}
	for _, o := range orders {
		o.ID = byKey[o.PlatformOrderID]
	}
	return nil
}

// updateOrders replaces stored versions (rows are locked), in one statement.
func (s store) updateOrders(orders []*Order, now time.Time) error {
	if len(orders) == 0 {
		return nil
	}
	args := make([]any, 0, len(orders)*(orderColumnCount+1))
	for _, o := range orders {
		args = append(args, o.ID)
		args = append(args, orderArgs(o, now)...)
	}
	var set strings.Builder
	for i, c := range strings.Split(orderColumns, ",") {
		c = strings.TrimSpace(c)
		if c == "created_at" || c == "shop_id" || c == "platform_order_id" {
			continue
		}
		if i > 0 && set.Len() > 0 {
			set.WriteString(", ")
		}
		set.WriteString(c + " = VALUES(" + c + ")")
	}
	return s.db.Exec(`INSERT INTO orders (id, `+orderColumns+`) VALUES `+row(len(orders), orderColumnCount+1)+
		` ON DUPLICATE KEY UPDATE `+set.String(), args...).Error
}

// writeLines replaces the lines of orders.
func (s store) writeLines(orders []*Order, replace bool) error {
	if len(orders) == 0 {
		return nil
	}
	if replace {
		ids := make([]int64, len(orders))
		for i, o := range orders {
			ids[i] = o.ID
		}
		if err := s.db.Exec(`DELETE FROM order_lines WHERE order_id IN ?`, ids).Error; err != nil {
			return err
		}
	}
	var args []any
	n := 0
	for _, o := range orders {
		for _, l := range o.Lines {
			args = append(args, o.ID, l.LineNo, l.PlatformLineID, l.SKU, l.Barcode, l.Title, l.Item, l.ItemQuantity, l.Quantity,
				l.UnitPrice, l.Discount, l.RefundStatus)
			n++
		}
	}
	return s.db.Exec(`INSERT INTO order_lines (order_id, line_no, platform_line_id, sku, barcode, title, item_id, item_quantity,
		quantity, unit_price, discount, refund_status) VALUES `+row(n, 12), args...).Error
}

// historyRow is one change to append.
type historyRow struct {
	order                 int64
	event, from, to       string
	platformUpdated       time.Time
	source, detail, reqID string
}

func (s store) appendHistory(rows []historyRow, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, len(rows)*9)
	for _, r := range rows {
		args = append(args, r.order, now, r.event, r.from, r.to, nullTime(r.platformUpdated), r.source, clipText(r.detail, 255), r.reqID)
	}
	return s.db.Exec(`INSERT INTO order_history (order_id, at, event, from_status, to_status, platform_updated_at, source,
		detail, request_id) VALUES `+row(len(rows), 9), args...).Error
}

type orderRow struct {
	ID                                                       int64
	ShopID                                                   int64
	PlatformOrderID, Channel, OrderNumber, Status, Currency  string
	BuyerID, BuyerNick, BuyerName, BuyerPhone, BuyerEmail    string
	ShipName, ShipPhone, ShipCountry, ShipProvince, ShipCity string
	ShipDistrict, ShipStreet, ShipPostalCode                 string
	Goods, Discount, Shipping, Tax, Fees, Paid               int64
	TaxIncluded                                              bool
	PlatformCreatedAt, PaidAt                                sql.NullTime
	PlatformUpdatedAt                                        time.Time
	BuyerRemark, SellerRemark                                string
	CustomerID, OutletID                                     int64
	RequestedDate                                            sql.NullTime
	Exception, ExceptionDetail                               string
	Raw                                                      []byte
	Version                                                  int
	FulfilState, HoldReason                                  string
	Released                                                 bool
}

func (r orderRow) order() Order {
	o := Order{ID: r.ID, Shop: r.ShopID, Channel: r.Channel, PlatformOrderID: r.PlatformOrderID, Number: r.OrderNumber,
		Status: r.Status, Currency: r.Currency,
		Buyer: platform.Buyer{PlatformID: r.BuyerID, Nick: r.BuyerNick, Name: r.BuyerName, Phone: r.BuyerPhone, Email: r.BuyerEmail},
		Address: platform.Address{Name: r.ShipName, Phone: r.ShipPhone, Country: r.ShipCountry, Province: r.ShipProvince,
			City: r.ShipCity, District: r.ShipDistrict, Street: r.ShipStreet, PostalCode: r.ShipPostalCode},
		Goods: r.Goods, Discount: r.Discount, Shipping: r.Shipping, Tax: r.Tax, Fees: r.Fees, Paid: r.Paid, TaxIncluded: r.TaxIncluded,
		UpdatedAt: r.PlatformUpdatedAt, BuyerRemark: r.BuyerRemark, SellerRemark: r.SellerRemark, Customer: r.CustomerID,
		Outlet: r.OutletID, Exception: r.Exception, ExceptionDetail: r.ExceptionDetail, Raw: r.Raw, Version: r.Version,
		FulfilState: r.FulfilState, HoldReason: r.HoldReason}
	if r.PlatformCreatedAt.Valid {
		o.CreatedAt = r.PlatformCreatedAt.Time
	}
	if r.PaidAt.Valid {
		o.PaidAt = r.PaidAt.Time
	}
	if r.RequestedDate.Valid {
		o.RequestedDate = r.RequestedDate.Time.Format(time.DateOnly)
	}
	return o
}

// OrderFilter narrows order lists.
type OrderFilter struct {
	Shop            int64
	Channel         string
	Status          string
	PlatformOrderID string
	PhoneTail       string
	CreatedAfter    time.Time
	CreatedBefore   time.Time
	ExceptionsOnly  bool
	Customer        int64
	FulfilState     string
	FulfilNew       bool    // FulfilState "" as a filter: not yet reviewed
	Shops           []int64 // connector keys: only these shops
}

func (s store) order(id int64) (Order, error) {
	var r orderRow
	res := s.db.Table("orders").Where("id = ?", id).Scan(&r)
	if res.Error != nil {
		return Order{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Order{}, apperr.NotFound("order", id)
	}
	o := r.order()
	orders := []*Order{&o}
	if err := s.loadLines(orders); err != nil {
		return o, err
	}
	var hist []struct {
		At                          time.Time
		Event, FromStatus, ToStatus string
		PlatformUpdatedAt           sql.NullTime
		Source, Detail              string
	}
	if err := s.db.Raw(`SELECT at, event, from_status, to_status, platform_updated_at, source, detail FROM order_history
		WHERE order_id = ? ORDER BY id`, id).Scan(&hist).Error; err != nil {
		return o, err
	}
	for _, h := range hist {
		e := History{At: h.At, Event: h.Event, FromStatus: h.FromStatus, ToStatus: h.ToStatus, Source: h.Source, Detail: h.Detail}
		if h.PlatformUpdatedAt.Valid {
			e.PlatformUpdateTime = h.PlatformUpdatedAt.Time
		}
		o.History = append(o.History, e)
	}
	return o, nil
}

func (s store) loadLines(orders []*Order) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[int64]*Order, len(orders))
	ids := make([]int64, len(orders))
	for i, o := range orders {
		byID[o.ID] = o
		ids[i] = o.ID
	}
	rows, err := s.db.Raw(`SELECT order_id, line_no, platform_line_id, sku, barcode, title, item_id, item_quantity, quantity,
		unit_price, discount, refund_status FROM order_lines WHERE order_id IN ? ORDER BY order_id, line_no`, ids).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var oid int64
		var l Line
		if err := rows.Scan(&oid, &l.LineNo, &l.PlatformLineID, &l.SKU, &l.Barcode, &l.Title, &l.Item, &l.ItemQuantity,
			&l.Quantity, &l.UnitPrice, &l.Discount, &l.RefundStatus); err != nil {
			return err
		}
		if o := byID[oid]; o != nil {
			o.Lines = append(o.Lines, l)
		}
	}
	return rows.Err()
}

func (s store) listOrders(p page.Request, f OrderFilter) ([]Order, string, error) {
	q := s.db.Table("orders").Omit("raw").Order("id DESC").Limit(p.Limit())
	if p.After > 0 {
		q = q.Where("id < ?", p.After)
	}
	if f.Shop != 0 {
		q = q.Where("shop_id = ?", f.Shop)
	}
	if f.Shops != nil {
		q = q.Where("shop_id IN ?", append([]int64{-1}, f.Shops...))
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.PlatformOrderID != "" {
		q = q.Where("platform_order_id = ?", f.PlatformOrderID)
	}
	if f.PhoneTail != "" {
		q = q.Where("buyer_phone_tail = ?", f.PhoneTail)
	}
	if !f.CreatedAfter.IsZero() {
		q = q.Where("platform_created_at >= ?", f.CreatedAfter)
	}
	if !f.CreatedBefore.IsZero() {
		q = q.Where("platform_created_at < ?", f.CreatedBefore)
	}
	if f.ExceptionsOnly {
		q = q.Where("exception <> ''")
	}
	if f.Customer != 0 {
		q = q.Where("customer_id = ?", f.Customer)
	}
	if f.FulfilState != "" || f.FulfilNew {
		q = q.Where("fulfil_state = ?", f.FulfilState)
	}
	var rows []orderRow
	if err := q.Select("id, shop_id, platform_order_id, channel, order_number, status, currency, buyer_id, buyer_nick, buyer_name, " +
		"buyer_phone, buyer_email, ship_name, ship_phone, ship_country, ship_province, ship_city, ship_district, ship_street, " +
		"ship_postal_code, goods, discount, shipping, tax, fees, paid, tax_included, platform_created_at, paid_at, " +
		"platform_updated_at, buyer_remark, seller_remark, customer_id, outlet_id, requested_date, exception, exception_detail, version, " +
		"fulfil_state, hold_reason").
		Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	out := make([]Order, n)
	ptrs := make([]*Order, n)
	for i := range n {
		out[i] = rows[i].order()
		ptrs[i] = &out[i]
	}
	return out, next, s.loadLines(ptrs)
}

// Mapping maps a platform SKU of a shop to an item.
type Mapping struct {
	Shop       int64
	SKU        string
	Item       int64
	Quantity   int64
	UpdateTime time.Time
}

// ResourceName names the mapping in the audit log.
func (m Mapping) ResourceName() string { return "shops/" + itoa(m.Shop) + "/skuMappings/" + m.SKU }

func (s store) mappings(shop int64) (map[string]Mapping, error) {
	var rows []Mapping
	if err := s.db.Raw(`SELECT shop_id AS shop, sku, item_id AS item, quantity, updated_at AS update_time FROM sku_mappings
		WHERE shop_id = ?`, shop).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]Mapping, len(rows))
	for _, m := range rows {
		out[m.SKU] = m
	}
	return out, nil
}

func (s store) setMapping(m Mapping) error {
	return s.db.Exec(`INSERT INTO sku_mappings (shop_id, sku, item_id, quantity, updated_at) VALUES (?,?,?,?,?)
		ON DUPLICATE KEY UPDATE item_id = VALUES(item_id), quantity = VALUES(quantity), updated_at = VALUES(updated_at)`,
		m.Shop, m.SKU, m.Item, m.Quantity, m.UpdateTime).Error
}

func (s store) deleteMapping(shop int64, sku string) (bool, error) {
	res := s.db.Exec(`DELETE FROM sku_mappings WHERE shop_id = ? AND sku = ?`, shop, sku)
	return res.RowsAffected == 1, res.Error
}

func (s store) listMappings(shop int64, p page.Request) ([]Mapping, string, error) {
	var rows []Mapping
	if err := s.db.Raw(`SELECT shop_id AS shop, sku, item_id AS item, quantity, updated_at AS update_time FROM sku_mappings
		WHERE shop_id = ? ORDER BY sku LIMIT ? OFFSET ?`, shop, p.Limit(), p.After).Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > p.Size {
		rows = rows[:p.Size]
		ids := make([]int64, p.Size+1)
		ids[p.Size-1] = p.After + int64(p.Size)
		next, _ = p.Next(ids)
	}
	return rows, next, nil
}

// waitingWithSKU answers (and locks) the orders of a shop waiting on an unmapped SKU that
// carry sku.
func (s store) waitingWithSKU(shop int64, sku string) ([]*Order, error) {
	var ids []int64
	if err := s.db.Raw(`SELECT DISTINCT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.shop_id = ? AND o.exception = ? AND l.sku = ? AND l.item_id = 0 ORDER BY o.id LIMIT 10000`,
		shop, ExceptionUnmappedSKU, sku).Scan(&ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []orderRow
	if err := s.db.Raw(`SELECT * FROM orders WHERE id IN ? ORDER BY id FOR UPDATE`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*Order, len(rows))
	for i, r := range rows {
		o := r.order()
		out[i] = &o
	}
	return out, s.loadLines(out)
}

// saveEvaluation stores re-evaluated lines and exception of an order.
func (s store) saveEvaluation(o *Order, now time.Time) error {
	for _, l := range o.Lines {
		if err := s.db.Exec(`UPDATE order_lines SET item_id = ?, item_quantity = ? WHERE order_id = ? AND line_no = ?`,
			l.Item, l.ItemQuantity, o.ID, l.LineNo).Error; err != nil {
			return err
		}
	}
	return s.db.Exec(`UPDATE orders SET exception = ?, exception_detail = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		o.Exception, o.ExceptionDetail, now, o.ID).Error
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
