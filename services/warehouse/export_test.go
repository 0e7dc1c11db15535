package warehouse

import (
	"context"
	"time"

	"github.com/erphub/erphub/internal/outbox"
)

func timeMonth(m int) time.Month { return time.Month(m) }

// DeliverApprovalOutcome hands an approval outcome (approval.decided payload) to the
// warehouse as the outbox dispatcher does: a test redelivers one with it.
func (s *Service) DeliverApprovalOutcome(ctx context.Context, payload []byte) error {
	return s.onApprovalDecided(ctx, outbox.Delivery{Topic: TopicApprovalDecided, Payload: payload})
}
