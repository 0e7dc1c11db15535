package db

import (
	"context"
	"database/sql"
	"errors"

	"gorm.io/gorm"
)

// pool is the connection pool gorm talks to. Plain statements use an autocommit pool;
// transactions take a connection from a second pool whose sessions run with
// autocommit=0, where the first statement opens the transaction implicitly. That saves
// the START TRANSACTION round trip of every write transaction (one of five for a typical
// create); COMMIT or ROLLBACK always ends the transaction before the connection goes back.
type pool struct {
	*sql.DB         // autocommit sessions
	tx      *sql.DB // autocommit=0 sessions, used only between BeginTx and Commit/Rollback
}

// GetDBConn lets gorm's DB() answer the autocommit pool (health checks, migrations).
func (p *pool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// BeginTx starts a transaction. Read-only transactions and explicit isolation levels use
// the ordinary START TRANSACTION path.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if opts != nil && (opts.ReadOnly || opts.Isolation != sql.LevelDefault) {
		return p.DB.BeginTx(ctx, opts)
	}
	conn, err := p.tx.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &implicitTx{Conn: conn}, nil
}

// implicitTx is one transaction on an autocommit=0 session.
type implicitTx struct {
	*sql.Conn
	done bool
}

var errTxDone = errors.New("db: transaction already committed or rolled back")

// Commit commits and gives the connection back.
func (t *implicitTx) Commit() error { return t.end("COMMIT") }

// Rollback rolls back and gives the connection back.
func (t *implicitTx) Rollback() error { return t.end("ROLLBACK") }

func (t *implicitTx) end(stmt string) error {
	if t.done {
		return errTxDone
	}
	t.done = true
	// Not the request's context: a cancelled request must still end its transaction
	// (if the connection is broken, database/sql discards it and the server rolls back).
	_, err := t.Conn.ExecContext(context.Background(), stmt)
	if cerr := t.Conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes both pools of g.
func Close(g *gorm.DB) error {
	if p, ok := g.ConnPool.(*pool); ok {
		return errors.Join(p.DB.Close(), p.tx.Close())
	}
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
