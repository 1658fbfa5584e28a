// Package cwtest is a loopback stand-in for CloudWatch's GetMetricData
// (the RPCv2 CBOR protocol the AWS SDK's CloudWatch client speaks) for
// tests that call it through the real SDK client: package monitor's
// reader and `mskbench run` with cluster.monitoring.cloudwatch.
//
// It is imported only by tests; it must not import load, report,
// scenarios, sizing, ramp or cmd. Its helpers take a testing.TB.
package cwtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/mskbench/mskbench/internal/authtest"
)

// Static credentials Start puts in the environment; the fake checks that
// requests are signed with AccessKey.
const (
	AccessKey = "AKIAMSKBENCHCWTEST01"
	SecretKey = "cloudwatch/test/secret/key/0123456789abcdef"
)

// Query is one query of a GetMetricData request, as the fake received it.
type Query struct {
	ID, Metric, Stat, Cluster, Broker string
	Period                            int64
}

// Points returns the data points of metric for broker ("" for a
// cluster-level query) in the requested window: unix time → value.
type Points func(metric, broker string, from, to time.Time) map[int64]float64

// Fake answers GetMetricData. It is safe for concurrent use once started.
type Fake struct {
	// T receives protocol errors.
	T testing.TB
	// Data holds the points: metric → broker id ("" for cluster-level) →
	// unix time → value. Points, when set, is used instead.
	Data   map[string]map[string]map[int64]float64
	Points Points
	// PageSize, when > 0, splits answers with more results into pages.
	PageSize int
	// Deny answers every call with AccessDeniedException.
	Deny bool
	// MonitoringLevel and InstanceType are what MSK's DescribeClusterV2
	// (REST JSON, the Kafka client's protocol) answers for any cluster ARN
	// on the same endpoint; "" answers PER_TOPIC_PER_PARTITION (every
	// metric published) and no instance type.
	MonitoringLevel, InstanceType string

	mu       sync.Mutex
	calls    int
	queries  []Query
	from, to time.Time
}

// Calls returns how many GetMetricData calls the fake answered.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Queries returns every query received, in order.
func (f *Fake) Queries() []Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Query(nil), f.queries...)
}

// Window returns the StartTime and EndTime of the last call.
func (f *Fake) Window() (from, to time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.from, f.to
}

// describeCluster answers a DescribeClusterV2 call (not counted in Calls).
func (f *Fake) describeCluster(w http.ResponseWriter) {
	level := f.MonitoringLevel
	if level == "" {
		level = "PER_TOPIC_PER_PARTITION"
	}
	prov := map[string]any{"enhancedMonitoring": level}
	if f.InstanceType != "" {
		prov["brokerNodeGroupInfo"] = map[string]any{"instanceType": f.InstanceType}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"clusterInfo": map[string]any{"clusterType": "PROVISIONED", "provisioned": prov}})
}

// ServeHTTP answers one GetMetricData or DescribeClusterV2 call.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+AccessKey+"/") {
		f.T.Errorf("unsigned request: %q", r.Header.Get("Authorization"))
	}
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v2/clusters/") {
		f.describeCluster(w)
		return
	}
	f.calls++
	if !strings.HasSuffix(r.URL.Path, "/operation/GetMetricData") || r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		f.T.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.Error(w, "unexpected", http.StatusNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	if f.Deny {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDeniedException"), "Message": cbor.String("not authorized to perform cloudwatch:GetMetricData")}))
		return
	}
	body, _ := io.ReadAll(r.Body)
	v, err := cbor.Decode(body)
	if err != nil {
		f.T.Errorf("decode request: %v", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	in := v.(cbor.Map)
	f.from, _ = cbor.AsTime(in["StartTime"])
	f.to, _ = cbor.AsTime(in["EndTime"])
	var results cbor.List
	for _, qv := range in["MetricDataQueries"].(cbor.List) {
		q := qv.(cbor.Map)
		ms := q["MetricStat"].(cbor.Map)
		m := ms["Metric"].(cbor.Map)
		cq := Query{ID: string(q["Id"].(cbor.String)), Metric: string(m["MetricName"].(cbor.String)), Stat: string(ms["Stat"].(cbor.String))}
		cq.Period, _ = cbor.AsInt64(ms["Period"])
		if ns := string(m["Namespace"].(cbor.String)); ns != "AWS/Kafka" {
			f.T.Errorf("namespace %q", ns)
		}
		for _, dv := range m["Dimensions"].(cbor.List) {
			d := dv.(cbor.Map)
			switch name, val := string(d["Name"].(cbor.String)), string(d["Value"].(cbor.String)); name {
			case "Cluster Name":
				cq.Cluster = val
			case "Broker ID":
				cq.Broker = val
			default:
				f.T.Errorf("unexpected dimension %q", name)
			}
		}
		f.queries = append(f.queries, cq)
		pts := f.Data[cq.Metric][cq.Broker]
		if f.Points != nil {
			pts = f.Points(cq.Metric, cq.Broker, f.from, f.to)
		}
		var tss []int64
		for ts := range pts {
			tss = append(tss, ts)
		}
		sort.Slice(tss, func(i, j int) bool { return tss[i] < tss[j] })
		var ts, vals cbor.List
		for _, t := range tss {
			ts = append(ts, &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t))})
			vals = append(vals, cbor.Float64(pts[t]))
		}
		results = append(results, cbor.Map{"Id": cbor.String(cq.ID), "Label": cbor.String(cq.Metric),
			"Timestamps": ts, "Values": vals, "StatusCode": cbor.String("Complete")})
	}
	out := cbor.Map{}
	// Page: the first call returns PageSize results and a token, the next
	// (with the token) the rest, as CloudWatch does for large answers.
	if _, again := in["NextToken"]; f.PageSize > 0 && !again && len(results) > f.PageSize {
		out["NextToken"] = cbor.String("page-2")
		results = results[:f.PageSize]
	} else if again {
		results = results[f.PageSize:]
	}
	out["MetricDataResults"] = results
	_, _ = w.Write(cbor.Encode(out))
}

// Start isolates the test's AWS environment (authtest.IsolateAWS: no
// shared config, no instance metadata), sets the static credentials
// AccessKey / SecretKey, serves f on loopback until the test ends and
// returns its URL (for AWS_ENDPOINT_URL or an explicit endpoint).
func Start(t testing.TB, f *Fake) string {
	t.Helper()
	if f.T == nil {
		f.T = t
	}
	authtest.IsolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}
