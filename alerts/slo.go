package alerts

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/koshihq/genops-stack/internal/finding"
	"github.com/koshihq/genops-stack/names"
	"github.com/koshihq/genops-stack/stack/catalog"
)

// SLI says what an SLO counts as a bad event.
type SLI string

// The SLIs an SLO can have.
const (
	// Availability: a provider call whose span status is "error"
	// (genops_requests_total{status="error"}).
	Availability SLI = "availability"
	// Latency: a provider call slower than ThresholdSeconds, read from the
	// le bucket of genops_request_duration_seconds.
	Latency SLI = "latency"
	// TimeToFirstToken: a streamed call whose first chunk (its first
	// tokens) came later than ThresholdSeconds after the request, read from
	// the le bucket of the OTel GenAI metric
	// gen_ai_client_operation_time_to_first_chunk_seconds. GenAI client
	// instrumentations (OpenLIT, OpenLLMetry, the OTel GenAI
	// instrumentations) push it to the gateway; GenOps AI's own spans carry
	// no such time, so without such an instrumentation the SLO has no data.
	TimeToFirstToken SLI = "time-to-first-token"
)

// TimeToFirstChunkMetric is the histogram a time-to-first-token SLO reads.
const TimeToFirstChunkMetric = "gen_ai_client_operation_time_to_first_chunk_seconds"

// GenAIDurationBuckets are the bucket boundaries the OTel GenAI semantic
// conventions advise for the client's operation durations, which the
// instrumentations use for the time to the first chunk too: the default
// boundaries of a time-to-first-token SLO's histogram.
var GenAIDurationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}

// SLO is a service level objective over the provider calls the gateway
// derives from spans: the share of good calls (Objective, in percent) over a
// rolling Window. It compiles into the group genops-slos: error-ratio
// recording rules per window, the error budget remaining, and the
// multi-window, multi-burn-rate alerts of the SRE workbook (a page and a
// ticket), which carry the SLO and its team as static labels.
type SLO struct {
	// Name is the slo label of its series and alerts.
	Name string
	// Team owns the SLO: its tickets reach the team's channel.
	Team string
	// Provider selects the calls (the provider label); empty is every call.
	Provider string
	SLI      SLI
	// Objective is the share of good calls, in percent: 99.5.
	Objective float64
	// Window is the rolling period of the objective: 7d, 28d, 30d.
	Window string
	// ThresholdSeconds is a Latency SLO's threshold, a bucket boundary of
	// genops_request_duration_seconds, or a TimeToFirstToken SLO's, a
	// boundary of Buckets.
	ThresholdSeconds float64
	// Buckets are the bucket boundaries of the histogram a
	// TimeToFirstToken SLO reads, as its producers write them; empty is
	// GenAIDurationBuckets. (A Latency SLO's come from the catalog: the
	// gateway derives that histogram.)
	Buckets []float64
}

// SLOs are the SLOs of this repository's stack.
func SLOs() []SLO {
	return []SLO{
		{Name: "openai-availability", Team: "ml-platform", Provider: "openai", SLI: Availability, Objective: 99.5, Window: "30d"},
		{Name: "openai-latency", Team: "ml-platform", Provider: "openai", SLI: Latency, Objective: 95, Window: "28d", ThresholdSeconds: 10},
		{Name: "anthropic-availability", Team: "research", Provider: "anthropic", SLI: Availability, Objective: 99, Window: "7d"},
		{Name: "openai-time-to-first-token", Team: "ml-platform", Provider: "openai", SLI: TimeToFirstToken, Objective: 90, Window: "7d", ThresholdSeconds: 1.28},
	}
}

// sloInterval is the evaluation interval of the group genops-slos: every
// SLO window is a whole number of it.
const sloInterval = "1m"

// sloGroupName is the rule group (and file) of the SLOs.
const sloGroupName = "genops-slos"

// burnWindows are the multi-window, multi-burn-rate alerts of the SRE
// workbook (chapter 5, "Alerting on SLOs"): each pair fires when both its
// long and its short window burn the budget faster than the rate that
// consumes Percent of the budget in the long window. For a 30-day window
// the rates are the workbook's 14.4, 6, 3 and 1; for another window W they
// scale by W/30d (Sloth's way: the windows stay, the rates change).
var burnWindows = []struct {
	Page          bool
	Long, Short   string
	BudgetPercent int
}{
	{true, "1h", "5m", 2},
	{true, "6h", "30m", 5},
	{false, "1d", "2h", 10},
	{false, "3d", "6h", 10},
}

// BurnRate is the burn rate at which the alert of the long window fires for
// an SLO window: the rate that consumes percent of the budget in long.
func BurnRate(window, long string, percent int) float64 {
	w, _ := model.ParseDuration(window)
	l, _ := model.ParseDuration(long)
	// One division of integers: the result is the nearest float (14.4 for
	// 30 days and 1 hour at 2%).
	return float64(int64(percent)*int64(w)) / float64(100*int64(l))
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// errorBudget is the share of bad calls an objective allows: 0.005 for
// 99.5%, written exactly.
func (s SLO) errorBudget() string {
	// (100 - 99.5) / 100 in decimal, without float noise: objectives
	// have at most six decimals.
	return num(math.Round((100-s.Objective)*1e6) / 1e8)
}

// leMatcher selects the bucket of threshold t whether the le label is
// written "1" or "1.0" (Prometheus 3 normalises classic histograms' le to
// the float form "1.0"; the text exposition of earlier versions and some
// exporters write "1").
func leMatcher(t float64) string {
	s := strconv.FormatFloat(t, 'f', -1, 64)
	forms := []string{regexp.QuoteMeta(s)}
	if !strings.Contains(s, ".") {
		forms = append(forms, s+`\.0`)
	}
	return `le=~"` + strings.ReplaceAll(strings.Join(forms, "|"), `\`, `\\`) + `"`
}

// selector is the provider matcher of the SLO's calls, with extra matchers:
// the provider label of the gateway's metrics, or gen_ai_provider_name of
// the GenAI metrics (the gateway writes gen_ai.system into it).
func (s SLO) selector(extra ...string) string {
	var ms []string
	if s.Provider != "" {
		label := "provider"
		if s.SLI == TimeToFirstToken {
			label = "gen_ai_provider_name"
		}
		ms = append(ms, label+`="`+s.Provider+`"`)
	}
	ms = append(ms, extra...)
	return "{" + strings.Join(ms, ", ") + "}"
}

// errorRatio is the share of bad calls over window w, summed over the
// gateway replicas' series. Without bad calls the numerator is 0, not
// absent, so the ratio and the budget are known.
func (s SLO) errorRatio(w string) string {
	switch s.SLI {
	case Latency:
		return `1 - (sum(rate(genops_request_duration_seconds_bucket` + s.selector(leMatcher(s.ThresholdSeconds)) + `[` + w + `])) or vector(0))
  / sum(rate(genops_request_duration_seconds_count` + s.selector() + `[` + w + `]))`
	case TimeToFirstToken:
		return `1 - (sum(rate(` + TimeToFirstChunkMetric + `_bucket` + s.selector(leMatcher(s.ThresholdSeconds)) + `[` + w + `])) or vector(0))
  / sum(rate(` + TimeToFirstChunkMetric + `_count` + s.selector() + `[` + w + `]))`
	default:
		return `(sum(rate(genops_requests_total` + s.selector(`status="error"`) + `[` + w + `])) or vector(0))
  / sum(rate(genops_requests_total` + s.selector() + `[` + w + `]))`
	}
}

// ErrorRatioRecord names the recording rule of the error ratio over w.
func ErrorRatioRecord(w string) string { return "genops:slo_errors:ratio_rate" + w }

// The recording rules every SLO has besides its error ratios.
const (
	// ObjectiveRecord is the objective as a ratio (0.995).
	ObjectiveRecord = "genops:slo_objective:ratio"
	// WindowRecord is the SLO's window in seconds: the dashboard draws the
	// alerts' burn rates from it.
	WindowRecord = "genops:slo_window:seconds"
	// BudgetRemainingRecord is the share of the window's error budget
	// left: 1 when no call failed, 0 when the budget is spent, below 0 past
	// it.
	BudgetRemainingRecord = "genops:slo_error_budget:remaining_ratio"
)

// sloWindows are the windows of the SLO's error-ratio rules: the alerts'
// and the SLO's own.
func (s SLO) sloWindows() []string {
	ws := []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}
	if !slices.Contains(ws, s.Window) {
		ws = append(ws, s.Window)
	}
	return ws
}

// sloGroup compiles the SLOs into one rule group: the recording rules of
// every SLO, then its page and ticket alerts.
func sloGroup(slos []SLO) Group {
	g := Group{Name: sloGroupName, Interval: sloInterval}
	for _, s := range slos {
		labels := map[string]string{"slo": s.Name}
		window, _ := model.ParseDuration(s.Window)
		for _, w := range s.sloWindows() {
			g.Records = append(g.Records, Record{Record: ErrorRatioRecord(w), Expr: s.errorRatio(w), Labels: labels})
		}
		g.Records = append(g.Records,
			Record{Record: ObjectiveRecord, Expr: `vector(` + num(s.Objective/100) + `)`, Labels: labels},
			Record{Record: WindowRecord, Expr: `vector(` + num(float64(window/1e9)) + `)`, Labels: labels},
			Record{Record: BudgetRemainingRecord, Expr: `1 - sum(` + ErrorRatioRecord(s.Window) + `{slo="` + s.Name + `"}) / ` + s.errorBudget(), Labels: labels},
		)
	}
	for _, s := range slos {
		for _, page := range []bool{true, false} {
			var terms, rates []string
			for _, bw := range burnWindows {
				if bw.Page != page {
					continue
				}
				rate := num(BurnRate(s.Window, bw.Long, bw.BudgetPercent))
				rates = append(rates, rate+"x over "+bw.Long+" and "+bw.Short)
				terms = append(terms, fmt.Sprintf("(sum(%s{slo=%q}) > %s * %s and sum(%s{slo=%q}) > %s * %s)",
					ErrorRatioRecord(bw.Long), s.Name, rate, s.errorBudget(), ErrorRatioRecord(bw.Short), s.Name, rate, s.errorBudget()))
			}
			a := Alert{
				Alert:     names.SLOBurnRatePage,
				Expr:      strings.Join(terms, "\nor\n"),
				For:       "2m",
				Severity:  Critical,
				Category:  SLOCategory,
				Team:      s.Team,
				SLO:       s.Name,
				Dashboard: names.DashboardSLO,
				Runbook:   sloPageRunbook,
			}
			kind := "page"
			if !page {
				a.Alert, a.Severity, a.Runbook, kind = names.SLOBurnRateTicket, Warning, sloTicketRunbook, "ticket"
			}
			a.Summary = "SLO " + s.Name + " burns its error budget too fast (" + kind + ")"
			a.Description = fmt.Sprintf("SLO %s (%s, %s%% over %s, team %s): the error ratio is {{ $value | humanizePercentage }} of calls, against a budget of %s%%; the %s fires at %s",
				s.Name, s.SLI, num(s.Objective), s.Window, s.Team, num(100-s.Objective), kind, strings.Join(rates, ", or "))
			g.Alerts = append(g.Alerts, a)
		}
	}
	return g
}

// SLOCategory is the category of the SLO alerts: the routing sends pages to
// on-call and tickets to the team.
const SLOCategory = "slo"

// sloName is what an SLO name must be: a label value that reads well in a
// notification and a group key.
var sloName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// CheckSLOs checks the SLOs: unique names, a team (a ticket of a team
// without a receiver of its own reaches the SLO channel), a known SLI, an
// objective strictly between 0 and 100 %, a window that is a whole number
// of the group's evaluation interval and at least as long as the longest
// alert window, and a latency or time-to-first-token threshold that is a
// bucket boundary of the histogram it reads (otherwise no bucket counts the
// calls under it).
func CheckSLOs(artifact string, slos []SLO, cat *catalog.Catalog) finding.List {
	var fs finding.List
	seen := map[string]bool{}
	interval, _ := model.ParseDuration(sloInterval)
	longest, _ := model.ParseDuration(burnWindows[len(burnWindows)-1].Long)
	for _, s := range slos {
		obj := "slo " + s.Name
		if !sloName.MatchString(s.Name) {
			fs.Errorf(artifact, obj, "slo", "name %q must be lower-case letters, digits and '-'", s.Name)
		}
		if seen[s.Name] {
			fs.Errorf(artifact, obj, "slo", "SLO %s is defined twice", s.Name)
		}
		seen[s.Name] = true
		if s.Team == "" {
			fs.Errorf(artifact, obj, "slo", "has no team: its tickets go to the team's channel")
		}
		if !(s.Objective > 0 && s.Objective < 100) {
			fs.Errorf(artifact, obj, "slo", "objective %v%% must be above 0 and below 100: at 100%% there is no error budget to burn", s.Objective)
		}
		if w, err := model.ParseDuration(s.Window); err != nil || w <= 0 {
			fs.Errorf(artifact, obj, "slo", "window %q is not a Prometheus duration such as 30d", s.Window)
		} else if int64(w)%int64(interval) != 0 {
			fs.Errorf(artifact, obj, "slo", "window %s is not a whole number of the rule evaluation interval %s", s.Window, sloInterval)
		} else if w < longest {
			fs.Errorf(artifact, obj, "slo", "window %s is shorter than the longest alert window %s", s.Window, longest)
		}
		switch s.SLI {
		case Availability:
		case Latency:
			m, ok := cat.Metric("genops_request_duration_seconds")
			var buckets []float64
			if ok && m.Source != nil && m.Source.Derivation != nil {
				buckets = m.Source.Derivation.Buckets
			}
			if !slices.Contains(buckets, s.ThresholdSeconds) {
				fs.Errorf(artifact, obj, "slo", "latency threshold %vs is not a bucket boundary of genops_request_duration_seconds (%s)", s.ThresholdSeconds, nums(buckets))
			}
		case TimeToFirstToken:
			if _, ok := cat.Metric(TimeToFirstChunkMetric); !ok {
				fs.Errorf(artifact, obj, "slo", "the catalog has no %s to read the time to the first token from", TimeToFirstChunkMetric)
			}
			if buckets := s.ttftBuckets(); !slices.Contains(buckets, s.ThresholdSeconds) {
				fs.Errorf(artifact, obj, "slo", "time-to-first-token threshold %vs is not a bucket boundary of %s (%s)", s.ThresholdSeconds, TimeToFirstChunkMetric, nums(buckets))
			}
		default:
			fs.Errorf(artifact, obj, "slo", "SLI %q is not %s, %s or %s", s.SLI, Availability, Latency, TimeToFirstToken)
		}
	}
	return fs
}

// ttftBuckets are the boundaries of a time-to-first-token SLO's histogram.
func (s SLO) ttftBuckets() []float64 {
	if len(s.Buckets) > 0 {
		return s.Buckets
	}
	return GenAIDurationBuckets
}

// nums lists bucket boundaries for a finding.
func nums(bs []float64) string {
	ss := make([]string, len(bs))
	for i, b := range bs {
		ss[i] = num(b)
	}
	return strings.Join(ss, ", ")
}

var sloPageRunbook = Runbook{
	Meaning: "An SLO of the stack (alerts/slo.go) is burning its error budget fast enough to spend it long before its window ends: " +
		"over the last hour and the last 5 minutes, or over the last 6 hours and the last 30 minutes, the share of bad calls is above the burn rate times the error budget " +
		"(for a 30-day window 14.4x, which spends 2% of the budget in an hour, or 6x, 5% in 6 hours; for other windows the rates scale with the window). " +
		"The short window makes the alert stop soon after the burn stops. The expression below is the first SLO's; the slo label of the alert names the SLO.",
	Impact: []string{"Users of the provider's calls see errors or slow answers now; at this pace the SLO's whole error budget is gone within days"},
	Investigation: []Step{
		{Text: "The error ratio of every SLO over the alert windows:", Query: `genops:slo_errors:ratio_rate1h`},
		{Text: "What is left of each SLO's error budget (1 is all of it, below 0 is overspent):", Query: `genops:slo_error_budget:remaining_ratio`},
		{Text: "Errors per provider and model, to see whether one model fails:", Query: `sum by (provider, model) (rate(genops_requests_total{status="error"}[5m]))`},
		{Text: "P95 latency per provider, for a latency SLO:", Query: `histogram_quantile(0.95, sum by (provider, le) (rate(genops_request_duration_seconds_bucket[5m])))`},
		{Text: "P90 time to the first chunk per provider and model, for a time-to-first-token SLO:", Query: `histogram_quantile(0.9, sum by (gen_ai_provider_name, gen_ai_request_model, le) (rate(gen_ai_client_operation_time_to_first_chunk_seconds_bucket[5m])))`},
	},
	Remediation: []Step{
		{Text: "If the provider has an incident (its status page), fail over to another provider or model where the application can, and tell the SLO's team."},
		{Text: "If a release of the application started it, roll it back."},
	},
	LongTerm:   []string{"Review the SLO's objective with its team once the budget recovers: an objective the provider cannot meet pages for nothing"},
	Escalation: []string{"On-call (this alert pages), then the SLO's team (the team label)"},
}

var sloTicketRunbook = Runbook{
	Meaning: "An SLO of the stack (alerts/slo.go) is burning its error budget steadily: over the last day and the last 2 hours, or over the last 3 days and the last 6 hours, " +
		"the share of bad calls is above the burn rate times the error budget (for a 30-day window 3x, which spends 10% of the budget in a day, or 1x, 10% in 3 days; " +
		"for other windows the rates scale with the window). Not urgent, but left alone it spends the budget before the window ends. " +
		"The expression below is the first SLO's; the slo label of the alert names the SLO.",
	Impact: []string{"Some calls fail or are slow; the SLO's error budget runs out before its window ends at this pace"},
	Investigation: []Step{
		{Text: "The error ratio of every SLO over the last day:", Query: `genops:slo_errors:ratio_rate1d`},
		{Text: "What is left of each SLO's error budget:", Query: `genops:slo_error_budget:remaining_ratio`},
		{Text: "Errors per provider and model over the last 6 hours:", Query: `sum by (provider, model) (rate(genops_requests_total{status="error"}[6h]))`},
	},
	Remediation: []Step{
		{Text: "Find the model or the kind of call that fails or is slow, and fix it or move it to another model in the team's next working day."},
		{Text: "If the objective is tighter than the provider can meet, agree a new one with the team and change the SLO in alerts/slo.go."},
	},
	LongTerm:   []string{"Track the budget remaining in the SLO's window; plan reliability work while it is low"},
	Escalation: []string{"The SLO's team (the ticket reaches its channel)"},
}
