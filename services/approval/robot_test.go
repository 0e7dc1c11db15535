package approval_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apptest"
	"github.com/erphub/erphub/internal/reqctx"
)

// fakeRobot is a robot endpoint that checks the documented format and signature of every
// message and records the accepted ones. failFirst answers the first n calls with 500.
type fakeRobot struct {
	t         *testing.T
	kind      string
	secret    string
	failFirst int

	mu       sync.Mutex
	calls    int
	accepted []string
	bad      []string
}

func (f *fakeRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failFirst {
		http.Error(w, "robot down", http.StatusInternalServerError)
		return
	}
	text, problem := f.check(r, body)
	if problem != "" {
		f.bad = append(f.bad, problem)
		_, _ = w.Write([]byte(`{"errcode":310000,"errmsg":"` + problem + `","code":19021}`))
		return
	}
	f.accepted = append(f.accepted, text)
	_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}`))
}

func hmacB64(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func recent(ts string, unit time.Duration) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	at := time.Unix(0, n*int64(unit))
	return time.Since(at) < time.Hour && time.Until(at) < time.Minute
}

func (f *fakeRobot) check(r *http.Request, body []byte) (string, string) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return "", "not a JSON POST"
	}
	switch f.kind {
	case "wecom":
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if json.Unmarshal(body, &m) != nil || m.MsgType != "markdown" || m.Markdown.Content == "" || r.URL.Query().Get("key") != "k1" {
			return "", "bad wecom message " + string(body)
		}
		return m.Markdown.Content, ""
	case "dingtalk":
		q := r.URL.Query()
		ts, sign := q.Get("timestamp"), q.Get("sign")
		if q.Get("access_token") != "tok" || !recent(ts, time.Millisecond) || sign != hmacB64(f.secret, ts+"\n"+f.secret) {
			return "", "bad dingtalk signature " + r.URL.RawQuery
		}
		// the sign must arrive URL-encoded: '+' and '/' and '=' are escaped in the raw query
		if raw := r.URL.RawQuery; strings.ContainsAny(raw[strings.Index(raw, "sign="):], "+/") {
			return "", "dingtalk sign not URL-encoded"
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		if json.Unmarshal(body, &m) != nil || m.MsgType != "markdown" || m.Markdown.Title == "" || m.Markdown.Text == "" {
			return "", "bad dingtalk message " + string(body)
		}
		return m.Markdown.Text, ""
	case "feishu":
		var m struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Content   struct {
				Text string `json:"text"`
			} `json:"content"`
		}
		if json.Unmarshal(body, &m) != nil || m.MsgType != "text" || m.Content.Text == "" {
			return "", "bad feishu message " + string(body)
		}
		// Feishu: the key is timestamp+"\n"+secret, the message is empty
		if !recent(m.Timestamp, time.Second) || m.Sign != hmacB64(m.Timestamp+"\n"+f.secret, "") {
			return "", "bad feishu signature"
		}
		return m.Content.Text, ""
	}
	return "", "unknown kind"
}

func (f *fakeRobot) count(substr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.accepted {
		if strings.Contains(a, substr) {
			n++
		}
	}
	return n
}

func (f *fakeRobot) state() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, append([]string(nil), f.bad...)
}

func TestRobotsRemindersAndEscalation(t *testing.T) {
	w := newWorld(t)
	lead := w.user(t, "lead", reqctx.RoleManager)
	robots := map[string]*fakeRobot{
		"wecom":    {t: t, kind: "wecom"},
		"dingtalk": {t: t, kind: "dingtalk", secret: "SECd1ng+/="},
		"feishu":   {t: t, kind: "feishu", secret: "fe1shu", failFirst: 1},
	}
	for kind, f := range robots {
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		u := map[string]string{"wecom": "/cgi-bin/webhook/send?key=k1", "dingtalk": "/robot/send?access_token=tok",
			"feishu": "/open-apis/bot/v2/hook/abc"}[kind]
		w.e.MustDo(t, 200, "POST", "/v1/approvalRobots", w.e.Admin, map[string]any{"kind": kind, "url": srv.URL + u, "secret": f.secret})
	}
	w.e.MustDo(t, 400, "POST", "/v1/approvalRobots", w.e.Admin, map[string]any{"kind": "slack", "url": "http://x"})
	w.flow(t, map[string]any{"name": "采购", "remindAfterMinutes": 30, "escalateAfterMinutes": 120, "escalateRole": "admin",
		"steps": []map[string]any{{"users": []int64{lead.id}}}})
	p := w.purchase(t, 3, 1234)

	// the new request reaches every robot; feishu fails once and is retried
	for kind, f := range robots {
		waitUntil(t, kind+" hears of the new request", func() bool { return f.count("New approval request") == 1 })
		if !strings.Contains(f.accepted[0], p.Number) || !strings.Contains(f.accepted[0], "¥37.02") {
			t.Fatalf("%s message %q lacks the number or amount", kind, f.accepted[0])
		}
	}
	if calls, bad := robots["feishu"].state(); calls != 2 || len(bad) != 0 {
		t.Fatalf("feishu calls %d (want a failure then a retry), bad %v", calls, bad)
	}

	// a second erpd on the same database; the step has waited 3 hours
	e2 := apptest.StartWith(t, apptest.Options{DSN: w.e.DSN})
	must(t, w.e.App.DB.Exec(`UPDATE approval_requests SET step_started_at = ? WHERE document_id = ?`,
		time.Now().UTC().Add(-3*time.Hour), p.ID).Error)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, e := range []*apptest.Env{w.e, e2, w.e, e2} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- e.App.Approval.RemindDue(t.Context()) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	// and the scheduled job on both replicas: nothing more to send
	for _, e := range []*apptest.Env{w.e, e2} {
		_, err := e.App.Jobs.RunNow(t.Context(), "approval-reminders")
		must(t, err)
	}
	for kind, f := range robots {
		waitUntil(t, kind+" hears the reminder and escalation", func() bool {
			return f.count("Approval reminder") >= 1 && f.count("Approval escalated") >= 1
		})
	}
	waitUntil(t, "outbox drained", func() bool {
		b, err := w.e.App.Outbox.Backlog(t.Context())
		must(t, err)
		return b["approval-robots"] == 0
	})
	for kind, f := range robots {
		if r, e := f.count("Approval reminder"), f.count("Approval escalated"); r != 1 || e != 1 {
			t.Fatalf("%s: %d reminders and %d escalations, want one each", kind, r, e)
		}
	}
	// escalation made the admins approvers
	r := w.requestOf(t, w.inbox(t, w.e.Admin), p.ID)
	got := w.decide(t, 200, w.e.Admin, r.ID, "approve", "")
	if got.State != "APPROVED" {
		t.Fatalf("escalated approval %+v", got)
	}
	for kind, f := range robots {
		waitUntil(t, kind+" hears the outcome", func() bool { return f.count("Approved") == 1 })
		if _, bad := f.state(); len(bad) != 0 {
			t.Fatalf("%s refused messages: %v", kind, bad)
		}
	}
}
