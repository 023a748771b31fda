// Package export embeds the row schemas of `ostui export`: one JSON
// Schema (draft 2020-12) per exported resource type, named
// "<type>.row.schema.json" (server.row.schema.json,
// volume.backup.row.schema.json), and line.schema.json for the
// {"type", "row"} envelope of JSON Lines and YAML. A row schema names the
// type's columns in CSV order and what each holds; tests hold every
// exported type to one.
package export

import "embed"

// FS holds the row schemas.
//
//go:embed *.schema.json
var FS embed.FS

// BaseURL is the $id prefix of every row schema.
const BaseURL = "https://ostui.dev/schemas/export/"
