package monitor

import (
	"math"
	"time"

	"github.com/mskbench/mskbench/report"
)

// fill sets the figures of s that two scrapes a (at ta) and b (at tb > ta)
// of one broker give. Counters become rates over tb − ta: a counter that
// went down was reset (a broker restart) and counts from 0, as Prometheus's
// rate() does. Gauges are b's values. Figures neither scrape has stay nil;
// figures s already has are kept (a broker's JMX and node endpoints fill
// different figures).
func fill(s *report.BrokerSample, a, b *values, ta, tb time.Time) {
	dt := tb.Sub(ta).Seconds()
	if dt <= 0 {
		return
	}
	delta := func(k string) (float64, bool) {
		x, ok1 := a.v[k]
		y, ok2 := b.v[k]
		if !ok1 || !ok2 {
			return 0, false
		}
		if y < x {
			return y, true // reset
		}
		return y - x, true
	}
	rate := func(k string) *float64 {
		d, ok := delta(k)
		if !ok {
			return nil
		}
		return ptr(d / dt)
	}
	gauge := func(k string) *float64 {
		if y, ok := b.v[k]; ok {
			return ptr(y)
		}
		return nil
	}
	set := func(dst **float64, v *float64) {
		if *dst == nil && v != nil {
			*dst = v
		}
	}

	if d, ok := delta(kCPUBusy); ok {
		if n := b.v[kCPUs]; n > 0 {
			set(&s.CPUUtilization, ptr(clamp01(d/dt/n)))
		}
	}
	set(&s.NetworkRxBytesPerSec, rate(kNetRx))
	set(&s.NetworkTxBytesPerSec, rate(kNetTx))
	set(&s.DiskWriteBytesPerSec, rate(kDiskW))
	if len(a.diskBusy) > 0 && len(b.diskBusy) > 0 {
		busiest, ok := 0.0, false
		for dev, y := range b.diskBusy {
			x, seen := a.diskBusy[dev]
			if !seen {
				continue
			}
			d := y - x
			if y < x {
				d = y
			}
			busiest, ok = math.Max(busiest, d/dt), true
		}
		if ok {
			set(&s.DiskUtilization, ptr(clamp01(busiest)))
		}
	}
	set(&s.BytesInPerSec, rate(kBytesIn))
	set(&s.BytesOutPerSec, rate(kBytesOut))
	set(&s.MessagesInPerSec, rate(kMsgsIn))
	set(&s.MessagesOutPerSec, rate(kMsgsOut))
	set(&s.ProduceRequestsPerSec, rate(kProdReq))
	set(&s.FetchRequestsPerSec, rate(kFetchReq))

	// RequestHandlerAvgIdlePercent is a meter of idle nanoseconds per
	// handler thread: its count over the interval ÷ 1e9 ÷ seconds is the
	// idle fraction of the interval; the one-minute rate is a fallback.
	if d, ok := delta(kIdleNs); ok {
		set(&s.RequestHandlerIdle, ptr(clamp01(d/1e9/dt)))
	} else if v := gauge(kIdleRate); v != nil {
		set(&s.RequestHandlerIdle, ptr(clamp01(*v)))
	}
	if v := gauge(kNetIdle); v != nil {
		set(&s.NetworkProcessorIdle, ptr(clamp01(*v)))
	}

	set(&s.ProduceTotalTimeMeanMs, intervalMean(a, b, "Produce", "TotalTimeMs"))
	set(&s.ProduceTotalTimeP99Ms, gauge(hkey("Produce", "TotalTimeMs", "p99")))
	set(&s.ProduceQueueTimeMeanMs, intervalMean(a, b, "Produce", "RequestQueueTimeMs"))
	set(&s.ProduceQueueTimeP99Ms, gauge(hkey("Produce", "RequestQueueTimeMs", "p99")))
	set(&s.FetchTotalTimeMeanMs, intervalMean(a, b, "FetchConsumer", "TotalTimeMs"))
	set(&s.FetchTotalTimeP99Ms, gauge(hkey("FetchConsumer", "TotalTimeMs", "p99")))
	set(&s.FetchQueueTimeMeanMs, intervalMean(a, b, "FetchConsumer", "RequestQueueTimeMs"))
	set(&s.FetchQueueTimeP99Ms, gauge(hkey("FetchConsumer", "RequestQueueTimeMs", "p99")))

	set(&s.UnderReplicatedPartitions, gauge(kURP))
	set(&s.PartitionCount, gauge(kParts))
	set(&s.LeaderCount, gauge(kLeaders))

	// Throttle time: the request histogram's interval mean, else the
	// quota sensors' average (highest client).
	set(&s.ProduceThrottleTimeMs, intervalMean(a, b, "Produce", "ThrottleTimeMs"))
	set(&s.ProduceThrottleTimeMs, gauge(kProdQT))
	set(&s.FetchThrottleTimeMs, intervalMean(a, b, "FetchConsumer", "ThrottleTimeMs"))
	set(&s.FetchThrottleTimeMs, gauge(kFetchQT))
}

// intervalMean returns the mean of a Kafka request histogram (Yammer: Count
// and a lifetime Mean) over the interval between a and b:
//
//	(mean_b × count_b − mean_a × count_a) ÷ (count_b − count_a)
//
// nil when no request completed in the interval. Without counts, or after
// a reset, it is b's (lifetime) mean.
func intervalMean(a, b *values, request, name string) *float64 {
	mb, ok := b.v[hkey(request, name, "mean")]
	if !ok {
		return nil
	}
	cb, okb := b.v[hkey(request, name, "count")]
	ca, oka := a.v[hkey(request, name, "count")]
	ma, okm := a.v[hkey(request, name, "mean")]
	if !okb || !oka || !okm || cb < ca {
		return ptr(mb)
	}
	if cb == ca {
		return nil
	}
	return ptr(math.Max(0, (mb*cb-ma*ca)/(cb-ca)))
}

func ptr(v float64) *float64 { return &v }

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }
