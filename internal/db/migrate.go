package db

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"github.com/erphub/erphub/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

func provider(g *gorm.DB) (*goose.Provider, error) {
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectMySQL, sqlDB, migrations.FS)
}

// Migrate applies every pending migration and answers how many it applied.
func Migrate(ctx context.Context, g *gorm.DB) (int, error) {
	p, err := provider(g)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// MigrationState answers every migration and whether it is applied.
func MigrationState(ctx context.Context, g *gorm.DB) ([]MigrationStatus, error) {
	p, err := provider(g)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version: s.Source.Version,
			Source:  s.Source.Path,
			Applied: s.State == goose.StateApplied,
		})
	}
	return out, nil
}

// MigrationsCurrent reports whether the database has every embedded migration applied.
func MigrationsCurrent(ctx context.Context, g *gorm.DB) (bool, error) {
	p, err := provider(g)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	return !pending && err == nil, err
}
