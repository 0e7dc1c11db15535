package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc/codes"
)

// metrics are the Prometheus series of erpd: per-RPC counts by code and latency, plus the
// Go runtime and process collectors. Other packages may register more on Registry.
type metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   sync.Map // method + code -> *series: label hashing once, not per call
}

type series struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erp_rpc_requests_total",
			Help: "RPCs handled, by full method name and gRPC code (HTTP calls included: they pass the gateway).",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "erp_rpc_duration_seconds",
			Help:    "RPC latency inside erpd, by full method name.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method"}),
	}
	reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method string, code codes.Code, d time.Duration) {
	key := seriesKey{method, code}
	v, ok := m.series.Load(key)
	if !ok {
		v, _ = m.series.LoadOrStore(key, &series{
			count:   m.requests.WithLabelValues(method, code.String()),
			latency: m.latency.WithLabelValues(method),
		})
	}
	s := v.(*series)
	s.count.Inc()
	s.latency.Observe(d.Seconds())
}

type seriesKey struct {
	method string
	code   codes.Code
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
