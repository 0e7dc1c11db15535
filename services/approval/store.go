package approval

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
)

// store holds the approval tables' queries; db is the transaction or the pool.
type store struct{ db *gorm.DB }

func (s store) lastID() (int64, error) {
	var id int64
	err := s.db.Raw("SELECT LAST_INSERT_ID()").Scan(&id).Error
	return id, err
}

// ---- flows ----

type flowRow struct {
	ID, CreatedBy  int64
	Name           string
	DocumentType   string
	Priority       int32
	Active         bool
	CurrentVersion int32
	Definition     []byte
	VersionAt      time.Time
}

const flowSelect = `SELECT f.id, f.name, f.document_type, f.priority, f.active, f.current_version, f.created_by,
	v.definition, v.created_at AS version_at FROM approval_flows f
	JOIN approval_flow_versions v ON v.flow_id = f.id AND v.version = `

func (r flowRow) flow() (Flow, error) {
	var f Flow
	if err := json.Unmarshal(r.Definition, &f); err != nil {
		return f, fmt.Errorf("approval flow %d: decode definition: %w", r.ID, err)
	}
	f.ID, f.Name, f.DocumentType, f.Priority, f.Active = r.ID, r.Name, r.DocumentType, r.Priority, r.Active
	f.UpdateTime = r.VersionAt
	return f, nil
}

func (s store) insertFlow(f Flow, by int64, now time.Time) (Flow, error) {
	if err := s.db.Exec(`INSERT INTO approval_flows (name, document_type, priority, active, current_version, created_by, created_at, updated_at)
		VALUES (?,?,?,?,1,?,?,?)`, f.Name, f.DocumentType, f.Priority, f.Active, by, now, now).Error; err != nil {
		return f, err
	}
	id, err := s.lastID()
	if err != nil {
		return f, err
	}
	f.ID, f.Version, f.UpdateTime = id, 1, now
	return f, s.insertFlowVersion(f, by, now)
}

func (s store) insertFlowVersion(f Flow, by int64, now time.Time) error {
	def, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.db.Exec(`INSERT INTO approval_flow_versions (flow_id, version, definition, created_by, created_at) VALUES (?,?,?,?,?)`,
		f.ID, f.Version, def, by, now).Error
}

// lockFlowVersion answers a flow's current version number under a row lock.
func (s store) lockFlowVersion(id int64) (int32, error) {
	var v []int32
	if err := s.db.Raw(`SELECT current_version FROM approval_flows WHERE id = ? FOR UPDATE`, id).Scan(&v).Error; err != nil {
		return 0, err
	}
	if len(v) == 0 {
		return 0, apperr.NotFound("approval flow", id)
	}
	return v[0], nil
}

func (s store) updateFlow(f Flow, now time.Time) error {
	return s.db.Exec(`UPDATE approval_flows SET name = ?, document_type = ?, priority = ?, active = ?, current_version = ?,
		updated_at = ? WHERE id = ?`, f.Name, f.DocumentType, f.Priority, f.Active, f.Version, now, f.ID).Error
}

// flow answers a flow at a version (0: its current one).
func (s store) flow(id int64, version int32) (Flow, error) {
	q := flowSelect + "f.current_version WHERE f.id = ?"
	args := []any{id}
	if version > 0 {
		q = flowSelect + "? WHERE f.id = ?"
		args = []any{version, id}
	}
	var rows []flowRow
	if err := s.db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return Flow{}, err
	}
	if len(rows) == 0 {
		return Flow{}, apperr.NotFound("approval flow", id)
	}
	return rows[0].flow()
}

// flows answers current versions, of one type (or all when docType is ""), in the order
// they are tried.
func (s store) flows(docType string, activeOnly bool) ([]Flow, error) {
	q := flowSelect + "f.current_version WHERE 1=1"
	var args []any
	if docType != "" {
		q += " AND f.document_type = ?"
		args = append(args, docType)
	}
	if activeOnly {
		q += " AND f.active = 1"
	}
	var rows []flowRow
	if err := s.db.Raw(q+" ORDER BY f.document_type, f.priority, f.id", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Flow, 0, len(rows))
	for _, r := range rows {
		f, err := r.flow()
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// ---- requests ----

type requestRow struct {
	ID, DocumentID, Amount, BranchID, WarehouseID, MakerID, FlowID int64
	DocumentType, DocumentNumber, ConditionText, State, Comment    string
	FlowVersion, Step, Version, RemindedStep, EscalatedStep        int32
	StepStartedAt, CreatedAt                                       time.Time
	DecidedAt                                                      sql.NullTime
	Facts                                                          sql.NullString // JSON object
}

// facts reads the stored facts; a value that is not a JSON object of integers reads as none.
func (r requestRow) facts() map[string]int64 {
	if !r.Facts.Valid || r.Facts.String == "" {
		return nil
	}
	var f map[string]int64
	if json.Unmarshal([]byte(r.Facts.String), &f) != nil {
		return nil
	}
	return f
}

// factsJSON stores facts as a JSON object (NULL when there are none).
func factsJSON(f map[string]int64) any {
	if len(f) == 0 {
		return nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil
	}
	return string(b)
}

const requestCols = `r.id, r.document_type, r.document_id, r.document_number, r.amount, r.branch_id, r.warehouse_id,
	r.maker_id, r.flow_id, r.flow_version, r.condition_text, r.state, r.step, r.step_started_at, r.reminded_step,
	r.escalated_step, r.comment, r.version, r.created_at, r.decided_at, r.facts`

// requests runs a query of requestCols and scans it by hand: inbox pages are the hot
// read, and gorm's reflective scan cost more than the query.
func (s store) requests(q string, args ...any) ([]requestRow, error) {
	rows, err := s.db.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []requestRow
	for rows.Next() {
		var r requestRow
		if err := rows.Scan(&r.ID, &r.DocumentType, &r.DocumentID, &r.DocumentNumber, &r.Amount, &r.BranchID,
			&r.WarehouseID, &r.MakerID, &r.FlowID, &r.FlowVersion, &r.ConditionText, &r.State, &r.Step,
			&r.StepStartedAt, &r.RemindedStep, &r.EscalatedStep, &r.Comment, &r.Version, &r.CreatedAt,
			&r.DecidedAt, &r.Facts); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (r requestRow) request() Request {
	return Request{ID: r.ID, DocumentType: r.DocumentType, Document: r.DocumentID, DocumentNumber: r.DocumentNumber,
		Amount: r.Amount, Branch: r.BranchID, Warehouse: r.WarehouseID, Maker: r.MakerID, Flow: r.FlowID,
		FlowVersion: r.FlowVersion, Condition: r.ConditionText, State: r.State, Step: r.Step, Comment: r.Comment,
		CreateTime: r.CreatedAt, Facts: r.facts()}
}

func openKey(docType string, id int64) string { return fmt.Sprintf("%s/%d", docType, id) }

// supersede ends the pending request of a document, if any, answering its id (or 0).
func (s store) supersede(docType string, doc int64, now time.Time) (int64, error) {
	var ids []int64
	if err := s.db.Raw(`SELECT id FROM approval_requests WHERE open_key = ? FOR UPDATE`, openKey(docType, doc)).
		Scan(&ids).Error; err != nil || len(ids) == 0 {
		return 0, err
	}
	if err := s.db.Exec(`UPDATE approval_requests SET state = ?, open_key = NULL, decided_at = ?, version = version + 1
		WHERE id = ?`, StateSuperseded, now, ids[0]).Error; err != nil {
		return 0, err
	}
	return ids[0], s.db.Exec(`UPDATE approval_assignments SET open = 0 WHERE request_id = ? AND open = 1`, ids[0]).Error
}

func (s store) insertRequest(r Request, now time.Time) (int64, error) {
	if err := s.db.Exec(`INSERT INTO approval_requests (document_type, document_id, document_number, amount, branch_id,
		warehouse_id, maker_id, flow_id, flow_version, condition_text, state, open_key, step, step_started_at, created_at, facts)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)`, r.DocumentType, r.Document, r.DocumentNumber, r.Amount, r.Branch,
		r.Warehouse, r.Maker, r.Flow, r.FlowVersion, r.Condition, StatePending, openKey(r.DocumentType, r.Document),
		now, now, factsJSON(r.Facts)).Error; err != nil {
		return 0, err
	}
	return s.lastID()
}

func (s store) assign(request int64, step int32, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	q := "INSERT IGNORE INTO approval_assignments (request_id, step, user_id, open) VALUES "
	args := make([]any, 0, 3*len(users))
	for i, u := range users {
		if i > 0 {
			q += ","
		}
		q += "(?,?,?,1)"
		args = append(args, request, step, u)
	}
	return s.db.Exec(q, args...).Error
}

func (s store) requestRow(id int64, lock bool) (requestRow, error) {
	q := "SELECT " + requestCols + " FROM approval_requests r WHERE r.id = ?"
	if lock {
		q += " FOR UPDATE"
	}
	rows, err := s.requests(q, id)
	if err != nil {
		return requestRow{}, err
	}
	if len(rows) == 0 {
		return requestRow{}, apperr.NotFound("approval request", id)
	}
	return rows[0], nil
}

// assignment is one approver's place on a step.
type assignment struct {
	Step   int32
	UserID int64
	Open   bool
}

func (s store) assignments(request int64) ([]assignment, error) {
	var out []assignment
	err := s.db.Raw(`SELECT step, user_id, open FROM approval_assignments WHERE request_id = ? ORDER BY step, user_id`, request).
		Scan(&out).Error
	return out, err
}

func (s store) closeAssignment(request int64, step int32, user int64) (bool, error) {
	res := s.db.Exec(`UPDATE approval_assignments SET open = 0 WHERE request_id = ? AND step = ? AND user_id = ? AND open = 1`,
		request, step, user)
	return res.RowsAffected == 1, res.Error
}

func (s store) closeStep(request int64) error {
	return s.db.Exec(`UPDATE approval_assignments SET open = 0 WHERE request_id = ? AND open = 1`, request).Error
}

// advance moves a request by a guarded UPDATE on its version. Errors: ErrAlreadyDecided.
func (s store) advance(r requestRow, state string, step int32, comment string, now time.Time) error {
	var decided any
	var key any = openKey(r.DocumentType, r.DocumentID)
	if state != StatePending {
		decided, key = now, nil
	}
	res := s.db.Exec(`UPDATE approval_requests SET state = ?, step = ?, step_started_at = ?, comment = ?, decided_at = ?,
		open_key = ?, version = version + 1 WHERE id = ? AND version = ? AND state = ?`,
		state, step, now, comment, decided, key, r.ID, r.Version, StatePending)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrAlreadyDecided
	}
	return nil
}

func (s store) insertDecision(request int64, d Decision, callID string) error {
	return s.db.Exec(`INSERT INTO approval_decisions (request_id, step, user_id, on_behalf_of, action, comment, peer, device,
		call_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)`, request, d.Step, d.User, d.OnBehalfOf, d.Action, d.Comment,
		d.Peer, d.Device, callID, d.Time).Error
}

// histories answers the decisions of requests, oldest first.
func (s store) histories(ids []int64) (map[int64][]Decision, error) {
	out := map[int64][]Decision{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Raw(`SELECT request_id, step, user_id, on_behalf_of, action, comment, peer, device, decided_at
		FROM approval_decisions WHERE request_id IN ? ORDER BY id`, ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d Decision
		if err := rows.Scan(&id, &d.Step, &d.User, &d.OnBehalfOf, &d.Action, &d.Comment, &d.Peer, &d.Device, &d.Time); err != nil {
			return nil, err
		}
		out[id] = append(out[id], d)
	}
	return out, rows.Err()
}

// openApprovers answers who may still decide the current step of requests.
func (s store) openApprovers(ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Raw(`SELECT request_id, user_id FROM approval_assignments WHERE request_id IN ? AND open = 1
		ORDER BY request_id, user_id`, ids).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, user int64
		if err := rows.Scan(&id, &user); err != nil {
			return nil, err
		}
		out[id] = append(out[id], user)
	}
	return out, rows.Err()
}

// inbox answers requests waiting for any of users, newest first.
func (s store) inbox(users []int64, after int64, limit int) ([]requestRow, error) {
	// One user (the usual case): a backward range scan of ix_approval_assignments_inbox,
	// stopped by the LIMIT. With delegators, a semi-join (one user may hold two seats).
	q := `SELECT ` + requestCols + ` FROM approval_assignments a JOIN approval_requests r ON r.id = a.request_id
		WHERE a.user_id = ? AND a.open = 1`
	args := []any{users[0]}
	order := " ORDER BY a.request_id DESC LIMIT ?"
	if len(users) > 1 {
		q = `SELECT ` + requestCols + ` FROM approval_requests r WHERE r.id IN (
			SELECT a.request_id FROM approval_assignments a WHERE a.user_id IN ? AND a.open = 1)`
		args, order = []any{users}, " ORDER BY r.id DESC LIMIT ?"
	}
	if after > 0 {
		q += " AND r.id < ?"
		args = append(args, after)
	}
	return s.requests(q+order, append(args, limit)...)
}

// involved answers requests users made, were asked to decide or decided (all when users is nil).
func (s store) involved(users []int64, state string, after int64, limit int) ([]requestRow, error) {
	q := `SELECT ` + requestCols + ` FROM approval_requests r WHERE 1=1`
	var args []any
	if users != nil {
		q += ` AND (r.maker_id IN ? OR r.id IN (SELECT a.request_id FROM approval_assignments a WHERE a.user_id IN ?))`
		args = append(args, users, users)
	}
	if state != "" {
		q += " AND r.state = ?"
		args = append(args, state)
	}
	if after > 0 {
		q += " AND r.id < ?"
		args = append(args, after)
	}
	return s.requests(q+" ORDER BY r.id DESC LIMIT ?", append(args, limit)...)
}

// ---- delegations ----

func (s store) insertDelegation(d Delegation, now time.Time) (Delegation, error) {
	if err := s.db.Exec(`INSERT INTO approval_delegations (delegator_id, delegate_id, from_at, to_at, created_at) VALUES (?,?,?,?,?)`,
		d.Delegator, d.Delegate, d.From, d.To, now).Error; err != nil {
		return d, err
	}
	var err error
	d.ID, err = s.lastID()
	return d, err
}

// delegators answers who delegated to user at now.
func (s store) delegators(user int64, now time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.Raw(`SELECT DISTINCT delegator_id FROM approval_delegations WHERE delegate_id = ? AND from_at <= ? AND to_at > ?`,
		user, now, now).Scan(&ids).Error
	return ids, err
}

func (s store) delegations(user int64) ([]Delegation, error) {
	var rows []struct {
		ID, DelegatorID, DelegateID int64
		FromAt, ToAt                time.Time
	}
	if err := s.db.Raw(`SELECT id, delegator_id, delegate_id, from_at, to_at FROM approval_delegations
		WHERE delegator_id = ? OR delegate_id = ? ORDER BY id DESC LIMIT 200`, user, user).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Delegation, 0, len(rows))
	for _, r := range rows {
		out = append(out, Delegation{ID: r.ID, Delegator: r.DelegatorID, Delegate: r.DelegateID, From: r.FromAt, To: r.ToAt})
	}
	return out, nil
}

// ---- robots ----

func (s store) insertRobot(r Robot, now time.Time) (Robot, error) {
	if err := s.db.Exec(`INSERT INTO approval_robots (kind, url, secret, created_at) VALUES (?,?,?,?)`,
		r.Kind, r.URL, r.Secret, now).Error; err != nil {
		return r, err
	}
	var err error
	r.ID, err = s.lastID()
	return r, err
}

func (s store) robots() ([]Robot, error) {
	var out []Robot
	err := s.db.Raw(`SELECT id, kind, url, secret FROM approval_robots WHERE active = 1 ORDER BY id`).Scan(&out).Error
	return out, err
}

func (s store) robot(id int64) (Robot, bool, error) {
	var out []Robot
	err := s.db.Raw(`SELECT id, kind, url, secret FROM approval_robots WHERE id = ? AND active = 1`, id).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return Robot{}, false, err
	}
	return out[0], true, nil
}
