// Package jobs runs named, scheduled job bodies with robfig/cron, so that with several erpd
// replicas each scheduled run happens once.
//
// Every replica keeps the same cron schedule. When a job fires, the replica computes the
// slot (the scheduled time it fires for, identical on every replica) and claims it with one
// guarded UPDATE on the job's lease row: only a replica that finds last_slot older than
// the slot and no live lease wins. The winner runs the body under a deadline equal to the
// lease, records the run in job_runs and releases the lease. Panics are recovered and
// recorded; a run still going when the next slot fires is skipped locally
// (SkipIfStillRunning) and by the lease on other replicas.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"gorm.io/gorm"

	"github.com/erphub/erphub/internal/text"
)

// Job is a named body with a schedule.
type Job struct {
	Name     string                          // stable name, e.g. "idempotency-purge"
	Schedule string                          // cron spec ("0 3 * * *") or "@every 1m"; "" = manual only
	Timeout  time.Duration                   // run deadline and lease length (default 10 min)
	Run      func(ctx context.Context) error // idempotent, bounded
}

// Runner schedules jobs.
type Runner struct {
	db     *gorm.DB
	cron   *cron.Cron
	log    *slog.Logger
	holder string
	now    func() time.Time

	mu   sync.Mutex
	jobs map[string]*entry
}

type entry struct {
	job   Job
	sched cron.Schedule
}

// New returns a runner whose schedules are read in loc.
func New(g *gorm.DB, loc *time.Location, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	cl := cronLogger{log}
	return &Runner{
		db: g, log: log,
		holder: fmt.Sprintf("%s-%d-%04x", text.Clip(host, 64), os.Getpid(), rand.IntN(0xffff)),
		now:    func() time.Time { return time.Now().UTC() },
		cron: cron.New(cron.WithLocation(loc), cron.WithLogger(cl),
			cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl))),
		jobs: map[string]*entry{},
	}
}

// Add registers a job and its lease row.
func (r *Runner) Add(ctx context.Context, j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a body")
	}
	if j.Timeout == 0 {
		j.Timeout = 10 * time.Minute
	}
	e := &entry{job: j}
	if j.Schedule != "" {
		s, err := cron.ParseStandard(j.Schedule)
		if err != nil {
			return fmt.Errorf("jobs: schedule of %s: %w", j.Name, err)
		}
		e.sched = s
	}
	epoch := time.Unix(0, 0).UTC()
	if err := r.db.WithContext(ctx).Exec(`INSERT IGNORE INTO job_leases (name, holder, lease_until, last_slot)
		VALUES (?, '', ?, ?)`, j.Name, epoch, epoch).Error; err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.jobs[j.Name]; dup {
		return fmt.Errorf("jobs: %s registered twice", j.Name)
	}
	r.jobs[j.Name] = e
	if e.sched != nil {
		r.cron.Schedule(e.sched, cron.FuncJob(func() {
			now := r.now()
			if _, err := r.runSlot(context.Background(), e, slotOf(e.sched, now)); err != nil {
				r.log.Error("job failed", "job", j.Name, "err", err)
			}
		}))
	}
	return nil
}

// Start starts the schedules.
func (r *Runner) Start() { r.cron.Start() }

// Stop stops scheduling and waits for running bodies until ctx ends.
func (r *Runner) Stop(ctx context.Context) {
	done := r.cron.Stop().Done()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// RunNow runs a job once, now, under its lease (erpctl and tests). It answers false when
// another replica holds the lease.
func (r *Runner) RunNow(ctx context.Context, name string) (bool, error) {
	r.mu.Lock()
	e, ok := r.jobs[name]
	r.mu.Unlock()
	if !ok {
		return false, fmt.Errorf("jobs: no job named %q", name)
	}
	return r.runSlot(ctx, e, r.now())
}

// slotOf is the scheduled activation a firing at now belongs to, the same on every replica:
// for "@every d" now floored to a multiple of d, else the latest activation at or before
// now (cron fires within moments of it).
func slotOf(s cron.Schedule, now time.Time) time.Time {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(c.Delay)
	}
	if prev := s.Next(now.Add(-30 * time.Second)); !prev.After(now) {
		return prev.UTC()
	}
	return now.Truncate(time.Second)
}

func (r *Runner) runSlot(ctx context.Context, e *entry, slot time.Time) (ran bool, err error) {
	j := e.job
	now := r.now()
	claim := r.db.WithContext(ctx).Exec(`UPDATE job_leases SET holder = ?, lease_until = ?, last_slot = ?
		WHERE name = ? AND last_slot < ? AND lease_until < ?`, r.holder, now.Add(j.Timeout), slot, j.Name, slot, now)
	if claim.Error != nil {
		return false, claim.Error
	}
	if claim.RowsAffected == 0 {
		return false, nil // another replica has this slot, or a run is still going
	}
	runID, err := r.startRun(ctx, j.Name, slot, now)
	if err != nil {
		r.release(j.Name)
		return false, err
	}
	rctx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	start := time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		err = j.Run(rctx)
	}()
	outcome, detail := "ok", ""
	if err != nil {
		outcome, detail = "failed", text.Clip(err.Error(), 2000)
	}
	r.log.Info("job ran", "job", j.Name, "slot", slot, "outcome", outcome,
		"elapsed_ms", time.Since(start).Milliseconds(), "err", detail)
	fctx := context.WithoutCancel(ctx)
	if uerr := r.db.WithContext(fctx).Exec(`UPDATE job_runs SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?`,
		r.now(), outcome, detail, runID).Error; uerr != nil {
		r.log.Error("job: record run", "job", j.Name, "err", uerr)
	}
	r.release(j.Name)
	return true, err
}

func (r *Runner) startRun(ctx context.Context, name string, slot, now time.Time) (int64, error) {
	var id int64
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO job_runs (name, slot, holder, started_at) VALUES (?, ?, ?, ?)`,
			name, slot, r.holder, now).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT LAST_INSERT_ID()`).Scan(&id).Error
	})
	return id, err
}

func (r *Runner) release(name string) {
	err := r.db.Exec(`UPDATE job_leases SET lease_until = ? WHERE name = ? AND holder = ?`,
		time.Unix(0, 0).UTC(), name, r.holder).Error
	if err != nil {
		r.log.Error("job: release lease", "job", name, "err", err)
	}
}

// Run is one recorded run of a job.
type Run struct {
	ID         int64
	Name       string
	Slot       time.Time
	Holder     string
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string
	Detail     string
}

// Runs answers the latest runs of a job, newest first.
func (r *Runner) Runs(ctx context.Context, name string, limit int) ([]Run, error) {
	var out []Run
	err := r.db.WithContext(ctx).Raw(`SELECT id, name, slot, holder, started_at, finished_at, outcome, detail
		FROM job_runs WHERE name = ? ORDER BY id DESC LIMIT ?`, name, limit).Scan(&out).Error
	return out, err
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
