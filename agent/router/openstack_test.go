package router_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// TestRealOpenstackSpellings routes command lines as the openstack CLI
// spells them through the real schemas, and checks each makes exactly the
// call of ostui's own spelling (arguments valid by the schema, since
// Route validates).
// TestRealOpenstackFlagElsewhere: where the openstack CLI picks an
// operation by a flag, the error names the ostui command that takes it.
func TestRealOpenstackFlagElsewhere(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, nil)
	tests := []struct{ line, want string }{
		{"/keypair create k --public-key id.pub", "unknown flag --public-key (a flag of /keypair import, /keypair show)"},
		{"/server create vm --flavor m1.tiny --image cirros --hard", "unknown flag --hard (a flag of /server reboot)"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := r.Route(tt.line)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRealOpenstackSpellings(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, []string{"help"})
	const project = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		openstack string
		ostui     string
	}{
		{"/floating ip list --network public --status ACTIVE --long", "/floating-ip list --network public --status ACTIVE --long"},
		{"/security group list --project p1", "/security-group list --project p1"},
		{"/security group show default", "/security-group show default"},
		{"/security group rule list default --ingress --protocol tcp --ethertype IPv4", "/security-group rule list default --direction ingress --protocol tcp --ethertype IPv4"},
		{"/security group rule list --egress", "/security-group rule list --direction egress"},
		{"/server add floating ip web-1 172.24.4.10 --fixed-ip-address 10.0.0.5", "/server add floating-ip web-1 172.24.4.10 --fixed-address 10.0.0.5"},
		{"/server remove floating ip web-1 172.24.4.10", "/server remove floating-ip web-1 172.24.4.10"},
		{"/server add security group web-1 web", "/server add security-group web-1 web"},
		{"/server remove security group web-1 web", "/server remove security-group web-1 web"},
		{"/console log show web-1 --lines 50", "/server console-log web-1 --lines 50"},
		{"/server event list web-1", "/server events web-1"},
		{"/stack create -t web.yaml -e env.yaml -e more.yaml --parameter flavor=m1.nano --wait web", "/stack create web --template-file web.yaml --environment-file env.yaml --environment-file more.yaml --parameters flavor=m1.nano"},
		{"/stack update -t v2.yaml --existing --parameter count=2 web --wait", "/stack update web --template-file v2.yaml --existing --parameters count=2"},
		{"/stack resource list web --nested-depth 2", "/stack resource list web --nested-depth 2"},
		{"/orchestration template validate -t web.yaml", "/stack template validate --template-file web.yaml"},
		{"/server image create web-1 --name snap --property os_distro=cirros", "/server snapshot web-1 snap --metadata os_distro=cirros"},
		{"/server create web-1 --flavor m1.tiny --image cirros --network private --network public --key-name k --security-group default --security-group web --user-data ud.yaml --property role=web --availability-zone nova",
			"/server create web-1 --flavor m1.tiny --image cirros --networks private --networks public --key-name k --security-groups default --security-groups web --user-data-file ud.yaml --metadata role=web --availability-zone nova"},
		{"/server create vm --flavor m1.tiny --image cirros --port p1", "/server create vm --flavor m1.tiny --image cirros --ports p1"},
		{"/server create vm --flavor m1.tiny --volume boot-vol", "/server create vm --flavor m1.tiny --boot-volume boot-vol"},
		{"/server create vm --flavor m1.tiny --image cirros --boot-from-volume 10", "/server create vm --flavor m1.tiny --image cirros --volume-size 10"},
		{"/server reboot web-1 --soft", "/server reboot web-1 --no-hard"},
		{"/image list --public --status active --limit 5", "/image list --visibility public --status active --limit 5"},
		{"/image list --shared", "/image list --visibility shared"},
		{"/image create img --file x.qcow2 --disk-format qcow2 --container-format bare --public --protected --property os_distro=cirros --min-disk 1 --min-ram 64",
			"/image create img --file x.qcow2 --disk-format qcow2 --container-format bare --visibility public --protected --property os_distro=cirros --min-disk 1 --min-ram 64"},
		{"/image set img --private --unprotected --property k=v", "/image set img --visibility private --no-protected --property k=v"},
		{"/image set img --community", "/image set img --visibility community"},
		{"/keypair create k --private-key k.pem --type ssh", "/keypair create k --private-key-file k.pem --type ssh"},
		{"/keypair import k --public-key id.pub", "/keypair import k --public-key-file id.pub"},
		{"/limits show --absolute --project " + project, "/limits --project-id " + project},
		{"/quota show " + project, "/quota show --project " + project},
		{"/network list --internal --share", "/network list --no-external --shared"},
		{"/network list --external --no-share", "/network list --external --no-shared"},
		{"/catalog list", "/catalog"},
		{"/server delete web-1 --wait", "/server delete web-1"},
		{"/server image create web-1 --name snap --wait", "/server snapshot web-1 snap"},
		{"/server reboot web-1 --hard --wait", "/server reboot web-1 --hard"},
		{"/server list -c ID -c Name -f json --sort-column Name --sort-descending", "/server list --column ID --column Name --format json --sort Name:desc"},
	}
	for _, tt := range tests {
		t.Run(tt.openstack, func(t *testing.T) {
			want, err := r.Route(tt.ostui)
			if err != nil {
				t.Fatalf("ostui spelling %q: %v", tt.ostui, err)
			}
			got, err := r.Route(tt.openstack)
			if err != nil {
				t.Fatalf("openstack spelling: %v", err)
			}
			wc, gc := want.(router.Call), got.(router.Call)
			if gc.Tool.Name != wc.Tool.Name {
				t.Errorf("tool = %s, want %s", gc.Tool.Name, wc.Tool.Name)
			}
			if diff := cmp.Diff(string(wc.Args), string(gc.Args)); diff != "" {
				t.Errorf("args (-ostui +openstack):\n%s", diff)
			}
			if diff := cmp.Diff(wc.Output, gc.Output); diff != "" {
				t.Errorf("output (-ostui +openstack):\n%s", diff)
			}
		})
	}
}
