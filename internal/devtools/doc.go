// Package devtools pins the development tools (gotestsum, golangci-lint,
// govulncheck, benchstat) in their own module, so they never enter the
// main module's dependency graph. Run them with
// `go tool -modfile=internal/devtools/go.mod NAME`.
package devtools
