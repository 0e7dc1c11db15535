package finance

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
)

// balanceKey is one row of account_balances.
type balanceKey struct {
	account string
	period  Period
	closing bool
	dims    Dims
}

// balanceSet sums postings by key, so that a batch writes each key once.
type balanceSet map[balanceKey][2]int64

func (b balanceSet) add(account string, p Period, closing bool, d Dims, debit, credit int64) {
	k := balanceKey{account, p, closing, d}
	v := b[k]
	b[k] = [2]int64{v[0] + debit, v[1] + credit}
}

// write adds the set to account_balances (in key order, so that concurrent writers lock
// rows in the same order) and marks the accounts as having postings.
func (b balanceSet) write(tx *gorm.DB, now time.Time) error {
	if len(b) == 0 {
		return nil
	}
	keys := make([]balanceKey, 0, len(b))
	accounts := map[string]bool{}
	for k := range b {
		keys = append(keys, k)
		accounts[k.account] = true
	}
	slices.SortFunc(keys, func(x, y balanceKey) int {
		return cmp.Or(strings.Compare(x.account, y.account), cmp.Compare(x.period, y.period),
			cmp.Compare(boolInt(x.closing), boolInt(y.closing)), cmp.Compare(x.dims.Customer, y.dims.Customer),
			cmp.Compare(x.dims.Supplier, y.dims.Supplier), cmp.Compare(x.dims.Branch, y.dims.Branch),
			cmp.Compare(x.dims.Item, y.dims.Item), cmp.Compare(x.dims.Employee, y.dims.Employee),
			cmp.Compare(x.dims.Warehouse, y.dims.Warehouse))
	})
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, 0, len(chunk)*11)
		for _, k := range chunk {
			v := b[k]
			args = append(args, k.account, int(k.period), k.closing, k.dims.Customer, k.dims.Supplier, k.dims.Branch,
				k.dims.Item, k.dims.Employee, k.dims.Warehouse, v[0], v[1])
		}
		if err := tx.Exec(`INSERT INTO account_balances (account_code, period, closing, customer_id, supplier_id, branch_id,
			item_id, employee_id, warehouse_id, debit, credit) VALUES `+db.Placeholders(len(chunk), 11)+`
			ON DUPLICATE KEY UPDATE debit = debit + VALUES(debit), credit = credit + VALUES(credit)`, args...).Error; err != nil {
			return err
		}
	}
	codes := make([]string, 0, len(accounts))
	for a := range accounts {
		codes = append(codes, a)
	}
	// mark first postings; a plain read first, so that accounts posted long ago are not
	// locked by every posting
	var fresh []string
	if err := tx.Raw(`SELECT code FROM accounts WHERE code IN ? AND posted = 0`, codes).Scan(&fresh).Error; err != nil || len(fresh) == 0 {
		return err
	}
	slices.Sort(fresh)
	return tx.Exec(`UPDATE accounts SET posted = 1, updated_at = ? WHERE code IN ? AND posted = 0`, now, fresh).Error
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
