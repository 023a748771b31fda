// Package schemas embeds one JSON Schema (draft 2020-12) per tool, named
// "<tool name>.schema.json", plus shared definitions in defs.schema.json.
// The registry compiles them once at start.
package schemas

import "embed"

// FS holds every schema file.
//
//go:embed *.schema.json
var FS embed.FS

// BaseURL is the $id prefix of every schema; $ref between files resolves
// against it.
const BaseURL = "https://ostui.dev/schemas/"
