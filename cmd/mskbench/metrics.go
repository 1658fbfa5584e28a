package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskbench/mskbench/report"
)

// liveFlags are the live-metrics flags of `mskbench run`.
type liveFlags struct {
	listen string
	push   string
}

// registerLiveFlags adds --metrics-listen and --push to fs.
func registerLiveFlags(fs *pflag.FlagSet) *liveFlags {
	f := &liveFlags{}
	fs.StringVar(&f.listen, "metrics-listen", "", "serve live Prometheus/OpenMetrics metrics at http://ADDR/metrics during the run; \":9464\" listens on loopback only (127.0.0.1:9464), give 0.0.0.0:9464 for every interface")
	fs.StringVar(&f.push, "push", "", "push the final metrics to this Prometheus Pushgateway (e.g. http://pushgateway:9091; job mskbench, instance = host name)")
	return f
}

// live is the live metrics of one run; a nil *live does nothing.
type live struct {
	metrics *report.LiveMetrics
	srv     *http.Server
	addr    string
	push    string
}

// loopbackAddr turns ":port" into "127.0.0.1:port": serving metrics to the
// network must be asked for explicitly.
func loopbackAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

// start returns the live metrics of a run of scenario, serving them when
// --metrics-listen is set; nil when neither flag is set. Listen problems
// are usage errors.
func (f *liveFlags) start(scenario string, logf func(string, ...any)) (*live, error) {
	if f.listen == "" && f.push == "" {
		return nil, nil
	}
	l := &live{metrics: report.NewLiveMetrics(scenario), push: f.push}
	if f.push != "" && !strings.HasPrefix(f.push, "http://") && !strings.HasPrefix(f.push, "https://") {
		return nil, usageError{fmt.Errorf("--push %q: want an http:// or https:// URL of a Pushgateway", f.push)}
	}
	if f.listen != "" {
		ln, err := net.Listen("tcp", loopbackAddr(f.listen))
		if err != nil {
			return nil, usageError{fmt.Errorf("--metrics-listen: %w", err)}
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", l.metrics.Handler())
		l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		l.addr = ln.Addr().String()
		go func() { _ = l.srv.Serve(ln) }()
		logf("live metrics at http://%s/metrics", l.addr)
	}
	return l, nil
}

// step announces a step and returns the progress callback that feeds the
// metrics and then calls next (when not nil).
func (l *live) step(label string, offeredMsgsPerSec float64, next func(report.Interval)) func(report.Interval) {
	if l == nil {
		return next
	}
	l.metrics.SetStep(label, offeredMsgsPerSec)
	return func(iv report.Interval) {
		l.metrics.Update(iv)
		if next != nil {
			next(iv)
		}
	}
}

// close stops serving the metrics.
func (l *live) close() {
	if l != nil && l.srv != nil {
		_ = l.srv.Close()
	}
}

// finish pushes the final figures (with --push).
func (l *live) finish(ctx context.Context, logf func(string, ...any)) error {
	if l == nil || l.push == "" {
		return nil
	}
	host, _ := os.Hostname()
	u := report.PushURL(l.push, "mskbench", host)
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := report.PushMetrics(pctx, &http.Client{}, u, l.metrics); err != nil {
		return errors.New("--push: " + err.Error())
	}
	logf("metrics pushed to %s", u)
	return nil
}
