package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/erphub/erphub/api/erp/catalog/v1"
	identityv1 "github.com/erphub/erphub/api/erp/identity/v1"
	"github.com/erphub/erphub/internal/testdb"
)

// binDir holds erpd and erpctl built once for the package's tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "erphub-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../erpd", "../erpctl")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// erpctl runs the built erpctl against dsn and answers its standard output.
func erpctl(t *testing.T, dsn, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "erpctl"), args...)
	cmd.Env = append(os.Environ(), "ERP_MYSQL_DSN="+dsn)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("erpctl %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// daemon is a running erpd process.
type daemon struct {
	cmd        *exec.Cmd
	http, grpc string
	mu         sync.Mutex
	log        bytes.Buffer
	exited     chan error
}

func (d *daemon) logs() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

func startErpd(t *testing.T, dsn string, env ...string) *daemon {
	t.Helper()
	d := &daemon{http: freePort(t), grpc: freePort(t), exited: make(chan error, 1)}
	d.cmd = exec.Command(filepath.Join(binDir, "erpd"))
	d.cmd.Env = append(os.Environ(), "ERP_MYSQL_DSN="+dsn, "ERP_HTTP_ADDR="+d.http, "ERP_GRPC_ADDR="+d.grpc,
		"ERP_SHUTDOWN_TIMEOUT=5s")
	d.cmd.Env = append(d.cmd.Env, env...)
	pr, pw := io.Pipe()
	d.cmd.Stdout, d.cmd.Stderr = pw, pw
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.log.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
		}
	}()
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait(); _ = pw.Close() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + d.http + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return d
			}
		}
		select {
		case err := <-d.exited:
			t.Fatalf("erpd exited: %v\n%s", err, d.logs())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("erpd not ready in 20 s\n%s", d.logs())
	return nil
}

type httpClient struct {
	t    *testing.T
	base string
}

func (c httpClient) do(method, path, token string, body any, headers ...string) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		c.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

func bearer(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

// TestEndToEnd drives the built binaries the way a new user does: erpctl prepares the
// database, erpd serves, and both faces (gRPC and HTTP) answer as the foundation issue
// promises. It ends with SIGTERM and checks that erpd drains and exits cleanly.
func TestEndToEnd(t *testing.T) {
	dsn := testdb.NewDSN(t)
	erpctl(t, dsn, "", "migrate", "up")
	if out := erpctl(t, dsn, "", "migrate", "status"); strings.Contains(out, "false") {
		t.Fatalf("migrations not all applied:\n%s", out)
	}
	if out := erpctl(t, dsn, "", "seed", "demo", "--if-empty"); !strings.Contains(out, "30 items") {
		t.Fatalf("seed: %s", out)
	}
	if out := erpctl(t, dsn, "", "seed", "demo", "--if-empty"); !strings.Contains(out, "nothing loaded") {
		t.Fatalf("second seed: %s", out)
	}
	out := erpctl(t, dsn, "", "user", "ensure-admin")
	m := regexp.MustCompile(`with password (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no admin password printed: %s", out)
	}
	adminPW := m[1]
	if again := erpctl(t, dsn, "", "user", "ensure-admin"); strings.Contains(again, "password") {
		t.Fatalf("admin password printed twice: %s", again)
	}
	erpctl(t, dsn, "wh-password-1\n", "user", "create", "--username", "picker", "--password-stdin", "--role", "warehouse", "--branch", "CQ")
	key := strings.TrimSpace(erpctl(t, dsn, "", "apikey", "create", "--shop", "TMALL-FLAGSHIP"))
	if !strings.HasPrefix(key, "erk_") {
		t.Fatalf("apikey create printed %q", key)
	}

	d := startErpd(t, dsn)
	h := httpClient{t: t, base: "http://" + d.http}
	conn, err := grpc.NewClient("passthrough:///"+d.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	idc := identityv1.NewIdentityServiceClient(conn)
	cat := catalogv1.NewCatalogServiceClient(conn)

	// health over gRPC
	hr, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("gRPC health: %v %v", hr, err)
	}

	// login, both faces
	code, login := h.do("POST", "/v1/auth:login", "", map[string]string{"username": "admin", "password": adminPW})
	if code != 200 || login["accessToken"] == "" || login["expireTime"] == nil {
		t.Fatalf("HTTP login %d %v", code, login)
	}
	token := login["accessToken"].(string)
	gl, err := idc.Login(context.Background(), &identityv1.LoginRequest{Username: "picker", Password: "wh-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	pickerToken := gl.GetAccessToken()

	// no token: 401 / UNAUTHENTICATED
	if code, _ := h.do("GET", "/v1/items", "", nil); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if _, err := cat.ListItems(context.Background(), &catalogv1.ListItemsRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("gRPC without token: %v", err)
	}

	// a warehouse-role token cannot create users: 403 / PERMISSION_DENIED
	if code, _ := h.do("POST", "/v1/users", pickerToken, map[string]any{"username": "mallory", "password": "12345678", "roles": []string{"admin"}}); code != 403 {
		t.Fatalf("warehouse creating a user over HTTP: %d", code)
	}
	_, err = idc.CreateUser(bearer(pickerToken), &identityv1.CreateUserRequest{User: &identityv1.User{Username: "mallory", Roles: []string{"admin"}}})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("warehouse creating a user over gRPC: %v", err)
	}

	// a bad EAN check digit: 400 naming the field
	code, bad := h.do("POST", "/v1/items", token, map[string]any{"sku": "BAD-EAN", "name": "x", "unit": "pcs", "barcodes": []string{"6923456001000"}})
	if raw, _ := json.Marshal(bad); code != 400 || !strings.Contains(string(raw), "item.barcodes[0]") {
		t.Fatalf("bad EAN over HTTP: %d %s", code, raw)
	}
	_, err = cat.CreateItem(bearer(token), &catalogv1.CreateItemRequest{Item: &catalogv1.Item{Sku: "BAD-EAN", Name: "x", Unit: "pcs", Barcodes: []string{"6923456001000"}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "item.barcodes[0]") {
		t.Fatalf("bad EAN over gRPC: %v", err)
	}

	// a duplicate SKU: 409 / ALREADY_EXISTS (LR-001 comes from the demo data)
	if code, _ := h.do("POST", "/v1/items", token, map[string]any{"sku": "LR-001", "name": "again", "unit": "kg"}); code != 409 {
		t.Fatalf("duplicate SKU over HTTP: %d", code)
	}
	if _, err := cat.CreateItem(bearer(token), &catalogv1.CreateItemRequest{Item: &catalogv1.Item{Sku: "LR-001", Name: "again", Unit: "kg"}}); status.Code(err) != codes.AlreadyExists {
		t.Fatalf("duplicate SKU over gRPC: %v", err)
	}

	// a replayed create with the same requestId returns the same item and creates nothing
	code, first := h.do("POST", "/v1/items?requestId=e2e-replay-1", token, map[string]any{"sku": "REPLAY-1", "name": "replayed", "unit": "kg"})
	code2, second := h.do("POST", "/v1/items?requestId=e2e-replay-1", token, map[string]any{"sku": "REPLAY-1", "name": "replayed", "unit": "kg"})
	if code != 200 || code2 != 200 || first["id"] != second["id"] {
		t.Fatalf("HTTP replay: %d %v / %d %v", code, first["id"], code2, second["id"])
	}
	g1, err := cat.CreateItem(bearer(token), &catalogv1.CreateItemRequest{RequestId: "e2e-replay-2", Item: &catalogv1.Item{Sku: "REPLAY-2", Name: "replayed", Unit: "kg"}})
	if err != nil {
		t.Fatal(err)
	}
	g2, err := cat.CreateItem(bearer(token), &catalogv1.CreateItemRequest{RequestId: "e2e-replay-2", Item: &catalogv1.Item{Sku: "REPLAY-2", Name: "replayed", Unit: "kg"}})
	if err != nil || g1.GetItem().GetId() != g2.GetItem().GetId() {
		t.Fatalf("gRPC replay: %v %v %v", g1.GetItem().GetId(), g2.GetItem().GetId(), err)
	}

	// 250 items in pages of 100: each exactly once (30 demo + 2 replayed + 218 here)
	for i := range 218 {
		if _, err := cat.CreateItem(bearer(token), &catalogv1.CreateItemRequest{Item: &catalogv1.Item{Sku: fmt.Sprintf("E2E-%03d", i), Name: "bulk", Unit: "pcs"}}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	pageToken, pages := "", 0
	for {
		code, page := h.do("GET", "/v1/items?pageSize=100&pageToken="+pageToken, token, nil)
		if code != 200 {
			t.Fatalf("list page: %d %v", code, page)
		}
		pages++
		items, _ := page["items"].([]any)
		for _, it := range items {
			id := fmt.Sprint(it.(map[string]any)["id"])
			if seen[id] {
				t.Fatalf("item %s listed twice", id)
			}
			seen[id] = true
		}
		next, _ := page["nextPageToken"].(string)
		if next == "" {
			break
		}
		pageToken = next
	}
	if len(seen) != 250 || pages != 3 {
		t.Fatalf("listed %d items in %d pages, want 250 in 3", len(seen), pages)
	}
	// the same over gRPC
	var grpcSeen int
	for tok := ""; ; {
		resp, err := cat.ListItems(bearer(token), &catalogv1.ListItemsRequest{PageSize: 100, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		grpcSeen += len(resp.GetItems())
		if tok = resp.GetNextPageToken(); tok == "" {
			break
		}
	}
	if grpcSeen != 250 {
		t.Fatalf("gRPC listed %d items", grpcSeen)
	}

	// the connector key reads its own shop and nothing else
	code, shops := h.do("GET", "/v1/shops?pageSize=100", token, nil)
	if code != 200 {
		t.Fatal(shops)
	}
	var own, other string
	for _, s := range shops["shops"].([]any) {
		sm := s.(map[string]any)
		if sm["code"] == "TMALL-FLAGSHIP" {
			own = fmt.Sprint(sm["id"])
		} else {
			other = fmt.Sprint(sm["id"])
		}
	}
	if code, _ := h.do("GET", "/v1/shops/"+own, key, nil); code != 200 {
		t.Fatalf("connector reading its shop: %d", code)
	}
	if code, _ := h.do("GET", "/v1/shops/"+other, key, nil); code != 403 {
		t.Fatalf("connector reading another shop: %d", code)
	}

	// SIGTERM: readiness turns off, in-flight work drains, exit status 0
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			t.Fatalf("erpd exited with %v after SIGTERM\n%s", err, d.logs())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("erpd did not exit within 15 s of SIGTERM")
	}
	if !strings.Contains(d.logs(), "erpd stopped") {
		t.Fatalf("no clean stop logged:\n%s", d.logs())
	}

	// logs are JSON lines with request ids (all flushed by the clean exit)
	lines := strings.Split(strings.TrimSpace(d.logs()), "\n")
	rpcLines := 0
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if rec["msg"] == "rpc" {
			rpcLines++
			if rec["request_id"] == nil {
				t.Fatalf("rpc log line without request_id: %s", l)
			}
		}
	}
	if rpcLines < 200 {
		t.Fatalf("only %d rpc log lines", rpcLines)
	}

}
