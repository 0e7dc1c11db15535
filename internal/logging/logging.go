// Package logging builds the structured JSON logger (log/slog) that every part of erpd
// uses; a record logged with a context carries the call's request id.
package logging

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/erphub/erphub/internal/reqctx"
)

// New returns a JSON logger at level ("debug", "info", "warn", "error").
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn", "warning":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})})
}

// requestIDHandler adds request_id from the context to every record.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqctx.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// BufferedWriter batches log lines so that a busy server does not pay one write system
// call per line: lines are written out when 32 KiB are pending, every FlushInterval, and
// on Close. A crash (SIGKILL) loses at most the last interval's lines; the audit log,
// which is in the database, loses nothing.
type BufferedWriter struct {
	mu    sync.Mutex
	w     *bufio.Writer
	stop  chan struct{}
	done  chan struct{}
	close sync.Once
}

// FlushInterval is how often pending log lines are written out.
const FlushInterval = 100 * time.Millisecond

// NewBufferedWriter starts a buffered writer over w.
func NewBufferedWriter(w io.Writer) *BufferedWriter {
	b := &BufferedWriter{w: bufio.NewWriterSize(w, 32<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(FlushInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.Flush()
			case <-b.stop:
				b.Flush()
				return
			}
		}
	}()
	return b
}

// Write buffers p.
func (b *BufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out pending lines.
func (b *BufferedWriter) Flush() {
	b.mu.Lock()
	_ = b.w.Flush()
	b.mu.Unlock()
}

// Close flushes and stops the background flusher.
func (b *BufferedWriter) Close() error {
	b.close.Do(func() { close(b.stop); <-b.done })
	return nil
}
