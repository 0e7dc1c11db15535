// Command erpbench measures erpd from the outside, the way clients see it: it creates a
// fresh database on the server in ERP_BENCH_MYSQL_DSN (make bench finds or starts one),
// starts the built erpd binary against it with its default settings, prepares data through
// the API and runs each scenario with N concurrent clients for a fixed time, printing
// requests per second and p50/p99 latency. Client, erpd and MariaDB share the machine.
//
//	erpbench -erpd bin/erpd [-duration 10s] [-clients 32] [-only item-get-grpc,...]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "erpbench:", err)
		os.Exit(1)
	}
}

type options struct {
	erpd     string
	duration time.Duration
	warmup   time.Duration
	clients  int
	only     map[string]bool
	keep     bool
	conns    int
	settle   time.Duration
}

// env is what scenarios get: a running erpd and an admin token.
type env struct {
	opt      options
	http     string
	grpcAddr string
	grpc     []*grpc.ClientConn
	token    string
	dsn      string
	client   *http.Client
	sequence atomic.Int64
	pid      int // erpd's process id, for its CPU time
	dbPID    int // the database server's process id when it runs on this machine, else 0
}

func (e *env) conn(i int) *grpc.ClientConn { return e.grpc[i%len(e.grpc)] }

// next answers a number unique within the run, for unique SKUs and codes.
func (e *env) next() int64 { return e.sequence.Add(1) }

// scenario is one measured workload. setup runs once, unmeasured; op runs repeatedly in
// each of clients goroutines (worker index given) until the time is up.
type scenario struct {
	name    string
	clients int
	once    bool       // no warm-up; runs until op answers errExhausted (or the time is up)
	units   int        // things one op handles (orders in a batch): units/s = req/s × units
	unitsOf func() int // units decided by the flags, when set
	setup   func(ctx context.Context, e *env) error
	op      func(ctx context.Context, e *env, worker int) error
	// timed, when set, replaces op and answers the latency of the part it measures (an op
	// that first prepares, unmeasured, then makes the call that counts)
	timed func(ctx context.Context, e *env, worker int) (time.Duration, error)
}

var scenarios []scenario

func register(s ...scenario) { scenarios = append(scenarios, s...) }

func run() error {
	var o options
	var only string
	flag.StringVar(&o.erpd, "erpd", "bin/erpd", "erpd binary (erpctl must sit next to it)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up per scenario")
	flag.IntVar(&o.clients, "clients", 32, "default concurrent clients")
	flag.StringVar(&only, "only", "", "comma-separated scenario names (default: all)")
	flag.BoolVar(&o.keep, "keep", false, "keep the benchmark database and erpd's log afterwards")
	flag.IntVar(&o.conns, "grpc-conns", 1, "gRPC connections shared by the clients")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "pause before each scenario")
	flag.Parse()
	if only != "" {
		o.only = map[string]bool{}
		for _, n := range strings.Split(only, ",") {
			o.only[strings.TrimSpace(n)] = true
		}
	}
	server := os.Getenv("ERP_BENCH_MYSQL_DSN")
	if server == "" {
		return errors.New("ERP_BENCH_MYSQL_DSN is not set (make bench sets it)")
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		return err
	}
	cfg.DBName = fmt.Sprintf("erpbench_%d", time.Now().Unix())
	dsn := cfg.FormatDSN()
	ctx := context.Background()

	e := &env{opt: o, dsn: dsn, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	ctl := filepath.Join(filepath.Dir(o.erpd), "erpctl")
	if _, err := exec.Command(ctl, "-dsn", dsn, "migrate", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("erpctl migrate up: %w", err)
	}
	if !o.keep {
		defer dropDatabase(cfg)
	}
	out, err := exec.Command(ctl, "-dsn", dsn, "user", "ensure-admin").CombinedOutput()
	if err != nil {
		return fmt.Errorf("erpctl user ensure-admin: %w: %s", err, out)
	}
	m := regexp.MustCompile(`with password (\S+)`).FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("no admin password in %s", out)
	}
	e.dbPID = databasePID(ctx, dsn)
	stop, err := startErpd(e, dsn)
	if err != nil {
		return err
	}
	defer stop()
	if e.token, err = login(ctx, e, "admin", string(m[1])); err != nil {
		return err
	}
	for range max(o.conns, 1) {
		cc, err := grpc.NewClient("passthrough:///"+e.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		e.grpc = append(e.grpc, cc)
	}

	fmt.Printf("erpbench: %s, %d CPUs, %s per scenario after %s warm-up; erpd, MariaDB and the clients share the machine\n\n",
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), o.duration, o.warmup)
	fmt.Println("CPU µs/req: erpd's and the database's CPU time (the database's when it runs on this machine) from the")
	fmt.Println("end of the warm-up until erpd's background work is done, per measured request; drain s: how long")
	fmt.Println("that background work (order allocation, event delivery, insights folding) ran on after the last request.")
	fmt.Println()
	row := "%-24s %7s %9s %6s %8s %9s %8s %8s %9s %7s %8s %8s\n"
	fmt.Printf(row, "scenario", "clients", "requests", "errors", "req/s", "units/s", "p50 ms", "p99 ms", "elapsed s", "drain s",
		"erpd µs", "db µs")
	for _, s := range scenarios {
		if o.only != nil && !o.only[s.name] {
			continue
		}
		if s.setup != nil {
			if err := s.setup(ctx, e); err != nil {
				return fmt.Errorf("%s setup: %w", s.name, err)
			}
		}
		// let erpd finish the previous scenario's background work (allocating pushed
		// orders, delivering events) and the database flush its writes
		if _, err := waitIdle(ctx, e); err != nil {
			return err
		}
		time.Sleep(e.opt.settle)
		clients := s.clients
		if clients == 0 {
			clients = o.clients
		}
		r, err := measure(ctx, e, s, clients)
		if err != nil {
			return err
		}
		perRequest := func(d time.Duration) string {
			if r.n == 0 || d <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f", float64(d.Microseconds())/float64(r.n))
		}
		units := "-"
		if s.unitsOf != nil {
			s.units = s.unitsOf()
		}
		if s.units > 0 {
			units = fmt.Sprintf("%.0f", r.rate*float64(s.units))
		}
		fmt.Printf(row, s.name, fmt.Sprint(clients), fmt.Sprint(r.n), fmt.Sprint(r.errors), fmt.Sprintf("%.0f", r.rate), units,
			fmt.Sprintf("%.2f", ms(r.p50)), fmt.Sprintf("%.2f", ms(r.p99)), fmt.Sprintf("%.1f", r.elapsed.Seconds()),
			fmt.Sprintf("%.1f", r.drain.Seconds()), perRequest(r.cpu), perRequest(r.dbCPU))
		if r.firstErr != nil {
			fmt.Fprintf(os.Stderr, "  %s: first error: %v\n", s.name, r.firstErr)
		}
	}
	return nil
}

// waitIdle waits until no paid order waits for review and no outbox event is due (insights
// folds its facts on the events' delivery); it answers how long it waited.
func waitIdle(ctx context.Context, e *env) (time.Duration, error) {
	db, err := sql.Open("mysql", e.dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	// EXISTS stops at the first row, so that polling costs the database little while the
	// queues are long (its CPU time is part of the figures). The orders are looked at only
	// when the queues are empty: when none waits, that EXISTS reads every unallocated order.
	const queues = `SELECT EXISTS (SELECT 1 FROM outbox_events WHERE pending = 1 AND attempts = 0)`
	const unallocated = `SELECT EXISTS (SELECT 1 FROM orders WHERE fulfil_state = '' AND status = 'paid' AND exception = '')`
	for {
		var events, orders bool
		if err := db.QueryRowContext(ctx, queues).Scan(&events); err != nil {
			return 0, err
		}
		if !events {
			if err := db.QueryRowContext(ctx, unallocated).Scan(&orders); err != nil {
				return 0, err
			}
			if !orders {
				return time.Since(start), nil
			}
		}
		if time.Since(start) > 10*time.Minute {
			return 0, fmt.Errorf("erpd still busy after 10 minutes (events due: %t, orders to allocate: %t)", events, orders)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type result struct {
	elapsed   time.Duration
	drain     time.Duration // background work after the last request
	cpu       time.Duration // erpd CPU time from the measured part's start until the drain ends
	dbCPU     time.Duration // the same for the database server, when local
	n, errors int
	rate      float64
	p50, p99  time.Duration
	firstErr  error
}

func measure(ctx context.Context, e *env, s scenario, clients int) (result, error) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  error
		wg        sync.WaitGroup
	)
	warmup := e.opt.warmup
	if s.once {
		warmup = 0
	}
	warmEnd := time.Now().Add(warmup)
	end := warmEnd.Add(e.opt.duration)
	var lastDone atomic.Int64
	var cpuStart, dbStart time.Duration
	cpuTimer := time.AfterFunc(time.Until(warmEnd), func() { cpuStart, dbStart = processCPU(e.pid), processCPU(e.dbPID) })
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			localErrs := 0
			var localFirst error
			for {
				start := time.Now()
				if start.After(end) {
					break
				}
				var err error
				var took time.Duration
				if s.timed != nil {
					took, err = s.timed(ctx, e, w)
				} else {
					err = s.op(ctx, e, w)
					took = time.Since(start)
				}
				if errors.Is(err, errExhausted) {
					break
				}
				if start.Before(warmEnd) {
					continue
				}
				if err != nil {
					localErrs++
					if localFirst == nil {
						localFirst = err
					}
					continue
				}
				local = append(local, took)
			}
			if now := time.Now().UnixNano(); now > lastDone.Load() {
				lastDone.Store(now)
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errs += localErrs
			if firstErr == nil {
				firstErr = localFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	cpuTimer.Stop()
	drain, err := waitIdle(ctx, e)
	if err != nil {
		return result{}, err
	}
	cpuUsed, dbUsed := processCPU(e.pid)-cpuStart, processCPU(e.dbPID)-dbStart
	slices.Sort(latencies)
	elapsed := e.opt.duration
	if s.once {
		elapsed = time.Duration(lastDone.Load() - warmEnd.UnixNano())
	}
	r := result{elapsed: elapsed, drain: drain, cpu: cpuUsed, dbCPU: dbUsed, n: len(latencies), errors: errs, firstErr: firstErr, rate: float64(len(latencies)) / elapsed.Seconds()}
	if len(latencies) > 0 {
		r.p50 = latencies[len(latencies)*50/100]
		r.p99 = latencies[min(len(latencies)-1, len(latencies)*99/100)]
	}
	return r, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startErpd runs erpd with default settings except its addresses; its log goes to a
// temporary file (it logs one line per call, as in production).
func startErpd(e *env, dsn string) (func(), error) {
	httpAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	grpcAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp("", "erpbench-erpd-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.opt.erpd)
	cmd.Env = append(os.Environ(), "ERP_MYSQL_DSN="+dsn, "ERP_HTTP_ADDR="+httpAddr, "ERP_GRPC_ADDR="+grpcAddr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e.http = "http://" + httpAddr
	e.pid = cmd.Process.Pid
	e.grpcAddr = grpcAddr
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = logFile.Close()
		if e.opt.keep {
			fmt.Fprintf(os.Stderr, "erpd log kept in %s\n", logFile.Name())
			return
		}
		_ = os.Remove(logFile.Name())
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := e.client.Get(e.http + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return stop, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, errors.New("erpd did not become ready")
}

func dropDatabase(cfg *mysql.Config) {
	name := cfg.DBName
	c := *cfg
	c.DBName = ""
	conn, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Exec("DROP DATABASE IF EXISTS `" + name + "`")
}

// databasePID answers the process id of the database server when it runs on this machine
// (its pid file is readable here and names a running process), else 0.
func databasePID(ctx context.Context, dsn string) int {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return 0
	}
	defer db.Close()
	var file string
	if err := db.QueryRowContext(ctx, `SELECT @@pid_file`).Scan(&file); err != nil {
		return 0
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	var pid int
	if _, err := fmt.Sscan(string(b), &pid); err != nil || pid <= 0 {
		return 0
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return 0
	}
	return pid
}

// processCPU answers the user+system CPU time of a process from /proc (Linux), or 0.
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// fields after the command name (which may contain spaces) start after the last ')'
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks
}
