package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/tools"
)

// saveComposed validates what compose mode produced and writes it to a
// new file in the compose directory. The path comes from the model, so it
// is held to a plain file name: no directories, no "..", no overwriting.
func (e *Engine) saveComposed(ctx context.Context, kind, path, content string) planner.Outcome {
	invalid := func(msgs ...string) planner.Outcome {
		return planner.Outcome{Status: planner.StatusInvalid, Retryable: true, Errors: msgs}
	}
	clean := filepath.Clean(path)
	if path == "" || clean != filepath.Base(clean) || strings.HasPrefix(clean, ".") {
		return invalid(fmt.Sprintf("path %q must be a plain file name in the current directory", path))
	}
	if ext := filepath.Ext(clean); ext != ".yaml" && ext != ".yml" {
		return invalid("the file name must end in .yaml")
	}
	switch kind {
	case "recipe":
		if errs := e.validateRecipe(content); len(errs) > 0 {
			return invalid(errs...)
		}
	case "heat":
		if errs := validateHeat(content); len(errs) > 0 {
			return invalid(errs...)
		}
	default:
		return invalid(`kind must be "recipe" or "heat"`)
	}
	target := clean
	if e.ComposeDir != "" {
		target = filepath.Join(e.ComposeDir, clean)
	}
	// 0644: a recipe or template holds no secrets and is meant to be shared.
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644) //nolint:gosec // a plain file name checked above
	if errors.Is(err, os.ErrExist) {
		return invalid(fmt.Sprintf("%s already exists; choose another name", clean))
	}
	if err != nil {
		return planner.Outcome{Status: planner.StatusFailed, Errors: []string{err.Error()}}
	}
	_, werr := f.WriteString(content)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return planner.Outcome{Status: planner.StatusFailed, Errors: []string{werr.Error()}}
	}
	abs, _ := filepath.Abs(target)
	next := "ostui run " + clean + " --check"
	if kind == "heat" {
		problems, note := e.heatValidate(ctx, abs)
		if len(problems) > 0 {
			// Heat refuses it: the draft goes back to the model, and
			// no file it cannot use is left behind.
			_ = os.Remove(target)
			return invalid(problems...)
		}
		if note != "" {
			e.emit(Notice{Text: note})
		}
		// A plan the person runs: Heat's preview first, then the create,
		// each through the gate.
		next = "/stack create -t " + abs + " NAME --dry-run, then /stack create -t " + abs + " NAME"
	}
	e.emit(Notice{Text: fmt.Sprintf("wrote %s (%s, validated, not run); next: %s", abs, kind, next)})
	return planner.Outcome{Status: planner.StatusOK, Summary: "saved " + clean}
}

// validateRecipe parses a recipe and validates its plan (parameters
// without defaults get a stand-in value) against the registry.
func (e *Engine) validateRecipe(content string) []string {
	r, err := plan.ParseRecipe([]byte(content))
	if err != nil {
		return []string{err.Error()}
	}
	values := map[string]string{}
	for name, p := range r.Params {
		if p.Default == nil {
			values[name] = "example"
		}
	}
	p, err := r.Plan(values)
	if err != nil {
		return []string{err.Error()}
	}
	e.init()
	if err := e.gate.Validate(p, nil); err != nil {
		var pe *gate.PlanError
		if errors.As(err, &pe) {
			return planErrors(pe)
		}
		return []string{err.Error()}
	}
	return nil
}

// validateHeat checks what can be checked without the cloud: YAML, a
// heat_template_version, and resources that each name a type.
func validateHeat(content string) []string {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return []string{"not YAML: " + err.Error()}
	}
	var out []string
	if _, ok := doc["heat_template_version"]; !ok {
		out = append(out, "heat_template_version is missing")
	}
	res, ok := doc["resources"].(map[string]any)
	if !ok || len(res) == 0 {
		return append(out, "resources is missing or empty")
	}
	for name, r := range res {
		m, ok := r.(map[string]any)
		if !ok {
			out = append(out, fmt.Sprintf("resource %s is not a mapping", name))
			continue
		}
		if t, _ := m["type"].(string); !strings.Contains(t, "::") && !strings.HasSuffix(t, ".yaml") {
			out = append(out, fmt.Sprintf("resource %s has no valid type (e.g. OS::Nova::Server)", name))
		}
	}
	return out
}

// heatValidate asks Heat (stack.template.validate, through the read
// path) whether it takes a composed template. The path is the one the
// engine wrote, never the model's: local files are the person's to name.
// problems are Heat's refusal; note says why Heat was not asked (no
// cloud, no Heat in the catalog), in which case the local checks stand.
func (e *Engine) heatValidate(ctx context.Context, path string) (problems []string, note string) {
	if _, ok := e.Registry.Lookup("stack.template.validate"); !ok {
		return nil, ""
	}
	_, err := e.Read(ctx, "compose", "stack.template.validate", tools.JSON(map[string]any{"template_file": path}))
	switch {
	case err == nil:
		return nil, ""
	case strings.Contains(err.Error(), "refuses it:") || strings.Contains(err.Error(), " line "):
		return []string{err.Error()}, ""
	}
	return nil, "the template was checked locally only; Heat could not be asked: " + strings.SplitN(err.Error(), "\n", 2)[0]
}
