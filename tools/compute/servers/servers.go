// Package servers holds every server tool, as gophercloud keeps all of a
// resource's verbs in one package: the reads here (list, show, console
// log, instance actions), the lifecycle actions, create/resize/rebuild/
// snapshot, rename/set/unset/delete and the attach tools, each family in
// its own file. They share one kernel: the Server type and its lookup
// (server.go), Nova's state and lock rules (Server.Allows) and the pinned
// microversion (microversion.go). Read output follows what the openstack
// CLI prints for the same commands, so people and scripts moving between
// the two see the same columns and field names.
package servers

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/compute/flavors"
	"github.com/kriscelmer/os-tui/tools/image/images"
)

// Kind is the resource kind of servers in Names and errors.
const Kind = "server"

// BootFromVolume is what openstack shows as the image of a server booted
// from a volume (it has no image), so people can grep for such servers.
const BootFromVolume = "N/A (booted from volume)"

// Tools returns every server tool: the reads here, then the verbs that
// change a server, one family per file.
func Tools() []tools.Tool {
	out := []tools.Tool{
		tools.ReadTool("server.list", "compute", list),
		tools.ReadTool("server.show", "compute", show),
		tools.ReadTool("server.console-log", "compute", consoleLog),
		tools.ReadTool("server.events", "compute", events),
		tools.ReadTool("server.event.show", "compute", eventShow),
	}
	for _, family := range [][]tools.Tool{lifecycleTools(), launchTools(), updateTools(), attachTools()} {
		out = append(out, family...)
	}
	return out
}

// ListArgs are the arguments of server.list.
type ListArgs struct {
	Name        string `json:"name,omitempty"`
	Status      string `json:"status,omitempty"`
	Flavor      string `json:"flavor,omitempty"`
	Image       string `json:"image,omitempty"`
	Host        string `json:"host,omitempty"`
	AllProjects bool   `json:"all_projects,omitempty"`
	Limit       int    `json:"limit,omitempty"`
}

// ShowArgs are the arguments of server.show.
type ShowArgs struct {
	Server string `json:"server,omitempty"`
}

// ConsoleLogArgs are the arguments of server.console-log.
type ConsoleLogArgs struct {
	Server string `json:"server,omitempty"`
	Lines  int    `json:"lines,omitempty"`
}

// EventsArgs are the arguments of server.events.
type EventsArgs struct {
	Server string `json:"server,omitempty"`
}

// EventShowArgs are the arguments of server.event.show.
type EventShowArgs struct {
	Server    string `json:"server,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// listed is the part of a server that server.list shows.
type listed struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	Status     string               `json:"status"`
	TaskState  *string              `json:"OS-EXT-STS:task_state"`
	PowerState *int                 `json:"OS-EXT-STS:power_state"`
	Addresses  map[string][]address `json:"addresses"`
	Image      json.RawMessage      `json:"image"`
	Flavor     map[string]any       `json:"flavor"`
	Zone       string               `json:"OS-EXT-AZ:availability_zone"`
	Host       *string              `json:"OS-EXT-SRV-ATTR:host"`
	Metadata   map[string]string    `json:"metadata"`
	KeyName    string               `json:"key_name"`
}

type address struct {
	Addr string `json:"addr"`
}

// imageID returns the ID of the server's image, "" when it was booted
// from a volume (Nova sends "" instead of an object) or when Nova left the
// image out (2.69+, while a cell is down).
func imageID(raw json.RawMessage) (id string, present bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var img struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &img) != nil {
		return "", true
	}
	return img.ID, true
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := servers.ListOpts{
		Name:       args.Name,
		Status:     args.Status,
		Host:       args.Host,
		AllTenants: args.AllProjects,
		Limit:      args.Limit,
	}
	// Nova filters by flavor and image ID only; names are resolved first,
	// as openstack does.
	if args.Flavor != "" {
		f, err := flavors.Resolve(ctx, env, args.Flavor)
		if err != nil {
			return nil, err
		}
		opts.Flavor = f.ID
	}
	if args.Image != "" {
		img, err := images.Resolve(ctx, env, args.Image)
		if err != nil {
			return nil, err
		}
		opts.Image, _ = img["id"].(string)
	}
	// Image names are needed for the Image column: fetch them while Nova
	// answers, rather than after.
	images.Prefetch(ctx, env)
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Status", Kind: tools.Status},
		{Name: "Task State", Long: true}, {Name: "Power State", Long: true},
		{Name: "Networks"}, {Name: "Image"}, {Name: "Image ID", Long: true}, {Name: "Flavor"},
		{Name: "Availability Zone", Long: true}, {Name: "Host", Long: true},
		{Name: "Properties", Long: true},
		// Key Name tells which key pairs are in use (the overview's orphans).
		{Name: "Key Name", Long: true},
	}}
	// A caller reading every server without keeping them (the export)
	// gets each page's rows as Nova sends it; nothing is gathered.
	sink := tools.PageSinkOf(ctx)
	if args.Limit > 0 {
		sink = nil
	}
	rows := rowMaker(ctx, env)
	var names []string
	n := 0
	err = servers.List(c, opts).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		var got []listed
		if err := servers.ExtractServersInto(page, &got); err != nil {
			return false, err
		}
		if args.Limit > 0 && n+len(got) > args.Limit {
			got = got[:args.Limit-n]
		}
		n += len(got)
		if sink != nil {
			pageRows := make([][]any, len(got))
			for i := range got {
				pageRows[i] = rows(&got[i])
			}
			return true, sink(out.Columns, pageRows)
		}
		for i := range got {
			out.Rows = append(out.Rows, rows(&got[i]))
			names = append(names, got[i].Name)
		}
		return args.Limit == 0 || n < args.Limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	if sink == nil {
		env.Names.Listed(Kind, args == (ListArgs{}), names...)
	}
	return &tools.Result{List: out}, nil
}

// rowMaker returns the function that makes a server's row of
// server.list, in its columns' order.
func rowMaker(ctx context.Context, env *tools.Env) func(s *listed) []any {
	// Image names are a nicety: if Glance cannot list them, the servers
	// are still worth showing (openstack shrugs too), and one failure is
	// enough to stop asking for every row.
	lookupImages := true
	return func(s *listed) []any {
		var imgName, imgID any = "", ""
		if id, present := imageID(s.Image); present {
			if id == "" {
				imgName, imgID = BootFromVolume, BootFromVolume
			} else {
				imgID = id
				if lookupImages {
					// An image that is gone (or not visible to this
					// project) shows an empty name, as in openstack.
					name, err := images.Name(ctx, env, id)
					imgName, lookupImages = name, err == nil
				}
			}
		}
		flavor, _ := s.Flavor["original_name"].(string)
		var taskState, powerState, host any
		if s.TaskState != nil {
			taskState = *s.TaskState
		}
		if s.PowerState != nil {
			powerState = PowerState(*s.PowerState)
		}
		if s.Host != nil {
			host = *s.Host
		}
		props := s.Metadata
		if props == nil {
			props = map[string]string{}
		}
		return []any{
			s.ID, s.Name, s.Status, taskState, powerState,
			Networks(s.Addresses), imgName, imgID, flavor,
			s.Zone, host, props, s.KeyName,
		}
	}
}

// Addresses are a server's IP addresses by network name. In tables they
// read as openstack prints them ("net=addr, addr; net2=addr"); in JSON and
// YAML they stay a map of lists, as openstack -f json prints them.
type Addresses map[string][]string

// String formats the addresses as openstack does in tables: networks by
// name, each "net=addr, addr" with addresses sorted, joined by "; ".
func (a Addresses) String() string {
	nets := make([]string, 0, len(a))
	for n := range a {
		nets = append(nets, n)
	}
	sort.Strings(nets)
	groups := make([]string, 0, len(nets))
	for _, n := range nets {
		ips := append([]string(nil), a[n]...)
		sort.Strings(ips)
		groups = append(groups, n+"="+strings.Join(ips, ", "))
	}
	return strings.Join(groups, "; ")
}

// Networks collects the addresses Nova reports per network, in its order.
func Networks(addrs map[string][]address) Addresses {
	out := make(Addresses, len(addrs))
	for n, list := range addrs {
		ips := make([]string, 0, len(list))
		for _, a := range list {
			ips = append(ips, a.Addr)
		}
		out[n] = ips
	}
	return out
}

// powerStates are Nova's power state codes as openstack names them.
var powerStates = []string{"NOSTATE", "Running", "", "Paused", "Shutdown", "", "Crashed", "Suspended"}

// PowerState names a Nova power state code the way openstack does.
func PowerState(code int) string {
	if code < 0 || code >= len(powerStates) {
		return "N/A"
	}
	return powerStates[code]
}

// find returns one server, by ID or exact name, as Nova's detailed
// representation in a generic map (show prints every field Nova sends).
func find(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (map[string]any, error) {
	if tools.IsUUID(nameOrID) {
		var body struct {
			Server map[string]any `json:"server"`
		}
		// The embedded Result's ExtractInto takes the whole envelope;
		// GetResult's own wants a struct, and show needs every field.
		err := servers.Get(ctx, c, nameOrID).Result.ExtractInto(&body)
		if err == nil && body.Server != nil {
			return body.Server, nil
		}
		if err != nil && !gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("find server %s: %w", nameOrID, err)
		}
	}
	// Nova's name filter is a regular expression matched anywhere in the
	// name; quoting it gives every server whose name contains nameOrID,
	// and Pick keeps the exact matches.
	var matches []map[string]any
	err := servers.List(c, servers.ListOpts{Name: regexp.QuoteMeta(nameOrID)}).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		var got []map[string]any
		if err := servers.ExtractServersInto(page, &got); err != nil {
			return false, err
		}
		matches = append(matches, got...)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(matches))
	for _, m := range matches {
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		cands = append(cands, tools.Candidate{ID: id, Name: name})
	}
	picked, err := tools.Pick(Kind, nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for _, m := range matches {
		if m["id"] == picked.ID {
			return m, nil
		}
	}
	return nil, &tools.NotFoundError{Kind: Kind, Name: nameOrID}
}

// Find finds one server by ID or exact name and decodes every field Nova
// sent (at Microversion) into out, for callers that need fields
// gophercloud's Server lacks (locked_reason, ...).
func Find(ctx context.Context, env *tools.Env, nameOrID string, out any) error {
	c, err := Client(ctx, env)
	if err != nil {
		return err
	}
	raw, err := find(ctx, c, nameOrID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	return nil
}

// Resolve finds one server by ID or exact name. A name shared by several
// servers is a *tools.AmbiguousError listing them; no match is a
// *tools.NotFoundError.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*servers.Server, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := find(ctx, c, nameOrID)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	var s servers.Server
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	return &s, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := find(ctx, c, args.Server)
	if err != nil {
		return nil, err
	}
	rec := record(ctx, env, raw)
	if name, ok := raw["name"].(string); ok {
		env.Names.Remember(Kind, name)
	}
	return &tools.Result{Record: rec}, nil
}

// record lays out a server the way openstack server show does: every
// field Nova sent, sorted by name, with the same renames (tenant_id is
// project_id, metadata is properties, volumes_attached loses its prefix)
// and the same formatting of image, addresses and power state.
func record(ctx context.Context, env *tools.Env, raw map[string]any) *tools.Record {
	var fields []tools.Field
	add := func(name string, v any) {
		fields = append(fields, tools.Field{Name: name, Value: v, Kind: kindOf(name)})
	}
	for k, v := range raw {
		switch k {
		case "links":
			// Self links are noise to a person; openstack drops them too.
		case "image":
			add(k, imageField(ctx, env, v))
		case "addresses":
			b, _ := json.Marshal(v)
			var addrs map[string][]address
			_ = json.Unmarshal(b, &addrs)
			add(k, Networks(addrs))
		case "metadata":
			add("properties", stringMap(v))
		case "tenant_id":
			add("project_id", plain(v))
		case "os-extended-volumes:volumes_attached":
			add("volumes_attached", plain(v))
		case "OS-EXT-STS:power_state":
			if n, ok := v.(float64); ok {
				add(k, PowerState(int(n)))
			} else {
				add(k, plain(v))
			}
		case "OS-EXT-SRV-ATTR:user_data":
			// User data often carries passwords and keys; it never goes
			// to a screen or a model from here.
			if v != nil {
				add(k, "<redacted>")
			} else {
				add(k, nil)
			}
		case "flavor", "fault":
			add(k, stringMap(v))
		default:
			add(k, plain(v))
		}
	}
	if _, ok := raw["metadata"]; !ok {
		add("properties", map[string]string{})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	return &tools.Record{Fields: fields}
}

// imageField is "name (id)" for a server's image, the ID alone when the
// image is gone, and BootFromVolume when there is none.
func imageField(ctx context.Context, env *tools.Env, v any) string {
	m, ok := v.(map[string]any)
	id, _ := m["id"].(string)
	if !ok || id == "" {
		return BootFromVolume
	}
	// As openstack does, an image whose name cannot be found (deleted,
	// not visible, Glance unreachable) is shown by ID alone.
	name, err := images.Name(ctx, env, id)
	if err != nil || name == "" {
		return id
	}
	return fmt.Sprintf("%s (%s)", name, id)
}

func kindOf(field string) tools.Kind {
	switch field {
	case "status":
		return tools.Status
	case "created", "updated":
		return tools.Time
	}
	return tools.Plain
}

// plain turns a decoded JSON value into one a renderer takes: whole
// numbers become int, objects a flat map, lists of objects a list of maps
// (a table prints each as "key='value', ...", as openstack does; JSON
// keeps them objects, as openstack -f json does).
func plain(v any) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case map[string]any:
		return stringMap(x)
	case []any:
		objects := false
		for _, e := range x {
			if _, ok := e.(map[string]any); ok {
				objects = true
			}
		}
		if !objects {
			out := make([]string, 0, len(x))
			for _, e := range x {
				out = append(out, text(e))
			}
			return out
		}
		out := make([]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				out = append(out, text(e))
				continue
			}
			obj := make(map[string]any, len(m))
			for k, val := range m {
				obj[k] = plain(val)
			}
			out = append(out, obj)
		}
		return out
	}
	return text(v)
}

// stringMap flattens an object into "a.b" keys with text values, the way
// openstack prints nested objects such as a flavor's extra_specs.
func stringMap(v any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, val := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if sub, ok := val.(map[string]any); ok {
				walk(key, sub)
				continue
			}
			out[key] = text(val)
		}
	}
	if m, ok := v.(map[string]any); ok {
		walk("", m)
	}
	return out
}

// text renders a scalar as a string: strings as they are, null as "",
// anything else as compact JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
