package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/erphub/erphub/internal/jobs"
	"github.com/erphub/erphub/internal/testdb"
)

// Three runners (three replicas) race for the same slot: the body runs once.
func TestRunNowOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	var runs atomic.Int32
	release := make(chan struct{})
	body := func(ctx context.Context) error {
		runs.Add(1)
		<-release
		return nil
	}
	var runners []*jobs.Runner
	for range 3 {
		r := jobs.New(g, time.UTC, nil)
		if err := r.Add(context.Background(), jobs.Job{Name: "nightly", Run: body, Timeout: time.Minute}); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	var wg sync.WaitGroup
	var ran atomic.Int32
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := r.RunNow(context.Background(), "nightly")
			if err != nil {
				t.Error(err)
			}
			if ok {
				ran.Add(1)
			}
		}()
	}
	// let the winner start, then the others find the lease taken
	for runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 || ran.Load() != 1 {
		t.Fatalf("body ran %d times, %d runners claimed it; want 1 and 1", runs.Load(), ran.Load())
	}
	history, err := runners[0].Runs(context.Background(), "nightly", 10)
	if err != nil || len(history) != 1 || history[0].Outcome != "ok" {
		t.Fatalf("history %+v, %v", history, err)
	}
}

func TestFailuresAndPanicsAreRecorded(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	r := jobs.New(g, time.UTC, nil)
	ctx := context.Background()
	if err := r.Add(ctx, jobs.Job{Name: "fails", Run: func(context.Context) error { return errors.New("no route to platform") }}); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(ctx, jobs.Job{Name: "panics", Run: func(context.Context) error { panic("nil map") }}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunNow(ctx, "fails"); err == nil {
		t.Fatal("the failure was not returned")
	}
	if _, err := r.RunNow(ctx, "panics"); err == nil {
		t.Fatal("the panic was not returned as an error")
	}
	for _, name := range []string{"fails", "panics"} {
		h, err := r.Runs(ctx, name, 1)
		if err != nil || len(h) != 1 || h[0].Outcome != "failed" || h[0].Detail == "" || h[0].FinishedAt == nil {
			t.Fatalf("%s history %+v, %v", name, h, err)
		}
	}
	// the lease was released: the job can run again
	if ran, err := r.RunNow(ctx, "fails"); !ran || err == nil {
		t.Fatalf("second run: ran=%v err=%v", ran, err)
	}
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	r := jobs.New(g, time.UTC, nil)
	err := r.Add(context.Background(), jobs.Job{Name: "bad", Schedule: "every tuesday", Run: func(context.Context) error { return nil }})
	if err == nil {
		t.Fatal("a bad schedule was accepted")
	}
}

// The slot of a firing is the same on every replica even when their timers fire at
// slightly different moments.
func TestSlotsAgreeAcrossReplicas(t *testing.T) {
	t.Parallel()
	s, err := cron.ParseStandard("*/5 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)
	a := jobs.SlotOf(s, base.Add(3*time.Millisecond))
	b := jobs.SlotOf(s, base.Add(900*time.Millisecond))
	if !a.Equal(base) || !b.Equal(base) {
		t.Fatalf("slots %v and %v, want %v", a, b, base)
	}
	every, _ := cron.ParseStandard("@every 1m")
	if got := jobs.SlotOf(every, base.Add(42*time.Second)); !got.Equal(base) {
		t.Fatalf("@every slot %v, want %v", got, base)
	}
}
