// Package schemas holds the house rules as CUE policies, embedded in the
// binary. Every rendered artifact is checked against them on generate,
// check and validate; users add their own with --policy DIR.
package schemas

import "embed"

// FS holds the built-in policy files.
//
//go:embed *.cue
var FS embed.FS
