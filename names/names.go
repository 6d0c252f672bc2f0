// Package names holds what the content packages (dashboards, alerts,
// routing) and the stack say about each other: the uids of the dashboards,
// the names of the Alertmanager receivers and of the alerts, the teams, and
// the URLs links are built from. Each name is defined here once and
// imported where it is used; a misspelt constant does not compile.
//
// What is defined here is not proof that it exists: that every link to a
// dashboard or a runbook points at one the stack renders is checked on the
// rendered files (internal/pipeline), and that every alert name in the
// routing tables routes as they say, by Alertmanager's own route matching
// (internal/alertmanager). This package imports nothing of ours, so every
// package may import it.
package names
