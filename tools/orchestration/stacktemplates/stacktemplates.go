// Package stacktemplates holds the template tools: a stack's deployed
// template, and Heat's validation of a template file.
package stacktemplates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// Tools returns the template tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("stack.template.show", orchestration.Service, show),
		validateTool(),
	}
}

// validateTool is stack.template.validate, kept from the model and MCP
// clients: it reads a local file the person names, and its answer is
// that file's content as Heat reads it. /compose validates its drafts
// through the engine, which names the file it wrote itself.
func validateTool() tools.Tool {
	t := tools.ReadTool("stack.template.validate", orchestration.Service, validate)
	t.PersonOnly = true
	return t
}

// ShowArgs are the arguments of stack.template.show.
type ShowArgs struct {
	Stack string `json:"stack"`
}

// ValidateArgs are the arguments of stack.template.validate.
type ValidateArgs struct {
	TemplateFile    string            `json:"template_file"`
	EnvironmentFile []string          `json:"environment_file,omitempty"`
	Parameters      map[string]string `json:"parameters,omitempty"`
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	tpl, err := orchestration.DeployedTemplate(ctx, c, s)
	if err != nil {
		return nil, err
	}
	// As YAML, the way templates are written.
	b, err := yaml.Marshal(tpl)
	if err != nil {
		return nil, err
	}
	return &tools.Result{Text: string(b)}, nil
}

// Validate checks a template file locally (YAML, structure, the
// parameters given) and then with Heat's own template validate. It
// returns Heat's answer.
func Validate(ctx context.Context, env *tools.Env, f *orchestration.Files, params map[string]string) (map[string]any, error) {
	if problems := f.CheckParams(params); len(problems) > 0 {
		// A missing value is fine for validation: Heat checks the
		// template, not a stack.
		var keep []string
		for _, p := range problems {
			if !strings.Contains(p, " needs a value for ") {
				keep = append(keep, p)
			}
		}
		if len(keep) > 0 {
			return nil, errors.New(strings.Join(keep, "\n"))
		}
	}
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := f.ValidateBody(params)
	if err != nil {
		return nil, err
	}
	out, err := orchestration.Validate(ctx, c, body)
	if err != nil {
		return nil, errors.New(orchestration.Refusal("template validate", err))
	}
	return out, nil
}

func validate(ctx context.Context, env *tools.Env, args ValidateArgs) (*tools.Result, error) {
	f, err := orchestration.Load(args.TemplateFile, args.EnvironmentFile)
	if err != nil {
		return nil, err
	}
	out, err := Validate(ctx, env, f, args.Parameters)
	if err != nil {
		return nil, err
	}
	params, _ := out["Parameters"].(map[string]any)
	l := &tools.List{Columns: []tools.Column{{Name: "Parameter"}, {Name: "Type"}, {Name: "Default"}, {Name: "Description"}}}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p, _ := params[k].(map[string]any)
		var def any
		if d, ok := p["Default"]; ok {
			if _, s := d.(string); !s {
				b, _ := json.Marshal(d)
				d = string(b)
			}
			def = d
		}
		if p["NoEcho"] == "true" {
			def = "(hidden)"
		}
		l.Rows = append(l.Rows, []any{k, p["Type"], def, p["Description"]})
	}
	desc, _ := out["Description"].(string)
	msg := fmt.Sprintf("Heat validated %s: %d resources, %d parameters", filepath.Base(f.TemplatePath), len(f.Template.Resources), len(names))
	if desc != "" && desc != "No description" {
		msg += " — " + strings.TrimSpace(desc)
	}
	return &tools.Result{List: l, Message: msg}, nil
}
