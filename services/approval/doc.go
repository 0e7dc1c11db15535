// Package approval owns approval flows, approval requests with their steps and decisions,
// delegations and the group robots told about them.
//
// A document that may need approval is submitted by its own service inside that service's
// transaction (Service.Submit): the first active flow of its type, by priority, whose
// conditions match applies, at its current version; a document no flow matches needs no
// approval. A document that may go under several types (a delivery order below a floor
// price, over a credit limit, or plain) is offered as candidates in order of precedence
// (Service.SubmitFirst): the first type with a matching flow applies. Service.Matches
// answers whether a flow would match without submitting. The request keeps its flow
// version; a new submission of the same document supersedes a pending request (under any
// of the candidate types). Each step names a role (optionally limited to the
// document's branch) or users, who are resolved into assignments when the step starts
// (never the maker: nobody approves their own document). ANY needs one approval, ALL every
// assignee's; one rejection ends the request.
//
// Invariants:
//   - a document has at most one pending request (unique open_key);
//   - a decision is taken under a row lock on the request and recorded with a guarded
//     UPDATE on its version, so two people deciding one step at once yield one decision;
//     the other is answered ErrAlreadyDecided (409);
//   - outcomes leave through the outbox (TopicDecided) in the decision's transaction, and
//     every robot message is its own outbox event, retried with backoff on failure;
//   - reminders and escalations are claimed per (request, step) with guarded UPDATEs, so a
//     job run on several replicas sends each once.
//
// Dependencies: identity (who holds a role) through its Go API; document services call
// Submit and hear outcomes on TopicDecided, so approval imports none of them.
package approval
