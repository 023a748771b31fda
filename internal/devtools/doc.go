// Package devtools pins the development tools (gotestsum, golangci-lint
// with gosec, govulncheck) in their own module, so they never enter the
// main module's dependency graph. The Makefile runs them with
// `go tool -modfile=internal/devtools/go.mod NAME`, which builds them on
// first use: nothing is installed by hand.
package devtools
