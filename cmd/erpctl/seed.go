package main

import (
	"context"
	"fmt"

	"github.com/erphub/erphub/internal/app"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/services/catalog"
)

// companyPrefix is a fictional GS1 China company prefix (690-699 is GS1 China's range)
// used to give the demo items valid EAN-13 and ITF-14 codes.
const companyPrefix = "6923456"

// ean13 builds an EAN-13 from the company prefix and a 5-digit item reference.
func ean13(ref int) string {
	body := fmt.Sprintf("%s%05d", companyPrefix, ref)
	cd, _ := barcode.CheckDigit(body)
	return body + string(cd)
}

// itf14 builds the GTIN-14 of a case: indicator digit 1, then the EAN-13 without its
// check digit, then a new check digit (GS1 General Specifications 3.3.2).
func itf14(ref int) string {
	body := fmt.Sprintf("1%s%05d", companyPrefix, ref)
	cd, _ := barcode.CheckDigit(body)
	return body + string(cd)
}

type demoItem struct {
	sku, name, unit, category string
	weighed, lots             bool
	shelfLife                 int32
	vat                       int32
	caseOf                    int64 // units per case barcode (0: none)
}

// The demo catalogue: cured-meat products sold by weight (lot-tracked, scanned from scale
// and GS1-128 labels), pre-packed products with EAN-13 unit codes and ITF-14 case codes,
// and the raw materials and packaging bought in.
var demoItems = []demoItem{
	{"LR-001", "川味腊肉 五花", "kg", "腊肉", true, true, 180, 900, 0},
	{"LR-002", "川味腊肉 后腿", "kg", "腊肉", true, true, 180, 900, 0},
	{"LR-003", "烟熏腊排骨", "kg", "腊肉", true, true, 150, 900, 0},
	{"LR-004", "腊猪蹄", "kg", "腊肉", true, true, 150, 900, 0},
	{"LR-005", "风干腊鸡", "kg", "腊禽", true, true, 120, 900, 0},
	{"LR-006", "腊鸭 整只", "kg", "腊禽", true, true, 120, 900, 0},
	{"XC-001", "麻辣香肠", "kg", "香肠", true, true, 180, 900, 0},
	{"XC-002", "广式甜香肠", "kg", "香肠", true, true, 180, 900, 0},
	{"XC-003", "川味腊肠 散装", "kg", "香肠", true, true, 180, 900, 0},
	{"XC-004", "黑猪肉香肠", "kg", "香肠", true, true, 180, 900, 0},
	{"NR-001", "五香牛肉干", "kg", "肉干", true, true, 270, 1300, 0},
	{"HT-001", "金华火腿 切块", "kg", "火腿", true, true, 365, 900, 0},
	{"PK-101", "麻辣香肠 500g 袋装", "bag", "香肠", false, true, 180, 1300, 20},
	{"PK-102", "广式香肠 500g 袋装", "bag", "香肠", false, true, 180, 1300, 20},
	{"PK-103", "川味腊肉 400g 真空", "pack", "腊肉", false, true, 180, 1300, 24},
	{"PK-104", "腊肉香肠礼盒 2kg", "box", "礼盒", false, true, 180, 1300, 6},
	{"PK-105", "牛肉干 100g 麻辣", "bag", "肉干", false, true, 270, 1300, 50},
	{"PK-106", "牛肉干 100g 五香", "bag", "肉干", false, true, 270, 1300, 50},
	{"PK-107", "腊排骨 800g 真空", "pack", "腊肉", false, true, 150, 1300, 12},
	{"PK-108", "风干鸡 1kg 真空", "pack", "腊禽", false, true, 120, 1300, 10},
	{"PK-109", "香肠切片 200g 即食", "pack", "香肠", false, true, 90, 1300, 40},
	{"PK-110", "火腿片 150g 即食", "pack", "火腿", false, true, 90, 1300, 40},
	{"RM-001", "鲜猪五花 原料", "kg", "原料", true, true, 7, 900, 0},
	{"RM-002", "鲜猪后腿 原料", "kg", "原料", true, true, 7, 900, 0},
	{"RM-003", "天然肠衣", "kg", "原料", true, false, 0, 900, 0},
	{"RM-004", "川味腊肉调料", "kg", "辅料", false, false, 0, 1300, 0},
	{"RM-005", "花椒 一级", "kg", "辅料", true, false, 0, 900, 0},
	{"RM-006", "柏树枝 熏料", "kg", "辅料", true, false, 0, 900, 0},
	{"PM-001", "真空包装袋 500g", "pcs", "包材", false, false, 0, 1300, 1000},
	{"PM-002", "礼盒外箱", "pcs", "包材", false, false, 0, 1300, 50},
}

func seedDemo(ctx context.Context, a *app.App, ifEmpty bool) (string, error) {
	if ifEmpty {
		list, _, err := a.Catalog.ListBranches(ctx, 1, "", true)
		if err != nil {
			return "", err
		}
		if len(list) > 0 {
			return "demo data: the database has data already, nothing loaded", nil
		}
	}
	cat := a.Catalog
	cq, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CQ", Name: "重庆物流中心", City: "重庆", Address: "重庆市渝北区空港大道 88 号"})
	if err != nil {
		return "", err
	}
	cd, err := cat.CreateBranch(ctx, catalog.Branch{Code: "CD", Name: "成都物流中心", City: "成都", Address: "成都市新都区物流大道 66 号"})
	if err != nil {
		return "", err
	}
	warehouses := []catalog.Warehouse{
		{Code: "CQ-01", Name: "重庆成品仓", Branch: cq.ID},
		{Code: "CQ-02", Name: "重庆冷库", Branch: cq.ID},
		{Code: "CQ-03", Name: "重庆原料仓", Branch: cq.ID},
		{Code: "CD-01", Name: "成都成品仓", Branch: cd.ID},
		{Code: "CD-02", Name: "成都冷库", Branch: cd.ID},
	}
	whID := map[string]int64{}
	for _, w := range warehouses {
		got, err := cat.CreateWarehouse(ctx, w)
		if err != nil {
			return "", err
		}
		whID[w.Code] = got.ID
	}
	for i, d := range demoItems {
		it := catalog.Item{SKU: d.sku, Name: d.name, Unit: d.unit, Category: d.category, Weighed: d.weighed,
			LotTracked: d.lots, ShelfLifeDays: d.shelfLife, VATRateBp: d.vat, Active: true}
		if !d.weighed {
			it.Barcodes = append(it.Barcodes, catalog.Barcode{Code: ean13(100 + i), Quantity: 1000})
		}
		if d.caseOf > 0 {
			it.Barcodes = append(it.Barcodes, catalog.Barcode{Code: itf14(100 + i), Quantity: d.caseOf * 1000})
		}
		if _, err := cat.CreateItem(ctx, it); err != nil {
			return "", fmt.Errorf("item %s: %w", d.sku, err)
		}
	}
	retailers := []struct {
		code, name, city, taxID string
		closing, due            int32
		outlets                 []string
	}{
		{"YJ", "渝佳超市连锁有限公司", "重庆", "91500000MA5U000001", 25, 60,
			[]string{"观音桥店", "解放碑店", "南坪店", "沙坪坝店", "大渡口店"}},
		{"SC", "山城百货超市有限公司", "重庆", "91500000MA5U000002", 31, 45,
			[]string{"山城超市 江北店", "山城超市 九龙坡店", "山城超市 北碚店"}},
		{"RC", "蓉城便利连锁有限公司", "成都", "91510100MA6C000003", 20, 60,
			[]string{"春熙路店", "天府广场店", "高新店", "双流店"}},
	}
	outlets := 0
	for _, r := range retailers {
		c, err := cat.CreateCustomer(ctx, catalog.Customer{Code: r.code, Name: r.name, Kind: "retailer", TaxID: r.taxID,
			CreditLimit: 50_000_000, Settlement: catalog.SettlementTerms{Cycle: "monthly", ClosingDay: r.closing, DueDays: r.due},
			MinRemainingShelfLifeDays: 60, Contact: "采购部", Phone: "023-6000000" + fmt.Sprint(len(r.code))})
		if err != nil {
			return "", err
		}
		for j, name := range r.outlets {
			if _, err := cat.CreateOutlet(ctx, catalog.Outlet{Customer: c.ID, Code: fmt.Sprintf("%s%03d", r.code, j+1),
				Name: name, City: r.city, Address: r.city + name}); err != nil {
				return "", err
			}
			outlets++
		}
	}
	for _, c := range []catalog.Customer{
		{Code: "DIST-GZ", Name: "贵阳川味食品经销部", Kind: "distributor", CreditLimit: 10_000_000,
			Settlement: catalog.SettlementTerms{Cycle: "monthly", ClosingDay: 31, DueDays: 30}},
		{Code: "ONLINE", Name: "线上零售客户", Kind: "online"},
	} {
		if _, err := cat.CreateCustomer(ctx, c); err != nil {
			return "", err
		}
	}
	for _, s := range []catalog.Supplier{
		{Code: "S-PORK", Name: "渝北生猪屠宰有限公司", TaxID: "91500112MA5U000004", PaymentDueDays: 30},
		{Code: "S-SPICE", Name: "汉源花椒种植合作社", PaymentDueDays: 15},
		{Code: "S-CASING", Name: "四川天然肠衣厂", PaymentDueDays: 30},
		{Code: "S-PACK", Name: "蓉城包装材料有限公司", TaxID: "91510106MA6C000005", PaymentDueDays: 60},
	} {
		if _, err := cat.CreateSupplier(ctx, s); err != nil {
			return "", err
		}
	}
	shops := []catalog.Shop{
		{Code: "TMALL-FLAGSHIP", Name: "天猫旗舰店", Platform: "tmall", Branch: cq.ID, DefaultWarehouse: whID["CQ-01"]},
		{Code: "TAOBAO-CQ", Name: "淘宝 重庆腊味小店", Platform: "taobao", Branch: cq.ID, DefaultWarehouse: whID["CQ-01"]},
		{Code: "JD-SELF", Name: "京东 旗舰店", Platform: "jd", Branch: cq.ID, DefaultWarehouse: whID["CQ-01"]},
		{Code: "PDD-CD", Name: "拼多多 川味腊味", Platform: "pinduoduo", Branch: cd.ID, DefaultWarehouse: whID["CD-01"]},
		{Code: "SUNING", Name: "苏宁易购 店", Platform: "other", Branch: cd.ID, DefaultWarehouse: whID["CD-01"]},
		{Code: "AMAZON-CN", Name: "Amazon 海外店", Platform: "amazon", Branch: cq.ID, DefaultWarehouse: whID["CQ-01"]},
		{Code: "WECHAT", Name: "微信小店", Platform: "wechat", Branch: cd.ID, DefaultWarehouse: whID["CD-01"]},
		{Code: "ALIBABA-1688", Name: "1688 批发店", Platform: "other", Branch: cq.ID, DefaultWarehouse: whID["CQ-01"]},
	}
	for _, s := range shops {
		if _, err := cat.CreateShop(ctx, s); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("demo data: 2 branches, %d warehouses, %d items, 3 retailers with %d outlets, 2 other customers, 4 suppliers, %d shops",
		len(warehouses), len(demoItems), outlets, len(shops)), nil
}
