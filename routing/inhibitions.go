package routing

import "github.com/koshihq/genops-stack/names"

// inhibitions mute the alerts that add nothing while a graver one fires. The
// check requires every Equal label on every alert the matchers select: a
// label missing on one side compares as empty and the rule never mutes.
func inhibitions() []InhibitRule {
	return []InhibitRule{
		{
			// A team's critical budget alert mutes that team's cost warnings.
			SourceMatchers: []string{`severity="critical"`, `category="cost"`},
			TargetMatchers: []string{`severity="warning"`, `category="cost"`},
			Equal:          []string{"team"},
		},
		{
			// A high violation rate mutes the warning of the same policy.
			SourceMatchers: []string{`severity="critical"`, `category="policy"`},
			TargetMatchers: []string{`severity="warning"`, `category="policy"`},
			Equal:          []string{"policy"},
		},
		{
			// An exhausted budget mutes the team's threshold alerts. Budget
			// utilization is per team, so project cannot be compared.
			SourceMatchers: []string{`alertname="` + names.BudgetExhausted + `"`},
			TargetMatchers: []string{`alertname=~"BudgetThreshold.*"`},
			Equal:          []string{"team"},
		},
		{
			// An SLO's page mutes its ticket: the same burn, told once.
			SourceMatchers: []string{`alertname="` + names.SLOBurnRatePage + `"`},
			TargetMatchers: []string{`alertname="` + names.SLOBurnRateTicket + `"`},
			Equal:          []string{"slo"},
		},
	}
}
