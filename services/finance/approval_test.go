package finance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/reqctx"
)

// TestVoucherApproval: a manual voucher over the flow's threshold waits for its approval
// flow: it can be neither approved (审核) nor posted until a manager approves it in the
// flow; a rejected one waits for its maker to change it, which submits it again; a
// voucher under the threshold needs no flow.
func TestVoucherApproval(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	e := l.e
	e.MustDo(t, 200, "POST", "/v1/books:initialize", l.maker, map[string]any{"startPeriod": "2026-01"})
	e.MustDo(t, 200, "POST", "/v1/approvalFlows", e.Admin, map[string]any{"name": "大额凭证", "documentType": "voucher",
		"active": true, "conditions": []map[string]any{{"minAmount": yuan("100000.00")}},
		"steps": []map[string]any{{"name": "财务经理", "role": reqctx.RoleManager, "mode": "ANY"}}})

	small := l.voucher(t, "2026-01-05", "记", "小额报销", dr("5602", "500.00"), cr("1001", "500.00"))
	l.approveAndPost(t, small.ID) // no flow applies

	big := l.voucher(t, "2026-01-06", "记", "设备款", dr("1601", "150000.00"), cr("1002", "150000.00"))
	state := func(id int64) (string, string) {
		var v struct {
			ApprovalState   string `json:"approvalState"`
			ApprovalComment string `json:"approvalComment"`
		}
		e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/vouchers/%d", id), l.maker, nil).Decode(t, &v)
		return v.ApprovalState, v.ApprovalComment
	}
	if s, _ := state(big.ID); s != "pending" {
		t.Fatalf("approval state %q, want pending", s)
	}
	r := e.Do(t, "POST", fmt.Sprintf("/v1/vouchers/%d:approve", big.ID), l.checker, nil)
	if r.Status < 400 || !strings.Contains(string(r.Body), "AWAITING_APPROVAL") {
		t.Fatalf("审核 of a voucher under approval: %d %s", r.Status, r.Body)
	}
	var inbox struct {
		ApprovalRequests []struct {
			ID           int64  `json:"id"`
			DocumentType string `json:"documentType"`
			Document     int64  `json:"document"`
			Amount       int64  `json:"amount"`
		} `json:"approvalRequests"`
	}
	boss := l.manager
	e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", boss, nil).Decode(t, &inbox)
	if len(inbox.ApprovalRequests) != 1 || inbox.ApprovalRequests[0].DocumentType != "voucher" ||
		inbox.ApprovalRequests[0].Document != big.ID || inbox.ApprovalRequests[0].Amount != yuan("150000.00") {
		t.Fatalf("inbox %+v", inbox)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:reject", inbox.ApprovalRequests[0].ID), boss,
		map[string]any{"comment": "先提供合同"})
	waitUntil(t, "the rejection reaches the voucher", func() bool { s, _ := state(big.ID); return s == "rejected" })
	if _, c := state(big.ID); c != "先提供合同" {
		t.Fatalf("comment %q", c)
	}
	r = e.Do(t, "POST", fmt.Sprintf("/v1/vouchers/%d:approve", big.ID), l.checker, nil)
	if r.Status < 400 || !strings.Contains(string(r.Body), "APPROVAL_REJECTED") {
		t.Fatalf("审核 of a rejected voucher: %d %s", r.Status, r.Body)
	}
	// the maker changes it: a new request
	e.MustDo(t, 200, "PATCH", fmt.Sprintf("/v1/vouchers/%d", big.ID), l.maker, map[string]any{"date": "2026-01-06", "word": "记",
		"summary": "设备款(附合同)", "attachmentCount": 2, "lines": []line{dr("1601", "150000.00"), cr("1002", "150000.00")}})
	if s, _ := state(big.ID); s != "pending" {
		t.Fatalf("after the change: %q, want pending", s)
	}
	e.MustDo(t, 200, "GET", "/v1/approvalRequests?state=PENDING", boss, nil).Decode(t, &inbox)
	if len(inbox.ApprovalRequests) != 1 {
		t.Fatalf("inbox after resubmission %+v", inbox)
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/approvalRequests/%d:approve", inbox.ApprovalRequests[0].ID), boss, map[string]any{})
	waitUntil(t, "the approval reaches the voucher", func() bool { s, _ := state(big.ID); return s == "approved" })
	l.approveAndPost(t, big.ID)
}
