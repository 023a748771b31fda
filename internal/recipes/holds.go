package recipes

import (
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// targetStatus is the status a lifecycle verb leaves a resource in: what
// its holds check expects to read.
var targetStatus = map[string]string{
	"start":    "ACTIVE",
	"stop":     "SHUTOFF",
	"pause":    "PAUSED",
	"unpause":  "ACTIVE",
	"suspend":  "SUSPENDED",
	"resume":   "ACTIVE",
	"shelve":   "SHELVED_OFFLINE",
	"unshelve": "ACTIVE",
}

// createdStatus is the status a created resource settles in, where the
// kind has one worth checking.
var createdStatus = map[string]string{
	"server": "ACTIVE",
	"volume": "available",
}

// HoldsFor writes the holds check of a step whose goal can be read back
// (args are the step's, already with ${param.x} and ${step.field}):
//
//   - create → the kind's show finds the name (and, for a server, ACTIVE)
//   - start, stop, pause, suspend, shelve … → show reads the status
//   - set → show reads every field set
//   - security-group rule create → the group's rule list has the rule
//   - router add subnet → the router has a port on the subnet
//
// It returns nil where no read says it for sure: the step always runs.
func HoldsFor(reg *tools.Registry, tool *tools.Tool, args map[string]any) *plan.Holds {
	name := tool.Name
	noun, verb := name, ""
	if i := strings.LastIndex(name, "."); i > 0 {
		noun, verb = name[:i], name[i+1:]
	}
	switch name {
	case "security-group.rule.create":
		return ruleHolds(reg, args)
	case "router.add.subnet":
		if _, ok := reg.Lookup("port.list"); !ok || str(args["router"]) == "" || str(args["subnet"]) == "" {
			return nil
		}
		return &plan.Holds{Tool: "port.list", Args: map[string]any{"router": args["router"]},
			Expect: map[string]any{"fixed_ip_addresses": "~" + str(args["subnet"])}}
	}
	show, key := showOf(reg, noun)
	if show == "" {
		return nil
	}
	switch {
	case verb == "create":
		n := str(args["name"])
		if n == "" {
			return nil
		}
		h := &plan.Holds{Tool: show, Args: map[string]any{key: n}}
		if st, ok := createdStatus[noun]; ok {
			h.Expect = map[string]any{"status": st}
		}
		return h
	case targetStatus[verb] != "":
		target := str(args[key])
		if target == "" {
			return nil
		}
		return &plan.Holds{Tool: show, Args: map[string]any{key: target}, Expect: map[string]any{"status": targetStatus[verb]}}
	case verb == "set":
		target := str(args[key])
		if target == "" {
			return nil
		}
		expect := map[string]any{}
		for k, v := range args {
			if k == key {
				continue
			}
			switch v.(type) {
			case string, bool, float64:
				expect[k] = v
			default:
				// A list or a mapping cannot be compared field by field;
				// without a sure check the step runs.
				return nil
			}
		}
		if len(expect) == 0 {
			return nil
		}
		return &plan.Holds{Tool: show, Args: map[string]any{key: target}, Expect: expect}
	}
	return nil
}

// showOf is the kind's show tool and its first positional argument.
func showOf(reg *tools.Registry, noun string) (string, string) {
	t, ok := reg.Lookup(noun + ".show")
	if !ok || t.Effect != tools.Read || len(t.Spec.Positional) == 0 {
		return "", ""
	}
	return t.Name, t.Spec.Positional[0]
}

// ruleHolds lists the group's rules filtered as the rule was created, and
// expects one from the same range and on the same ports.
func ruleHolds(reg *tools.Registry, args map[string]any) *plan.Holds {
	list, ok := reg.Lookup("security-group.rule.list")
	if !ok || str(args["group"]) == "" {
		return nil
	}
	h := &plan.Holds{Tool: list.Name, Args: map[string]any{"group": args["group"]}, Expect: map[string]any{}}
	for _, k := range []string{"direction", "protocol", "ethertype"} {
		if _, ok := list.Spec.Prop(k); ok && str(args[k]) != "" {
			h.Args[k] = args[k]
		}
	}
	if ip := str(args["remote_ip"]); ip != "" {
		h.Expect["ip_range"] = ip
	}
	if p := str(args["dst_port"]); p != "" {
		if !strings.Contains(p, ":") && !strings.Contains(p, "${") {
			p += ":" + p
		}
		h.Expect["port_range"] = p
	} else {
		h.Expect["port_range"] = ""
	}
	if len(h.Expect) == 0 {
		h.Expect = nil
	}
	return h
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
