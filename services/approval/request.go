package approval

import (
	"fmt"
	"maps"
	"time"

	"github.com/erphub/erphub/internal/apperr"
)

// Request states.
const (
	StatePending    = "PENDING"
	StateApproved   = "APPROVED"
	StateRejected   = "REJECTED"
	StateSuperseded = "SUPERSEDED"
)

// History actions.
const (
	ActionApprove  = "APPROVE"
	ActionReject   = "REJECT"
	ActionRemind   = "REMIND"
	ActionEscalate = "ESCALATE"
)

// Outcomes on TopicDecided.
const (
	OutcomeApproved = "approved"
	OutcomeRejected = "rejected"
)

// TopicDecided is the outbox topic of a request's final outcome (payload Decided).
const TopicDecided = "approval.decided"

// topicNotify carries one message to one robot (payload notice).
const topicNotify = "approval.notify"

// Decided is the payload of TopicDecided; consumers decode it into their own copy.
type Decided struct {
	Request      int64  `json:"request"`
	DocumentType string `json:"documentType"`
	Document     int64  `json:"document"`
	Outcome      string `json:"outcome"` // approved or rejected
	Comment      string `json:"comment"`
	DecidedBy    int64  `json:"decidedBy"`
}

// Document is what a service submits for approval.
type Document struct {
	Type       string
	ID         int64
	Number     string
	Amount     int64 // fen
	Branch     int64
	Warehouse  int64
	Maker      int64            // user id; never approves this document
	Attributes map[string]int64 // AttrDiscountBp, AttrCreditOver
	// Facts are what a decision needs at a glance, shown with the request (with the
	// attributes): e.g. FactOwed, FactCreditLimit, FactCost, FactMargin.
	Facts map[string]int64
}

// Decision is one entry of a request's history.
type Decision struct {
	Step       int32     `json:"step"`
	User       int64     `json:"user"`
	OnBehalfOf int64     `json:"onBehalfOf"`
	Action     string    `json:"action"`
	Comment    string    `json:"comment"`
	Peer       string    `json:"peer"`
	Device     string    `json:"device"`
	Time       time.Time `json:"time"`
	UserName   string    `json:"userName,omitempty"` // shown, not stored
}

// Request is one document's passage through a flow.
type Request struct {
	ID             int64      `json:"id"`
	DocumentType   string     `json:"documentType"`
	Document       int64      `json:"document"`
	DocumentNumber string     `json:"documentNumber"`
	Amount         int64      `json:"amount"`
	Branch         int64      `json:"branch"`
	Warehouse      int64      `json:"warehouse"`
	Maker          int64      `json:"maker"`
	MakerName      string     `json:"makerName,omitempty"`
	Flow           int64      `json:"flow"`
	FlowVersion    int32      `json:"flowVersion"`
	FlowName       string     `json:"flowName"`
	Condition      string     `json:"condition"`
	State          string     `json:"state"`
	Step           int32      `json:"step"`
	StepName       string     `json:"stepName"`
	Comment        string     `json:"comment"`
	History        []Decision `json:"history"`
	Approvers      []int64    `json:"approvers"`
	CreateTime     time.Time  `json:"createTime"`
	// Facts: the document's attributes and facts when it was submitted.
	Facts map[string]int64 `json:"facts,omitempty"`
}

// ResourceName names the request in the audit log.
func (r Request) ResourceName() string { return fmt.Sprintf("approvalRequests/%d", r.ID) }

// Delegation lets Delegate act for Delegator in [From, To).
type Delegation struct {
	ID        int64     `json:"id"`
	Delegator int64     `json:"delegator"`
	Delegate  int64     `json:"delegate"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
}

// ResourceName names the delegation in the audit log.
func (d Delegation) ResourceName() string { return fmt.Sprintf("approvalDelegations/%d", d.ID) }

// Robot kinds.
const (
	RobotWeCom    = "wecom"
	RobotDingTalk = "dingtalk"
	RobotFeishu   = "feishu"
)

// Robot is a group chat robot.
type Robot struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Secret string `json:"-"`
}

// ResourceName names the robot in the audit log.
func (r Robot) ResourceName() string { return fmt.Sprintf("approvalRobots/%d", r.ID) }

// Errors of the approval use cases.
var (
	ErrAlreadyDecided = &apperr.Error{Kind: apperr.KindStale, Reason: "ALREADY_DECIDED",
		Message: "this approval step was already decided (by someone else or by you); reload the request"}
	ErrOwnDocument = apperr.Refused("OWN_DOCUMENT", "you cannot approve or reject your own document")
	ErrNotApprover = apperr.Forbidden("you are not an approver of the current step of this request")
	ErrNoApprover  = apperr.Refused("NO_APPROVER", "no active user can approve this step of the approval flow; fix the flow or the users")
)

// facts merges a document's attributes and facts for the request (attributes win).
func (d Document) facts() map[string]int64 {
	if len(d.Attributes)+len(d.Facts) == 0 {
		return nil
	}
	out := make(map[string]int64, len(d.Attributes)+len(d.Facts))
	maps.Copy(out, d.Facts)
	maps.Copy(out, d.Attributes)
	return out
}
