package identity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erphub/erphub/internal/apperr"
	"github.com/erphub/erphub/services/identity"
)

// TestLoginThrottle walks one username from free failures through growing delays to a
// lock, and shows that a lock refuses even the right password until it ends.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.svc.CreateUser(f.admin, identity.UserInput{User: identity.User{Username: "zhao.min", Roles: []string{"warehouse"},
		Branches: []int64{f.branch}}, Password: "right password"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	login := func(pw string) error { _, err := f.svc.Login(ctx, "zhao.min", pw); return err }
	wait := func(err error) string {
		e, ok := apperr.As(err)
		if !ok {
			return ""
		}
		return e.Metadata["retryAfterSeconds"]
	}
	advance := func(d time.Duration) { *f.clock = f.clock.Add(d) }

	for i := range 4 { // three free failures, then the fourth asks for a 1 s wait
		if err := login("wrong"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	err := login("right password")
	if !errors.Is(err, identity.ErrLoginThrottled) || wait(err) != "1" || !strings.Contains(err.Error(), "try again in 1 s") {
		t.Fatalf("no wait after 4 failures: %v", err)
	}
	// each later failure doubles the wait: 2 s, 4 s, 8 s, 16 s
	for i, want := range []string{"2", "4", "8", "16"} {
		advance(time.Minute)
		if err := login("wrong"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("slowed failure %d: %v", i, err)
		}
		if err := login("wrong"); !errors.Is(err, identity.ErrLoginThrottled) || wait(err) != want {
			t.Fatalf("after slowed failure %d: %v (wait %s), want %s s", i, err, wait(err), want)
		}
	}
	// failures 9 and 10: the tenth locks the name for 15 minutes
	for range 2 {
		advance(time.Minute)
		if err := login("wrong"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	err = login("right password")
	if !errors.Is(err, identity.ErrLoginLocked) || wait(err) != "900" || !strings.Contains(err.Error(), "locked, try again in 15 min") {
		t.Fatalf("not locked after 10 failures: %v", err)
	}
	if st, _ := apperr.ToStatus(err); st.Code().String() != "ResourceExhausted" {
		t.Fatalf("lock answers %v", st.Code())
	}
	advance(14 * time.Minute)
	if err := login("right password"); !errors.Is(err, identity.ErrLoginLocked) || wait(err) != "60" {
		t.Fatalf("lock ended early: %v", err)
	}
	advance(time.Minute)
	if err := login("right password"); err != nil {
		t.Fatalf("lock did not end: %v", err)
	}
	// a success forgets the failures: three more are free again
	for range 3 {
		if err := login("wrong"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if err := login("right password"); err != nil {
		t.Fatalf("success did not clear the count: %v", err)
	}
}

// TestLoginThrottleUnknownUser shows that a name that does not exist is slowed the same
// way, so the answers do not tell which usernames exist.
func TestLoginThrottleUnknownUser(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for range 4 {
		if _, err := f.svc.Login(ctx, "nobody", "x"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Login(ctx, "NOBODY", "x"); !errors.Is(err, identity.ErrLoginThrottled) {
		t.Fatalf("unknown name not slowed (case-insensitively): %v", err)
	}
}

// TestLoginThrottleConcurrent fires many wrong guesses at once: the count is taken before
// the password is checked, so at most the free ones and the first slowed one get a
// password check and the rest wait.
func TestLoginThrottleConcurrent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.svc.CreateUser(f.admin, identity.UserInput{User: identity.User{Username: "qian", Roles: []string{"warehouse"},
		Branches: []int64{f.branch}}, Password: "right password"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Login(context.Background(), "qian", "guess")
			e, _ := apperr.As(err)
			mu.Lock()
			defer mu.Unlock()
			if e == nil {
				counts[err.Error()]++
				return
			}
			counts[e.Reason]++
		}()
	}
	wg.Wait()
	if counts["UNAUTHENTICATED"] != 4 || counts["LOGIN_THROTTLED"] != 16 {
		t.Fatalf("answers %v; want 4 password checks and 16 waits", counts)
	}
}
