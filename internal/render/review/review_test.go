package review

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// evil is a name a hostile tenant could give a server: a terminal escape
// that would clear the screen, an 8-bit CSI, a bidi override and markdown
// that would turn into a link.
const evil = "web-1\x1b[2J\u009b31m\u202e[click](http://x)**bold**"

func reviews() map[string]*gate.Review {
	stop := &tools.Tool{Name: "server.stop", Effect: tools.Change,
		Undo: func(tools.Args, *tools.Result) *tools.Call { return &tools.Call{Tool: "server.start"} }}
	del := &tools.Tool{Name: "server.delete", Effect: tools.Destroy}
	create := &tools.Tool{Name: "keypair.create", Effect: tools.Change}
	long := strings.Repeat("x", 700)
	return map[string]*gate.Review{
		"slash-stop": {
			Plan: &plan.Plan{Goal: "/server stop web-1", Origin: plan.OriginSlash},
			Steps: []gate.StepReview{{
				Step:    plan.Step{ID: "stop", Tool: "server.stop", Args: tools.Args(`{"server":"web-1"}`)},
				Tool:    stop,
				Check:   &tools.Check{Targets: []tools.Target{{Kind: "server", ID: "9f1c", Name: "web-1"}}, Findings: []tools.Finding{{Level: tools.Info, Text: "web-1 is ACTIVE"}}},
				Preview: &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "https://nova/v2.1/servers/9f1c/action", Body: map[string]any{"os-stop": nil}}}},
			}},
		},
		"model-evil": {
			Plan: &plan.Plan{Goal: "tidy " + evil, Origin: plan.OriginModel},
			Steps: []gate.StepReview{
				{
					Step:    plan.Step{ID: "del", Tool: "server.delete", Args: tools.Args(`{"server":"x"}`), Why: "it is " + evil},
					Tool:    del,
					Check:   &tools.Check{Targets: []tools.Target{{Kind: "server", ID: "77", Name: evil}}, Findings: []tools.Finding{{Level: tools.Warn, Text: "locked by " + evil}}},
					Preview: &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: "https://nova/v2.1/servers/77"}}, Deletes: []tools.Dependent{{Kind: "port", Name: evil}, {Kind: "volume", ID: "v-1", Fate: "detached, kept"}}},
				},
				{
					Step:    plan.Step{ID: "key", Tool: "keypair.create", Args: tools.Args(`{"name":"k"}`)},
					Tool:    create,
					Check:   &tools.Check{Quota: []tools.QuotaUse{{Service: "compute", Resource: "key_pairs", InUse: 99, Limit: 100, Delta: 1}}},
					Preview: &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "https://nova/v2.1/os-keypairs", Body: map[string]any{"keypair": map[string]any{"name": long + "`end"}}}}, Creates: []string{"key pair k"}, Changes: []tools.FieldChange{{Field: "name", From: "", To: evil}}},
				},
			},
			Quota: []tools.QuotaUse{{Service: "compute", Resource: "key_pairs", InUse: 99, Limit: 100, Delta: 2}},
		},
		"forced-danger": {
			Plan: &plan.Plan{Goal: "/security group rule create web --dst-port 22 --force", Origin: plan.OriginSlash},
			Steps: []gate.StepReview{{
				Step: plan.Step{ID: "rule", Tool: "security-group.rule.create", Args: tools.Args(`{"group":"web"}`)},
				Tool: &tools.Tool{Name: "security-group.rule.create", Effect: tools.Change},
				Check: &tools.Check{Targets: []tools.Target{{Kind: "security group", ID: "5e", Name: "web"}}, Findings: []tools.Finding{
					{Level: tools.Info, Text: "ingress tcp 22 from 0.0.0.0/0"},
					{Level: tools.Danger, Text: "SSH (tcp 22) open to the whole internet " + evil},
				}},
			}},
		},
		"blocked": {
			Plan: &plan.Plan{Goal: "/server stop db-2", Origin: plan.OriginSlash},
			Steps: []gate.StepReview{{
				Step:  plan.Step{ID: "stop", Tool: "server.stop", Args: tools.Args(`{"server":"db-2"}`)},
				Tool:  stop,
				Err:   errors.New("no server named \"db-2\"\nsecond line"),
				Check: &tools.Check{Findings: []tools.Finding{{Level: tools.Block, Text: "db-2 is locked (by admin: \"maintenance\")"}}},
			}},
		},
	}
}

func TestGolden(t *testing.T) {
	for name, r := range reviews() {
		for style, write := range map[string]func(*gate.Review) string{"md": Markdown, "txt": Plain} {
			t.Run(name+"."+style, func(t *testing.T) {
				got := write(r)
				path := filepath.Join("testdata", name+"."+style+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/render/review -update)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("review differs from %s (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}

// TestNoControlReachesTheTerminal: whatever the cloud or a model put in a
// plan, the review holds no byte a terminal would act on.
func TestNoControlReachesTheTerminal(t *testing.T) {
	for name, r := range reviews() {
		for style, text := range map[string]string{"md": Markdown(r), "txt": Plain(r)} {
			for _, c := range text {
				if (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) {
					t.Errorf("%s.%s holds %U", name, style, c)
				}
			}
		}
	}
}

// TestDangerBanner: a forced guardrail is repeated, painted, above the
// approval prompt; a plan without one has no banner.
func TestDangerBanner(t *testing.T) {
	red := func(s string) string { return "<red>" + s + "</red>" }
	got := DangerBanner(reviews()["forced-danger"], red)
	want := "<red>‼ DANGER (step 1, /security-group rule create): SSH (tcp 22) open to the whole internet web-1\\x1b[2J\\u009b31m\\u202e[click](http://x)**bold**</red>\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("banner (-want +got):\n%s", diff)
	}
	if got := DangerBanner(reviews()["blocked"], red); got != "" {
		t.Errorf("banner without a danger: %q", got)
	}
}

// TestModelPlanShownWhole: a person's own command may have its body cut;
// a model's plan never, so nothing can hide past the cut.
func TestModelPlanShownWhole(t *testing.T) {
	r := reviews()["model-evil"]
	if !strings.Contains(Plain(r), "`end") {
		t.Error("a model's request body was cut")
	}
	r.Plan.Origin = plan.OriginSlash
	if strings.Contains(Plain(r), "`end") {
		t.Error("a person's long body was not cut")
	}
}

func TestSubjectHidesSecretArguments(t *testing.T) {
	s := &gate.StepReview{
		Step: plan.Step{ID: "key", Tool: "account.set", Args: tools.Args(`{"property":{"Temp-URL-Key":"CANARY-key","owner":"ops"}}`)},
		Tool: &tools.Tool{Name: "account.set", Effect: tools.Change},
	}
	got := StepSubject(s)
	if strings.Contains(got, "CANARY") || !strings.Contains(got, "owner:ops") {
		t.Errorf("subject = %q: the key must be hidden and the rest kept", got)
	}
}

func TestHeldStep(t *testing.T) {
	stop := &tools.Tool{Name: "server.stop", Effect: tools.Change,
		Undo: func(tools.Args, *tools.Result) *tools.Call { return &tools.Call{Tool: "server.start"} }}
	r := &gate.Review{
		Plan: &plan.Plan{Goal: "stop " + evil, Origin: plan.OriginRecipe},
		Steps: []gate.StepReview{
			{Step: plan.Step{ID: "stop", Tool: "server.stop", Args: tools.Args(`{"server":"web-1"}`)}, Tool: stop,
				Held: &gate.Held{Text: "stop: server " + evil + " already is SHUTOFF — nothing to do"}},
			{Step: plan.Step{ID: "stop2", Tool: "server.stop", Args: tools.Args(`{"server":"web-2"}`)}, Tool: stop,
				HoldsNote: "could not tell whether its goal already holds (server.show): 503", Check: &tools.Check{}},
		},
	}
	for name, text := range map[string]string{"plain": Plain(r), "markdown": Markdown(r)} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(text, "already is SHUTOFF — nothing to do") {
				t.Errorf("the held step does not say so:\n%s", text)
			}
			if strings.Count(text, "undo: /server start") != 1 {
				t.Errorf("want the undo only for the step that runs:\n%s", text)
			}
			if !strings.Contains(text, "⚠ could not tell whether its goal already holds") {
				t.Errorf("the holds note is missing:\n%s", text)
			}
			if strings.ContainsAny(text, "\x1b\u009b\u202e") {
				t.Errorf("cloud text reached the terminal raw:\n%q", text)
			}
		})
	}
}
