package catalog

import (
	"slices"
	"strconv"
	"strings"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/mask"
)

// Platforms a shop may sell on.
var Platforms = []string{"taobao", "tmall", "jd", "pinduoduo", "shopify", "woocommerce", "amazon", "wechat", "other"}

// Shop is one store on one sales platform.
type Shop struct {
	Meta
	Code             string
	Name             string
	Platform         string
	Branch           int64
	DefaultWarehouse int64
	PlatformShopID   string
	Customer         int64
	// WebhookSecret is input only: it is never answered (nor kept in idempotency records).
	WebhookSecret    string `json:"-"`
	HasWebhookSecret bool
}

// ResourceName names the shop in the audit log.
func (s Shop) ResourceName() string { return "shops/" + strconv.FormatInt(s.ID, 10) }

func (s Shop) validate() error {
	var v apperr.Violations
	code(&v, "shop.code", s.Code)
	text(&v, "shop.name", s.Name, true, 128)
	if !slices.Contains(Platforms, s.Platform) {
		v.Addf("shop.platform", "must be one of %s", strings.Join(Platforms, ", "))
	}
	v.Check(s.Branch > 0, "shop.branch", "must be a branch id")
	v.Check(s.DefaultWarehouse > 0, "shop.default_warehouse", "must be a warehouse id")
	text(&v, "shop.platform_shop_id", s.PlatformShopID, false, 64)
	v.Check(len(s.WebhookSecret) <= 255, "shop.webhook_secret", "must be at most 255 bytes")
	v.Check(s.Customer >= 0, "shop.customer", "must be a customer id")
	return v.Err("invalid shop")
}

func (s Shop) patch(in Shop, m mask.Set) (Shop, error) {
	var v apperr.Violations
	if m.Empty() {
		v.Add("update_mask", "names no field to change")
	}
	for _, p := range m {
		switch p {
		case "name":
			s.Name = in.Name
		case "platform_shop_id":
			s.PlatformShopID = in.PlatformShopID
		case "default_warehouse":
			s.DefaultWarehouse = in.DefaultWarehouse
		case "webhook_secret":
			s.WebhookSecret, s.HasWebhookSecret = in.WebhookSecret, in.WebhookSecret != ""
		case "customer":
			s.Customer = in.Customer
		case "has_webhook_secret":
		case "code":
			immutable(&v, "shop.code", s.Code, in.Code)
		case "platform":
			immutable(&v, "shop.platform", s.Platform, in.Platform)
		case "branch":
			immutable(&v, "shop.branch", s.Branch, in.Branch)
		default:
			if !outputOnly(p) {
				v.Addf("update_mask", "%q is not a field of shop", p)
			}
		}
	}
	if err := v.Err("invalid shop update"); err != nil {
		return s, err
	}
	return s, s.validate()
}
