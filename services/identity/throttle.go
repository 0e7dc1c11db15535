package identity

import (
	"fmt"
	"strconv"
	"time"

	"github.com/erphub/erphub/internal/apperr"
)

// Throttle slows and then locks repeated failed sign-ins of one username: the first
// FreeFailures failures cost nothing, each later one makes the next attempt wait twice as
// long as the one before (FirstDelay, 2×, 4×, … up to MaxDelay), and LockAfter failures
// lock the name for LockFor. Attempts are counted per username, known or not, so that the
// answers do not reveal which names exist.
type Throttle struct {
	FreeFailures int           // failures answered without a delay (default 3)
	FirstDelay   time.Duration // wait after the first slowed failure (default 1 s)
	MaxDelay     time.Duration // longest wait between attempts (default 30 s)
	LockAfter    int           // failures that lock the name (default 10)
	LockFor      time.Duration // how long a lock lasts (default 15 min)
}

func (t Throttle) withDefaults() Throttle {
	if t.FreeFailures == 0 {
		t.FreeFailures = 3
	}
	if t.FirstDelay == 0 {
		t.FirstDelay = time.Second
	}
	if t.MaxDelay == 0 {
		t.MaxDelay = 30 * time.Second
	}
	if t.LockAfter == 0 {
		t.LockAfter = 10
	}
	if t.LockFor == 0 {
		t.LockFor = 15 * time.Minute
	}
	return t
}

// loginRecord is a username's failed attempts.
type loginRecord struct {
	Failures    int
	NextAttempt time.Time
	LockedUntil time.Time // zero when not locked
}

// Sign-in refusals before the password is checked.
var (
	ErrLoginLocked    = apperr.Exhausted("LOGIN_LOCKED", "too many failed sign-ins: locked")
	ErrLoginThrottled = apperr.Exhausted("LOGIN_THROTTLED", "too many failed sign-ins: wait")
)

// admit answers nil when an attempt may go ahead at now, or ErrLoginLocked /
// ErrLoginThrottled naming the wait (message and retryAfterSeconds metadata).
func (r loginRecord) admit(now time.Time) error {
	if now.Before(r.LockedUntil) {
		wait := r.LockedUntil.Sub(now)
		return waitError(ErrLoginLocked, wait, "too many failed sign-ins: this username is locked, try again in %s")
	}
	if now.Before(r.NextAttempt) {
		wait := r.NextAttempt.Sub(now)
		return waitError(ErrLoginThrottled, wait, "too many failed sign-ins: try again in %s")
	}
	return nil
}

func waitError(e *apperr.Error, wait time.Duration, format string) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	return e.Withf(format, humanWait(secs)).With("retryAfterSeconds", strconv.FormatInt(secs, 10))
}

// humanWait says a wait in seconds as "12 s" or "15 min" (rounded up).
func humanWait(secs int64) string {
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}

// fail counts one more failure at now: the next attempt waits, or the name locks (and the
// count starts again once the lock ends).
func (r loginRecord) fail(t Throttle, now time.Time) loginRecord {
	r.Failures++
	r.NextAttempt = now
	if r.Failures >= t.LockAfter {
		return loginRecord{Failures: 0, NextAttempt: now, LockedUntil: now.Add(t.LockFor)}
	}
	if n := r.Failures - t.FreeFailures; n > 0 {
		d := t.FirstDelay
		for i := 1; i < n && d < t.MaxDelay; i++ {
			d *= 2
		}
		r.NextAttempt = now.Add(min(d, t.MaxDelay))
	}
	return r
}
