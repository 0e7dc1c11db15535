package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/metadata"

	financev1 "github.com/erphub/erphub/api/erp/finance/v1"
)

// Finance scenarios:
//
//   - voucher-generate-100k: 100,000 stock documents (one-line adjustments by 32 clients)
//     are posted while the books are not set up, so their vouchers wait; setting up the
//     books starts generation, measured until every document has its voucher. units/s is
//     vouchers generated per second.
//   - voucher-create-grpc: 16 clients make 20-line vouchers.
//   - voucher-post-batch: the drafts (the generated ones plus manual 20-line vouchers over
//     twelve months, 1,000,000 lines or more) are approved, then posted 500 a call;
//     units/s is vouchers posted per second.
//   - trial-balance: 4 clients read the trial balance of the current month over that year.
func init() {
	register(
		scenario{name: "voucher-generate-100k", clients: 1, unitsOf: func() int { return *docsWanted }, setup: setupGeneration, op: generateOp, once: true},
		scenario{name: "voucher-create-grpc", clients: 16, setup: setupLedger, op: createVoucherOp},
		scenario{name: "voucher-post-batch", clients: 1, units: postBatch, setup: setupPosting, op: postOp, once: true},
		scenario{name: "trial-balance", clients: 4, setup: setupLedger, op: trialBalanceOp},
	)
}

const (
	postBatch   = 500
	financeDocs = 100_000 // the default of -finance-docs
)

// Sizes of the finance scenarios (flags, for quick runs).
var (
	docsWanted  = flag.Int("finance-docs", financeDocs, "stock documents posted for voucher-generate-100k")
	linesWanted = flag.Int("finance-lines", 1_000_000, "voucher lines made for voucher-post-batch and trial-balance")
)

var fin struct {
	once      sync.Once
	err       error
	start     string // first period of the books
	now       time.Time
	token     string // a finance user (approves the admin's vouchers)
	generated atomic.Bool
	drafts    []int64
	next      atomic.Int64
}

func financeDB(e *env) (*sql.DB, error) { return sql.Open("mysql", e.dsn) }

func count(ctx context.Context, db *sql.DB, q string, args ...any) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// parallel runs fn(i) for i in [0, n) on k workers and answers the first error.
func parallel(k, n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// setupGeneration posts the stock documents with the books not set up yet.
func setupGeneration(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	const clients = 32
	items := make([]int64, clients)
	for i := range items {
		var it struct{ ID int64 }
		if err := e.call(ctx, "POST", "/v1/items", map[string]any{"sku": fmt.Sprintf("FIN-%02d", i), "name": "香肠", "unit": "bag"}, &it); err != nil {
			return err
		}
		items[i] = it.ID
	}
	started := time.Now()
	err := parallel(clients, *docsWanted, func(i int) error {
		return e.call(ctx, "POST", "/v1/adjustments", map[string]any{"warehouse": world.warehouse, "reason": "bench",
			"lines": []map[string]any{{"item": items[i%clients], "quantity": 1000, "unitCost": 1234}}}, nil)
	})
	if err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		n, err := count(ctx, db, `SELECT COUNT(*) FROM finance_documents`)
		if err != nil {
			return err
		}
		if n >= int64(*docsWanted) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("  (posted %d stock documents in %.1f s; their vouchers wait for the books)\n", *docsWanted, time.Since(started).Seconds())
	return nil
}

func generateOp(ctx context.Context, e *env, _ int) error {
	if fin.generated.Swap(true) {
		return errExhausted
	}
	if err := setupBooks(ctx, e); err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		n, err := count(ctx, db, `SELECT COUNT(*) FROM finance_documents WHERE state IN ('pending', 'daily')`)
		if err != nil {
			return err
		}
		if n == 0 {
			bad, err := count(ctx, db, `SELECT COUNT(*) FROM finance_documents WHERE state = 'exception'`)
			if err == nil && bad > 0 {
				err = fmt.Errorf("%d documents in the exception list", bad)
			}
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setupBooks sets the books up twelve months back and makes a finance user (a second
// person, to approve the admin's vouchers).
func setupBooks(ctx context.Context, e *env) error {
	fin.once.Do(func() {
		fin.now = time.Now()
		first := time.Date(fin.now.Year(), fin.now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
		fin.start = first.Format("2006-01")
		if fin.err = e.call(ctx, "POST", "/v1/books:initialize", map[string]any{"startPeriod": fin.start,
			"voucherWords": []string{"收", "付", "转"}}, nil); fin.err != nil {
			return
		}
		if fin.err = e.call(ctx, "POST", "/v1/users", map[string]any{"username": "bench-finance", "displayName": "bench",
			"roles": []string{"finance"}, "password": "bench-finance-password"}, nil); fin.err != nil {
			return
		}
		fin.token, fin.err = login(ctx, e, "bench-finance", "bench-finance-password")
	})
	return fin.err
}

func setupLedger(ctx context.Context, e *env) error {
	if err := prepareWorld(ctx, e); err != nil {
		return err
	}
	return setupBooks(ctx, e)
}

var expenseAccounts = []string{"5601", "5602", "5603", "5711", "5403"}

// benchVoucher is a 20-line voucher on a random day of the books' twelve months: 19
// expenses by branch-free accounts against the bank.
func benchVoucher(n int64) *financev1.Voucher {
	day := fin.now.AddDate(0, 0, -rand.IntN(330))
	v := &financev1.Voucher{Date: day.Format(time.DateOnly), Word: "付", Summary: fmt.Sprintf("费用报销 %d", n), AttachmentCount: 2}
	var total int64
	for i := range 19 {
		amount := int64(100 + rand.IntN(100000))
		total += amount
		v.Lines = append(v.Lines, &financev1.VoucherLine{Account: expenseAccounts[i%len(expenseAccounts)], Debit: amount,
			Employee: int64(1 + i)})
	}
	v.Lines = append(v.Lines, &financev1.VoucherLine{Account: "1002", Credit: total})
	return v
}

func createVoucherOp(ctx context.Context, e *env, w int) error {
	_, err := financev1.NewFinanceServiceClient(e.conn(w)).CreateVoucher(e.auth(ctx),
		&financev1.CreateVoucherRequest{Voucher: benchVoucher(e.next())})
	return err
}

// setupPosting makes drafts up to a million lines and approves every draft.
func setupPosting(ctx context.Context, e *env) error {
	if err := setupLedger(ctx, e); err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	lines, err := count(ctx, db, `SELECT COUNT(*) FROM voucher_lines`)
	if err != nil {
		return err
	}
	started := time.Now()
	missing := int((int64(*linesWanted) - lines + 19) / 20)
	if missing > 0 {
		if err := parallel(16, missing, func(i int) error {
			_, err := financev1.NewFinanceServiceClient(e.conn(i)).CreateVoucher(e.auth(ctx),
				&financev1.CreateVoucherRequest{Voucher: benchVoucher(e.next())})
			return err
		}); err != nil {
			return err
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM vouchers WHERE status = 'draft' ORDER BY id`)
	if err != nil {
		return err
	}
	var drafts []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		drafts = append(drafts, id)
	}
	rows.Close()
	total, _ := count(ctx, db, `SELECT COUNT(*) FROM voucher_lines`)
	fmt.Printf("  (made %d 20-line vouchers in %.1f s: %d drafts, %d voucher lines; approving them)\n", max(missing, 0),
		time.Since(started).Seconds(), len(drafts), total)
	client := financev1.NewFinanceServiceClient(e.conn(0))
	actx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+fin.token)
	for i := 0; i < len(drafts); i += 1000 {
		if _, err := client.BatchApproveVouchers(actx, &financev1.BatchApproveVouchersRequest{Ids: drafts[i:min(i+1000, len(drafts))]}); err != nil {
			return err
		}
	}
	fin.drafts = drafts
	return nil
}

func postOp(ctx context.Context, e *env, w int) error {
	start := int(fin.next.Add(postBatch)) - postBatch
	if start >= len(fin.drafts) {
		return errExhausted
	}
	ids := fin.drafts[start:min(start+postBatch, len(fin.drafts))]
	resp, err := financev1.NewFinanceServiceClient(e.conn(w)).BatchPostVouchers(e.auth(ctx), &financev1.BatchPostVouchersRequest{Ids: ids})
	if err != nil {
		return err
	}
	for _, r := range resp.GetResults() {
		if r.GetErrorReason() != "" {
			return errors.New(r.GetErrorReason() + ": " + r.GetErrorMessage())
		}
	}
	return nil
}

func trialBalanceOp(ctx context.Context, e *env, w int) error {
	resp, err := financev1.NewFinanceServiceClient(e.conn(w)).GetTrialBalance(e.auth(ctx),
		&financev1.GetTrialBalanceRequest{Period: fin.now.Format("2006-01")})
	if err != nil {
		return err
	}
	if !resp.GetBalanced() || len(resp.GetRows()) == 0 {
		return fmt.Errorf("trial balance not balanced or empty (%d rows)", len(resp.GetRows()))
	}
	return nil
}
