package approval

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/internal/money"
	"github.com/erphub/erphub/internal/outbox"
	"github.com/erphub/erphub/internal/txn"
)

// notice is one message for one robot, carried by the outbox so that a failing robot is
// retried on its own without repeating the message to the others.
type notice struct {
	Robot int64  `json:"robot"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// CreateRobot registers a group robot. Errors: Invalid (kind, url).
func (s *Service) CreateRobot(ctx context.Context, r Robot) (Robot, error) {
	var v apperr.Violations
	r.Kind = strings.ToLower(strings.TrimSpace(r.Kind))
	v.Check(slices.Contains([]string{RobotWeCom, RobotDingTalk, RobotFeishu}, r.Kind), "kind", "must be wecom, dingtalk or feishu")
	u, err := url.Parse(r.URL)
	v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(r.URL) <= 1000, "url",
		"must be an http(s) URL of at most 1000 bytes")
	v.Check(len(r.Secret) <= 255, "secret", "must be at most 255 bytes")
	if err := v.Err("invalid robot"); err != nil {
		return r, err
	}
	return txn.Mutate(ctx, s.db, func(tx *gorm.DB) (Robot, error) {
		return store{tx}.insertRobot(r, s.clock())
	})
}

// ListRobots answers the active robots.
func (s *Service) ListRobots(ctx context.Context) ([]Robot, error) {
	return store{s.db.WithContext(ctx)}.robots()
}

// notify queues a message about r for every robot, in tx.
func (s *Service) notify(ctx context.Context, tx *gorm.DB, title string, r Request, stepName, comment string) error {
	robots, err := store{tx}.robots()
	if err != nil || len(robots) == 0 {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n", title)
	fmt.Fprintf(&b, "- 单据 Document: %s %s (#%d)\n", r.DocumentType, r.DocumentNumber, r.Document)
	fmt.Fprintf(&b, "- 金额 Amount: ¥%s\n", money.Yuan(r.Amount))
	fmt.Fprintf(&b, "- 审批 Request: #%d, step %d %s\n", r.ID, r.Step, stepName)
	if comment != "" {
		fmt.Fprintf(&b, "- 意见 Comment: %s\n", comment)
	}
	events := make([]outbox.Event, 0, len(robots))
	for _, rb := range robots {
		events = append(events, outbox.Event{Topic: topicNotify, Key: fmt.Sprintf("approvalRobots/%d", rb.ID),
			Payload: notice{Robot: rb.ID, Title: title, Text: b.String()}})
	}
	return s.outbox.Publish(ctx, tx, events...)
}

// deliverNotice sends one notice; an error makes the outbox retry it with backoff.
func (s *Service) deliverNotice(ctx context.Context, d outbox.Delivery) error {
	var n notice
	if err := d.Decode(&n); err != nil {
		return nil // not ours to retry: a malformed payload never gets better
	}
	rb, ok, err := store{s.db.WithContext(ctx)}.robot(n.Robot)
	if err != nil || !ok {
		return err // a removed robot: drop the notice
	}
	target, body, err := robotRequest(rb, n, s.now())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("robot %d: %w", rb.ID, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("robot %d: HTTP %d: %s", rb.ID, resp.StatusCode, bytes.TrimSpace(raw))
	}
	// All three answer 200 with an error code in the body when they refuse a message.
	var ans struct {
		ErrCode *int   `json:"errcode"`
		Code    *int   `json:"code"`
		ErrMsg  string `json:"errmsg"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(raw, &ans) == nil {
		if ans.ErrCode != nil && *ans.ErrCode != 0 || ans.Code != nil && *ans.Code != 0 {
			return fmt.Errorf("robot %d refused the message: %s%s", rb.ID, ans.ErrMsg, ans.Msg)
		}
	}
	return nil
}

// robotRequest builds the URL and JSON body of a robot message in the robot's documented
// format, signed when the robot has a secret.
func robotRequest(rb Robot, n notice, now time.Time) (string, []byte, error) {
	switch rb.Kind {
	case RobotWeCom:
		body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": n.Text}})
		return rb.URL, body, err
	case RobotDingTalk:
		target := rb.URL
		if rb.Secret != "" {
			ts, sign := DingTalkSign(rb.Secret, now)
			sep := "&"
			if !strings.Contains(target, "?") {
				sep = "?"
			}
			target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(sign)
		}
		body, err := json.Marshal(map[string]any{"msgtype": "markdown",
			"markdown": map[string]any{"title": n.Title, "text": n.Text}})
		return target, body, err
	case RobotFeishu:
		m := map[string]any{"msg_type": "text", "content": map[string]any{"text": n.Text}}
		if rb.Secret != "" {
			ts, sign := FeishuSign(rb.Secret, now)
			m["timestamp"], m["sign"] = ts, sign
		}
		body, err := json.Marshal(m)
		return rb.URL, body, err
	}
	return "", nil, fmt.Errorf("robot %d: unknown kind %q", rb.ID, rb.Kind)
}

// DingTalkSign answers the timestamp (milliseconds) and signature of a DingTalk signed
// webhook: base64(HMAC-SHA256(key=secret, timestamp+"\n"+secret)), before URL encoding.
func DingTalkSign(secret string, now time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(now.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return timestamp, base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FeishuSign answers the timestamp (seconds) and signature of a Feishu signed webhook:
// base64(HMAC-SHA256(key=timestamp+"\n"+secret, empty message)).
func FeishuSign(secret string, now time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(now.Unix(), 10)
	m := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return timestamp, base64.StdEncoding.EncodeToString(m.Sum(nil))
}
