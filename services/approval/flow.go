package approval

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/reqctx"
)

// Document types that may go through approval.
const (
	TypePurchaseOrder     = "purchase_order"
	TypeDeliveryOrder     = "delivery_order"
	TypeStockAdjustment   = "stock_adjustment"
	TypeStocktake         = "stocktake"
	TypeSupplierPayment   = "supplier_payment"
	TypeStatementWriteOff = "statement_write_off"
	TypeVoucher           = "voucher"
	TypePriceBelowFloor   = "price_below_floor"
	TypeOverCreditLimit   = "over_credit_limit"
)

// DocumentTypes lists every type.
var DocumentTypes = []string{TypePurchaseOrder, TypeDeliveryOrder, TypeStockAdjustment, TypeStocktake,
	TypeSupplierPayment, TypeStatementWriteOff, TypeVoucher, TypePriceBelowFloor, TypeOverCreditLimit}

// Step modes.
const (
	ModeAny = "ANY"
	ModeAll = "ALL"
)

// Attribute names a document may carry besides its amount.
const (
	AttrDiscountBp = "discountBp" // discount share, basis points
	AttrCreditOver = "creditOver" // fen over the customer's credit limit
)

// Facts documents commonly carry for the inbox (any name may be used).
const (
	FactOwed        = "owed"        // fen the customer owed before this document
	FactCreditLimit = "creditLimit" // fen
	FactCost        = "cost"        // fen, the goods at their current unit cost
	FactMargin      = "margin"      // fen, amount less cost
	FactMarginBp    = "marginBp"    // margin as basis points of the amount
)

// Condition is one set of criteria that must all hold; zero criteria always hold.
type Condition struct {
	MinAmount     int64   `json:"minAmount,omitempty"` // fen, inclusive
	MaxAmount     int64   `json:"maxAmount,omitempty"` // fen, exclusive; 0 = no limit
	Branches      []int64 `json:"branches,omitempty"`
	Warehouses    []int64 `json:"warehouses,omitempty"`
	MinDiscountBp int32   `json:"minDiscountBp,omitempty"`
	MinCreditOver int64   `json:"minCreditOver,omitempty"` // fen
}

// Holds reports whether d meets every criterion.
func (c Condition) Holds(d Document) bool {
	switch {
	case d.Amount < c.MinAmount:
		return false
	case c.MaxAmount > 0 && d.Amount >= c.MaxAmount:
		return false
	case len(c.Branches) > 0 && !slices.Contains(c.Branches, d.Branch):
		return false
	case len(c.Warehouses) > 0 && !slices.Contains(c.Warehouses, d.Warehouse):
		return false
	case c.MinDiscountBp > 0 && d.Attributes[AttrDiscountBp] < int64(c.MinDiscountBp):
		return false
	case c.MinCreditOver > 0 && d.Attributes[AttrCreditOver] < c.MinCreditOver:
		return false
	}
	return true
}

// String describes the condition for people, e.g. "amount ≥ ¥10000.00, branch in [1]".
func (c Condition) String() string {
	var parts []string
	if c.MinAmount > 0 {
		parts = append(parts, "amount ≥ ¥"+money.Yuan(c.MinAmount))
	}
	if c.MaxAmount > 0 {
		parts = append(parts, "amount < ¥"+money.Yuan(c.MaxAmount))
	}
	if len(c.Branches) > 0 {
		parts = append(parts, fmt.Sprintf("branch in %v", c.Branches))
	}
	if len(c.Warehouses) > 0 {
		parts = append(parts, fmt.Sprintf("warehouse in %v", c.Warehouses))
	}
	if c.MinDiscountBp > 0 {
		parts = append(parts, "discount ≥ "+money.Percent(c.MinDiscountBp))
	}
	if c.MinCreditOver > 0 {
		parts = append(parts, "over credit limit by ≥ ¥"+money.Yuan(c.MinCreditOver))
	}
	if len(parts) == 0 {
		return "always"
	}
	return strings.Join(parts, ", ")
}

// Step is one stage of a flow: a role's holders (optionally only those who may act in the
// document's branch) or named users; ANY of them or ALL of them must approve.
type Step struct {
	Name       string  `json:"name"`
	Role       string  `json:"role,omitempty"`
	SameBranch bool    `json:"sameBranch,omitempty"`
	Users      []int64 `json:"users,omitempty"`
	Mode       string  `json:"mode"`
}

// Flow is an approval flow at one version.
type Flow struct {
	ID                   int64       `json:"id"`
	Name                 string      `json:"name"`
	DocumentType         string      `json:"documentType"`
	Priority             int32       `json:"priority"`
	Active               bool        `json:"active"`
	Conditions           []Condition `json:"conditions"`
	Steps                []Step      `json:"steps"`
	RemindAfterMinutes   int32       `json:"remindAfterMinutes"`
	EscalateAfterMinutes int32       `json:"escalateAfterMinutes"`
	EscalateRole         string      `json:"escalateRole"`
	Version              int32       `json:"version"`
	UpdateTime           time.Time   `json:"updateTime"`
}

// ResourceName names the flow in the audit log.
func (f Flow) ResourceName() string { return fmt.Sprintf("approvalFlows/%d", f.ID) }

const maxSteps = 10

// normalize validates f and fills defaults. Errors: Invalid naming every bad field.
func (f *Flow) normalize() error {
	var v apperr.Violations
	f.Name = strings.TrimSpace(f.Name)
	v.Check(f.Name != "" && len(f.Name) <= 128, "flow.name", "is required, at most 128 bytes")
	v.Check(slices.Contains(DocumentTypes, f.DocumentType), "flow.document_type", "must be one of "+strings.Join(DocumentTypes, ", "))
	v.Check(len(f.Steps) >= 1 && len(f.Steps) <= maxSteps, "flow.steps", fmt.Sprintf("must have 1 to %d steps", maxSteps))
	v.Check(f.RemindAfterMinutes >= 0, "flow.remind_after_minutes", "must not be negative")
	v.Check(f.EscalateAfterMinutes >= 0, "flow.escalate_after_minutes", "must not be negative")
	if f.EscalateRole == "" {
		f.EscalateRole = reqctx.RoleAdmin
	}
	v.Check(slices.Contains(reqctx.Roles, f.EscalateRole), "flow.escalate_role", "must be a role")
	for i, c := range f.Conditions {
		p := fmt.Sprintf("flow.conditions[%d]", i)
		v.Check(c.MinAmount >= 0, p+".min_amount", "must not be negative")
		v.Check(c.MaxAmount >= 0 && (c.MaxAmount == 0 || c.MaxAmount > c.MinAmount), p+".max_amount", "must be above min_amount")
		v.Check(c.MinDiscountBp >= 0 && c.MinDiscountBp <= 10000, p+".min_discount_bp", "must be 0-10000")
		v.Check(c.MinCreditOver >= 0, p+".min_credit_over", "must not be negative")
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		p := fmt.Sprintf("flow.steps[%d]", i)
		s.Mode = strings.ToUpper(s.Mode)
		if s.Mode == "" {
			s.Mode = ModeAny
		}
		v.Check(s.Mode == ModeAny || s.Mode == ModeAll, p+".mode", "must be ANY or ALL")
		v.Check((s.Role == "") != (len(s.Users) == 0), p, "name either a role or users")
		v.Check(s.Role == "" || slices.Contains(reqctx.Roles, s.Role) && s.Role != reqctx.RoleConnector, p+".role", "must be a staff role")
		v.Check(len(s.Users) <= 50, p+".users", "at most 50")
		if s.Name == "" {
			s.Name = fmt.Sprintf("step %d", i+1)
		}
		v.Check(len(s.Name) <= 64, p+".name", "at most 64 bytes")
	}
	return v.Err("invalid approval flow")
}

// match answers the first condition that d meets, or false. A flow without conditions
// matches every document of its type.
func (f Flow) match(d Document) (string, bool) {
	if !f.Active || f.DocumentType != d.Type {
		return "", false
	}
	if len(f.Conditions) == 0 {
		return "always", true
	}
	for _, c := range f.Conditions {
		if c.Holds(d) {
			return c.String(), true
		}
	}
	return "", false
}
