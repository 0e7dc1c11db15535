package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/catalog"
)

// SessionTarget names the document a session executes: exactly one of the ids.
type SessionTarget struct {
	PurchaseOrder, DeliveryOrder, Transfer, Stocktake int64
	Device                                            string
}

// lineTableOf answers the line table a session kind counts on.
func lineTableOf(k SessionKind) (lineTable, bool) {
	switch k {
	case KindReceive:
		return poLines, true
	case KindShip:
		return doLines, true
	case KindTransferOut:
		return trLines, true
	case KindTransferIn:
		return trInward, true
	}
	return lineTable{}, false
}

// OpenScanSession opens a session against a document. Errors: Invalid (no or several
// documents named), NotFound, Forbidden, ErrDocumentClosed.
func (s *Service) OpenScanSession(ctx context.Context, t SessionTarget) (Session, error) {
	named := 0
	for _, id := range []int64{t.PurchaseOrder, t.DeliveryOrder, t.Transfer, t.Stocktake} {
		if id != 0 {
			named++
		}
	}
	if named != 1 {
		return Session{}, apperr.Invalid("scan_session", "name exactly one of purchase_order, delivery_order, transfer, stocktake")
	}
	if len(t.Device) > 64 {
		return Session{}, apperr.Invalid("scan_session.device", "must be at most 64 characters")
	}
	x := Session{Device: t.Device, OpenedBy: reqctx.PrincipalFrom(ctx).ID, CreateTime: s.clock()}
	rd := s.read(ctx)
	switch {
	case t.PurchaseOrder != 0:
		p, err := rd.purchaseOrder(t.PurchaseOrder, false)
		if err != nil {
			return x, err
		}
		if p.Status != StatusOpen && p.Status != StatusPartiallyReceived {
			return x, closedReason(p.Status)
		}
		x.Kind, x.DocumentType, x.DocumentID, x.Warehouse, x.Branch = KindReceive, "purchase_order", p.ID, p.Warehouse, p.Branch
	case t.DeliveryOrder != 0:
		d, err := rd.deliveryOrder(t.DeliveryOrder, false)
		if err != nil {
			return x, err
		}
		if d.Status != StatusOpen && d.Status != StatusPartiallyShipped {
			return x, closedReason(d.Status)
		}
		x.Kind, x.DocumentType, x.DocumentID, x.Warehouse, x.Branch = KindShip, "delivery_order", d.ID, d.Warehouse, d.Branch
		x.Customer = d.Customer
	case t.Transfer != 0:
		tr, err := rd.transfer(t.Transfer, false)
		if err != nil {
			return x, err
		}
		inTransit, toShip := false, false
		for _, l := range tr.Lines {
			inTransit = inTransit || l.Done > l.Received
			toShip = toShip || l.Done < l.Quantity
		}
		switch {
		case tr.Status == StatusCancelled || tr.Status == StatusReceived:
			return x, ErrDocumentClosed
		case inTransit:
			to, err := s.catalog.Warehouse(ctx, tr.ToWarehouse)
			if err != nil {
				return x, err
			}
			x.Kind, x.Warehouse, x.Branch = KindTransferIn, to.ID, to.Branch
		case toShip:
			x.Kind, x.Warehouse, x.Branch = KindTransferOut, tr.FromWarehouse, tr.Branch
		default:
			return x, ErrDocumentClosed
		}
		x.DocumentType, x.DocumentID = "transfer", tr.ID
	default:
		st, err := rd.stocktake(t.Stocktake, false)
		if err != nil {
			return x, err
		}
		if err := st.countable(); err != nil { // a rejected or failed count may be counted again
			return x, err
		}
		x.Kind, x.DocumentType, x.DocumentID, x.Warehouse, x.Branch = KindStocktake, "stocktake", st.ID, st.Warehouse, st.Branch
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return x, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Session, error) {
		// The document row is locked so that opening serializes with cancelling it and
		// with the order hub adding lines to it.
		var status string
		if err := tx.Raw(`SELECT status FROM `+documentTables[x.DocumentType]+` WHERE id = ? FOR UPDATE`, x.DocumentID).
			Scan(&status).Error; err != nil {
			return x, err
		}
		switch status {
		case StatusCancelled, StatusShipped, StatusReceived, StatusPosted:
			return x, ErrDocumentClosed
		}
		return s.store.with(tx).insertSession(x)
	})
}

// documentTables maps a session's document type to its table.
var documentTables = map[string]string{"purchase_order": "purchase_orders", "delivery_order": "delivery_orders",
	"transfer": "transfers", "stocktake": "stocktakes"}

// GetScanSession answers a session with the progress of every line. Errors: NotFound,
// Forbidden.
func (s *Service) GetScanSession(ctx context.Context, id int64) (Session, error) {
	rd := s.read(ctx)
	x, err := rd.session(id, "")
	if err != nil {
		return x, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return x, err
	}
	totals, err := rd.sessionTotals(id)
	if err != nil {
		return x, err
	}
	scanned := map[int64]int64{}
	for _, t := range totals {
		key := t.LineID
		if x.Kind == KindStocktake {
			key = t.ItemID
		}
		scanned[key] += t.Quantity
	}
	if lt, ok := lineTableOf(x.Kind); ok {
		lines, err := rd.lines(lt, x.DocumentID)
		if err != nil {
			return x, err
		}
		for _, l := range lines {
			p := LineProgress{Line: l.ID, Item: l.Item, Ordered: l.Quantity, Scanned: scanned[l.ID],
				Expected: l.Quantity - l.Done, TotalDone: l.Done + l.Held}
			if x.Kind == KindTransferIn {
				p.Ordered, p.Expected, p.TotalDone = l.Done, l.Done-l.Received, l.Received+l.Receiving
			}
			x.Lines = append(x.Lines, p)
		}
	} else {
		for _, item := range slices.Sorted(maps.Keys(scanned)) {
			book, err := rd.onHand(x.Warehouse, item)
			if err != nil {
				return x, err
			}
			x.Lines = append(x.Lines, LineProgress{Item: item, Expected: book, Scanned: scanned[item], TotalDone: scanned[item]})
		}
	}
	x.AcceptedScans, err = rd.acceptedCount(id)
	return x, err
}

// sessionFacts answers the fixed facts of a session (cached: only the status changes).
func (s *Service) sessionFacts(ctx context.Context, id int64) (Session, error) {
	if v, ok := s.sessions.Load(id); ok {
		return v.(Session), nil
	}
	x, err := s.read(ctx).session(id, "")
	if err != nil {
		return x, err
	}
	x.Status = ""
	s.sessions.Store(id, x)
	return x, nil
}

// linesFor answers a document's lines for the scan path (cached: line ids, items and
// ordered quantities never change).
func (s *Service) linesFor(ctx context.Context, x Session) ([]Line, error) {
	lt, ok := lineTableOf(x.Kind)
	if !ok {
		return nil, nil
	}
	key := x.DocumentType + "/" + strconv.FormatInt(x.DocumentID, 10)
	if v, ok := s.docLines.Load(key); ok {
		return v.([]Line), nil
	}
	lines, err := s.read(ctx).lines(lt, x.DocumentID)
	if err != nil {
		return nil, err
	}
	s.docLines.Store(key, lines)
	return lines, nil
}

// ScanInput is one scanned code.
type ScanInput struct {
	Session  int64
	Code     string
	ScanID   string
	Quantity int64
	Device   string
}

func (in ScanInput) validate() error {
	var v apperr.Violations
	v.Check(in.Code != "", "code", "is required")
	v.Check(len(in.Code) <= barcode.MaxInputLen, "code", fmt.Sprintf("must be at most %d bytes", barcode.MaxInputLen))
	v.Check(utf8.ValidString(in.Code), "code", "is not valid UTF-8")
	v.Check(len(in.ScanID) <= 64, "scan_id", "must be at most 64 characters")
	v.Check(in.Quantity >= 0 && in.Quantity <= 1_000_000_000_000, "quantity", "must be 0 to 10^12 milli-units")
	v.Check(len(in.Device) <= 64, "device", "must be at most 64 characters")
	return v.Err("invalid scan")
}

// refusedAfterWrites carries a refusal found after the scan had changed rows: the
// transaction is rolled back and the refusal recorded on its own.
type refusedAfterWrites struct{ res ScanResult }

func (r *refusedAfterWrites) Error() string { return r.res.Reason }

// Scan records one scanned code and answers at once whether it counts. A refusal is an
// answer, not an error. Errors: Invalid (bad input), NotFound (session), Forbidden,
// ErrSessionClosed.
func (s *Service) Scan(ctx context.Context, in ScanInput) (ScanResult, error) {
	if err := in.validate(); err != nil {
		return ScanResult{}, err
	}
	if in.ScanID == "" {
		in.ScanID = newScanID()
	}
	x, err := s.sessionFacts(ctx, in.Session)
	if err != nil {
		return ScanResult{}, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return ScanResult{}, err
	}
	call := reqctx.CallFrom(ctx)
	row := scanRow{SessionID: x.ID, ScanID: in.ScanID, Code: in.Code, Device: in.Device,
		UserID: reqctx.PrincipalFrom(ctx).ID, RequestID: reqctx.RequestID(ctx), CreatedAt: s.clock()}
	if row.Device == "" {
		row.Device = x.Device
	}
	// What the code says does not depend on the database state: decide it first.
	label, pre, err := s.identify(ctx, x, in)
	if err != nil {
		return ScanResult{}, err
	}
	var res ScanResult
	err = txn.Run(ctx, s.db, func(tx *gorm.DB) error {
		st := s.store.with(tx)
		if pre != nil || x.Kind == KindStocktake {
			// no document line to take: check the session on its own
			status, err := st.sessionStatusForScan(x.ID)
			if err != nil {
				return err
			}
			if status != StatusOpen {
				return ErrSessionClosed
			}
		}
		var hold func() (bool, error)
		if pre != nil {
			res = *pre
		} else {
			res, hold, err = s.apply(ctx, st, x, label)
			if err != nil {
				return err
			}
		}
		if err := st.insertScan(fill(row, res)); err != nil {
			return err
		}
		if hold == nil {
			return nil
		}
		// The stock rows of a popular item are the hottest rows of all: they are taken
		// last, so their locks are held for as short a time as possible.
		ok, err := hold()
		if err != nil {
			return err
		}
		if !ok {
			return &refusedAfterWrites{withItem(refuse(ReasonInsufficientStock,
				"not enough %s available here for %s more", res.SKU, qty(res.Quantity)), res)}
		}
		return nil
	})
	var refused *refusedAfterWrites
	if errors.As(err, &refused) {
		res = refused.res
		err = txn.Run(ctx, s.db, func(tx *gorm.DB) error {
			return s.store.with(tx).insertScan(fill(row, res))
		})
	}
	if errors.Is(err, errScanTaken) {
		// the scan id was used before (a retry) or by a concurrent retry: whatever this
		// attempt did is rolled back, and the first answer stands
		r, rerr := s.read(ctx).scanByID(x.ID, in.ScanID, false)
		if rerr != nil {
			return ScanResult{}, rerr
		}
		res, err = r.result(), nil
		res.Replayed = true
	}
	if err != nil {
		return ScanResult{}, err
	}
	if call != nil {
		// The scans table is this RPC's trail: who, when, device, request, outcome.
		call.Audited = true
	}
	res.ScanID = in.ScanID
	return res, nil
}

// fill copies an answer into the stored scan.
func fill(r scanRow, res ScanResult) scanRow {
	r.Accepted = res.Accepted
	r.Reason = res.Reason
	if res.Accepted {
		r.Reason = res.Warning
		if len(r.Reason) > 32 {
			r.Reason = ReasonNotFEFO
		}
	}
	r.Detail = text.Clip(res.Detail, 255)
	if res.Warning != "" && res.Accepted {
		r.Detail = text.Clip(res.Warning, 255)
	}
	r.ItemID, r.LotID, r.LotNo, r.Quantity = res.Item, res.LotID, res.Lot, res.Quantity
	if res.Line != nil {
		r.LineID = res.Line.Line
	}
	if res.Expiry != nil {
		r.Expiry = sql.NullTime{Time: res.Expiry.Time(), Valid: true}
	}
	return r
}

// identified is a scan decoded and matched to its item.
type identified struct {
	item    catalog.Item
	reading reading
}

// identify decodes the code, finds the item and reads lot, dates and quantity from the
// label. It answers a refusal for codes that do not name a known item.
func (s *Service) identify(ctx context.Context, x Session, in ScanInput) (identified, *ScanResult, error) {
	var out identified
	sc, perr := barcode.ParseAt(in.Code, s.today())
	var (
		it       catalog.Item
		perScan  int64
		measured int64
		err      error
	)
	switch {
	case perr != nil:
		// not a GS1 code: maybe an internal one printed in-house
		it, perScan, err = s.catalog.ItemByBarcode(ctx, in.Code)
		if errors.Is(err, catalog.ErrUnknownBarcode) {
			res := refuse(ReasonBadBarcode, "%v", perr)
			if barcode.ReasonOf(perr) == barcode.ReasonUnknownFormat {
				res = refuse(ReasonUnknownBarcode, "no item carries %q", in.Code)
			}
			return out, &res, nil
		}
		sc = barcode.Scan{Count: -1, VariableCount: -1}
	case sc.RestrictedCirculation:
		m, merr := s.catalog.ItemByScaleCode(ctx, sc.GTIN[1:])
		if merr == nil {
			it, measured, perScan = m.Item, m.Quantity, m.Quantity
		} else if errors.Is(merr, catalog.ErrUnknownBarcode) {
			it, perScan, err = s.catalog.ItemByBarcode(ctx, sc.GTIN)
		} else {
			err = merr
		}
	case sc.GTIN != "":
		it, perScan, err = s.catalog.ItemByBarcode(ctx, sc.GTIN)
	default:
		res := refuse(ReasonUnknownBarcode, "the code names no item (no GTIN)")
		return out, &res, nil
	}
	if errors.Is(err, catalog.ErrUnknownBarcode) {
		res := refuse(ReasonUnknownBarcode, "no item carries %s", firstNonEmpty(sc.GTIN, in.Code))
		return out, &res, nil
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindRefused {
			res := refuse(ReasonBadBarcode, "%s", e.Message)
			return out, &res, nil
		}
		return out, nil, err
	}
	out.item = it
	r, refusal := readLabel(sc, it, perScan, measured, in.Quantity)
	if refusal != nil {
		refusal.Item, refusal.SKU = it.ID, it.SKU
		return out, refusal, nil
	}
	if it.LotTracked && r.lot == "" {
		res := refuse(ReasonLotRequired, "%s is tracked by lot: scan the label with the lot (AI 10)", it.SKU)
		res.Item, res.SKU = it.ID, it.SKU
		return out, &res, nil
	}
	out.reading = r
	return out, nil, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// apply checks an identified scan against the document and the stock and holds what it
// takes, inside the scan's transaction.
//
// For outbound scans it answers the stock hold to take (last, see Scan) instead of taking
// it.
func (s *Service) apply(ctx context.Context, st store, x Session, id identified) (ScanResult, func() (bool, error), error) {
	it, r := id.item, id.reading
	res := ScanResult{Item: it.ID, SKU: it.SKU, Lot: r.lot, Expiry: r.expiry, Quantity: r.quantity}
	now := s.clock()
	today := s.today()
	w, err := s.catalog.WarehouseForScan(ctx, x.Warehouse)
	if err != nil {
		return res, nil, err
	}
	// the lot
	switch {
	case !it.LotTracked:
	case x.Kind == KindReceive || x.Kind == KindStocktake:
		known, found, err := st.lotByNo(it.ID, r.lot)
		if err != nil {
			return res, nil, err
		}
		if found && known.Expiry != nil && r.expiry != nil && *known.Expiry != *r.expiry {
			return withItem(refuse(ReasonLotMismatch, "lot %s is on file with expiry %s, the label says %s", r.lot, known.Expiry, r.expiry), res), nil, nil
		}
		if found && known.Expiry != nil {
			res.Expiry = known.Expiry
		}
		if res.Expiry == nil && x.Kind == KindReceive {
			return withItem(refuse(ReasonLotRequired, "lot %s: the label gives no expiry or production date", r.lot), res), nil, nil
		}
		if x.Kind == KindReceive && res.Expiry.Before(today) {
			return withItem(refuse(ReasonLotExpired, "lot %s expired on %s", r.lot, res.Expiry), res), nil, nil
		}
		if found {
			res.LotID = known.ID
		} else if res.LotID, err = st.ensureLot(it.ID, r.lot, r.production, res.Expiry, now); err != nil {
			return res, nil, err
		}
	case x.Kind == KindTransferIn:
		known, found, err := st.lotByNo(it.ID, r.lot)
		if err != nil {
			return res, nil, err
		}
		if !found {
			return withItem(refuse(ReasonNotOnOrder, "lot %s of %s is not on its way with this transfer", r.lot, it.SKU), res), nil, nil
		}
		res.LotID, res.Expiry = known.ID, known.Expiry
	default: // outbound
		lots, err := st.lotsWithStock(x.Warehouse, it.ID)
		if err != nil {
			return res, nil, err
		}
		var scanned *lotStock
		for i := range lots {
			if lots[i].No == r.lot {
				scanned = &lots[i]
			}
		}
		if scanned == nil {
			known, found, err := st.lotByNo(it.ID, r.lot)
			if err != nil {
				return res, nil, err
			}
			if !found || !w.AllowNegativeStock {
				return withItem(refuse(ReasonInsufficientStock, "no stock of lot %s of %s is available here", r.lot, it.SKU), res), nil, nil
			}
			scanned = &known
		}
		res.LotID, res.Expiry = scanned.ID, scanned.Expiry
		rules := shipRules{today: today, fefo: w.FEFOPolicy}
		if x.Kind == KindShip && x.Customer != 0 {
			c, err := s.catalog.CustomerForScan(ctx, x.Customer)
			if err != nil {
				return res, nil, err
			}
			rules.minShelfDays = c.MinRemainingShelfLifeDays
		}
		refusal, warning := rules.check(*scanned, lots)
		if refusal != nil {
			return withItem(*refusal, res), nil, nil
		}
		res.Warning = warning
	}
	if x.Kind == KindStocktake {
		res.Accepted = true
		return res, nil, nil
	}
	// the document line
	lt, _ := lineTableOf(x.Kind)
	lines, err := s.linesFor(ctx, x)
	if err != nil {
		return res, nil, err
	}
	var line *Line
	var before int64
	onOrder := false
	for i := range lines {
		if lines[i].Item != it.ID {
			continue
		}
		onOrder = true
		ok, b, err := st.takeLine(lt, x.ID, lines[i].ID, r.quantity)
		if err != nil {
			return res, nil, err
		}
		if ok {
			line, before = &lines[i], b
			break
		}
	}
	if line == nil {
		// refused: is the session still open at all?
		status, err := st.sessionStatusForScan(x.ID)
		if err != nil {
			return res, nil, err
		}
		if status != StatusOpen {
			return res, nil, ErrSessionClosed
		}
	}
	switch {
	case !onOrder:
		return withItem(refuse(ReasonNotOnOrder, "%s is not on this document", it.SKU), res), nil, nil
	case line == nil:
		p, err := st.lineProgress(lt, firstLineOf(lines, it.ID))
		if err != nil {
			return res, nil, err
		}
		out := withItem(refuse(ReasonOverQuantity, "%s: %s more would pass the %s ordered (%s done or held)", it.SKU,
			qty(r.quantity), qty(p.Ordered), qty(p.TotalDone)), res)
		out.Line = &p
		return out, nil, nil
	}
	if x.Kind == KindTransferIn {
		ok, err := st.holdTransit(x.DocumentID, it.ID, res.LotID, r.quantity)
		if err != nil {
			return res, nil, err
		}
		if !ok {
			return res, nil, &refusedAfterWrites{withItem(refuse(ReasonOverQuantity,
				"lot %s: %s more would pass what is on its way", r.lot, qty(r.quantity)), res)}
		}
	}
	res.Line = &LineProgress{Line: line.ID, Item: it.ID, Ordered: line.Quantity, TotalDone: before + r.quantity}
	res.Accepted = true
	if !x.Kind.outbound() {
		return res, nil, nil
	}
	reserveItem, lot, q := !line.Reserved, res.LotID, r.quantity
	return res, func() (bool, error) {
		return st.pick(x.Warehouse, it.ID, lot, q, reserveItem, w.AllowNegativeStock, now)
	}, nil
}

// withItem fills a refusal with what is known of the scan.
func withItem(refusal, known ScanResult) ScanResult {
	refusal.Item, refusal.SKU, refusal.Lot, refusal.LotID, refusal.Expiry, refusal.Quantity =
		known.Item, known.SKU, known.Lot, known.LotID, known.Expiry, known.Quantity
	return refusal
}

func firstLineOf(lines []Line, item int64) int64 {
	for _, l := range lines {
		if l.Item == item {
			return l.ID
		}
	}
	return 0
}

// qty renders milli-units for people.
func qty(milli int64) string {
	if milli%1000 == 0 {
		return strconv.FormatInt(milli/1000, 10)
	}
	return fmt.Sprintf("%d.%03d", milli/1000, abs(milli%1000))
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// UndoScan takes back an accepted scan of an open session. Errors: NotFound, Forbidden,
// ErrSessionClosed, Refused (the scan was refused or undone already).
func (s *Service) UndoScan(ctx context.Context, session int64, scanID string) (ScanResult, error) {
	x, err := s.sessionFacts(ctx, session)
	if err != nil {
		return ScanResult{}, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return ScanResult{}, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (ScanResult, error) {
		st := s.store.with(tx)
		live, err := st.session(session, " FOR UPDATE")
		if err != nil {
			return ScanResult{}, err
		}
		if live.Status != StatusOpen {
			return ScanResult{}, ErrSessionClosed
		}
		r, err := st.scanByID(session, scanID, true)
		if err != nil {
			return ScanResult{}, err
		}
		if !r.Accepted || r.Undone {
			return r.result(), apperr.Refused("NOT_UNDOABLE", "only an accepted scan can be undone, once")
		}
		if err := s.release(ctx, st, x, r.LineID, r.ItemID, r.LotID, r.Quantity); err != nil {
			return ScanResult{}, err
		}
		if err := st.markUndone(r.ID); err != nil {
			return ScanResult{}, err
		}
		r.Undone = true
		return r.result(), nil
	})
}

// release gives back what an accepted scan held.
func (s *Service) release(ctx context.Context, st store, x Session, line, item, lot, q int64) error {
	if x.Kind == KindStocktake {
		return nil
	}
	lt, _ := lineTableOf(x.Kind)
	if err := st.releaseLine(lt, line, q); err != nil {
		return err
	}
	now := s.clock()
	switch {
	case x.Kind.outbound():
		reservedLine := false
		lines, err := s.linesFor(ctx, x)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if l.ID == line {
				reservedLine = l.Reserved
			}
		}
		return st.unpick(x.Warehouse, item, lot, q, !reservedLine, now)
	case x.Kind == KindTransferIn:
		return st.releaseTransit(x.DocumentID, item, lot, q)
	}
	return nil
}

// ListScans pages through a session's scans. Errors: NotFound, Forbidden, Invalid.
func (s *Service) ListScans(ctx context.Context, session int64, size int32, token string) ([]ScanResult, string, error) {
	p, err := page.Parse(size, token, session)
	if err != nil {
		return nil, "", err
	}
	x, err := s.sessionFacts(ctx, session)
	if err != nil {
		return nil, "", err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return nil, "", err
	}
	rows, next, err := s.read(ctx).listScans(session, p)
	out := make([]ScanResult, len(rows))
	for i, r := range rows {
		out[i] = r.result()
	}
	return out, next, err
}

// CancelScanSession drops a session's scans and gives back what they held. Errors:
// NotFound, Forbidden, ErrSessionClosed.
func (s *Service) CancelScanSession(ctx context.Context, id int64) (Session, error) {
	x, err := s.sessionFacts(ctx, id)
	if err != nil {
		return x, err
	}
	if err := checkBranch(ctx, x.Branch); err != nil {
		return x, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Session, error) {
		st := s.store.with(tx)
		live, err := st.session(id, " FOR UPDATE")
		if err != nil {
			return live, err
		}
		if live.Status != StatusOpen {
			return live, ErrSessionClosed
		}
		totals, err := st.sessionTotals(id)
		if err != nil {
			return live, err
		}
		for _, t := range totals {
			if err := s.release(ctx, st, x, t.LineID, t.ItemID, t.LotID, t.Quantity); err != nil {
				return live, err
			}
		}
		live.Status = StatusCancelled
		return live, st.finishSession(id, StatusCancelled, 0, s.clock())
	})
}
