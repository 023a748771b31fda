package tools

// Kind tells a renderer how to present a value.
type Kind int

const (
	// Plain values are printed as they are.
	Plain Kind = iota
	// Status values (ACTIVE, ERROR, ...) are coloured on a terminal.
	Status
	// Time values are RFC 3339 strings.
	Time
)

// Column is one column of a List. Its Name is the header in tables, the key
// in JSON/YAML output and what -c matches.
type Column struct {
	Name string
	// Long columns are shown only with --long.
	Long bool
	Kind Kind
}

// List is tabular output: one row per resource.
type List struct {
	Columns []Column
	// Rows hold values in column order: string, bool, int, float64,
	// []string, map[string]string, or nil.
	Rows [][]any
}

// Field is one name/value pair of a Record.
type Field struct {
	Name  string
	Value any
	Kind  Kind
}

// Record is the output of a show command: ordered fields of one resource.
type Record struct {
	Fields []Field
}

// Get returns the value of the named field, or nil.
func (r *Record) Get(name string) any {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

// Result is what a tool returns. Exactly one of List, Record or Text is
// set; Message is an optional one-line summary for the person.
type Result struct {
	List    *List
	Record  *Record
	Text    string
	Message string

	// Outputs are what a change step produced, for references from later
	// steps (${step.id}) and for undo: "id", "name", ...
	Outputs map[string]string
	// Await, when set by a change tool, asks the executor to wait for the
	// resource to reach a state before the step counts as done.
	Await *Await `json:"-"`
	// RequestIDs are the x-openstack-request-id values of the calls Run
	// made, for the audit log.
	RequestIDs []string
	// Secrets are for the Go caller only: never rendered, audited, sent to
	// an agent (the model, an MCP client) or saved. A create whose
	// credential the cloud shows once (an application credential's
	// secret) puts it here, keyed by where the front end should keep it
	// ("appcred/NAME"), so the caller can store it (the REPL in the secret
	// store, `ostui login cloud` in clouds.yaml's) before the result is
	// dropped. Every renderer and serialiser reads List, Record, Text,
	// Message and Outputs by name and never this field; `json:"-"` keeps
	// a result encoded whole from carrying it either, and tests in each
	// of them hold that.
	Secrets map[string]string `json:"-" yaml:"-"`
}

// CreatedID is the ID a create step's result reports (its "id" output),
// or fallback (the name asked for) when the step did not get that far:
// what an undo of the create should delete.
func CreatedID(res *Result, fallback string) string {
	if res != nil && res.Outputs["id"] != "" {
		return res.Outputs["id"]
	}
	return fallback
}
