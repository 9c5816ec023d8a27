package bot

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Metrics are the bot's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	updates  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	sent     prometheus.Counter
	tooMany  prometheus.Counter
	reports  *prometheus.CounterVec
	redisRTT prometheus.Histogram
}

// NewMetrics registers the metrics on reg; queue reports the outbox's
// depth for its gauge (nil: no gauge).
func NewMetrics(reg prometheus.Registerer, queue func() int) *Metrics {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kpibot_updates_total",
			Help: "Updates handled, by kind."}, []string{"kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kpibot_handler_seconds",
			Help: "Time to handle an update and send its replies, by kind.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kpibot_errors_total",
			Help: "Errors, by where they happened: handle, send, panic."}, []string{"kind"}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "kpibot_messages_sent_total",
			Help: "Messages sent or edited."}),
		tooMany: prometheus.NewCounter(prometheus.CounterOpts{Name: "kpibot_telegram_429_total",
			Help: "Answers 429 Too Many Requests from Telegram."}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kpibot_scheduled_sent_total",
			Help: "Scheduled sends completed, by kind: weekly, quarterly, reminder."}, []string{"kind"}),
		redisRTT: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kpibot_redis_seconds",
			Help: "Redis round-trip time (a command or a pipeline).", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)}),
	}
	reg.MustRegister(m.updates, m.latency, m.errors, m.sent, m.tooMany, m.reports, m.redisRTT)
	if queue != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kpibot_outbox_queue",
			Help: "Messages waiting in the outbox."}, func() float64 { return float64(queue()) }))
	}
	return m
}

func (m *Metrics) update(kind string, took time.Duration) {
	if m != nil {
		m.updates.WithLabelValues(kind).Inc()
		m.latency.WithLabelValues(kind).Observe(took.Seconds())
	}
}

func (m *Metrics) error(kind string) {
	if m != nil {
		m.errors.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) sentOne() {
	if m != nil {
		m.sent.Inc()
	}
}

func (m *Metrics) limited() {
	if m != nil {
		m.tooMany.Inc()
	}
}

func (m *Metrics) scheduled(kind string) {
	if m != nil {
		m.reports.WithLabelValues(kind).Inc()
	}
}

// RedisHook is a go-redis hook that times every round trip.
func (m *Metrics) RedisHook() redis.Hook { return rttHook{m} }

type rttHook struct{ m *Metrics }

func (h rttHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h rttHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.m.redisRTT.Observe(time.Since(start).Seconds())
		return err
	}
}

func (h rttHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.m.redisRTT.Observe(time.Since(start).Seconds())
		return err
	}
}
