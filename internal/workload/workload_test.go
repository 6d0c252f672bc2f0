package workload

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSeedShapeKeepsGovernanceOnTheResource(t *testing.T) {
	g := New(1)
	body, err := g.Traces([]Call{{Shape: Seed, Service: "inference", Team: "ml", Project: "p", CostCenter: "cc", Model: "gpt-4", CostUSD: 2,
		Policy: &Policy{Result: "blocked"}}}, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{`{"key":"genops.team","value":{"stringValue":"ml"}}`, `"name":"__main__"`, `{"key":"genops.cost_usd","value":{"doubleValue":2}}`, `{"key":"genops.policy_violation","value":{"stringValue":"true"}}`} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s in %s", want, s)
		}
	}
	var req struct {
		ResourceSpans []struct {
			ScopeSpans []struct {
				Spans []struct {
					Attributes []kv `json:"attributes"`
				} `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	for _, a := range req.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes {
		if a.Key == "genops.team" || strings.HasPrefix(a.Key, "genops.cost.") {
			t.Errorf("the seed's span carries %s", a.Key)
		}
	}
}

func TestGenAIMetricsAggregatePerAttributeSet(t *testing.T) {
	start := time.Unix(1700000000, 0)
	body, err := GenAIMetrics("bot", []GenAICall{
		{Provider: "openai", Model: "m", InputTokens: 10, OutputTokens: 5, Duration: time.Second, FirstChunk: time.Second / 4},
		{Provider: "openai", Model: "m", InputTokens: 30, OutputTokens: 5, Duration: 3 * time.Second, FirstChunk: time.Second / 4},
		{Provider: "cohere", Model: "c", System: true, Duration: time.Second, ErrorType: "timeout"},
	}, start, start.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		ResourceMetrics []struct {
			ScopeMetrics []struct {
				Metrics []struct {
					Name      string `json:"name"`
					Histogram struct {
						Points []struct {
							Count string  `json:"count"`
							Sum   float64 `json:"sum"`
						} `json:"dataPoints"`
					} `json:"histogram"`
				} `json:"metrics"`
			} `json:"scopeMetrics"`
		} `json:"resourceMetrics"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, m := range req.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		for _, p := range m.Histogram.Points {
			got[m.Name] = append(got[m.Name], p.Count)
		}
	}
	// Two successful openai calls are one point of count 2; the cohere
	// error is a point of its own (error.type).
	if strings.Join(got["gen_ai.client.operation.duration"], ",") != "2,1" || strings.Join(got["gen_ai.client.token.usage"], ",") != "2,2" {
		t.Errorf("points: %v", got)
	}
	if !strings.Contains(string(body), `{"key":"gen_ai.system","value":{"stringValue":"cohere"}}`) {
		t.Error("the older instrumentation's gen_ai.system is missing")
	}
}

func TestOmittedAttributesAreNotSent(t *testing.T) {
	g := New(1)
	c := Call{Service: "chat", Team: "ml", Project: "p", Provider: "openai", Model: "gpt-4o", CostUSD: 0.1}
	for _, omit := range [][]string{nil, {"genops.team"}} {
		c.Omit = omit
		body, err := g.Traces([]Call{c}, time.Unix(1700000000, 0))
		if err != nil {
			t.Fatal(err)
		}
		s := string(body)
		if got, want := strings.Contains(s, `"genops.team"`), omit == nil; got != want {
			t.Errorf("omit %v: genops.team sent: %v, want %v", omit, got, want)
		}
		if !strings.Contains(s, `{"key":"genops.project","value":{"stringValue":"p"}}`) {
			t.Errorf("omit %v: genops.project not sent: %s", omit, s)
		}
	}
}
