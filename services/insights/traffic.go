package insights

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/txn"
)

// maxTrafficRows bounds one traffic import (about three years of days).
const maxTrafficRows = 1100

// TrafficImport is what a traffic import changed.
type TrafficImport struct {
	Shop int64
	Days int
}

// ResourceName names the import in the audit log.
func (t TrafficImport) ResourceName() string { return fmt.Sprintf("shops/%d/traffic", t.Shop) }

// ImportTraffic reads a shop's daily traffic from CSV with a header naming the columns
// date (YYYY-MM-DD), visitors and addToCart (the Chinese 日期, 访客数, 加购人数 work too) and
// stores it, replacing the days it gives. The file is refused as a whole at the first bad
// cell, naming its row and column. Errors: Invalid, NotFound.
func (s *Service) ImportTraffic(ctx context.Context, shop int64, content []byte) (TrafficImport, error) {
	if shop <= 0 {
		return TrafficImport{}, apperr.Invalid("shop", "is required")
	}
	var exists int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM shops WHERE id = ?`, shop).Scan(&exists).Error; err != nil {
		return TrafficImport{}, err
	}
	if exists == 0 {
		return TrafficImport{}, apperr.NotFound("shop", shop)
	}
	type day struct {
		date           time.Time
		visitors, cart int64
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(content, []byte("\ufeff"))))
	head, err := r.Read()
	if err != nil {
		return TrafficImport{}, apperr.Invalid("content", "the file has no header row")
	}
	col := map[string]int{}
	for i, h := range head {
		switch strings.TrimSpace(h) {
		case "date", "日期":
			col["date"] = i
		case "visitors", "访客数":
			col["visitors"] = i
		case "addToCart", "加购人数":
			col["addToCart"] = i
		}
	}
	for _, c := range []string{"date", "visitors", "addToCart"} {
		if _, ok := col[c]; !ok {
			return TrafficImport{}, apperr.Invalid("content", fmt.Sprintf("the header lacks the column %s", c))
		}
	}
	var days []day
	for row := 2; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return TrafficImport{}, apperr.Invalid("content", fmt.Sprintf("row %d: %v", row, err))
		}
		if len(days) == maxTrafficRows {
			return TrafficImport{}, apperr.Invalid("content", fmt.Sprintf("at most %d days a file", maxTrafficRows))
		}
		cell := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		d, err := time.Parse(time.DateOnly, cell("date"))
		if err != nil {
			return TrafficImport{}, apperr.Invalid("content", fmt.Sprintf("row %d, column date: %q is not YYYY-MM-DD", row, cell("date")))
		}
		var counts [2]int64
		for i, c := range []string{"visitors", "addToCart"} {
			n, err := strconv.ParseInt(cell(c), 10, 64)
			if err != nil || n < 0 {
				return TrafficImport{}, apperr.Invalid("content", fmt.Sprintf("row %d, column %s: %q is not a count", row, c, cell(c)))
			}
			counts[i] = n
		}
		days = append(days, day{d, counts[0], counts[1]})
	}
	if len(days) == 0 {
		return TrafficImport{}, apperr.Invalid("content", "the file has no days")
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (TrafficImport, error) {
		now := s.now().UTC()
		args := make([]any, 0, 5*len(days))
		for _, d := range days {
			args = append(args, shop, d.date, d.visitors, d.cart, now)
		}
		err := tx.Exec(`INSERT INTO insights_traffic (shop_id, day, visitors, add_to_cart, updated_at) VALUES `+
			db.Placeholders(len(days), 5)+` ON DUPLICATE KEY UPDATE visitors = VALUES(visitors), add_to_cart = VALUES(add_to_cart),
			updated_at = VALUES(updated_at)`, args...).Error
		if err != nil {
			return TrafficImport{}, err
		}
		changed := make([]string, len(days))
		for i, d := range days {
			changed[i] = d.date.Format(time.DateOnly)
		}
		return TrafficImport{Shop: shop, Days: len(days)}, noteChanges(tx, changed, nil)
	})
}

// trafficOf answers visitors and add-to-cart per shop (with its platform) over a period.
func (s *Service) trafficOf(ctx context.Context, p Period) (map[chanKey][2]int64, error) {
	var rows []struct {
		ShopID    int64
		Channel   string
		Visitors  int64
		AddToCart int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT t.shop_id, sh.platform AS channel, SUM(t.visitors) AS visitors,
		SUM(t.add_to_cart) AS add_to_cart FROM insights_traffic t JOIN shops sh ON sh.id = t.shop_id
		WHERE t.day BETWEEN ? AND ? GROUP BY t.shop_id, sh.platform`, day(p.From), day(p.To)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[chanKey][2]int64{}
	for _, r := range rows {
		out[chanKey{r.ShopID, r.Channel}] = [2]int64{r.Visitors, r.AddToCart}
	}
	return out, nil
}
