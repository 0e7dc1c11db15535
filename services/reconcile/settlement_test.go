package reconcile_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// TestPlatformSettlement matches a Tmall settlement bill with the shop's orders: a settled
// order, one settled for less, one the hub never had, a refund the hub does not know, the
// commission and an unclassified deduction; a shipped order missing from the bill; then the
// bill is confirmed and booked as the platform paid it.
func TestPlatformSettlement(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	e := c.e
	ctx := reqctx.WithCall(t.Context(), &reqctx.Call{RequestID: "setup-p", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	tmall, err := e.App.Catalog.CreateCustomer(ctx, catalog.Customer{Code: "TMALL", Name: "天猫平台", Kind: "online"})
	must(t, err)
	_, err = e.App.Catalog.CreateShop(ctx, catalog.Shop{Code: "TM-FLAG", Name: "天猫旗舰店", Platform: "tmall",
		Branch: c.warehouse.Branch, DefaultWarehouse: c.warehouse.ID, Customer: tmall.ID})
	must(t, err)
	supplier := mustSupplier(t, c)
	var po struct {
		ID int64 `json:"id"`
	}
	e.MustDo(t, 200, "POST", "/v1/purchaseOrders", c.picker, map[string]any{"supplier": supplier, "warehouse": c.warehouse.ID,
		"lines": []map[string]any{{"item": c.sausage.ID, "quantity": 10000, "unitPrice": 2000}}}).Decode(t, &po)
	c.scan(t, "purchaseOrder", po.ID, map[string]int{c.caseA: 1})
	now := time.Now().UTC().Format(time.RFC3339)
	var orders []map[string]any
	for _, id := range []string{"4100000000001", "4100000000002", "4100000000003"} {
		orders = append(orders, map[string]any{"platformOrderId": id, "status": "paid", "currency": "CNY",
			"buyer":   map[string]any{"nick": "tb" + id[10:], "name": "李四", "phone": "13900000000"},
			"address": map[string]any{"name": "李四", "phone": "13900000000", "province": "重庆", "city": "重庆", "street": "观音桥 " + id[10:] + " 号"},
			"lines":   []map[string]any{{"platformLineId": "1", "sku": "XC-001", "title": "香肠", "quantity": 1000, "unitPrice": 3990}},
			"goods":   3990, "paid": 3990, "createTime": now, "payTime": now, "updateTime": now})
	}
	res := e.MustDo(t, 200, "POST", "/v1/shops/TM-FLAG/orders:push", e.Admin, map[string]any{"orders": orders}).JSON(t)
	for _, r := range res["results"].([]any) {
		id := r.(map[string]any)["order"]
		var do int64
		waitUntil(t, "order allocated", func() bool {
			var o struct {
				FulfilState string `json:"fulfilState"`
				Fulfilments []struct {
					DeliveryOrder int64 `json:"deliveryOrder"`
				} `json:"fulfilments"`
			}
			e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/orders/%v", id), e.Admin, nil).Decode(t, &o)
			if o.FulfilState == "allocated" && len(o.Fulfilments) > 0 {
				do = o.Fulfilments[0].DeliveryOrder
			}
			return do != 0
		})
		s := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/scanSessions", c.picker, map[string]any{"deliveryOrder": do}))
		e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:scan", s), c.picker, map[string]any{"code": c.gtinA, "scanId": fmt.Sprint(s)})
		e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/scanSessions/%d:complete", s), c.picker, map[string]any{"carrier": "SF",
			"trackingNumbers": []string{fmt.Sprintf("SF%d", s)}})
	}
	waitUntil(t, "three orders shipped", func() bool {
		var n int64
		must(t, e.App.DB.Raw(`SELECT COUNT(*) FROM fulfilments WHERE shipped_at IS NOT NULL`).Scan(&n).Error)
		return n == 3
	})

	profile := apptest.ID(t, e.MustDo(t, 200, "POST", "/v1/importProfiles", c.finance, map[string]any{"name": "天猫结算账单",
		"format": "csv", "columns": map[string]string{"recordType": "业务类型", "documentNumber": "订单号", "documentDate": "结算时间",
			"amount": "金额", "feeType": "费用项"},
		"recordTypes": map[string]string{"交易收款": "RECEIPT", "售后退款": "RETURN", "平台扣费": "FEE"}}))
	day := c.today.Format(time.DateOnly)
	file := "业务类型,订单号,结算时间,金额,费用项\n" +
		"交易收款,4100000000001," + day + ",39.90,\n" +
		"交易收款,4100000000002," + day + ",35.90,\n" +
		"交易收款,4199999999999," + day + ",50.00,\n" +
		"售后退款,4100000000001," + day + ",-10.00,\n" +
		"平台扣费,4100000000001," + day + ",-4.00,天猫佣金\n" +
		"平台扣费,," + day + ",-1.00,其他扣款\n"
	var st statementJSON
	e.MustDo(t, 200, "POST", "/v1/shops/TM-FLAG/settlements:import", c.finance, map[string]any{"profile": profile,
		"fileName": "tmall-settlement.csv", "content": base64.StdEncoding.EncodeToString([]byte(file)), "from": day, "to": day}).Decode(t, &st)
	e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/statements/%d", st.ID), c.finance, nil).Decode(t, &st)
	var got []string
	for _, l := range st.Lines {
		got = append(got, fmt.Sprintf("%s%s %d %s", l.Match, l.FeeCategory, l.AmountDifference, strings.Join(l.ReviewReasons, ",")))
	}
	want := []string{"MATCHED 0 ", "PRICE_DIFFERENCE -400 PRICE_DIFFERENCE", "ONLY_THEIRS 0 NOT_IN_OUR_BOOKS",
		"MATCHED 0 REFUND_NOT_RECORDED", "COMMISSION 0 ", "OTHER 0 UNCLASSIFIED_FEE"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines\n got %q\nwant %q", got, want)
	}
	if st.Totals.Receipts != 12580 || st.Totals.Returns != 1000 || st.Totals.Fees != 500 || st.Totals.Net != 11080 ||
		st.OurTotal != 11970 || len(st.OnlyOurs) != 1 || st.OnlyOurs[0].DocumentNumber != "4100000000003" || st.OnlyOurs[0].Amount != 3990 {
		t.Fatalf("settlement %+v", st)
	}

	e.MustDo(t, 200, "POST", "/v1/books:initialize", c.finance, map[string]any{"startPeriod": c.today.Format("2006-01")})
	e.MustDo(t, 200, "POST", "/v1/accounts", c.finance, map[string]any{"code": "101201", "name": "支付宝/天猫"})
	for row, action := range map[int]string{3: "ACCEPT", 4: "DISPUTE", 7: "ACCEPT"} {
		e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d/lines/%d:resolve", st.ID, row), c.finance,
			map[string]any{"action": action, "note": "无此订单"})
	}
	var conf struct {
		Statement struct {
			Status string `json:"status"`
			NetDue int64  `json:"netDue"`
		} `json:"statement"`
		Disputed int `json:"disputed"`
	}
	e.MustDo(t, 200, "POST", fmt.Sprintf("/v1/statements/%d:confirm", st.ID), c.finance, map[string]any{}).Decode(t, &conf)
	if conf.Statement.Status != "DISPUTED" || conf.Statement.NetDue != 6080 || conf.Disputed != 1 {
		t.Fatalf("confirmation %+v", conf)
	}
	var v struct {
		Vouchers []struct {
			Lines []struct {
				Account  string `json:"account"`
				Debit    int64  `json:"debit"`
				Credit   int64  `json:"credit"`
				Customer int64  `json:"customer"`
			} `json:"lines"`
		} `json:"vouchers"`
	}
	waitUntil(t, "the settlement voucher", func() bool {
		e.MustDo(t, 200, "GET", "/v1/vouchers?sourceType=platform_settlement&pageSize=10", c.finance, nil).Decode(t, &v)
		return len(v.Vouchers) == 1
	})
	var lines []string
	for _, l := range v.Vouchers[0].Lines {
		lines = append(lines, fmt.Sprintf("%s:%d/%d c%d", l.Account, l.Debit, l.Credit, l.Customer))
	}
	if w := fmt.Sprintf("101201:11080/0 c0 5601:500/0 c0 1122:0/11580 c%d", tmall.ID); strings.Join(lines, " ") != w {
		t.Fatalf("voucher %q, want %q", strings.Join(lines, " "), w)
	}
}
