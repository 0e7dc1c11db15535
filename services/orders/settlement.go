package orders

import (
	"context"
	"time"
)

// SettledOrder is what a platform's settlement bill is checked against: an order of a shop
// with what the buyer paid and whether it was shipped or refunded.
type SettledOrder struct {
	ID              int64
	PlatformOrderID string
	Status          string
	FulfilState     string
	Paid            int64 // fen
	Refunded        bool  // a line was refunded
	ShippedAt       *time.Time
}

// OrdersForSettlement answers the shop's orders among platform ids, by platform id.
func (s *Service) OrdersForSettlement(ctx context.Context, shop int64, platformIDs []string) (map[string]SettledOrder, error) {
	out := make(map[string]SettledOrder, len(platformIDs))
	for start := 0; start < len(platformIDs); start += 5000 {
		var rows []SettledOrder
		if err := s.db.WithContext(ctx).Raw(`SELECT o.id, o.platform_order_id, o.status, o.fulfil_state, o.paid,
			EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.refund_status = 'refunded') AS refunded,
			(SELECT MAX(f.shipped_at) FROM fulfilment_lines fl JOIN fulfilments f ON f.id = fl.fulfilment_id WHERE fl.order_id = o.id) AS shipped_at
			FROM orders o WHERE o.shop_id = ? AND o.platform_order_id IN ?`, shop,
			platformIDs[start:min(start+5000, len(platformIDs))]).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.PlatformOrderID] = r
		}
	}
	return out, nil
}

// OrdersShipped answers the shop's orders shipped in [from, to) (instants).
func (s *Service) OrdersShipped(ctx context.Context, shop int64, from, to time.Time) ([]SettledOrder, error) {
	var rows []SettledOrder
	err := s.db.WithContext(ctx).Raw(`SELECT o.id, o.platform_order_id, o.status, o.fulfil_state, o.paid, 0 AS refunded,
		MAX(f.shipped_at) AS shipped_at
		FROM fulfilments f JOIN fulfilment_lines fl ON fl.fulfilment_id = f.id JOIN orders o ON o.id = fl.order_id
		WHERE f.shop_id = ? AND f.shipped_at >= ? AND f.shipped_at < ?
		GROUP BY o.id, o.platform_order_id, o.status, o.fulfil_state, o.paid ORDER BY o.id`, shop, from, to).Scan(&rows).Error
	return rows, err
}
