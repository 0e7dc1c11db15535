package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/mask"
	"github.com/erphub/erphub/internal/money"
)

// Item is something we buy, make, store or sell.
type Item struct {
	Meta
	SKU           string
	Name          string
	Unit          string
	Barcodes      []Barcode
	Weighed       bool
	LotTracked    bool
	ShelfLifeDays int32
	VATRateBp     int32
	Category      string
	Active        bool
	ScaleCodes    []ScaleCode
	// FloorPrice is the lowest price, fen per unit before VAT, at which people may sell the
	// item without approval (price_below_floor); 0 = no floor.
	FloorPrice int64
}

// ScaleCode says how an item appears in variable-measure EAN-13 codes of scales.
type ScaleCode struct {
	Prefix      string `json:"prefix"`
	ItemCode    string `json:"itemCode"`
	ValueDigits int32  `json:"valueDigits"`
	Kind        string `json:"kind"` // weight (grams) or price (fen)
	PriceCheck  bool   `json:"priceCheck"`
	UnitPrice   int64  `json:"unitPrice"` // fen per unit, for price codes
}

// Layout is the barcode layout of the code.
func (c ScaleCode) Layout() barcode.VariableMeasureLayout {
	kind := barcode.Weight
	if c.Kind == "price" {
		kind = barcode.Price
	}
	return barcode.VariableMeasureLayout{Prefix: c.Prefix, ItemDigits: len(c.ItemCode), ValueDigits: int(c.ValueDigits),
		PriceCheck: c.PriceCheck, Kind: kind}
}

// Barcode is one code of an item and the quantity one scan of it stands for, in
// milli-units: 1000 for a unit barcode, 12000 for a case of 12.
type Barcode struct {
	Code     string
	Quantity int64
}

// ResourceName names the item in the audit log.
func (it Item) ResourceName() string { return "items/" + strconv.FormatInt(it.ID, 10) }

// Units an item may be counted in.
var Units = []string{"pcs", "kg", "g", "box", "case", "bag", "bottle", "pack", "set", "l", "ml"}

// maxBarcodes bounds the barcodes of one item.
const maxBarcodes = 50

// LookupCode is the form barcodes are matched in: a GTIN as 14 digits, so that an EAN-13
// on a unit and the same GTIN inside a GS1-128 label meet; other codes as they are.
func LookupCode(code string) string {
	if isDigits(code) && (len(code) == 8 || len(code) == 12 || len(code) == 13) {
		return strings.Repeat("0", 14-len(code)) + code
	}
	return code
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkBarcode validates one code: digits-only codes of GTIN length must carry a correct
// check digit (GS1 General Specifications 7.9); other codes are internal (Code 128
// printable ASCII, 1-48 characters).
func checkBarcode(code string) error {
	if isDigits(code) {
		switch len(code) {
		case 8, 12, 13, 14:
			return barcode.ValidateGTIN(code)
		}
	}
	if len(code) == 0 || len(code) > 48 {
		return fmt.Errorf("must be 1-48 characters")
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= ' ' || code[i] > '~' {
			return fmt.Errorf("character %q at %d is not allowed in a barcode", code[i], i+1)
		}
	}
	return nil
}

func (it Item) validate() error {
	var v apperr.Violations
	v.Check(it.SKU != "" && len(it.SKU) <= 64 && !strings.ContainsAny(it.SKU, " \t\r\n"), "item.sku",
		"must be 1-64 characters without spaces")
	text(&v, "item.name", it.Name, true, 255)
	if !slices.Contains(Units, it.Unit) {
		v.Addf("item.unit", "must be one of %s", strings.Join(Units, ", "))
	}
	if it.Weighed && it.Unit != "kg" {
		v.Add("item.unit", "must be kg for an item sold by weight")
	}
	if it.LotTracked && (it.ShelfLifeDays < 1 || it.ShelfLifeDays > 3650) {
		v.Add("item.shelf_life_days", "must be 1-3650 for a lot-tracked item")
	}
	v.Check(it.ShelfLifeDays >= 0 && it.ShelfLifeDays <= 3650, "item.shelf_life_days", "must be 0-3650")
	v.Check(it.VATRateBp >= 0 && it.VATRateBp <= 3000, "item.vat_rate_bp",
		"must be 0-3000 basis points (1300 = 13 %)")
	text(&v, "item.category", it.Category, false, 64)
	v.Check(it.FloorPrice >= 0 && it.FloorPrice <= 1_000_000_000_00, "item.floor_price",
		"must be 0 (no floor) to 10^11 fen per unit")
	if len(it.Barcodes) > maxBarcodes {
		v.Addf("item.barcodes", "at most %d barcodes per item", maxBarcodes)
	}
	seen := map[string]int{}
	for i, b := range it.Barcodes {
		field := barcodeField(it.Barcodes, i)
		if err := checkBarcode(b.Code); err != nil {
			v.Addf(field, "%q: %v", b.Code, err)
			continue
		}
		if b.Quantity <= 0 || b.Quantity > 1_000_000_000 {
			v.Add(field, "quantity must be 1-1000000000 milli-units")
		}
		if j, dup := seen[LookupCode(b.Code)]; dup {
			v.Addf(field, "%q repeats %s", b.Code, barcodeField(it.Barcodes, j))
		}
		seen[LookupCode(b.Code)] = i
	}
	for i, c := range it.ScaleCodes {
		field := fmt.Sprintf("item.scale_codes[%d]", i)
		switch {
		case c.Kind != "weight" && c.Kind != "price":
			v.Add(field, "kind must be weight or price")
		case !isDigits(c.ItemCode):
			v.Add(field, "item_code must be digits")
		case c.Kind == "price" && c.UnitPrice <= 0:
			v.Add(field, "a price code needs the unit_price (fen per unit) to turn prices into quantities")
		case c.Kind == "weight" && it.Unit != "kg":
			v.Add(field, "a weight code needs an item counted in kg")
		default:
			if err := c.Layout().Validate(); err != nil {
				v.Addf(field, "%v", err)
			}
		}
	}
	if len(it.ScaleCodes) > 10 {
		v.Add("item.scale_codes", "at most 10 scale codes per item")
	}
	return v.Err("invalid item")
}

// barcodeField names barcode i the way the client sent it: unit barcodes come first as
// item.barcodes[n], pack barcodes after them as item.pack_barcodes[n].
func barcodeField(all []Barcode, i int) string {
	units := 0
	for j := 0; j < i; j++ {
		if all[j].Quantity == money.MilliPerUnit {
			units++
		}
	}
	if all[i].Quantity == money.MilliPerUnit {
		return fmt.Sprintf("item.barcodes[%d]", units)
	}
	return fmt.Sprintf("item.pack_barcodes[%d]", i-units)
}

func (it Item) patch(in Item, m mask.Set) (Item, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			it.Name = in.Name
		case "unit":
			it.Unit = in.Unit
		case "barcodes":
			it.Barcodes = append(packsOf(in.Barcodes, false), packsOf(it.Barcodes, true)...)
		case "pack_barcodes":
			it.Barcodes = append(packsOf(it.Barcodes, false), packsOf(in.Barcodes, true)...)
		case "weighed":
			it.Weighed = in.Weighed
		case "lot_tracked":
			it.LotTracked = in.LotTracked
		case "shelf_life_days":
			it.ShelfLifeDays = in.ShelfLifeDays
		case "vat_rate_bp":
			it.VATRateBp = in.VATRateBp
		case "category":
			it.Category = in.Category
		case "active":
			it.Active = in.Active
		case "scale_codes":
			it.ScaleCodes = in.ScaleCodes
		case "floor_price":
			it.FloorPrice = in.FloorPrice
		case "sku":
			immutable(&v, "item.sku", it.SKU, in.SKU)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of item", p)
			}
		}
	}
	if err := v.Err("invalid item update"); err != nil {
		return it, err
	}
	return it, it.validate()
}

// packsOf answers the unit barcodes (packs false) or the pack barcodes (packs true).
func packsOf(all []Barcode, packs bool) []Barcode {
	var out []Barcode
	for _, b := range all {
		if (b.Quantity != money.MilliPerUnit) == packs {
			out = append(out, b)
		}
	}
	return out
}
