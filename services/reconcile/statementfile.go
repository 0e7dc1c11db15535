package reconcile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/erphub/erphub/internal/money"
)

// Record types of a counterpart's statement line.
const (
	RecordReceipt         = "RECEIPT"
	RecordReturn          = "RETURN"
	RecordPriceAdjustment = "PRICE_ADJUSTMENT"
	RecordFee             = "FEE"
	RecordSummary         = "SUMMARY"
)

var recordTypes = []string{RecordReceipt, RecordReturn, RecordPriceAdjustment, RecordFee, RecordSummary}

// The canonical fields a profile maps the file's columns to.
var canonicalFields = []string{"recordType", "statementNumber", "documentNumber", "documentDate", "poNumber",
	"deliveryNumber", "outletCode", "itemCode", "gtin", "supplierItemCode", "orderedQuantity", "receivedQuantity",
	"unitPrice", "taxRate", "amount", "amountExclTax", "taxAmount", "lot", "feeType", "feeBasis", "remark"}

// MaxStatementRows bounds one imported file.
const MaxStatementRows = 200_000

// Row is one parsed line of a counterpart's statement; nil pointers are empty cells.
type Row struct {
	Row             int // the file's row number, from 1, header included
	RecordType      string
	StatementNumber string
	DocumentNumber  string
	DocumentDate    *time.Time
	PONumber        string
	DeliveryNumber  string
	OutletCode      string
	ItemCode        string
	GTIN            string
	SupplierItem    string
	Ordered         *int64 // milli-units
	Received        *int64
	UnitPrice       *int64 // fen per unit
	TaxRate         *int32 // basis points
	Amount          int64  // fen, including tax
	AmountExclTax   *int64
	TaxAmount       *int64
	Lot             string
	FeeType         string
	FeeBasis        string
	Remark          string
}

// CellError names the row and column of a cell that cannot be read.
type CellError struct {
	Row    int
	Column string
	Reason string
}

func (e *CellError) Error() string {
	return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Reason)
}

// parseStatement reads a statement file laid out as the profile says. The whole file is
// refused at the first cell that cannot be read.
func parseStatement(p Profile, content []byte) ([]Row, error) {
	var table [][]string
	var err error
	numeric := false
	switch p.Format {
	case "csv":
		table, err = readCSV(content)
	case "xlsx":
		table, err = readXLSX(content, p.Sheet)
		numeric = true
	default:
		return nil, fmt.Errorf("unknown format %q", p.Format)
	}
	if err != nil {
		return nil, err
	}
	header := p.HeaderRow
	if header < 1 {
		header = 1
	}
	if len(table) < header {
		return nil, &CellError{Row: header, Column: "", Reason: "the header row is missing"}
	}
	heads := table[header-1]
	col := map[string]int{} // canonical field → column index
	for field, text := range p.Columns {
		i := slices.IndexFunc(heads, func(h string) bool { return strings.TrimSpace(h) == text })
		if i < 0 {
			return nil, &CellError{Row: header, Column: text, Reason: fmt.Sprintf("no such column (the profile maps %s to it)", field)}
		}
		col[field] = i
	}
	if len(table)-header > MaxStatementRows {
		return nil, fmt.Errorf("the file has %d rows; at most %d are accepted", len(table)-header, MaxStatementRows)
	}
	rows := make([]Row, 0, len(table)-header)
	for n := header; n < len(table); n++ {
		cells := table[n]
		if blank(cells) {
			continue
		}
		rd := rowReader{p: p, cells: cells, col: col, row: n + 1, numeric: numeric}
		r, err := rd.read()
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, errors.New("the file has no lines")
	}
	return rows, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readCSV reads UTF-8 (with or without BOM) or, when the bytes are not UTF-8, GB18030 (the
// encoding Chinese spreadsheets save CSV in).
func readCSV(content []byte) ([][]string, error) {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(content) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(content)
		if err != nil {
			return nil, fmt.Errorf("the file is neither UTF-8 nor GB18030: %w", err)
		}
		content = dec
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &CellError{Row: pe.StartLine, Column: strconv.Itoa(pe.Column), Reason: pe.Err.Error()}
			}
			return nil, err
		}
		if len(out) > MaxStatementRows+10 {
			return nil, fmt.Errorf("the file has more than %d rows", MaxStatementRows)
		}
		out = append(out, rec)
	}
}

// readXLSX reads a sheet (the first when none is named) with raw cell values: numbers as
// stored, dates as serial numbers.
func readXLSX(content []byte, sheet string) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("not a readable XLSX file: %w", err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if len(out) > MaxStatementRows+10 {
			return nil, fmt.Errorf("the file has more than %d rows", MaxStatementRows)
		}
		out = append(out, cells)
	}
	return out, rows.Error()
}

type rowReader struct {
	p       Profile
	cells   []string
	col     map[string]int
	row     int
	numeric bool // XLSX: numbers may carry binary noise, dates may be serials
	err     error
}

func (r *rowReader) fail(field, reason string) {
	if r.err == nil {
		r.err = &CellError{Row: r.row, Column: r.p.Columns[field], Reason: reason}
	}
}

func (r *rowReader) text(field string) string {
	i, ok := r.col[field]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// str reads a text field of at most n bytes.
func (r *rowReader) str(field string, n int) string {
	s := r.text(field)
	if len(s) > n {
		r.fail(field, fmt.Sprintf("is longer than %d bytes", n))
		return ""
	}
	return s
}

// decimal reads an amount (places 2), a quantity (3); currency signs and a trailing
// minus in brackets are tolerated.
func (r *rowReader) decimal(field string, places int) *int64 {
	s := r.text(field)
	if s == "" {
		return nil
	}
	if strings.ContainsAny(s, "¥￥ \u00a0") {
		s = currencyNoise.Replace(s)
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") || strings.HasPrefix(s, "（") && strings.HasSuffix(s, "）") {
		s = "-" + strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "("), "（"), ")"), "）")
	}
	v, err := money.ParseDecimal(s, places, r.numeric)
	if err != nil {
		r.fail(field, fmt.Sprintf("%q %v", r.text(field), err))
		return nil
	}
	return &v
}

var currencyNoise = strings.NewReplacer("¥", "", "￥", "", " ", "", "\u00a0", "")

// rate reads a tax rate: "13%", "13", "0.13" → 1300 basis points.
func (r *rowReader) rate(field string) *int32 {
	s := r.text(field)
	if s == "" {
		return nil
	}
	pct := strings.HasSuffix(s, "%") || strings.HasSuffix(s, "％")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％")
	v, err := money.ParseDecimal(s, 4, r.numeric)
	switch {
	case err != nil:
		r.fail(field, fmt.Sprintf("%q is not a tax rate", r.text(field)))
		return nil
	case pct || v >= 10000: // "13%" or "13": percent with 4 decimals of a whole
		v /= 100
	}
	// a fraction such as 0.13 is already in ten-thousandths: 1300
	if v < 0 || v > 10000 {
		r.fail(field, fmt.Sprintf("%q is not a tax rate between 0 and 100 %%", r.text(field)))
		return nil
	}
	b := int32(v)
	return &b
}

// date reads a date in the profile's layout, else in the common ones; an XLSX serial
// number is a day count from 1899-12-30.
func (r *rowReader) date(field string) *time.Time {
	s := r.text(field)
	if s == "" {
		return nil
	}
	if r.numeric {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, ".0")); err == nil && n > 0 && n < 2958466 {
			d := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
			return &d
		}
	}
	layouts := []string{"2006-01-02", "2006/01/02", "20060102", "2006.01.02", "2006/1/2", "2006-1-2", "2006年1月2日"}
	if r.p.DateFormat != "" {
		layouts = []string{goLayout(r.p.DateFormat)}
	}
	for _, l := range layouts {
		if d, err := time.Parse(l, s); err == nil {
			return &d
		}
	}
	if r.p.DateFormat != "" {
		r.fail(field, fmt.Sprintf("%q is not a date as %s", s, r.p.DateFormat))
	} else {
		r.fail(field, fmt.Sprintf("%q is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)", s))
	}
	return nil
}

// goLayout turns a YYYY-MM-DD style pattern into Go's layout; Go layouts pass through.
func goLayout(f string) string {
	return strings.NewReplacer("YYYY", "2006", "yyyy", "2006", "MM", "01", "DD", "02", "dd", "02", "M", "1", "D", "2").Replace(f)
}

func (r *rowReader) read() (Row, error) {
	out := Row{Row: r.row}
	rt := r.text("recordType")
	switch mapped, ok := r.p.RecordTypes[rt]; {
	case ok:
		out.RecordType = mapped
	case rt == "" && len(r.p.RecordTypes) == 0:
		out.RecordType = RecordReceipt
	case slices.Contains(recordTypes, strings.ToUpper(rt)):
		out.RecordType = strings.ToUpper(rt)
	default:
		r.fail("recordType", fmt.Sprintf("%q is not a record type of the profile", rt))
	}
	out.StatementNumber = r.str("statementNumber", 64)
	out.DocumentNumber = r.str("documentNumber", 64)
	out.DocumentDate = r.date("documentDate")
	out.PONumber = r.str("poNumber", 64)
	out.DeliveryNumber = r.str("deliveryNumber", 64)
	out.OutletCode = r.str("outletCode", 32)
	out.ItemCode = r.str("itemCode", 64)
	if g := r.str("gtin", 20); g != "" {
		if len(g) < 8 || len(g) > 14 || strings.Trim(g, "0123456789") != "" {
			r.fail("gtin", fmt.Sprintf("%q is not a GTIN", r.text("gtin")))
		}
		out.GTIN = g
	}
	out.SupplierItem = r.str("supplierItemCode", 64)
	out.Ordered = r.decimal("orderedQuantity", 3)
	out.Received = r.decimal("receivedQuantity", 3)
	out.UnitPrice = r.decimal("unitPrice", 2)
	out.TaxRate = r.rate("taxRate")
	amount := r.decimal("amount", 2)
	out.AmountExclTax = r.decimal("amountExclTax", 2)
	out.TaxAmount = r.decimal("taxAmount", 2)
	switch {
	case amount != nil:
		out.Amount = *amount
	case out.AmountExclTax != nil && out.TaxAmount != nil:
		out.Amount = *out.AmountExclTax + *out.TaxAmount
	case r.err == nil:
		r.fail("amount", "is empty (give the amount, or the amount without tax and the tax)")
	}
	out.Lot = r.str("lot", 64)
	out.FeeType = r.str("feeType", 64)
	out.FeeBasis = r.str("feeBasis", 64)
	out.Remark = r.str("remark", 255)
	return out, r.err
}
