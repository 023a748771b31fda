package l7policies

import (
	"context"
	"fmt"
	"regexp"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/l7policies"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

func ruleTools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.rule.list", lb.Service, listRules),
		tools.ReadTool("loadbalancer.rule.show", lb.Service, showRule),
		tools.ChangeTool(tools.ChangeSpec[RuleCreateArgs]{
			Name: "loadbalancer.rule.create", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Check: checkRuleCreate, Preview: previewRuleCreate, Run: runRuleCreate,
			Undo: func(a RuleCreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" || res.Outputs["l7policy"] == "" {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.rule.delete", Args: tools.JSON(RuleArgs{L7Policy: res.Outputs["l7policy"], L7Rule: res.Outputs["id"]}), Why: "undo adding the L7 rule"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[RuleSetArgs]{
			Name: "loadbalancer.rule.set", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Check: checkRuleSet, Preview: previewRuleSet, Run: runRuleSet,
		}),
		tools.ChangeTool(tools.ChangeSpec[RuleArgs]{
			Name: "loadbalancer.rule.delete", Effect: tools.Destroy, Service: lb.Service, Produces: []string{"id"},
			Check: checkRuleDelete, Preview: previewRuleDelete, Run: runRuleDelete,
		}),
	}
}

// RuleListArgs are the arguments of loadbalancer.l7rule.list.
type RuleListArgs struct {
	L7Policy string `json:"l7policy"`
}

// RuleArgs name one rule: show and delete.
type RuleArgs struct {
	L7Policy string `json:"l7policy"`
	L7Rule   string `json:"l7rule"`
}

// RuleCreateArgs are the arguments of loadbalancer.l7rule.create.
type RuleCreateArgs struct {
	L7Policy     string `json:"l7policy"`
	Type         string `json:"type"`
	CompareType  string `json:"compare_type"`
	Value        string `json:"value"`
	Key          string `json:"key,omitempty"`
	Invert       bool   `json:"invert,omitempty"`
	AdminStateUp *bool  `json:"admin_state_up,omitempty"`
}

// RuleSetArgs are the arguments of loadbalancer.l7rule.set.
type RuleSetArgs struct {
	L7Policy     string  `json:"l7policy"`
	L7Rule       string  `json:"l7rule"`
	Type         string  `json:"type,omitempty"`
	CompareType  string  `json:"compare_type,omitempty"`
	Value        string  `json:"value,omitempty"`
	Key          *string `json:"key,omitempty"`
	Invert       *bool   `json:"invert,omitempty"`
	AdminStateUp *bool   `json:"admin_state_up,omitempty"`
}

func listRules(ctx context.Context, env *tools.Env, args RuleListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPolicy(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	all, err := lb.All(ctx, l7policies.ListRules(c, p.ID, l7policies.ListRulesOpts{}), l7policies.ExtractRules)
	if err != nil {
		return nil, fmt.Errorf("list the rules of %s: %w", lb.Label(p.Name, p.ID), err)
	}
	out := &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Project ID", Long: true}, {Name: "Provisioning Status", Kind: tools.Status},
		{Name: "Compare Type"}, {Name: "Type"}, {Name: "Key"}, {Name: "Value"}, {Name: "Invert"}}}
	for _, r := range all {
		out.Rows = append(out.Rows, []any{r.ID, r.ProjectID, r.ProvisioningStatus, r.CompareType, r.RuleType, r.Key, r.Value, r.Invert})
	}
	return &tools.Result{List: out}, nil
}

func showRule(ctx context.Context, env *tools.Env, args RuleArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPolicy(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r, err := l7policies.GetRule(ctx, c, p.ID, args.L7Rule).Extract()
	if err != nil {
		return nil, lb.NotFound(err, lb.KindRule, args.L7Rule)
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: r.AdminStateUp},
		{Name: "compare_type", Value: r.CompareType},
		{Name: "id", Value: r.ID},
		{Name: "invert", Value: r.Invert},
		{Name: "key", Value: r.Key},
		{Name: "operating_status", Value: r.OperatingStatus, Kind: tools.Status},
		{Name: "project_id", Value: r.ProjectID},
		{Name: "provisioning_status", Value: r.ProvisioningStatus, Kind: tools.Status},
		{Name: "type", Value: r.RuleType},
		{Name: "value", Value: r.Value},
	}}}, nil
}

// ruleFindings applies Octavia's rules on a rule's fields.
func ruleFindings(typ, compare, value, key string, chk *tools.Check) {
	if (typ == "HEADER" || typ == "COOKIE") && key == "" {
		chk.Findings = append(chk.Findings, lb.Block("a %s rule needs --key, the %s's name", typ, map[string]string{"HEADER": "header", "COOKIE": "cookie"}[typ]))
	}
	if compare == "REGEX" && value != "" {
		if _, err := regexp.Compile(value); err != nil {
			chk.Findings = append(chk.Findings, lb.Block("--value %q is not a regular expression: %v", value, err))
		}
	}
	if typ == "FILE_TYPE" && compare != "" && compare != "EQUAL_TO" && compare != "REGEX" {
		chk.Findings = append(chk.Findings, lb.Block("a FILE_TYPE rule compares with EQUAL_TO or REGEX"))
	}
}

func checkRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindRule, Name: args.Type + " " + args.Value}}}
	ruleFindings(args.Type, args.CompareType, args.Value, args.Key, chk)
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, pchk, err := policyCheck(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	chk.Findings = append(chk.Findings, pchk.Findings...)
	args.L7Policy = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func ruleCreateOpts(a RuleCreateArgs) l7policies.CreateRuleOpts {
	return l7policies.CreateRuleOpts{RuleType: l7policies.RuleType(a.Type), CompareType: l7policies.CompareType(a.CompareType), Value: a.Value, Key: a.Key, Invert: a.Invert, AdminStateUp: a.AdminStateUp}
}

func previewRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := ruleCreateOpts(args).ToRuleCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "l7policies", args.L7Policy, "rules"), Body: body}},
		Creates: []string{fmt.Sprintf("L7 rule %s %s %q on policy %s", args.Type, args.CompareType, args.Value, args.L7Policy)}}, nil
}

func runRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs) (*tools.Result, error) {
	c, p, v, err := policyForWrite(ctx, env, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r := l7policies.CreateRule(ctx, c, p.ID, ruleCreateOpts(args))
	rule, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("add a rule to L7 policy %s: %w", lb.Label(p.Name, p.ID), err)
	}
	return &tools.Result{Message: fmt.Sprintf("L7 rule %s added to policy %s", rule.ID, lb.Label(p.Name, p.ID)),
		Outputs: map[string]string{"id": rule.ID, "l7policy": p.ID}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func ruleCheck(ctx context.Context, env *tools.Env, policy, rule string) (*l7policies.L7Policy, *l7policies.Rule, *tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, nil, nil, err
	}
	p, chk, err := policyCheck(ctx, c, policy)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := l7policies.GetRule(ctx, c, p.ID, rule).Extract()
	if err != nil {
		return nil, nil, nil, lb.NotFound(err, lb.KindRule, rule)
	}
	chk.Targets = []tools.Target{{Kind: lb.KindRule, ID: r.ID, Name: fmt.Sprintf("%s %s %s", r.RuleType, r.CompareType, r.Value)}}
	chk.State, chk.Fetched = r.ProvisioningStatus, r
	return p, r, chk, nil
}

func checkRuleSet(ctx context.Context, env *tools.Env, args RuleSetArgs) (*tools.Check, error) {
	p, r, chk, err := ruleCheck(ctx, env, args.L7Policy, args.L7Rule)
	if err != nil {
		return nil, err
	}
	typ, cmp, val, key := r.RuleType, r.CompareType, r.Value, r.Key
	if args.Type != "" {
		typ = args.Type
	}
	if args.CompareType != "" {
		cmp = args.CompareType
	}
	if args.Value != "" {
		val = args.Value
	}
	if args.Key != nil {
		key = *args.Key
	}
	ruleFindings(typ, cmp, val, key, chk)
	args.L7Policy, args.L7Rule = p.ID, r.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func ruleUpdateOpts(a RuleSetArgs) l7policies.UpdateRuleOpts {
	return l7policies.UpdateRuleOpts{RuleType: l7policies.RuleType(a.Type), CompareType: l7policies.CompareType(a.CompareType), Value: a.Value, Key: a.Key, Invert: a.Invert, AdminStateUp: a.AdminStateUp}
}

func previewRuleSet(ctx context.Context, env *tools.Env, args RuleSetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := ruleUpdateOpts(args).ToRuleUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "l7policies", args.L7Policy, "rules", args.L7Rule), Body: body}}}
	if r, ok := tools.FetchedAs[*l7policies.Rule](chk); ok && args.Value != "" {
		p.Changes = append(p.Changes, tools.FieldChange{Field: "value", From: r.Value, To: args.Value})
	}
	return p, nil
}

func runRuleSet(ctx context.Context, env *tools.Env, args RuleSetArgs) (*tools.Result, error) {
	c, p, v, err := policyForWrite(ctx, env, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r := l7policies.UpdateRule(ctx, c, p.ID, args.L7Rule, ruleUpdateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update L7 rule %s: %w", args.L7Rule, err)
	}
	return &tools.Result{Message: "L7 rule " + args.L7Rule + " updated", Outputs: map[string]string{"id": args.L7Rule},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func checkRuleDelete(ctx context.Context, env *tools.Env, args RuleArgs) (*tools.Check, error) {
	if tools.IsRef(args.L7Policy) || tools.IsRef(args.L7Rule) {
		return tools.Referenced(lb.KindRule, args.L7Rule), nil
	}
	p, r, chk, err := ruleCheck(ctx, env, args.L7Policy, args.L7Rule)
	if err != nil {
		return nil, err
	}
	args.L7Policy, args.L7Rule = p.ID, r.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewRuleDelete(ctx context.Context, env *tools.Env, args RuleArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	name := args.L7Rule
	if len(chk.Targets) > 0 {
		name = chk.Targets[0].Name
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "l7policies", args.L7Policy, "rules", args.L7Rule)}},
		Deletes: []tools.Dependent{{Kind: "l7rule", ID: args.L7Rule, Name: name, Fate: "deleted"}}}, nil
}

func runRuleDelete(ctx context.Context, env *tools.Env, args RuleArgs) (*tools.Result, error) {
	c, p, v, err := policyForWrite(ctx, env, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r := l7policies.DeleteRule(ctx, c, p.ID, args.L7Rule)
	if r.Err != nil {
		return nil, fmt.Errorf("delete L7 rule %s: %w", args.L7Rule, lb.NotFound(r.Err, lb.KindRule, args.L7Rule))
	}
	return &tools.Result{Message: "L7 rule " + args.L7Rule + " deleted", Outputs: map[string]string{"id": args.L7Rule},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}
