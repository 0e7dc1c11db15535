package webapp_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/barcode"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/catalog"
)

// browserPath finds Chromium ($CHROME_BIN, else PATH). Without one the browser tests skip,
// unless REQUIRE_BROWSER=1 (make test and CI install it and set that).
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_BIN"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-headless-shell", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and REQUIRE_BROWSER=1: run deploy/local/tools.sh chromium")
	}
	t.Skip("no Chromium found (set CHROME_BIN, or run deploy/local/tools.sh chromium)")
	return ""
}

// browser is a headless Chromium tab with a phone-sized viewport, and where its
// screenshots go: $ERP_TEST_SCREENSHOTS, else the test's temporary directory.
type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := browserPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(375, 812),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	dir := os.Getenv("ERP_TEST_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, dir: dir, base: base}
	b.do(chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// text answers an element's visible text once it is visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitFor waits until a JavaScript expression is true.
func (b *browser) waitFor(expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.t.Fatalf("waiting for %s: %v", expr, err)
	}
}

func (b *browser) visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Query(chromedp.CSS(sel), chromedp.NodeVisible)
}

// shot keeps a full-page screenshot and logs its path.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100 answers PNG
	if err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(b.dir, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// signIn signs in through the form.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+"/app/"), b.visible("#login-username"),
		chromedp.SendKeys(chromedp.CSS("#login-username"), username),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		b.visible("#nav-inbox"))
}

func gtin(body string) string {
	cd, err := barcode.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(cd)
}

// TestScanDeliveryOrderInBrowser signs in through the form (a wrong password first), scans
// a delivery order with a refused and an accepted code, and checks both answers on screen;
// then looks at the dashboard in English and Chinese.
func TestScanDeliveryOrderInBrowser(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, "")
	e := apptest.Start(t)
	b.base = e.HTTP
	admin := reqctx.WithCall(context.Background(), &reqctx.Call{RequestID: "setup", Method: "setup",
		Principal: &reqctx.Principal{Kind: reqctx.ActorUser, ID: 1, Name: "setup", Roles: []string{reqctx.RoleAdmin}}})
	cat := e.App.Catalog
	br, err := cat.CreateBranch(admin, catalog.Branch{Code: "CQ", Name: "重庆"})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := cat.CreateWarehouse(admin, catalog.Warehouse{Code: "CQ-01", Name: "重庆成品仓", Branch: br.ID})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := cat.CreateCustomer(admin, catalog.Customer{Code: "YJ", Name: "渝佳超市", Kind: "retailer"})
	if err != nil {
		t.Fatal(err)
	}
	code := gtin("692345600030")
	item, err := cat.CreateItem(admin, catalog.Item{SKU: "PM-001", Name: "真空袋", Unit: "pcs", Active: true,
		Barcodes: []catalog.Barcode{{Code: code, Quantity: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	e.MustDo(t, 200, "POST", "/v1/adjustments", e.Admin, map[string]any{"warehouse": wh.ID, "reason": "opening stock",
		"lines": []map[string]any{{"item": item.ID, "quantity": 10000, "unitCost": 150}}})
	r := e.MustDo(t, 200, "POST", "/v1/deliveryOrders", e.Admin, map[string]any{"customer": cust.ID, "warehouse": wh.ID,
		"retailerPoNumber": "YJ-PO-778", "lines": []map[string]any{{"item": item.ID, "quantity": 2000}}})
	do := apptest.ID(t, r)
	e.UserToken(t, "wang.fang", []string{reqctx.RoleWarehouse, reqctx.RoleManager}, br.ID)

	// a wrong password is refused on the form
	b.do(chromedp.Navigate(e.HTTP+"/app/"), b.visible("#login-username"))
	b.shot("login")
	b.do(chromedp.SendKeys(chromedp.CSS("#login-username"), "wang.fang"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "not it"),
		chromedp.Click(chromedp.CSS("#login-submit")))
	b.waitFor(`document.querySelector('#login-error').textContent.length > 0`)
	if got := b.text("#login-error"); !strings.Contains(got, "wrong username or password") {
		t.Fatalf("login error %q", got)
	}
	b.do(chromedp.Clear(chromedp.CSS("#login-username")), chromedp.Clear(chromedp.CSS("#login-password")))
	b.signIn("wang.fang", "test-password-123")
	b.waitFor(`document.querySelector('#inbox-empty, #inbox-unavailable, .request') !== null`)
	b.shot("inbox")
	if tok, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href`)); err != nil || strings.Contains(tok, "ey") && strings.Contains(tok, "token") {
		t.Fatalf("token in the URL? %q %v", tok, err)
	}

	// pick the delivery order, then scan a code the order does not know and one it does
	b.do(chromedp.Click(chromedp.CSS("#nav-scan")), b.visible(fmt.Sprintf("#doc-deliveryOrder-%d", do)))
	b.shot("scan-pick")
	if got := b.text(fmt.Sprintf("#doc-deliveryOrder-%d", do)); !strings.Contains(got, "渝佳超市") || !strings.Contains(got, "YJ-PO-778") {
		t.Fatalf("the order on the pick list shows %q, not its customer's name and PO number", got)
	}
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#doc-deliveryOrder-%d", do))), b.visible("#scan-input"))
	b.do(chromedp.SendKeys(chromedp.CSS("#scan-input"), gtin("692345699999")+"\n"))
	b.waitFor(`document.querySelector('#verdict.refused') !== null`)
	if got := b.text("#verdict"); !strings.Contains(got, "REFUSED") || !strings.Contains(got, "UNKNOWN_BARCODE") {
		t.Fatalf("refusal shows %q", got)
	}
	b.shot("scan-refused")
	b.do(chromedp.SendKeys(chromedp.CSS("#scan-input"), code+"\n"))
	b.waitFor(`document.querySelector('#verdict.accepted') !== null`)
	if got := b.text("#verdict"); !strings.Contains(got, "ACCEPTED") || !strings.Contains(got, "PM-001: 1 of 2") {
		t.Fatalf("acceptance shows %q", got)
	}
	if got := b.text("#scan-log"); !strings.Contains(got, "REFUSED UNKNOWN_BARCODE") || !strings.Contains(got, "ACCEPTED PM-001 +1") {
		t.Fatalf("scan log %q", got)
	}
	if got := b.text("#scan-lines"); !strings.Contains(got, "PM-001") || !strings.Contains(got, "1") {
		t.Fatalf("progress %q", got)
	}
	b.shot("scan-accepted")

	// undo takes the accepted scan back, and the line's progress with it
	b.do(chromedp.Click(chromedp.CSS("#scan-undo")))
	b.waitFor(`document.querySelector('#verdict-word').textContent === 'UNDONE'`)
	if got := b.text("#verdict"); !strings.Contains(got, "PM-001") || !strings.Contains(got, "-1") || strings.Contains(got, "null") {
		t.Fatalf("undo shows %q", got)
	}
	b.waitFor(`document.querySelector('#scan-lines td.num').textContent === '0'`)
	b.shot("scan-undone")

	// the server agrees: one accepted scan on the session
	scans := e.MustDo(t, 200, "GET", fmt.Sprintf("/v1/deliveryOrders/%d", do), e.Admin, nil)
	if !strings.Contains(string(scans.Body), `"status":"open"`) {
		t.Fatalf("order %s", scans.Body)
	}

	// the dashboard, in English and then in Chinese
	b.do(chromedp.Click(chromedp.CSS("#nav-dashboard")), b.visible("#tile-overdue"), b.visible("#chart-aging"))
	if got := b.text("#tile-expiring"); !strings.Contains(got, "Lots expiring") {
		t.Fatalf("dashboard tile %q", got)
	}
	// no replenishment run yet: the reorder alerts answer, empty (a refused call shows "—")
	if got := b.text("#dash-reorder"); !strings.Contains(got, "Nothing to reorder or move.") {
		t.Fatalf("reorder alerts %q", got)
	}
	b.shot("dashboard")
	b.do(chromedp.EmulateViewport(1280, 800))
	b.shot("dashboard-desktop")
	b.do(chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.do(chromedp.Click(chromedp.CSS("#lang")), b.visible("#tile-overdue"))
	if got := b.text("#tile-overdue"); !strings.Contains(got, "逾期应收") {
		t.Fatalf("Chinese dashboard tile %q", got)
	}
	b.shot("dashboard-zh")
	b.do(chromedp.Click(chromedp.CSS("#nav-scan")), b.visible(fmt.Sprintf("#doc-deliveryOrder-%d", do)))
	b.shot("scan-pick-zh")

	// signing out forgets the token
	b.do(chromedp.Click(chromedp.CSS("#signout")), b.visible("#login-username"))
	if v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`sessionStorage.getItem('erp.token') === null`)); err != nil || !v {
		t.Fatalf("token kept after sign-out: %v %v", v, err)
	}
}
