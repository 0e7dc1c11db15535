package approval

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/page"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/internal/text"
	"github.com/erphub/erphub/internal/txn"
	"github.com/erphub/erphub/services/identity"
)

// Options tune the service.
type Options struct {
	Now  func() time.Time // clock (tests)
	Log  *slog.Logger
	HTTP *http.Client // robot deliveries (default: 10 s timeout)
}

// Service holds the approval use cases.
type Service struct {
	db       *gorm.DB
	identity *identity.Service
	outbox   *outbox.Outbox
	now      func() time.Time
	log      *slog.Logger
	http     *http.Client

	flowsMu sync.Mutex
	flows   map[[2]int64]Flow // (flow, version) → definition, see flowVersion
}

// New returns the service and subscribes the robot sender to its notices.
func New(g *gorm.DB, id *identity.Service, ob *outbox.Outbox, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Service{db: g, identity: id, outbox: ob, now: opt.Now, log: opt.Log, http: opt.HTTP,
		flows: map[[2]int64]Flow{}}
	ob.Subscribe("approval-robots", []string{topicNotify}, s.deliverNotice)
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// ---- flows ----

// CreateFlow stores a flow at version 1. Errors: Invalid.
func (s *Service) CreateFlow(ctx context.Context, f Flow) (Flow, error) {
	if err := f.normalize(); err != nil {
		return f, err
	}
	by := reqctx.PrincipalFrom(ctx).ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Flow, error) {
		return store{tx}.insertFlow(f, by, s.clock())
	})
}

// UpdateFlow stores the next version of a flow; requests already started keep theirs.
// Errors: Invalid, NotFound.
func (s *Service) UpdateFlow(ctx context.Context, f Flow) (Flow, error) {
	if err := f.normalize(); err != nil {
		return f, err
	}
	by := reqctx.PrincipalFrom(ctx).ID
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Flow, error) {
		st := store{tx}
		v, err := st.lockFlowVersion(f.ID)
		if err != nil {
			return f, err
		}
		now := s.clock()
		f.Version, f.UpdateTime = v+1, now
		if err := st.insertFlowVersion(f, by, now); err != nil {
			return f, err
		}
		return f, st.updateFlow(f, now)
	})
}

// GetFlow answers a flow's current version. Errors: NotFound.
func (s *Service) GetFlow(ctx context.Context, id int64) (Flow, error) {
	return store{s.db.WithContext(ctx)}.flow(id, 0)
}

// ListFlows answers flows in the order they are tried.
func (s *Service) ListFlows(ctx context.Context, docType string) ([]Flow, error) {
	return store{s.db.WithContext(ctx)}.flows(docType, false)
}

// ---- submission ----

// Submit starts approval of a document inside the caller's transaction tx. It supersedes
// a pending request of the same document, picks the first matching flow and assigns the
// first step. It answers the new request's id, or 0 when no flow matches (the document
// needs no approval). Errors: Invalid (unknown type), ErrNoApprover.
func (s *Service) Submit(ctx context.Context, tx *gorm.DB, d Document) (int64, error) {
	id, _, err := s.SubmitFirst(ctx, tx, []Document{d})
	return id, err
}

// SubmitFirst starts approval of one document that may go through flows of several types,
// inside the caller's transaction tx: candidates are the document under each type, in
// order of precedence (a delivery order as price_below_floor, then over_credit_limit, then
// delivery_order), and the first whose type has a matching flow is submitted. A pending
// request of the document under any candidate's type, or under the types in also (those
// it may have gone under before but does not qualify for now), is superseded first, so the
// document keeps at most one pending request whichever type it goes under. It answers the
// new request's id and the type taken, or 0 and "" when no flow of any candidate matches.
// Errors: Invalid (no candidates, an unknown type, candidates of different documents),
// ErrNoApprover.
func (s *Service) SubmitFirst(ctx context.Context, tx *gorm.DB, candidates []Document, also ...string) (int64, string, error) {
	if err := checkCandidates(candidates, also); err != nil {
		return 0, "", err
	}
	st, now := store{tx}, s.clock()
	seen := map[string]bool{}
	types := slices.Clone(also)
	for _, d := range candidates {
		types = append(types, d.Type)
	}
	for _, t := range types {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := st.supersede(t, candidates[0].ID, now); err != nil {
			return 0, "", err
		}
	}
	for _, d := range candidates {
		f, cond, ok, err := firstMatch(st, d)
		if err != nil {
			return 0, "", err
		}
		if !ok {
			continue
		}
		r := Request{DocumentType: d.Type, Document: d.ID, DocumentNumber: text.Clip(d.Number, 64), Amount: d.Amount,
			Branch: d.Branch, Warehouse: d.Warehouse, Maker: d.Maker, Flow: f.ID, FlowVersion: f.Version,
			FlowName: f.Name, Condition: text.Clip(cond, 255), State: StatePending, Step: 1, CreateTime: now,
			Facts: d.facts()}
		users, err := s.approvers(ctx, f.Steps[0], r)
		if err != nil {
			return 0, "", err
		}
		if r.ID, err = st.insertRequest(r, now); err != nil {
			return 0, "", err
		}
		if err := st.assign(r.ID, 1, users); err != nil {
			return 0, "", err
		}
		return r.ID, d.Type, s.notify(ctx, tx, "新审批 New approval request", r, f.Steps[0].Name, "")
	}
	return 0, "", nil
}

// Matches reports whether a flow of d's type matches d, that is whether Submit would start
// a request, without starting one or superseding anything; tx is the caller's transaction
// (or the pool). A service uses it to decide whether to store a document as waiting before
// it has an id to submit. Errors: Invalid (unknown type).
func (s *Service) Matches(ctx context.Context, tx *gorm.DB, d Document) (bool, error) {
	if !slices.Contains(DocumentTypes, d.Type) {
		return false, apperr.Invalid("document.type", "unknown document type "+d.Type)
	}
	_, _, ok, err := firstMatch(store{tx.WithContext(ctx)}, d)
	return ok, err
}

// firstMatch answers the first active flow of d's type, by priority, that matches d, with
// the condition it matched on.
func firstMatch(st store, d Document) (Flow, string, bool, error) {
	flows, err := st.flows(d.Type, true)
	if err != nil {
		return Flow{}, "", false, err
	}
	for _, f := range flows {
		if cond, ok := f.match(d); ok {
			return f, cond, true, nil
		}
	}
	return Flow{}, "", false, nil
}

// checkCandidates refuses an empty list, unknown types and candidates that are not all
// the same document.
func checkCandidates(candidates []Document, also []string) error {
	if len(candidates) == 0 {
		return apperr.Invalid("document", "at least one candidate is required")
	}
	var v apperr.Violations
	for i, d := range candidates {
		field := "document"
		if len(candidates) > 1 {
			field = fmt.Sprintf("candidates[%d]", i)
		}
		v.Check(slices.Contains(DocumentTypes, d.Type), field+".type", "unknown document type "+d.Type)
		v.Check(d.ID == candidates[0].ID, field+".id", "all candidates must be the same document")
	}
	for i, t := range also {
		v.Check(slices.Contains(DocumentTypes, t), fmt.Sprintf("also[%d]", i), "unknown document type "+t)
	}
	return v.Err("invalid approval submission")
}

// approvers resolves a step into user ids, without the maker; a role step names every
// active holder (who may act in the document's branch, when the step says so).
func (s *Service) approvers(ctx context.Context, step Step, r Request) ([]int64, error) {
	var out []int64
	if step.Role == "" {
		for _, u := range step.Users {
			if u != r.Maker && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	} else {
		var err error
		if out, err = s.holders(ctx, step.Role, r.Branch, step.SameBranch, r.Maker); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, ErrNoApprover.Withf("no active user can approve step %q of this approval flow; fix the flow or the users", step.Name)
	}
	return out, nil
}

func (s *Service) holders(ctx context.Context, role string, branch int64, sameBranch bool, maker int64) ([]int64, error) {
	var out []int64
	token := ""
	for {
		users, next, err := s.identity.ListUsers(ctx, page.Max, token, role)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !u.Active || u.ID == maker {
				continue
			}
			if sameBranch && len(u.Branches) > 0 && !slices.Contains(u.Branches, branch) {
				continue
			}
			out = append(out, u.ID)
		}
		if next == "" {
			return out, nil
		}
		token = next
	}
}

// ---- decisions ----

// Client is where a decision came from, as the edge saw it.
type Client struct {
	Peer, Device string
}

// Approve approves the current step for the caller, or for the user who delegated to
// the caller. Errors: NotFound, ErrOwnDocument, ErrNotApprover, ErrAlreadyDecided,
// ErrNoApprover (the next step has nobody).
func (s *Service) Approve(ctx context.Context, id int64, comment string, c Client) (Request, error) {
	return s.decide(ctx, id, ActionApprove, comment, c)
}

// Reject rejects the request; the comment is required. Errors: as Approve, and Invalid.
func (s *Service) Reject(ctx context.Context, id int64, comment string, c Client) (Request, error) {
	if strings.TrimSpace(comment) == "" {
		return Request{}, apperr.Invalid("comment", "is required to reject: tell the maker what to change")
	}
	return s.decide(ctx, id, ActionReject, comment, c)
}

func (s *Service) decide(ctx context.Context, id int64, action, comment string, c Client) (Request, error) {
	if len(comment) > 500 {
		return Request{}, apperr.Invalid("comment", "must be at most 500 bytes")
	}
	me := reqctx.PrincipalFrom(ctx)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Request, error) {
		st, now := store{tx}, s.clock()
		r, err := st.requestRow(id, true)
		if err != nil {
			return Request{}, err
		}
		if r.MakerID == me.ID {
			return Request{}, ErrOwnDocument
		}
		if r.State != StatePending {
			return Request{}, ErrAlreadyDecided
		}
		as, err := st.assignments(id)
		if err != nil {
			return Request{}, err
		}
		who, err := s.seat(st, as, r, me.ID, now)
		if err != nil {
			return Request{}, err
		}
		d := Decision{Step: r.Step, User: me.ID, Action: action, Comment: comment, Peer: text.Clip(c.Peer, 64),
			Device: text.Clip(c.Device, 128), Time: now}
		if who != me.ID {
			d.OnBehalfOf = who
		}
		if err := st.insertDecision(id, d, reqctx.RequestID(ctx)); err != nil {
			return Request{}, err
		}
		if ok, err := st.closeAssignment(id, r.Step, who); err != nil || !ok {
			return Request{}, cmpErr(err, ErrAlreadyDecided)
		}
		f, err := st.flow(r.FlowID, r.FlowVersion)
		if err != nil {
			return Request{}, err
		}
		if err := s.after(ctx, tx, r, f, as, who, d); err != nil {
			return Request{}, err
		}
		return s.view(ctx, st, id)
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// seat answers whose assignment the caller decides on: their own open one, else that of
// someone who delegated to them. Errors: ErrAlreadyDecided (the caller or their delegator
// had a seat that is closed now), ErrNotApprover.
func (s *Service) seat(st store, as []assignment, r requestRow, me int64, now time.Time) (int64, error) {
	for _, a := range as {
		if a.Step == r.Step && a.UserID == me && a.Open {
			return me, nil
		}
	}
	dels, err := st.delegators(me, now)
	if err != nil {
		return 0, err
	}
	for _, a := range as {
		if a.Step == r.Step && a.Open && slices.Contains(dels, a.UserID) && a.UserID != r.MakerID {
			return a.UserID, nil
		}
	}
	for _, a := range as {
		if a.UserID == me || slices.Contains(dels, a.UserID) {
			return 0, ErrAlreadyDecided
		}
	}
	return 0, ErrNotApprover
}

// after moves the request on after decision d by seat who.
func (s *Service) after(ctx context.Context, tx *gorm.DB, r requestRow, f Flow, as []assignment, who int64, d Decision) error {
	st, now := store{tx}, d.Time
	req := r.request()
	req.FlowName = f.Name
	step := f.Steps[min(int(r.Step), len(f.Steps))-1]
	if d.Action == ActionReject {
		if err := st.advance(r, StateRejected, r.Step, d.Comment, now); err != nil {
			return err
		}
		if err := st.closeStep(r.ID); err != nil {
			return err
		}
		return s.finish(ctx, tx, req, OutcomeRejected, d, step.Name)
	}
	if step.Mode == ModeAll {
		for _, a := range as {
			if a.Step == r.Step && a.Open && a.UserID != who {
				// others still have to approve this step; count the decision only
				return st.advance(r, StatePending, r.Step, "", r.StepStartedAt)
			}
		}
	}
	if err := st.closeStep(r.ID); err != nil {
		return err
	}
	if int(r.Step) >= len(f.Steps) {
		if err := st.advance(r, StateApproved, r.Step, d.Comment, now); err != nil {
			return err
		}
		return s.finish(ctx, tx, req, OutcomeApproved, d, step.Name)
	}
	next := f.Steps[r.Step]
	users, err := s.approvers(ctx, next, req)
	if err != nil {
		return err
	}
	if err := st.advance(r, StatePending, r.Step+1, "", now); err != nil {
		return err
	}
	if err := st.assign(r.ID, r.Step+1, users); err != nil {
		return err
	}
	req.Step = r.Step + 1
	return s.notify(ctx, tx, "审批进入下一步 Approval moved on", req, next.Name, "")
}

// finish publishes the outcome to the document's service and the robots.
func (s *Service) finish(ctx context.Context, tx *gorm.DB, r Request, outcome string, d Decision, stepName string) error {
	if err := s.outbox.Publish(ctx, tx, outbox.Event{Topic: TopicDecided, Key: openKey(r.DocumentType, r.Document),
		Payload: Decided{Request: r.ID, DocumentType: r.DocumentType, Document: r.Document, Outcome: outcome,
			Comment: d.Comment, DecidedBy: d.User}}); err != nil {
		return err
	}
	title := "审批通过 Approved"
	if outcome == OutcomeRejected {
		title = "审批驳回 Rejected"
	}
	return s.notify(ctx, tx, title, r, stepName, d.Comment)
}

// view answers a request with its history and open approvers.
func (s *Service) view(ctx context.Context, st store, id int64) (Request, error) {
	row, err := st.requestRow(id, false)
	if err != nil {
		return Request{}, err
	}
	out, err := s.views(ctx, st, []requestRow{row})
	if err != nil {
		return Request{}, err
	}
	return out[0], nil
}

func (s *Service) views(ctx context.Context, st store, rows []requestRow) ([]Request, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	hist, err := st.histories(ids)
	if err != nil {
		return nil, err
	}
	open, err := st.openApprovers(ids)
	if err != nil {
		return nil, err
	}
	// the names people are shown by, in one query (managers may not read users themselves)
	people := make([]int64, 0, len(rows)+1)
	for _, row := range rows {
		people = append(people, row.MakerID)
		for _, d := range hist[row.ID] {
			people = append(people, d.User)
		}
	}
	slices.Sort(people)
	names, err := s.identity.Names(ctx, slices.Compact(people))
	if err != nil {
		return nil, err
	}
	out := make([]Request, len(rows))
	for i, row := range rows {
		r := row.request()
		f, err := s.flowVersion(st, row.FlowID, row.FlowVersion)
		if err != nil {
			return nil, err
		}
		r.FlowName = f.Name
		if int(r.Step) >= 1 && int(r.Step) <= len(f.Steps) {
			r.StepName = f.Steps[r.Step-1].Name
		}
		r.History, r.Approvers = hist[r.ID], open[r.ID]
		if r.History == nil {
			r.History = []Decision{}
		}
		r.MakerName = names[r.Maker]
		for j := range r.History {
			r.History[j].UserName = names[r.History[j].User]
		}
		if r.Approvers == nil {
			r.Approvers = []int64{}
		}
		out[i] = r
	}
	return out, nil
}

// flowVersion answers a flow at a version a request started with. A version's definition
// never changes once written, so versions are kept in memory (bounded) after the first
// read: an inbox page shows flow and step names without a query per flow.
func (s *Service) flowVersion(st store, id int64, version int32) (Flow, error) {
	k := [2]int64{id, int64(version)}
	s.flowsMu.Lock()
	f, ok := s.flows[k]
	s.flowsMu.Unlock()
	if ok {
		return f, nil
	}
	f, err := st.flow(id, version)
	if err != nil {
		return f, err
	}
	s.flowsMu.Lock()
	if len(s.flows) >= 4096 {
		clear(s.flows)
	}
	s.flows[k] = f
	s.flowsMu.Unlock()
	return f, nil
}

// ---- reading ----

// GetRequest answers a request to someone involved in it (maker, approver, their delegate)
// or an admin. Errors: NotFound, Forbidden.
func (s *Service) GetRequest(ctx context.Context, id int64) (Request, error) {
	st := store{s.db.WithContext(ctx)}
	r, err := s.view(ctx, st, id)
	if err != nil {
		return r, err
	}
	me := reqctx.PrincipalFrom(ctx)
	if me.HasRole(reqctx.RoleAdmin) || me.Kind == reqctx.ActorSystem || r.Maker == me.ID {
		return r, nil
	}
	users, err := s.actingFor(st, me.ID)
	if err != nil {
		return r, err
	}
	as, err := st.assignments(id)
	if err != nil {
		return r, err
	}
	for _, a := range as {
		if slices.Contains(users, a.UserID) {
			return r, nil
		}
	}
	return r, apperr.Forbidden("you are not involved in this approval request")
}

// actingFor answers the caller and whoever delegated to them now.
func (s *Service) actingFor(st store, me int64) ([]int64, error) {
	dels, err := st.delegators(me, s.clock())
	if err != nil {
		return nil, err
	}
	return append([]int64{me}, dels...), nil
}

// ListRequests answers the caller's inbox (state PENDING: steps waiting for the caller or
// a delegator of the caller), or the requests in a state the caller made or was asked to
// decide (admins: all). Errors: Invalid (state, page).
func (s *Service) ListRequests(ctx context.Context, state string, size int32, token string) ([]Request, string, error) {
	state = strings.ToUpper(state)
	if state != "" && !slices.Contains([]string{StatePending, StateApproved, StateRejected, StateSuperseded}, state) {
		return nil, "", apperr.Invalid("state", "must be PENDING, APPROVED, REJECTED or SUPERSEDED")
	}
	p, err := page.Parse(size, token, state)
	if err != nil {
		return nil, "", err
	}
	st, me := store{s.db.WithContext(ctx)}, reqctx.PrincipalFrom(ctx)
	users, err := s.actingFor(st, me.ID)
	if err != nil {
		return nil, "", err
	}
	var rows []requestRow
	switch {
	case state == StatePending:
		rows, err = st.inbox(users, p.After, p.Limit())
	case me.HasRole(reqctx.RoleAdmin):
		rows, err = st.involved(nil, state, p.After, p.Limit())
	default:
		rows, err = st.involved(users, state, p.After, p.Limit())
	}
	if err != nil {
		return nil, "", err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	next, n := p.Next(ids)
	out, err := s.views(ctx, st, rows[:n])
	return out, next, err
}

// ---- delegations ----

// CreateDelegation lets delegate act for the caller in [from, to). Errors: Invalid.
func (s *Service) CreateDelegation(ctx context.Context, d Delegation) (Delegation, error) {
	me := reqctx.PrincipalFrom(ctx)
	d.Delegator = me.ID
	var v apperr.Violations
	v.Check(d.Delegate > 0 && d.Delegate != me.ID, "delegate", "must be another user's id")
	v.Check(!d.From.IsZero(), "from", "is required")
	v.Check(!d.To.IsZero() && d.To.After(d.From), "to", "must be after from")
	if err := v.Err("invalid delegation"); err != nil {
		return d, err
	}
	if u, err := s.identity.GetUser(ctx, d.Delegate); err != nil || !u.Active {
		if err != nil && !apperr.IsKind(err, apperr.KindNotFound) {
			return d, err
		}
		return d, apperr.Invalid("delegate", fmt.Sprintf("user %d does not exist or is inactive", d.Delegate))
	}
	d.From, d.To = d.From.UTC().Truncate(time.Microsecond), d.To.UTC().Truncate(time.Microsecond)
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Delegation, error) {
		return store{tx}.insertDelegation(d, s.clock())
	})
}

// ListDelegations answers the delegations the caller gave or received.
func (s *Service) ListDelegations(ctx context.Context) ([]Delegation, error) {
	return store{s.db.WithContext(ctx)}.delegations(reqctx.PrincipalFrom(ctx).ID)
}
