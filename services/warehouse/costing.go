package warehouse

import (
	"github.com/erphub/erphub/internal/money"
)

// valuation is the moving-average valuation of one item in one warehouse.
type valuation struct {
	Quantity int64 // on hand, milli-units
	Value    int64 // fen
	LastCost int64 // fen per unit of the latest receipt (for stock below zero)
}

// receive adds q milli-units worth value fen.
func (v valuation) receive(q, value, unitCost int64) valuation {
	v.Quantity += q
	v.Value += value
	if unitCost > 0 {
		v.LastCost = unitCost
	}
	return v
}

// issue takes q milli-units out and answers their value: value·q/Q rounded half up while
// stock lasts, so the rounding remainder stays in stock; all of the value when the last
// of it goes; beyond what is on hand (where negative stock is allowed) at the last cost.
func (v valuation) issue(q int64) (valuation, int64, error) {
	var out int64
	switch {
	case q <= 0:
		return v, 0, nil
	case v.Quantity > 0 && q < v.Quantity:
		o, err := money.MulDiv(v.Value, q, v.Quantity)
		if err != nil {
			return v, 0, err
		}
		out = o
	case v.Quantity > 0:
		excess, err := money.LineAmount(q-v.Quantity, v.LastCost)
		if err != nil {
			return v, 0, err
		}
		out = v.Value + excess
	default:
		o, err := money.LineAmount(q, v.LastCost)
		if err != nil {
			return v, 0, err
		}
		out = o
	}
	v.Quantity -= q
	v.Value -= out
	return v, out, nil
}

// unitCost is the average cost of one unit, fen (the last cost when nothing is on hand).
func (v valuation) unitCost() int64 {
	if v.Quantity <= 0 {
		return v.LastCost
	}
	c, err := money.MulDiv(v.Value, money.MilliPerUnit, v.Quantity)
	if err != nil {
		return v.LastCost
	}
	return c
}
