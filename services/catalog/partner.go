package catalog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
)

// Customer kinds.
var CustomerKinds = []string{"retailer", "distributor", "online", "other"}

// Settlement cycles.
var SettlementCycles = []string{"monthly", "semimonthly", "weekly", "per_delivery"}

// SettlementTerms say when a customer on account settles.
type SettlementTerms struct {
	Cycle      string
	ClosingDay int32
	DueDays    int32
}

// Customer buys from us: a retailer chain with outlets, a distributor, or another buyer.
type Customer struct {
	Meta
	Code                      string
	Name                      string
	Kind                      string
	TaxID                     string
	CreditLimit               int64 // fen
	Settlement                SettlementTerms
	MinRemainingShelfLifeDays int32
	Contact                   string
	Phone                     string
	Address                   string
}

// ResourceName names the customer in the audit log.
func (c Customer) ResourceName() string { return "customers/" + strconv.FormatInt(c.ID, 10) }

// taxIDRE matches the unified social credit code (18 characters, GB 32100-2015) and the
// older 15- and 20-character taxpayer numbers.
var taxIDRE = regexp.MustCompile(`^[0-9A-Z]{15}$|^[0-9A-Z]{18}$|^[0-9A-Z]{20}$`)

func taxID(v *apperr.Violations, field, s string) {
	if s != "" && !taxIDRE.MatchString(s) {
		v.Add(field, "must be 15, 18 or 20 upper-case letters or digits")
	}
}

func (c Customer) validate() error {
	var v apperr.Violations
	code(&v, "customer.code", c.Code)
	text(&v, "customer.name", c.Name, true, 255)
	if !slices.Contains(CustomerKinds, c.Kind) {
		v.Addf("customer.kind", "must be one of %s", strings.Join(CustomerKinds, ", "))
	}
	taxID(&v, "customer.tax_id", c.TaxID)
	v.Check(c.CreditLimit >= 0, "customer.credit_limit", "must not be negative")
	s := c.Settlement
	switch s.Cycle {
	case "":
		v.Check(s.ClosingDay == 0 && s.DueDays == 0, "customer.settlement.cycle", "is required when terms are given")
	case "monthly", "semimonthly":
		v.Check(s.ClosingDay >= 1 && s.ClosingDay <= 28 || s.ClosingDay == 31, "customer.settlement.closing_day",
			"must be 1-28, or 31 for the month's last day")
	case "weekly":
		v.Check(s.ClosingDay >= 1 && s.ClosingDay <= 7, "customer.settlement.closing_day", "must be 1-7 (Monday = 1)")
	case "per_delivery":
		v.Check(s.ClosingDay == 0, "customer.settlement.closing_day", "must be 0 when settling per delivery")
	default:
		v.Addf("customer.settlement.cycle", "must be one of %s", strings.Join(SettlementCycles, ", "))
	}
	v.Check(s.DueDays >= 0 && s.DueDays <= 365, "customer.settlement.due_days", "must be 0-365")
	v.Check(c.MinRemainingShelfLifeDays >= 0 && c.MinRemainingShelfLifeDays <= 3650,
		"customer.min_remaining_shelf_life_days", "must be 0-3650")
	text(&v, "customer.contact", c.Contact, false, 64)
	text(&v, "customer.phone", c.Phone, false, 32)
	text(&v, "customer.address", c.Address, false, 255)
	return v.Err("invalid customer")
}

func (c Customer) patch(in Customer, m mask.Set) (Customer, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			c.Name = in.Name
		case "kind":
			c.Kind = in.Kind
		case "tax_id":
			c.TaxID = in.TaxID
		case "credit_limit":
			c.CreditLimit = in.CreditLimit
		case "settlement":
			c.Settlement = in.Settlement
		case "min_remaining_shelf_life_days":
			c.MinRemainingShelfLifeDays = in.MinRemainingShelfLifeDays
		case "contact":
			c.Contact = in.Contact
		case "phone":
			c.Phone = in.Phone
		case "address":
			c.Address = in.Address
		case "code":
			immutable(&v, "customer.code", c.Code, in.Code)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of customer", p)
			}
		}
	}
	if err := v.Err("invalid customer update"); err != nil {
		return c, err
	}
	return c, c.validate()
}

// Outlet is one delivery point of a customer, such as one supermarket store.
type Outlet struct {
	Meta
	Customer int64
	Code     string
	Name     string
	City     string
	Address  string
	Contact  string
	Phone    string
}

// ResourceName names the outlet in the audit log.
func (o Outlet) ResourceName() string {
	return "customers/" + strconv.FormatInt(o.Customer, 10) + "/outlets/" + strconv.FormatInt(o.ID, 10)
}

func (o Outlet) validate() error {
	var v apperr.Violations
	v.Check(o.Customer > 0, "outlet.customer", "must be a customer id")
	code(&v, "outlet.code", o.Code)
	text(&v, "outlet.name", o.Name, true, 255)
	text(&v, "outlet.city", o.City, false, 64)
	text(&v, "outlet.address", o.Address, false, 255)
	text(&v, "outlet.contact", o.Contact, false, 64)
	text(&v, "outlet.phone", o.Phone, false, 32)
	return v.Err("invalid outlet")
}

func (o Outlet) patch(in Outlet, m mask.Set) (Outlet, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			o.Name = in.Name
		case "city":
			o.City = in.City
		case "address":
			o.Address = in.Address
		case "contact":
			o.Contact = in.Contact
		case "phone":
			o.Phone = in.Phone
		case "code":
			immutable(&v, "outlet.code", o.Code, in.Code)
		case "customer":
			immutable(&v, "outlet.customer", o.Customer, in.Customer)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of outlet", p)
			}
		}
	}
	if err := v.Err("invalid outlet update"); err != nil {
		return o, err
	}
	return o, o.validate()
}

// Supplier sells to us.
type Supplier struct {
	Meta
	Code           string
	Name           string
	TaxID          string
	PaymentDueDays int32
	Contact        string
	Phone          string
	Address        string
}

// ResourceName names the supplier in the audit log.
func (s Supplier) ResourceName() string { return "suppliers/" + strconv.FormatInt(s.ID, 10) }

func (s Supplier) validate() error {
	var v apperr.Violations
	code(&v, "supplier.code", s.Code)
	text(&v, "supplier.name", s.Name, true, 255)
	taxID(&v, "supplier.tax_id", s.TaxID)
	v.Check(s.PaymentDueDays >= 0 && s.PaymentDueDays <= 365, "supplier.payment_due_days", "must be 0-365")
	text(&v, "supplier.contact", s.Contact, false, 64)
	text(&v, "supplier.phone", s.Phone, false, 32)
	text(&v, "supplier.address", s.Address, false, 255)
	return v.Err("invalid supplier")
}

func (s Supplier) patch(in Supplier, m mask.Set) (Supplier, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			s.Name = in.Name
		case "tax_id":
			s.TaxID = in.TaxID
		case "payment_due_days":
			s.PaymentDueDays = in.PaymentDueDays
		case "contact":
			s.Contact = in.Contact
		case "phone":
			s.Phone = in.Phone
		case "address":
			s.Address = in.Address
		case "code":
			immutable(&v, "supplier.code", s.Code, in.Code)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of supplier", p)
			}
		}
	}
	if err := v.Err("invalid supplier update"); err != nil {
		return s, err
	}
	return s, s.validate()
}
