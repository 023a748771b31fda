// Package archtest holds no code: its tests read the import graph of the
// whole module and fail when an import runs against the layering
// (docs/architecture.md):
//
//	front ends (cmd/*, internal/cli, internal/repl, internal/commands,
//	            internal/views, internal/mcpserver)
//	  → agent/session (the engine)
//	  → agent/{planner, gate, executor, plan, router, prompt, llm}
//	  → tools → internal/cloud
//
// with internal/config, internal/secrets, internal/secretstore, internal/oauth, internal/audit, schemas and
// internal/termtext as infrastructure any layer may use, and
// internal/render and internal/iostreams as presentation for front ends.
//
// Arrows drawn in a document rot; arrows checked on every `go test` do
// not. The rules and the few edges still allowed while a refactor is in
// flight are in layers_test.go.
package archtest
