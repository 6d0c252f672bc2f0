package routing

// Labels is a label set: an alert's labels, a test's input.
type Labels map[string]string

// Alert is what routing knows of an alert rule: enough to check that it
// reaches a receiver, and that inhibitions can mute it.
type Alert struct {
	Name string
	// Labels are the rule's static labels (severity, category).
	Labels Labels
	// LabelNames are the other labels its notifications carry, whose values
	// vary: the labels of the expression's result and Prometheus' external
	// labels.
	LabelNames []string
	// ForDefault marks an alert meant for the default receiver; every other
	// alert must reach a receiver of its own.
	ForDefault bool
}

// RouteTest is an alert's label set and the receivers it must reach, in
// routing order (more than one when a matching route continues).
type RouteTest struct {
	Labels    Labels
	Receivers []string
}

// InhibitionTest is a set of alerts firing together and which of them
// inhibitions mute.
type InhibitionTest struct {
	Name   string
	Firing []Firing
}

// Firing is one alert of an InhibitionTest.
type Firing struct {
	Labels Labels
	Muted  bool
}
