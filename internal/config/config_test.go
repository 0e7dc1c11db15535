package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The README's configuration table must list every setting with its flag and default.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range Settings {
		row := "| `" + s.Env + "` | `-" + s.Flag + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row of %s (%s)", s.Env, row)
		}
		if s.Default != "" && !strings.Contains(readme, row+" `"+s.Default+"` |") {
			t.Errorf("README gives another default for %s than %q", s.Env, s.Default)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Setenv("ERP_MYSQL_DSN", "u@tcp(h:3306)/erphub")
	t.Setenv("ERP_TOKEN_TTL", "2h")
	c, err := Load([]string{"-token-ttl", "30m", "-schedules", "housekeeping=0 4 * * *; other=@every 1m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenTTL != 30*time.Minute {
		t.Errorf("flag did not win over the variable: %v", c.TokenTTL)
	}
	if c.GRPCAddr != ":9090" || c.HTTPAddr != ":8080" || c.TimeZone.String() != "Asia/Shanghai" {
		t.Errorf("defaults: %+v", c)
	}
	if c.Schedules["housekeeping"] != "0 4 * * *" || c.Schedules["other"] != "@every 1m" {
		t.Errorf("schedules: %v", c.Schedules)
	}
	t.Setenv("ERP_MYSQL_DSN", "")
	t.Setenv("ERP_MAX_BODY_BYTES", "-5")
	_, err = Load(nil)
	if err == nil || !strings.Contains(err.Error(), "ERP_MAX_BODY_BYTES") || !strings.Contains(err.Error(), "ERP_MYSQL_DSN") {
		t.Fatalf("errors should name every bad setting: %v", err)
	}
}
