// Command erpctl administers an erphub database: migrations, users, connector keys and
// demo data. It reads the database from ERP_MYSQL_DSN (or -dsn).
//
//	erpctl migrate up|status
//	erpctl user create --username U --password-stdin --role R [--role R2] [--branch CODE]
//	erpctl user passwd --username U --password-stdin
//	erpctl user ensure-admin
//	erpctl apikey create --shop CODE [--name NAME]
//	erpctl seed demo [--if-empty]
//	erpctl job run NAME
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	_ "time/tzdata" // time zones without the system database

	"github.com/erphub/erphub/internal/app"
	"github.com/erphub/erphub/internal/config"
	"github.com/erphub/erphub/internal/db"
	"github.com/erphub/erphub/internal/logging"
	"github.com/erphub/erphub/internal/reqctx"
	"github.com/erphub/erphub/services/identity"
)

const usage = `erpctl administers an erphub database (ERP_MYSQL_DSN or -dsn).

  erpctl migrate up                 apply pending migrations (creates the database if needed)
  erpctl migrate status             list migrations and whether each is applied
  erpctl user create --username U --password-stdin --role R [--role R2] [--branch CODE ...]
  erpctl user passwd --username U --password-stdin
  erpctl user ensure-admin          create user "admin" with a printed password if no admin exists
  erpctl apikey create --shop CODE [--name NAME]   print a new connector key (shown once)
  erpctl seed demo [--if-empty]     load a small realistic data set
  erpctl job run NAME               run a scheduled job once, now
  erpctl insights rebuild           rebuild the insights read models from the source tables
  erpctl insights check             compare the insights read models with the sources
`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "erpctl:", err)
		os.Exit(1)
	}
}

// multi is a repeatable string flag that also splits commas.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*m = append(*m, p)
		}
	}
	return nil
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	global := flag.NewFlagSet("erpctl", flag.ContinueOnError)
	dsn := global.String("dsn", os.Getenv("ERP_MYSQL_DSN"), "database DSN (default $ERP_MYSQL_DSN)")
	global.Usage = func() { fmt.Fprint(global.Output(), usage) }
	if err := global.Parse(args); err != nil {
		return err
	}
	rest := global.Args()
	if len(rest) < 2 {
		global.Usage()
		return errors.New("missing command")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cfg, err := config.Load([]string{"-mysql-dsn", *dsn})
	if err != nil {
		return err
	}
	cmd := rest[0] + " " + rest[1]
	if cmd == "migrate up" || cmd == "seed demo" || cmd == "user ensure-admin" {
		if err := db.EnsureDatabase(ctx, cfg.MySQLDSN); err != nil {
			return err
		}
	}
	a, err := app.New(cfg, logging.New(os.Stderr, "warn"))
	if err != nil {
		return err
	}
	// Changes made here are audited as the system, under the command's name.
	ctx = reqctx.WithCall(ctx, &reqctx.Call{RequestID: "erpctl", Method: "erpctl " + cmd,
		Principal: &reqctx.Principal{Kind: reqctx.ActorSystem, Name: "erpctl", Roles: []string{reqctx.RoleAdmin}}})
	flags := flag.NewFlagSet("erpctl "+cmd, flag.ContinueOnError)
	switch cmd {
	case "migrate up":
		n, err := a.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
		return nil
	case "migrate status":
		st, err := db.MigrationState(ctx, a.DB)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tAPPLIED\tFILE")
		for _, s := range st {
			fmt.Fprintf(tw, "%d\t%v\t%s\n", s.Version, s.Applied, s.Source)
		}
		return tw.Flush()
	case "user create":
		username := flags.String("username", "", "sign-in name")
		fromStdin := flags.Bool("password-stdin", false, "read the password from the first line of standard input")
		var roles, branches multi
		flags.Var(&roles, "role", "role (repeatable): admin, manager, finance, warehouse, sales")
		flags.Var(&branches, "branch", "branch code the user is limited to (repeatable; none = every branch)")
		display := flags.String("display-name", "", "name shown in the apps")
		if err := flags.Parse(rest[2:]); err != nil {
			return err
		}
		if !*fromStdin {
			return errors.New("pass the password on standard input with --password-stdin")
		}
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		var ids []int64
		for _, code := range branches {
			b, err := a.Catalog.BranchByCode(ctx, code)
			if err != nil {
				return fmt.Errorf("--branch %s: %w", code, err)
			}
			ids = append(ids, b.ID)
		}
		u, err := a.Identity.CreateUser(ctx, identity.UserInput{User: identity.User{Username: *username,
			DisplayName: *display, Roles: roles, Branches: ids}, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (id %d, roles %s)\n", u.Username, u.ID, strings.Join(u.Roles, ","))
		return nil
	case "user passwd":
		username := flags.String("username", "", "sign-in name")
		fromStdin := flags.Bool("password-stdin", false, "read the password from the first line of standard input")
		if err := flags.Parse(rest[2:]); err != nil {
			return err
		}
		if !*fromStdin {
			return errors.New("pass the password on standard input with --password-stdin")
		}
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := a.Identity.SetPassword(ctx, *username, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; its earlier tokens no longer work\n", *username)
		return nil
	case "user ensure-admin":
		name, pw, err := a.Identity.EnsureAdmin(ctx)
		if err != nil {
			return err
		}
		if name == "" {
			fmt.Fprintln(stdout, "an admin exists already")
			return nil
		}
		fmt.Fprintf(stdout, "\n  created user %q with password %s\n  (shown once; change it with erpctl user passwd)\n\n", name, pw)
		return nil
	case "apikey create":
		shopCode := flags.String("shop", "", "shop code")
		name := flags.String("name", "", "what the key is for (default: connector for SHOP)")
		if err := flags.Parse(rest[2:]); err != nil {
			return err
		}
		shop, err := a.Catalog.ShopByCode(ctx, *shopCode)
		if err != nil {
			return fmt.Errorf("--shop %s: %w", *shopCode, err)
		}
		if *name == "" {
			*name = "connector for " + shop.Code
		}
		k, err := a.Identity.CreateAPIKey(ctx, *name, shop.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", k.Secret)
		fmt.Fprintf(os.Stderr, "key %d for shop %s (id %d); the key above is shown once\n", k.ID, shop.Code, shop.ID)
		return nil
	case "seed demo":
		ifEmpty := flags.Bool("if-empty", false, "do nothing when branches exist already")
		if err := flags.Parse(rest[2:]); err != nil {
			return err
		}
		summary, err := seedDemo(ctx, a, *ifEmpty)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, summary)
		return nil
	case "insights rebuild":
		r, err := a.Insights.Rebuild(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt: %d orders, %d documents, %d fact lines in %s\n", r.Orders, r.Documents, r.Lines, r.Took.Round(time.Millisecond))
		return nil
	case "insights check":
		diffs, err := a.Insights.Check(ctx)
		if err != nil {
			return err
		}
		for _, d := range diffs {
			fmt.Fprintln(stdout, d)
		}
		if len(diffs) > 0 {
			return fmt.Errorf("%d differences between facts and sources", len(diffs))
		}
		fmt.Fprintln(stdout, "facts agree with the sources")
		return nil
	case "job run":
		if len(rest) < 3 {
			return errors.New("job run NAME")
		}
		if err := a.RegisterJobs(ctx); err != nil {
			return err
		}
		ran, err := a.Jobs.RunNow(ctx, rest[2])
		if err != nil {
			return err
		}
		if !ran {
			return fmt.Errorf("job %s is running on another replica", rest[2])
		}
		fmt.Fprintf(stdout, "job %s done\n", rest[2])
		return nil
	}
	global.Usage()
	return fmt.Errorf("unknown command %q", cmd)
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password on standard input")
	}
	return pw, nil
}
