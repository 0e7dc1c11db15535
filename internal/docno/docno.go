// Package docno hands out human-readable document numbers that are gap-free per
// (document type, branch, period), e.g. SO-CQ-202611-000123.
//
// The counter row is advanced with INSERT … ON DUPLICATE KEY UPDATE inside the transaction
// that creates the document: the row lock serialises concurrent creators of the same
// sequence until commit, and a rolled-back document gives its number back, so committed
// numbers have no gaps. Sequences of different branches or periods do not contend.
package docno

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/db"
)

// Period is the YYYYMM period of t in loc.
func Period(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("200601")
}

// Next allocates the next number of (docType, branch, period) inside tx.
func Next(tx *gorm.DB, docType string, branch int64, period string) (int64, error) {
	return NextN(tx, docType, branch, period, 1)
}

// NextN allocates n consecutive numbers of (docType, branch, period) inside tx and
// answers the last; the numbers are last-n+1 … last.
func NextN(tx *gorm.DB, docType string, branch int64, period string, n int) (int64, error) {
	if len(period) != 6 {
		return 0, fmt.Errorf("docno: period %q is not YYYYMM", period)
	}
	if n < 1 {
		return 0, fmt.Errorf("docno: %d numbers asked for", n)
	}
	// UPDATE first: it takes the row's exclusive lock at once. INSERT … ON DUPLICATE KEY
	// UPDATE takes a shared lock on the existing key before upgrading, and two callers
	// holding the shared lock deadlock on the upgrade; under load that is most calls.
	res := tx.Exec(`UPDATE doc_sequences SET last_no = last_no + ? WHERE doc_type = ? AND branch_id = ? AND period = ?`,
		n, docType, branch, period)
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected == 0 {
		err := tx.Exec(`INSERT INTO doc_sequences (doc_type, branch_id, period, last_no) VALUES (?, ?, ?, ?)`,
			docType, branch, period, n).Error
		if _, dup := db.IsDuplicate(err); dup {
			return 0, db.ErrRetry // another transaction made the row first: run again, updating it
		}
		if err != nil {
			return 0, err
		}
	}
	var last int64
	// A locking read is a current read: it sees the value this transaction just wrote.
	err := tx.Raw(`SELECT last_no FROM doc_sequences WHERE doc_type = ? AND branch_id = ? AND period = ? FOR UPDATE`,
		docType, branch, period).Scan(&last).Error
	return last, err
}

// Format renders a number as PREFIX-BRANCH-YYYYMM-NNNNNN (the branch part is left out
// when branchCode is empty).
func Format(prefix, branchCode, period string, n int64) string {
	if branchCode == "" {
		return fmt.Sprintf("%s-%s-%06d", prefix, period, n)
	}
	return fmt.Sprintf("%s-%s-%s-%06d", prefix, branchCode, period, n)
}
