package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Approval scenarios:
//
//   - approval-inbox: 10,000 pending requests spread over 50 approvers (200 each); each op
//     is one approver's GET /v1/approvalRequests?state=PENDING (first page, 50 requests
//     with their history and approvers). The requests are seeded straight into the
//     approval tables in SQL, because submitting 10,000 documents through their own
//     services would measure those services instead; flows and users go through the API.
//   - approval-inbox-4: the same with 4 clients instead of 16: still hundreds of inbox
//     reads a second (50 managers whose phones poll every 4 s ask about 13 a second), so
//     its latency is the service's own rather than the 2-core machine's queue.
//   - approval-decide: the approvers approve those requests, one POST :approve per op, so
//     req/s is decisions per second (each decision is one transaction with a row lock, a
//     guarded update, the audit row and the outbox events).
func init() {
	register(scenario{name: "approval-inbox", clients: 16, setup: setupApprovals, op: inboxOp},
		scenario{name: "approval-inbox-4", clients: 4, setup: setupApprovals, op: inboxOp},
		scenario{name: "approval-decide", clients: 16, setup: setupApprovals, op: decideOp, once: true})
}

const (
	benchApprovers = 50
	benchRequests  = 10_000
)

var appr struct {
	once   sync.Once
	err    error
	tokens []string
	ids    []int64 // request ids, in seeding order; request i waits for approver i % 50
	next   atomic.Int64
}

func setupApprovals(ctx context.Context, e *env) error {
	appr.once.Do(func() { appr.err = seedApprovals(ctx, e) })
	return appr.err
}

func seedApprovals(ctx context.Context, e *env) error {
	started := time.Now()
	users := make([]int64, benchApprovers)
	appr.tokens = make([]string, benchApprovers)
	if err := parallel(8, benchApprovers, func(i int) error {
		name, pw := fmt.Sprintf("bench-approver-%02d", i), "bench-approver-password"
		var u struct{ ID int64 }
		if err := e.call(ctx, "POST", "/v1/users", map[string]any{"username": name, "roles": []string{"manager"},
			"password": pw}, &u); err != nil {
			return err
		}
		users[i] = u.ID
		var err error
		appr.tokens[i], err = login(ctx, e, name, pw)
		return err
	}); err != nil {
		return err
	}
	var f struct{ ID int64 }
	if err := e.call(ctx, "POST", "/v1/approvalFlows", map[string]any{"name": "bench", "documentType": "voucher", "active": true,
		"steps": []map[string]any{{"name": "经理", "role": "manager", "mode": "ANY"}}}, &f); err != nil {
		return err
	}
	db, err := financeDB(e)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UTC()
	const batch = 1000
	for start := 0; start < benchRequests; start += batch {
		var sb strings.Builder
		args := make([]any, 0, batch*8)
		sb.WriteString(`INSERT INTO approval_requests (document_type, document_id, document_number, amount, branch_id, maker_id,
			flow_id, flow_version, condition_text, state, open_key, step, step_started_at, created_at) VALUES `)
		for i := start; i < start+batch; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString("('voucher',?,?,?,0,0,?,1,'always','PENDING',?,1,?,?)")
			args = append(args, 1_000_000+i, fmt.Sprintf("记-BENCH-%05d", i), int64(10_000+i), f.ID,
				fmt.Sprintf("voucher/%d", 1_000_000+i), now, now)
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM approval_requests WHERE flow_id = ? ORDER BY id`, f.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		appr.ids = append(appr.ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for start := 0; start < len(appr.ids); start += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString(`INSERT INTO approval_assignments (request_id, step, user_id, open) VALUES `)
		for i := start; i < min(start+batch, len(appr.ids)); i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,1,?,1)")
			args = append(args, appr.ids[i], users[i%benchApprovers])
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	fmt.Printf("  seeded %d approval requests for %d approvers in %s\n", len(appr.ids), benchApprovers, time.Since(started).Round(time.Millisecond))
	return nil
}

// callAs is e.call with another user's token.
func callAs(ctx context.Context, e *env, token, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.http+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return raw, nil
}

func inboxOp(ctx context.Context, e *env, _ int) error {
	raw, err := callAs(ctx, e, appr.tokens[rand.IntN(benchApprovers)], "GET", "/v1/approvalRequests?state=PENDING", nil)
	if err != nil {
		return err
	}
	if !bytes.Contains(raw, []byte(`"approvalRequests"`)) {
		return fmt.Errorf("inbox answer without requests: %.200s", raw)
	}
	return nil
}

func decideOp(ctx context.Context, e *env, _ int) error {
	i := int(appr.next.Add(1)) - 1
	if i >= len(appr.ids) {
		return errExhausted
	}
	_, err := callAs(ctx, e, appr.tokens[i%benchApprovers], "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", appr.ids[i]),
		map[string]any{"comment": "ok"})
	return err
}
