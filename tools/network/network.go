// Package network holds what the network tools share: finding one
// resource by name or ID, and the small formatters that make neutron's
// fields read the way the openstack CLI prints them. The tools themselves
// live in one package per resource below this one.
package network

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
)

// Service is the catalog type every network tool needs.
const Service = "network"

// Finder says how to fetch one kind of resource by ID and by name.
type Finder[T any] struct {
	// Kind names the resource in errors ("network").
	Kind string
	// Get fetches by ID.
	Get func(ctx context.Context, id string) (*T, error)
	// ByName lists every resource with exactly this name (neutron filters
	// names exactly on the server side).
	ByName func(ctx context.Context, name string) ([]T, error)
	// Candidate gives the ID and name of a resource.
	Candidate func(T) tools.Candidate
}

// Find returns the one resource whose ID or name is nameOrID: an ID match
// first, then an exact name; several names are an *tools.AmbiguousError and
// none a *tools.NotFoundError.
func (f Finder[T]) Find(ctx context.Context, nameOrID string) (*T, error) {
	if tools.IsUUID(nameOrID) {
		v, err := f.Get(ctx, nameOrID)
		if err == nil {
			return v, nil
		}
		// A name may look like an ID; only "no such ID" falls through.
		if !gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("get %s %s: %w", f.Kind, nameOrID, err)
		}
	}
	all, err := f.ByName(ctx, nameOrID)
	if err != nil {
		return nil, fmt.Errorf("find %s %s: %w", f.Kind, nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(all))
	for _, v := range all {
		cands = append(cands, f.Candidate(v))
	}
	c, err := tools.Pick(f.Kind, nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if f.Candidate(all[i]).ID == c.ID {
			return &all[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: f.Kind, Name: nameOrID}
}

// Tags returns tags sorted, never nil, so output is stable.
func Tags(tags []string) []string {
	out := append([]string{}, tags...)
	sort.Strings(out)
	return out
}

// FixedIP is one entry of a port's fixed_ips.
type FixedIP struct {
	SubnetID  string `json:"subnet_id"`
	IPAddress string `json:"ip_address"`
}

// FormatFixedIPs renders fixed IPs as the openstack CLI's table does:
// "ip_address='10.0.0.5', subnet_id='…'", one string per address.
func FormatFixedIPs(ips []FixedIP) []string {
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, fmt.Sprintf("ip_address='%s', subnet_id='%s'", ip.IPAddress, ip.SubnetID))
	}
	return out
}

// Client returns the network service client.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, Service)
	if err != nil {
		return nil, fmt.Errorf("network service: %w", err)
	}
	return c, nil
}

// Names returns the names of a list, for env.Names.
func Names[T any](all []T, name func(T) string) []string {
	out := make([]string, 0, len(all))
	for _, v := range all {
		if n := strings.TrimSpace(name(v)); n != "" {
			out = append(out, name(v))
		}
	}
	return out
}

// sliceExtractor is what every gophercloud page type has through its
// embedded gophercloud.Result.
type sliceExtractor interface {
	ExtractIntoSlicePtr(to any, label string) error
}

// ListAll fetches every page and decodes the items under label into T.
// Tools decode into their own structs because gophercloud's omit the
// extension attributes (router:external, provider:*, mtu, ...) that the
// openstack CLI shows.
func ListAll[T any](ctx context.Context, pager pagination.Pager, label string) ([]T, error) {
	page, err := pager.AllPages(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := page.(sliceExtractor)
	if !ok {
		return nil, fmt.Errorf("cannot decode a %T", page)
	}
	var out []T
	if err := ex.ExtractIntoSlicePtr(&out, label); err != nil {
		return nil, err
	}
	return out, nil
}

// GetOne decodes the object under label of a single-resource result.
func GetOne[T any](r gophercloud.Result, label string) (*T, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	var v T
	if err := r.ExtractIntoStructPtr(&v, label); err != nil {
		return nil, err
	}
	return &v, nil
}

// Opt turns an optional API value into a Row or Field value: nil when
// the API left it out, the value itself otherwise.
func Opt[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
