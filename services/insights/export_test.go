package insights

// BuyersPatched counts kept buyer sums brought up to date in part (for tests).
func (s *Service) BuyersPatched() int64 { return s.buyersPatched.Load() }
