package catalog

import (
	"regexp"
	"slices"
	"strconv"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
)

// Branch is a logistics centre in one city; its code appears in document numbers.
type Branch struct {
	Meta
	Code    string
	Name    string
	City    string
	Address string
}

// ResourceName names the branch in the audit log.
func (b Branch) ResourceName() string { return "branches/" + strconv.FormatInt(b.ID, 10) }

var branchCodeRE = regexp.MustCompile(`^[A-Z0-9]{1,8}$`)

func (b Branch) validate() error {
	var v apperr.Violations
	v.Check(branchCodeRE.MatchString(b.Code), "branch.code", "must be 1-8 upper-case letters or digits")
	text(&v, "branch.name", b.Name, true, 128)
	text(&v, "branch.city", b.City, false, 64)
	text(&v, "branch.address", b.Address, false, 255)
	return v.Err("invalid branch")
}

func (b Branch) patch(in Branch, m mask.Set) (Branch, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			b.Name = in.Name
		case "city":
			b.City = in.City
		case "address":
			b.Address = in.Address
		case "code":
			immutable(&v, "branch.code", b.Code, in.Code)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of branch", p)
			}
		}
	}
	if err := v.Err("invalid branch update"); err != nil {
		return b, err
	}
	return b, b.validate()
}

// Warehouse belongs to one branch.
type Warehouse struct {
	Meta
	Code               string
	Name               string
	Branch             int64
	AllowNegativeStock bool
	Address            string
	FEFOPolicy         string // block, warn or off
}

// FEFO policies of a warehouse.
var FEFOPolicies = []string{"block", "warn", "off"}

// ResourceName names the warehouse in the audit log.
func (w Warehouse) ResourceName() string { return "warehouses/" + strconv.FormatInt(w.ID, 10) }

func (w Warehouse) validate() error {
	var v apperr.Violations
	code(&v, "warehouse.code", w.Code)
	text(&v, "warehouse.name", w.Name, true, 128)
	v.Check(w.Branch > 0, "warehouse.branch", "must be a branch id")
	text(&v, "warehouse.address", w.Address, false, 255)
	if !slices.Contains(FEFOPolicies, w.FEFOPolicy) {
		v.Add("warehouse.fefo_policy", "must be block, warn or off")
	}
	return v.Err("invalid warehouse")
}

func (w Warehouse) patch(in Warehouse, m mask.Set) (Warehouse, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			w.Name = in.Name
		case "address":
			w.Address = in.Address
		case "allow_negative_stock":
			w.AllowNegativeStock = in.AllowNegativeStock
		case "fefo_policy":
			w.FEFOPolicy = in.FEFOPolicy
		case "code":
			immutable(&v, "warehouse.code", w.Code, in.Code)
		case "branch":
			immutable(&v, "warehouse.branch", w.Branch, in.Branch)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of warehouse", p)
			}
		}
	}
	if err := v.Err("invalid warehouse update"); err != nil {
		return w, err
	}
	return w, w.validate()
}
