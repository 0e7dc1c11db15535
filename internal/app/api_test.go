package app_test

import (
	"strings"
	"testing"

	"github.com/erphub/erphub/internal/access"
	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
)

// Every registered RPC has an access rule and every rule names a registered RPC.
func TestEveryRPCHasAnAccessRule(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	registered := map[string]bool{}
	for name, info := range e.Server.GRPC().GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + name + "/" + m.Name
			registered[full] = true
			if _, ok := access.Lookup(full); !ok {
				t.Errorf("%s has no access rule", full)
			}
		}
	}
	for method := range access.Table {
		if !registered[method] {
			t.Errorf("access rule for %s, which is not registered", method)
		}
	}
}

func TestHTTPFace(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)

	t.Run("health, readiness, metrics, openapi", func(t *testing.T) {
		e.MustDo(t, 200, "GET", "/healthz", "", nil)
		e.MustDo(t, 200, "GET", "/readyz", "", nil)
		e.MustDo(t, 200, "GET", "/v1/items", e.Admin, nil) // make a metric
		if m := e.MustDo(t, 200, "GET", "/metrics", "", nil); !strings.Contains(string(m.Body), `erp_rpc_requests_total{code="OK",method="/erp.catalog.v1.CatalogService/ListItems"}`) {
			t.Fatalf("per-RPC metric missing:\n%.2000s", m.Body)
		}
		doc := e.MustDo(t, 200, "GET", "/openapi.json", "", nil)
		if !strings.Contains(string(doc.Body), `"/v1/items"`) || !strings.Contains(string(doc.Body), `"type": "integer"`) {
			t.Fatal("OpenAPI document lacks the item routes or integer schemas")
		}
	})

	t.Run("credentials", func(t *testing.T) {
		r := e.MustDo(t, 401, "GET", "/v1/items", "", nil)
		if r.JSON(t)["code"] == nil {
			t.Fatalf("401 without a status body: %s", r.Body)
		}
		e.MustDo(t, 401, "GET", "/v1/items", "eat1.forged.token", nil)
		e.MustDo(t, 401, "POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": "nope"})
		ok := e.MustDo(t, 200, "POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": "test-password-123"})
		if tok, _ := ok.JSON(t)["accessToken"].(string); tok == "" || ok.JSON(t)["expireTime"] == nil {
			t.Fatalf("login answer %s", ok.Body)
		}
	})

	t.Run("roles", func(t *testing.T) {
		wh := e.UserToken(t, "picker", []string{reqctx.RoleWarehouse})
		e.MustDo(t, 403, "POST", "/v1/users", wh, map[string]any{"username": "x1234", "password": "long enough", "roles": []string{"sales"}})
		e.MustDo(t, 403, "GET", "/v1/users", wh, nil)
		e.MustDo(t, 200, "GET", "/v1/items", wh, nil)
		// the refusal is audited
		audit := e.MustDo(t, 200, "GET", "/v1/auditEvents?method=/erp.identity.v1.IdentityService/CreateUser", e.Admin, nil)
		if !strings.Contains(string(audit.Body), `"code":"PERMISSION_DENIED"`) || !strings.Contains(string(audit.Body), `"actorName":"picker"`) {
			t.Fatalf("refusal not audited: %s", audit.Body)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		e.MustDo(t, 400, "POST", "/v1/items", e.Admin, `{"sku": "A", "name":`)
		r := e.MustDo(t, 400, "POST", "/v1/items", e.Admin, `{"sku": "A", "name": "a", "unit": "kg", "barcode": ["123"]}`)
		if !strings.Contains(string(r.Body), "barcode") {
			t.Fatalf("unknown field not named: %s", r.Body)
		}
		e.MustDo(t, 400, "POST", "/v1/items", e.Admin, `{"sku": 5}`)
		big := `{"sku":"A","name":"` + strings.Repeat("x", 33<<20) + `"}`
		e.MustDo(t, 413, "POST", "/v1/items", e.Admin, big)
		e.MustDo(t, 400, "GET", "/v1/items?pageSize=-3", e.Admin, nil)
		e.MustDo(t, 400, "GET", "/v1/items?pageToken=nonsense", e.Admin, nil)
		e.MustDo(t, 404, "GET", "/v1/items/987654", e.Admin, nil)
		e.MustDo(t, 400, "GET", "/v1/items/abc", e.Admin, nil)
	})

	t.Run("bad EAN names the field", func(t *testing.T) {
		r := e.MustDo(t, 400, "POST", "/v1/items", e.Admin, map[string]any{"sku": "E-1", "name": "e", "unit": "pcs", "barcodes": []string{"4006381333932"}})
		m := r.JSON(t)
		details, _ := m["details"].([]any)
		found := false
		for _, d := range details {
			dm, _ := d.(map[string]any)
			fvs, _ := dm["fieldViolations"].([]any)
			for _, fv := range fvs {
				if f, _ := fv.(map[string]any)["field"].(string); f == "item.barcodes[0]" {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("no field violation for item.barcodes[0]: %s", r.Body)
		}
	})

	t.Run("idempotency over HTTP", func(t *testing.T) {
		body := map[string]any{"sku": "I-1", "name": "idem", "unit": "kg"}
		first := e.MustDo(t, 200, "POST", "/v1/items?requestId=req-1", e.Admin, body)
		again := e.MustDo(t, 200, "POST", "/v1/items?requestId=req-1", e.Admin, body)
		if apptest.ID(t, first) != apptest.ID(t, again) {
			t.Fatalf("replay created another item: %s vs %s", first.Body, again.Body)
		}
		viaHeader := e.MustDo(t, 200, "POST", "/v1/items", e.Admin, map[string]any{"sku": "I-2", "name": "idem", "unit": "kg"}, "Idempotency-Key: hdr-1")
		headerAgain := e.MustDo(t, 200, "POST", "/v1/items", e.Admin, map[string]any{"sku": "I-2", "name": "idem", "unit": "kg"}, "Idempotency-Key: hdr-1")
		if apptest.ID(t, viaHeader) != apptest.ID(t, headerAgain) {
			t.Fatal("header replay created another item")
		}
		r := e.MustDo(t, 409, "POST", "/v1/items?requestId=req-1", e.Admin, map[string]any{"sku": "I-3", "name": "other", "unit": "kg"})
		if !strings.Contains(string(r.Body), "IDEMPOTENCY_KEY_REUSED") {
			t.Fatalf("reuse answer %s", r.Body)
		}
		list := e.MustDo(t, 200, "GET", "/v1/items?query=idem", e.Admin, nil)
		if n := strings.Count(string(list.Body), `"sku":"I-`); n != 2 {
			t.Fatalf("%d idem items stored, want 2: %s", n, list.Body)
		}
	})

	t.Run("update with etag and implied mask", func(t *testing.T) {
		created := e.MustDo(t, 200, "POST", "/v1/items", e.Admin, map[string]any{"sku": "U-9", "name": "before", "unit": "kg"})
		id := apptest.ID(t, created)
		up := e.MustDo(t, 200, "PATCH", apptest.Path("/v1/items/%d", id), e.Admin, map[string]any{"name": "after", "etag": "1"})
		if m := up.JSON(t); m["name"] != "after" || m["unit"] != "kg" || m["etag"] != "2" {
			t.Fatalf("patched %s", up.Body)
		}
		e.MustDo(t, 409, "PATCH", apptest.Path("/v1/items/%d", id), e.Admin, map[string]any{"name": "stale", "etag": "1"})
	})

	t.Run("request id is echoed", func(t *testing.T) {
		r := e.MustDo(t, 200, "GET", "/v1/items", e.Admin, nil, "X-Request-Id: trace-42")
		if r.Header.Get("X-Request-Id") != "trace-42" {
			t.Fatalf("X-Request-Id = %q", r.Header.Get("X-Request-Id"))
		}
	})
}
