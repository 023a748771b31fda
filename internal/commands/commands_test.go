package commands

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func registry(t *testing.T) *tools.Registry {
	t.Helper()
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestComplete(t *testing.T) {
	c := &Completer{
		Registry: registry(t),
		Builtins: testBuiltins,
		Names: func(kind string) []string {
			return map[string][]string{"server": {"db-1", "web 2", "web-1"}, "flavor": {"m1.tiny"}}[kind]
		},
		Clouds: func() []string { return []string{"devcloud", "devcloud-admin"} },
	}
	tests := []struct {
		line        string
		want        []string
		wantReplace int
	}{
		{"/serv", []string{"server "}, 4},
		{"/server ", []string{"add", "console-log ", "event", "events ", "list ", "remove", "resize", "resize ", "show ", "stop "}, 0},
		{"/server sho", []string{"show "}, 3},
		{"/server show ", []string{"db-1", "'web 2'", "web-1"}, 0},
		{"/server show we", []string{"web-1"}, 2},
		{"/server list --st", []string{"--status"}, 4},
		{"/server list --status ", []string{"ACTIVE", "BUILD"}, 0},
		{"/server list -f ", []string{"table", "json", "yaml", "csv", "value"}, 0},
		{"/server list --flavor m", []string{"m1.tiny"}, 1},
		{"/volume snapshot l", []string{"list "}, 1},
		// The openstack spellings complete too.
		{"/flo", []string{"floating ", "floating-ip "}, 3},
		{"/floating ", []string{"ip"}, 0},
		{"/floating ip l", []string{"list "}, 1},
		{"/security group ", []string{"create ", "delete ", "list ", "rule", "set ", "show "}, 0},
		{"/server add f", []string{"floating", "floating-ip "}, 1},
		{"/console log show ", []string{"db-1", "'web 2'", "web-1"}, 0},
		{"/server image create web-1 --pro", []string{"--property"}, 5},
		{"/server create vm --net", []string{"--networks"}, 5},
		{"/image list --pub", []string{"--public"}, 5},
		{"/server create vm --flavor ", []string{"m1.tiny"}, 0},
		{"/server create vm --network n1 --flavor ", []string{"m1.tiny"}, 0},
		{"/server reboot --soft ", []string{"db-1", "'web 2'", "web-1"}, 0},
		{"/help fla", []string{"flavor "}, 3},
		{"/browse vo", []string{"volume backups", "volume snapshots", "volume types", "volumes"}, 2},
		{"/clo", []string{"cloud "}, 3},
		{"/cloud dev", []string{"devcloud", "devcloud-admin"}, 3},
		{"plain words", nil, 0},
		{"/", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, replace := c.Complete(tt.line, len([]rune(tt.line)))
			if tt.line == "/" {
				if len(got) < 10 {
					t.Errorf("/ completes to %v, want every noun and built-in", got)
				}
				return
			}
			if tt.line == "/server " {
				// Every verb is offered; check a sample of each shape: a
				// tool ("list "), a prefix of longer names ("add"), and a
				// name that is both ("resize" and "resize ").
				for _, w := range tt.want {
					if !contains(got, w) {
						t.Errorf("/server completes to %v, which lacks %q", got, w)
					}
				}
				return
			}
			if tt.line == "/server list --status " {
				// Enum values come from the schema; check a known prefix.
				if len(got) < 2 || !contains(got, "ACTIVE") || !contains(got, "ERROR") {
					t.Errorf("got %v, want the status enum", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
			if replace != tt.wantReplace {
				t.Errorf("replace = %d, want %d", replace, tt.wantReplace)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSuggest(t *testing.T) {
	reg := registry(t)
	tests := []struct {
		text  string
		first string
	}{
		{"which of my servers are in ERROR, and why?", "/server list"},
		{"show me my flavors", "/flavor list"},
		{"what networks do I have", "/network list"},
		{"list my volumes", "/volume list"},
		{"who am i", "/whoami"},
		{"how much quota is left", "/quota show"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Suggest(reg, tt.text, 3)
			if len(got) == 0 || got[0] != tt.first {
				t.Errorf("Suggest(%q) = %v, want %s first", tt.text, got, tt.first)
			}
		})
	}
	for _, s := range Suggest(reg, "which servers are in ERROR?", 3) {
		if !strings.HasPrefix(s, "/server ") {
			t.Errorf("a question about servers suggested %s", s)
		}
	}
	if got := Suggest(reg, "zzz qqq", 3); len(got) != 0 {
		t.Errorf("nonsense suggested %v", got)
	}
}

// testBuiltins stand in for a front end's built-ins.
var testBuiltins = []Builtin{{Name: "cloud", Usage: "/cloud [NAME]", Summary: "Show or switch the cloud"}, {Name: "exit", Usage: "/exit"}}

func TestHelp(t *testing.T) {
	reg := registry(t)
	var b bytes.Buffer
	WriteOverview(&b, reg, testBuiltins, func(service string) bool { return service != "volumev3" })
	out := b.String()
	for _, want := range []string{"/server list", "/flavor show FLAVOR", "/cloud [NAME]", "Not offered on this cloud", "/volume list (needs volumev3)", "Output flags"} {
		if !strings.Contains(out, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	tests := []struct {
		topic string
		ok    bool
		want  []string
	}{
		{"server list", true, []string{"usage: /server list", "--status", "Effect: read. Service: compute."}},
		{"/flavor show", true, []string{"usage: /flavor show FLAVOR", "may be given as FLAVOR without the flag"}},
		{"server", true, []string{"/server commands:", "/server show SERVER"}},
		{"cloud", true, []string{"/cloud [NAME]"}},
		// openstack spellings lead to ostui's help.
		{"floating ip", true, []string{"/floating ip commands:", "/floating-ip list", "(openstack: /floating ip list)"}},
		{"floating ip list", true, []string{"usage: /floating-ip list", "also typed the openstack way: /floating ip list"}},
		{"server image create", true, []string{"usage: /server snapshot SERVER NAME", "--metadata KEY=VALUE", "(openstack: --property)"}},
		{"server", true, []string{"/server snapshot SERVER NAME", "(openstack: /server image create)"}},
		{"image list", true, []string{"--visibility", "(openstack: --community (= community), --private (= private), --public (= public), --shared (= shared))"}},
		{"server reboot", true, []string{"(openstack: --soft (= false))"}},
		{"limits", true, []string{"ignored: --absolute"}},
		{"nothing here", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			var b bytes.Buffer
			if ok := WriteTopic(&b, reg, testBuiltins, tt.topic, nil); ok != tt.ok {
				t.Fatalf("WriteTopic = %v, want %v", ok, tt.ok)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("help for %q lacks %q:\n%s", tt.topic, w, b.String())
				}
			}
		})
	}
}
