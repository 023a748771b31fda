package tools

import (
	"fmt"
	"strings"
)

// NotFoundError says that no resource of a kind has the given name or ID.
type NotFoundError struct {
	Kind string // "server", "network", ...
	Name string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s named or with ID %q", e.Kind, e.Name)
}

// Candidate is one of several resources sharing a name.
type Candidate struct {
	ID   string
	Name string
}

// AmbiguousError says that a name matches more than one resource; the
// candidates let the person pick by ID.
type AmbiguousError struct {
	Kind       string
	Name       string
	Candidates []Candidate
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %ss are named %q; use an ID:", len(e.Candidates), e.Kind, e.Name)
	for _, c := range e.Candidates {
		fmt.Fprintf(&b, "\n  %s  %s", c.ID, c.Name)
	}
	return b.String()
}

// Pick returns the one candidate whose ID or name equals nameOrID. An ID
// match wins over name matches; more than one name match is ambiguous.
func Pick(kind, nameOrID string, all []Candidate) (Candidate, error) {
	var byName []Candidate
	for _, c := range all {
		if c.ID == nameOrID {
			return c, nil
		}
		if c.Name == nameOrID {
			byName = append(byName, c)
		}
	}
	switch len(byName) {
	case 0:
		return Candidate{}, &NotFoundError{Kind: kind, Name: nameOrID}
	case 1:
		return byName[0], nil
	}
	return Candidate{}, &AmbiguousError{Kind: kind, Name: nameOrID, Candidates: byName}
}

// NotOfferedError says the cloud does not offer a feature a tool needs
// though its service is there: an API extension that is not enabled
// (Neutron without trunks). Reports that read every list (the inventory
// export) treat it as they treat a missing service: nothing to list, not
// a failure.
type NotOfferedError struct{ Msg string }

func (e *NotOfferedError) Error() string { return e.Msg }
