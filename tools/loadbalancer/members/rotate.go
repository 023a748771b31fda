package members

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
	"github.com/kriscelmer/os-tui/tools/network"
)

// RotateArgs are the arguments of loadbalancer.rotate.
type RotateArgs struct {
	Pool      string `json:"pool"`
	Batch     int    `json:"batch,omitempty"`
	Action    string `json:"action,omitempty"`
	Run       string `json:"run,omitempty"`
	DrainWait string `json:"drain_wait,omitempty"`
	Timeout   string `json:"timeout,omitempty"`
}

func rotateTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RotateArgs]{
		Name: "loadbalancer.rotate", Effect: tools.Change, Service: lb.Service,
		Expand: expandRotate,
		// The gate always expands the rotation into its steps; these
		// answer only a step whose pool refers to an earlier step.
		Check: func(_ context.Context, _ *tools.Env, a RotateArgs) (*tools.Check, error) {
			return &tools.Check{Findings: []tools.Finding{lb.Block("the rotation is planned from the pool's members: name pool %s directly, not through another step", a.Pool)}}, nil
		},
		Preview: func(context.Context, *tools.Env, RotateArgs, *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{}, nil
		},
		Run: func(context.Context, *tools.Env, RotateArgs) (*tools.Result, error) {
			return nil, fmt.Errorf("a rotation runs as the plan of its steps")
		},
	})
}

// target is one member of the rotation and the server behind it.
type target struct {
	m      pools.Member
	server string // server ID, "" when the address is no server's
}

// expandRotate plans a rolling update of the pool, batch by batch: each
// member of a batch is drained (weight 0; the batch's last drain waits
// for connections to finish), updated (a server action or a recipe),
// then put back only once healthy. The executor stops at the first step
// that fails — a member that does not come back healthy — and the undo
// it offers puts drained members back.
func expandRotate(ctx context.Context, env *tools.Env, args RotateArgs) ([]tools.Step, error) {
	if (args.Action == "") == (args.Run == "") {
		return nil, fmt.Errorf("give the update step: --action reboot (or hard-reboot, stop-start), or --run RECIPE")
	}
	var recipe *rotateRecipe
	if args.Run != "" {
		var err error
		if recipe, err = readRecipe(args.Run); err != nil {
			return nil, err
		}
	}
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	ms, err := lb.Members(ctx, c, p.ID)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("pool %s has no members to rotate", lb.Label(p.Name, p.ID))
	}
	if len(ms) == 1 {
		// Not refused: a single back end may be updated this way on purpose.
		env.Report().Status("the pool has one member: it takes no traffic while it is updated")
	}
	sort.Slice(ms, func(i, j int) bool { return memberName(ms[i]) < memberName(ms[j]) })
	nc, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	var ts []target
	for _, m := range ms {
		t := target{m: m}
		ps, err := network.ListAll[ports.Port](ctx, ports.List(nc, ports.ListOpts{FixedIPs: []ports.FixedIPOpts{{IPAddress: m.Address}}}), "ports")
		if err != nil {
			return nil, fmt.Errorf("find the server of member %s: %w", memberName(m), err)
		}
		for _, port := range ps {
			if strings.HasPrefix(port.DeviceOwner, "compute:") && (m.SubnetID == "" || hasSubnet(port, m.SubnetID)) {
				t.server = port.DeviceID
			}
		}
		if t.server == "" {
			return nil, fmt.Errorf("member %s (%s) is no server's address, so there is nothing to update: the rotation works on members that are servers", memberName(m), m.Address)
		}
		ts = append(ts, t)
	}
	batch := max(args.Batch, 1)
	var steps []tools.Step
	for b := 0; b*batch < len(ts); b++ {
		group := ts[b*batch : min((b+1)*batch, len(ts))]
		for i, t := range group {
			wait := "0s"
			if i == len(group)-1 {
				wait = args.DrainWait
			}
			id := stepName(t.m)
			steps = append(steps, tools.Step{ID: "drain-" + id, Tool: "loadbalancer.member.drain",
				Args: tools.JSON(DrainArgs{Pool: p.ID, Member: t.m.ID, Wait: wait}),
				Why:  fmt.Sprintf("batch %d: take %s out of rotation", b+1, memberName(t.m))})
		}
		for _, t := range group {
			id := stepName(t.m)
			if recipe != nil {
				steps = append(steps, recipe.steps(id, t)...)
				continue
			}
			steps = append(steps, actionSteps(args.Action, id, t)...)
		}
		for _, t := range group {
			id := stepName(t.m)
			steps = append(steps, tools.Step{ID: "undrain-" + id, Tool: "loadbalancer.member.undrain",
				Args: tools.JSON(UndrainArgs{Pool: p.ID, Member: t.m.ID, Weight: max(t.m.Weight, 1), Timeout: args.Timeout}),
				Why:  fmt.Sprintf("batch %d: check %s is healthy, then put it back (weight %d); the rotation stops here if it is not", b+1, memberName(t.m), max(t.m.Weight, 1))})
		}
	}
	return steps, nil
}

func hasSubnet(p ports.Port, subnet string) bool {
	for _, ip := range p.FixedIPs {
		if ip.SubnetID == subnet {
			return true
		}
	}
	return false
}

// Patterns are compiled on first use: init stays cheap.
var (
	stepUnsafe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-zA-Z0-9_-]+`) })
	letterFirst = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z]`) })
)

// stepName is a step ID part for a member: its name, else its address.
func stepName(m pools.Member) string {
	s := stepUnsafe().ReplaceAllString(memberName(m), "-")
	s = strings.Trim(s, "-")
	// Step IDs are at most 40 characters: "undrain-" and "-abcd" leave 27.
	if len(s) > 16 {
		s = s[:16]
	}
	if s == "" || !letterFirst().MatchString(s) {
		s = "m" + s
	}
	return s + "-" + m.ID[:min(4, len(m.ID))]
}

// actionSteps are the server action of a rotation for one member.
func actionSteps(action, id string, t target) []tools.Step {
	server := map[string]any{"server": t.server}
	switch action {
	case "hard-reboot":
		return []tools.Step{{ID: "update-" + id, Tool: "server.reboot", Args: tools.JSON(map[string]any{"server": t.server, "hard": true}), Why: "hard reboot " + memberName(t.m) + "'s server"}}
	case "stop-start":
		return []tools.Step{
			{ID: "stop-" + id, Tool: "server.stop", Args: tools.JSON(server), Why: "stop " + memberName(t.m) + "'s server"},
			{ID: "start-" + id, Tool: "server.start", Args: tools.JSON(server), Why: "start it again"},
		}
	}
	return []tools.Step{{ID: "update-" + id, Tool: "server.reboot", Args: tools.JSON(server), Why: "reboot " + memberName(t.m) + "'s server"}}
}

// rotateRecipe is a recipe run for each member: a saved plan whose
// ${param.server} and ${param.address} get the member's server ID and
// address.
type rotateRecipe struct {
	Goal   string `yaml:"goal"`
	Params map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	} `yaml:"params"`
	Steps []struct {
		ID   string         `yaml:"id"`
		Tool string         `yaml:"tool"`
		Why  string         `yaml:"why"`
		Args map[string]any `yaml:"args"`
	} `yaml:"steps"`
}

var paramRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{param\.([a-zA-Z][a-zA-Z0-9_]*)\}`) })

func readRecipe(path string) (*rotateRecipe, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--run %s: %w", path, err)
	}
	var r rotateRecipe
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("--run %s: read recipe: %w", path, err)
	}
	if len(r.Steps) == 0 {
		return nil, fmt.Errorf("--run %s: the recipe has no steps", path)
	}
	for name, p := range r.Params {
		if name != "server" && name != "address" && p.Default == nil {
			return nil, fmt.Errorf("--run %s: parameter %s has no default; a rotation fills only server and address", path, name)
		}
	}
	return &r, nil
}

// steps are the recipe's steps for one member, their IDs prefixed with
// the member's, references between them rewritten to match.
func (r *rotateRecipe) steps(id string, t target) []tools.Step {
	values := map[string]string{"server": t.server, "address": t.m.Address}
	for name, p := range r.Params {
		if _, ok := values[name]; !ok && p.Default != nil {
			values[name] = *p.Default
		}
	}
	var out []tools.Step
	for _, s := range r.Steps {
		b, _ := json.Marshal(s.Args)
		text := paramRef().ReplaceAllStringFunc(string(b), func(m string) string {
			v := values[paramRef().FindStringSubmatch(m)[1]]
			q, _ := json.Marshal(v)
			return strings.Trim(string(q), `"`)
		})
		for _, o := range r.Steps {
			text = strings.ReplaceAll(text, "${"+o.ID+".", "${"+o.ID+"-"+id+".")
		}
		why := s.Why
		if why == "" {
			why = r.Goal
		}
		out = append(out, tools.Step{ID: s.ID + "-" + id, Tool: s.Tool, Args: tools.Args(text), Why: why + " (" + memberName(t.m) + ")"})
	}
	return out
}
