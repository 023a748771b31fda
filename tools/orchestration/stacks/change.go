package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// CreateArgs are the arguments of stack.create.
type CreateArgs struct {
	Name            string            `json:"name"`
	TemplateFile    string            `json:"template_file"`
	EnvironmentFile []string          `json:"environment_file,omitempty"`
	Parameters      map[string]string `json:"parameters,omitempty"`
	Timeout         int               `json:"timeout,omitempty"`
	EnableRollback  bool              `json:"enable_rollback,omitempty"`
	Tags            []string          `json:"tags,omitempty"`
	DryRun          bool              `json:"dry_run,omitempty"`
}

// UpdateArgs are the arguments of stack.update.
type UpdateArgs struct {
	Stack           string            `json:"stack"`
	TemplateFile    string            `json:"template_file,omitempty"`
	EnvironmentFile []string          `json:"environment_file,omitempty"`
	Parameters      map[string]string `json:"parameters,omitempty"`
	Existing        bool              `json:"existing,omitempty"`
	Timeout         int               `json:"timeout,omitempty"`
	DryRun          bool              `json:"dry_run,omitempty"`
}

// DeleteArgs are the arguments of stack.delete.
type DeleteArgs struct {
	Stack  string `json:"stack"`
	DryRun bool   `json:"dry_run,omitempty"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "stack.create", Effect: tools.Change, Service: orchestration.Service,
			Produces: []string{"id", "name"},
			Check:    checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				id := args.Name
				if res != nil && res.Outputs["id"] != "" {
					id = res.Outputs["id"]
				}
				return &tools.Call{Tool: "stack.delete", Args: tools.JSON(DeleteArgs{Stack: id}), Why: "undo creating stack " + args.Name + " (deletes every resource it made)"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[UpdateArgs]{
			Name: "stack.update", Effect: tools.Change, Service: orchestration.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a UpdateArgs) (string, string) { return orchestration.Kind, a.Stack },
			Check:    checkUpdate, Preview: previewUpdate, Run: runUpdate,
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "stack.delete", Effect: tools.Destroy, Service: orchestration.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a DeleteArgs) (string, string) { return orchestration.Kind, a.Stack },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// dryRunFinding refuses a step that asks only for a preview: the slash
// command's --dry-run stops after the review, so a plan that still
// carries it (a recipe, an edited plan) must not run.
func dryRunFinding(chk *tools.Check, dry bool, verb string) {
	if dry {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("--dry-run asks for the preview only: the review shows Heat's plan and nothing is %s; run the command again without --dry-run to go ahead", verb)})
	}
}

func block(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
}

func info(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)})
}

// loadFiles reads the template and environment files into chk's
// findings: a file that cannot be read or parsed is a Block with where
// and why.
func loadFiles(chk *tools.Check, template string, envs []string) *orchestration.Files {
	f, err := orchestration.Load(template, envs)
	if err != nil {
		var se *orchestration.SyntaxError
		if errors.As(err, &se) {
			block(chk, "%s; fix the file and try again", se.Error())
		} else {
			block(chk, "%s", err.Error())
		}
		return nil
	}
	return f
}

// absPaths returns the paths made absolute, as the approval names them.
func absPaths(paths []string) []string {
	var out []string
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		out = append(out, p)
	}
	return out
}

// created is the create preview Check read, for the dry run.
type created struct {
	Resources []orchestration.PreviewResource
	Digest    string
	Bytes     int
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, Name: args.Name}}}
	dryRunFinding(chk, args.DryRun, "created")
	args.TemplateFile = absPaths([]string{args.TemplateFile})[0]
	args.EnvironmentFile = absPaths(args.EnvironmentFile)
	chk.Resolved = tools.JSON(args)
	if s, err := orchestration.Find(ctx, c, args.Name); err == nil {
		block(chk, "stack %s already exists (%s); choose another name, or change it with /stack update %s -t FILE", s.Name, s.Status, s.Name)
	} else if nf := (*tools.NotFoundError)(nil); !errors.As(err, &nf) {
		return nil, err
	}
	f := loadFiles(chk, args.TemplateFile, args.EnvironmentFile)
	if f == nil {
		return chk, nil
	}
	chk.State = "files " + f.Digest
	for _, p := range f.CheckParams(args.Parameters) {
		block(chk, "%s", p)
	}
	if chk.Blocked() {
		return chk, nil
	}
	body, err := f.CreateBody(args.Name, args.Parameters, args.Timeout, rollback(args.EnableRollback), args.Tags)
	if err != nil {
		block(chk, "%s", err.Error())
		return chk, nil
	}
	res, err := orchestration.CreatePreview(ctx, c, body)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		block(chk, "%s", orchestration.Refusal("stack preview", err))
		return chk, nil
	}
	info(chk, "Heat validated %s and would create %d resources", filepath.Base(args.TemplateFile), len(res))
	stackQuota(ctx, env, chk, res)
	chk.Fetched = &created{Resources: res, Digest: f.Digest}
	return chk, nil
}

// rollback turns --enable-rollback into Heat's disable_rollback: the
// openstack CLI's default is no rollback, so a failed stack stays to be
// triaged.
func rollback(enable bool) *bool {
	v := !enable
	return &v
}

// shortBody replaces the template, environment and files of a request
// body by what they are, so the review shows the request without
// pages of YAML the person has in their own files.
func shortBody(body map[string]any, template string, envs []string, digest string) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	if t, ok := out["template"].(string); ok {
		out["template"] = fmt.Sprintf("<%s, %d bytes, digest %s>", template, len(t), digest)
	}
	if _, ok := out["environment"]; ok {
		out["environment"] = fmt.Sprintf("<merged from %s>", strings.Join(envs, ", "))
	}
	if files, ok := out["files"].(map[string]string); ok {
		var names []string
		for k := range files {
			names = append(names, k)
		}
		out["files"] = fmt.Sprintf("<%d files: %s>", len(names), strings.Join(orchestration.SortedKeys(files), ", "))
	}
	return out
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	f, err := orchestration.Load(args.TemplateFile, args.EnvironmentFile)
	if err != nil {
		return nil, err
	}
	body, err := f.CreateBody(args.Name, args.Parameters, args.Timeout, rollback(args.EnableRollback), args.Tags)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("stacks"), Body: shortBody(body, args.TemplateFile, args.EnvironmentFile, f.Digest)}}}
	pv.Creates = append(pv.Creates, "stack "+args.Name)
	if cr, ok := tools.FetchedAs[*created](chk); ok {
		sort.SliceStable(cr.Resources, func(i, j int) bool { return cr.Resources[i].Name < cr.Resources[j].Name })
		for _, r := range cr.Resources {
			name := r.Name
			if r.StackName != "" && r.StackName != args.Name {
				name = r.StackName + "/" + r.Name
			}
			pv.Creates = append(pv.Creates, fmt.Sprintf("%s (%s)", name, r.Type))
		}
	}
	return pv, nil
}

// await waits for a stack's action to settle. Heat answers the request
// at once and works in the background; until is the status that ends
// the wait well, and every *_FAILED or ROLLBACK_* status ends it badly
// with Heat's reason and the way to the failed resources. before is the
// stack's updated_time before the request: until Heat records the new
// action, the old COMPLETE status does not count.
func await(s *orchestration.Stack, action string, timeoutMins int, before string) *tools.Await {
	timeout := 60 * time.Minute
	if timeoutMins > 0 {
		timeout = time.Duration(timeoutMins+2) * time.Minute
	}
	name, id := s.Name, s.ID
	// Heat records an update's start at once; if its updated_time has
	// still not moved after a minute, the old status is taken as the
	// answer rather than waiting out the timeout.
	var firstPoll time.Time
	return &tools.Await{
		Kind: orchestration.Kind, ID: id, Name: name,
		Until:   []string{action + "_COMPLETE"},
		Fail:    []string{action + "_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"},
		Timeout: timeout,
		Poll: func(ctx context.Context, env *tools.Env) (string, error) {
			c, err := orchestration.Client(ctx, env)
			if err != nil {
				return "", err
			}
			st, err := orchestration.Find(ctx, c, id)
			if err != nil {
				return "", err
			}
			if firstPoll.IsZero() {
				firstPoll = time.Now()
			}
			stale := before != "" && st.UpdatedTime == before && !st.InProgress() && time.Since(firstPoll) < time.Minute
			if st.Action() != action && action != "DELETE" || stale {
				// Heat has not taken the request up yet.
				return action + "_IN_PROGRESS", nil
			}
			if st.Failed() || strings.HasPrefix(st.Status, "ROLLBACK_") && !st.InProgress() {
				return fmt.Sprintf("%s: %s (the failed resources and why: /stack triage %s)", st.Status, oneLine(st.StatusReason), name), nil
			}
			if action == "DELETE" && st.Status == "DELETE_COMPLETE" {
				return "", &tools.NotFoundError{Kind: orchestration.Kind, Name: name}
			}
			return st.Status, nil
		},
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	if args.DryRun {
		return nil, errors.New("--dry-run: nothing was created")
	}
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	f, err := orchestration.Load(args.TemplateFile, args.EnvironmentFile)
	if err != nil {
		return nil, err
	}
	tpl, envOpts, err := f.Opts()
	if err != nil {
		return nil, err
	}
	r := stacks.Create(ctx, c, stacks.CreateOpts{Name: args.Name, TemplateOpts: tpl, EnvironmentOpts: envOpts,
		Parameters: orchestration.Params(args.Parameters), Timeout: args.Timeout, DisableRollback: rollback(args.EnableRollback), Tags: args.Tags})
	st, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create stack %s: %w", args.Name, orchestration.Explain(err))
	}
	env.Names.Remember(orchestration.Kind, args.Name)
	s := &orchestration.Stack{ID: st.ID, Name: args.Name}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s (%s) created", args.Name, st.ID),
		Outputs:    map[string]string{"id": st.ID, "name": args.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      await(s, "CREATE", args.Timeout, ""),
	}, nil
}

// updated is what the update's Check read, for its dry run.
type updated struct {
	Stack  *orchestration.Stack
	Diff   *orchestration.Diff
	Digest string
}

// updateBody builds the update request: PUT with the whole template, or
// PATCH (--existing) keeping what is not given.
func updateBody(f *orchestration.Files, args UpdateArgs) (map[string]any, error) {
	opts := stacks.UpdateOpts{Parameters: orchestration.Params(args.Parameters), Timeout: args.Timeout}
	if f != nil {
		tpl, envOpts, err := f.Opts()
		if err != nil {
			return nil, err
		}
		opts.TemplateOpts, opts.EnvironmentOpts = tpl, envOpts
	} else if len(args.EnvironmentFile) > 0 {
		envOpts, err := orchestration.EnvironmentOpts(args.EnvironmentFile)
		if err != nil {
			return nil, err
		}
		opts.EnvironmentOpts = envOpts
	}
	if args.Existing {
		return opts.ToStackUpdatePatchMap()
	}
	return opts.ToStackUpdateMap()
}

func checkUpdate(ctx context.Context, env *tools.Env, args UpdateArgs) (*tools.Check, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, ID: s.ID, Name: s.Name}}}
	dryRunFinding(chk, args.DryRun, "changed")
	args.Stack = s.ID
	if args.TemplateFile != "" {
		args.TemplateFile = absPaths([]string{args.TemplateFile})[0]
	}
	args.EnvironmentFile = absPaths(args.EnvironmentFile)
	chk.Resolved = tools.JSON(args)
	chk.State = s.Status + ",updated=" + s.UpdatedTime
	if s.InProgress() {
		block(chk, "stack %s is %s; Heat takes no other action until it settles: wait, and follow it with /stack event list %s", s.Name, s.Status, s.Name)
		return chk, nil
	}
	if args.TemplateFile == "" && !args.Existing {
		block(chk, "give the new template with -t FILE, or --existing to keep the stack's template and change only what you give (--parameter, -e)")
		return chk, nil
	}
	var f *orchestration.Files
	if args.TemplateFile != "" {
		if f = loadFiles(chk, args.TemplateFile, args.EnvironmentFile); f == nil {
			return chk, nil
		}
		chk.State += ",files " + f.Digest
		problems := f.CheckParams(args.Parameters)
		if args.Existing {
			// PATCH keeps the stack's parameters: only what is given is
			// held to the template.
			problems = keepNotMissing(problems)
		}
		for _, p := range problems {
			block(chk, "%s", p)
		}
	} else if len(args.EnvironmentFile) > 0 || len(args.Parameters) > 0 {
		// --existing without a template: what is given is held to the
		// deployed template's declarations.
		cur, err := deployedFiles(ctx, c, s)
		if err != nil {
			return nil, err
		}
		if err := cur.AddEnvironments(args.EnvironmentFile); err != nil {
			block(chk, "%s; fix the file and try again", err.Error())
			return chk, nil
		}
		chk.State += ",files " + cur.Digest
		for _, p := range keepNotMissing(cur.CheckParams(args.Parameters)) {
			block(chk, "%s", p)
		}
	}
	if chk.Blocked() {
		return chk, nil
	}
	body, err := updateBody(f, args)
	if err != nil {
		block(chk, "%s", err.Error())
		return chk, nil
	}
	diff, err := orchestration.UpdatePreview(ctx, c, s, body, args.Existing)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		block(chk, "%s", orchestration.Refusal("update preview", err))
		return chk, nil
	}
	tpl, err := orchestration.DeployedTemplate(ctx, c, s)
	if err != nil {
		return nil, err
	}
	for _, p := range diff.Protect(orchestration.ProtectedIn(tpl)) {
		block(chk, "%s", p)
	}
	// Heat's preview names the replacement, not the resource it
	// replaces: the deployed list says which one goes.
	current, err := orchestration.Resources(ctx, c, s, 0)
	if err != nil {
		return nil, err
	}
	physical := map[string]string{}
	for _, r := range current {
		physical[r.Name] = r.PhysicalID
	}
	for i := range diff.Entries {
		e := &diff.Entries[i]
		if id := physical[e.Path]; id != "" && e.Change != orchestration.Added {
			e.PhysicalID = id
		}
	}
	info(chk, "Heat's update preview: %s", diff.Summary())
	for _, e := range diff.Entries {
		if e.Change == orchestration.Replaced && e.Protected == "" {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: replaceWarning(e)})
		}
	}
	digest := ""
	if f != nil {
		digest = f.Digest
	}
	chk.Fetched = &updated{Stack: s, Diff: diff, Digest: digest}
	return chk, nil
}

// replaceWarning says what replacing a resource costs.
func replaceWarning(e orchestration.DiffEntry) string {
	what := e.Path + " (" + e.Type + ")"
	if e.PhysicalID != "" {
		what += " " + e.PhysicalID
	}
	switch e.Type {
	case "OS::Nova::Server":
		return what + " is replaced: the server is deleted and a new one built, its disk and addresses lost"
	case "OS::Cinder::Volume":
		return what + " is replaced: the volume and its data are deleted and an empty one made"
	case "OS::Neutron::Port", "OS::Neutron::FloatingIP":
		return what + " is replaced: its address changes"
	}
	return what + " is replaced: it is deleted and a new one made (what refers to it by ID must follow)"
}

// keepNotMissing drops the "needs a value" problems: an update with
// --existing keeps the stack's current parameter values.
func keepNotMissing(problems []string) []string {
	var out []string
	for _, p := range problems {
		if !strings.Contains(p, " needs a value for ") {
			out = append(out, p)
		}
	}
	return out
}

// deployedFiles is the stack's current template as Files, to check
// parameters against.
func deployedFiles(ctx context.Context, c *gophercloud.ServiceClient, s *orchestration.Stack) (*orchestration.Files, error) {
	tpl, err := orchestration.DeployedTemplate(ctx, c, s)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(tpl)
	if err != nil {
		return nil, err
	}
	return orchestration.LoadBytes("the template of stack "+s.Name, b)
}

func previewUpdate(ctx context.Context, env *tools.Env, args UpdateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	up, ok := tools.FetchedAs[*updated](chk)
	if !ok {
		s, err := orchestration.Find(ctx, c, args.Stack)
		if err != nil {
			return nil, err
		}
		up = &updated{Stack: s}
	}
	var f *orchestration.Files
	if args.TemplateFile != "" {
		if f, err = orchestration.Load(args.TemplateFile, args.EnvironmentFile); err != nil {
			return nil, err
		}
	}
	body, err := updateBody(f, args)
	if err != nil {
		return nil, err
	}
	method := "PUT"
	if args.Existing {
		method = "PATCH"
	}
	digest := ""
	if f != nil {
		digest = f.Digest
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: method, URL: orchestration.URL(c, up.Stack), Body: shortBody(body, args.TemplateFile, args.EnvironmentFile, digest)}}}
	if up.Diff != nil {
		diffPreview(pv, up.Diff)
	}
	return pv, nil
}

// diffPreview lays an update's diff out as the review shows changes:
// added resources are created, replaced and deleted ones are lost,
// in-place updates are changes.
func diffPreview(pv *tools.Preview, d *orchestration.Diff) {
	for _, e := range d.Entries {
		switch e.Change {
		case orchestration.Added:
			pv.Creates = append(pv.Creates, fmt.Sprintf("%s (%s), added by the update", e.Path, e.Type))
		case orchestration.Replaced, orchestration.Deleted:
			pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: e.Change.Sign() + " " + e.Type, ID: e.PhysicalID, Name: e.Path, Fate: e.Change.Verb()})
		case orchestration.Updated:
			pv.Changes = append(pv.Changes, tools.FieldChange{Field: "~ " + e.Path + " (" + e.Type + ")", From: "as deployed", To: "updated in place"})
		}
	}
}

func runUpdate(ctx context.Context, env *tools.Env, args UpdateArgs) (*tools.Result, error) {
	if args.DryRun {
		return nil, errors.New("--dry-run: nothing was changed")
	}
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	var f *orchestration.Files
	if args.TemplateFile != "" {
		if f, err = orchestration.Load(args.TemplateFile, args.EnvironmentFile); err != nil {
			return nil, err
		}
	}
	body, err := updateBody(f, args)
	if err != nil {
		return nil, err
	}
	method := "PUT"
	if args.Existing {
		method = "PATCH"
	}
	resp, err := c.Request(ctx, method, orchestration.URL(c, s), &gophercloud.RequestOpts{JSONBody: body, OkCodes: []int{202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("update stack %s: %w", s.Name, orchestration.Explain(err))
	}
	before := s.UpdatedTime
	if before == "" {
		before = "never"
	}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s update started", s.Name),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name},
		RequestIDs: tools.RequestIDs(resp, nil),
		Await:      await(s, "UPDATE", args.Timeout, before),
	}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, ID: s.ID, Name: s.Name}},
		Resolved: tools.JSON(DeleteArgs{Stack: s.ID, DryRun: args.DryRun}), State: s.Status + ",updated=" + s.UpdatedTime}
	dryRunFinding(chk, args.DryRun, "deleted")
	if s.Status == "DELETE_IN_PROGRESS" {
		block(chk, "stack %s is already being deleted; follow it with /stack event list %s", s.Name, s.Name)
		return chk, nil
	}
	res, err := orchestration.Resources(ctx, c, s, orchestration.MaxNestedDepth)
	if err != nil {
		return nil, err
	}
	tpl, err := orchestration.DeployedTemplate(ctx, c, s)
	if err != nil {
		return nil, err
	}
	retained := orchestration.ProtectedIn(tpl)
	for _, name := range orchestration.SortedKeys(retained) {
		text := fmt.Sprintf("resource %s is marked %s: deleting the stack deletes it too", name, orchestration.ProtectedKey)
		if strings.Contains(retained[name], "Retain") {
			text = fmt.Sprintf("resource %s has deletion_policy Retain: Heat leaves it behind, outside any stack", name)
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: text})
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
		Text: fmt.Sprintf("deleting stack %s deletes its %d resources (nested stacks included); there is no undo", s.Name, len(res))})
	chk.Fetched = &deleted{Stack: s, Resources: res, Retained: retained}
	return chk, nil
}

// deleted is what the delete's Check read.
type deleted struct {
	Stack     *orchestration.Stack
	Resources []orchestration.StackResource
	Retained  map[string]string
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	d, ok := tools.FetchedAs[*deleted](chk)
	if !ok {
		s, err := orchestration.Find(ctx, c, args.Stack)
		if err != nil {
			return nil, err
		}
		d = &deleted{Stack: s}
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: orchestration.URL(c, d.Stack)}}}
	pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: orchestration.Kind, ID: d.Stack.ID, Name: d.Stack.Name, Fate: "deleted with everything below"})
	for _, r := range d.Resources {
		fate := "deleted with the stack"
		if why, ok := d.Retained[r.Name]; ok && r.Parent == "" && strings.Contains(why, "Retain") {
			fate = "kept (deletion_policy Retain), no longer in any stack"
		}
		name := r.Name
		if r.Parent != "" {
			name = r.Parent + "/" + r.Name
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: r.Type, ID: r.PhysicalID, Name: name, Fate: fate})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	if args.DryRun {
		return nil, errors.New("--dry-run: nothing was deleted")
	}
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	r := stacks.Delete(ctx, c, s.Name, s.ID)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: orchestration.Kind, Name: args.Stack}
		}
		return nil, fmt.Errorf("delete stack %s: %w", s.Name, orchestration.Explain(r.Err))
	}
	aw := await(s, "DELETE", 0, "")
	aw.Gone = true
	aw.Until = []string{"DELETE_COMPLETE"}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s deleted", s.Name),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      aw,
	}, nil
}
