package stack

import "github.com/koshihq/genops-stack/names"

// Team is a team that runs AI workloads on the stack and owns a monthly
// budget: names.Team, the one team type every package shares. Each team
// gets a budget forecast alert of its own, a route that brings it to the
// team's channel, and a row on the FinOps dashboard.
type Team = names.Team

// Teams are the teams of this repository's stack (DefaultContent): the two
// of the seed's sample data (ml-platform has spent 125.50 USD of 1,000).
func Teams() []Team {
	return []Team{
		{Name: "ml-platform", MonthlyBudgetUSD: 1000, CostCenter: "engineering", Channel: "#ml-platform-budget", Namespaces: []string{"ml-platform"}},
		{Name: "research", MonthlyBudgetUSD: 750, CostCenter: "research", Channel: "#research-budget", Namespaces: []string{"research"}},
	}
}
