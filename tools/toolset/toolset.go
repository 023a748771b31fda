// Package toolset gathers every tool package into one registry. It is the
// only place that knows the full list of tools.
package toolset

import (
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage/backups"
	"github.com/kriscelmer/os-tui/tools/blockstorage/snapshots"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumetypes"
	"github.com/kriscelmer/os-tui/tools/compute/flavors"
	"github.com/kriscelmer/os-tui/tools/compute/keypairs"
	"github.com/kriscelmer/os-tui/tools/compute/limits"
	"github.com/kriscelmer/os-tui/tools/compute/servers"
	"github.com/kriscelmer/os-tui/tools/identity/appcreds"
	"github.com/kriscelmer/os-tui/tools/identity/catalog"
	"github.com/kriscelmer/os-tui/tools/identity/projects"
	"github.com/kriscelmer/os-tui/tools/identity/whoami"
	"github.com/kriscelmer/os-tui/tools/image/images"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/l7policies"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/listeners"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/loadbalancers"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/members"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/monitors"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/pools"
	"github.com/kriscelmer/os-tui/tools/network/floatingips"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/ports"
	"github.com/kriscelmer/os-tui/tools/network/routers"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
	"github.com/kriscelmer/os-tui/tools/network/trunks"
	"github.com/kriscelmer/os-tui/tools/objectstorage/account"
	"github.com/kriscelmer/os-tui/tools/objectstorage/containers"
	"github.com/kriscelmer/os-tui/tools/objectstorage/objects"
	"github.com/kriscelmer/os-tui/tools/orchestration/stackevents"
	"github.com/kriscelmer/os-tui/tools/orchestration/stackresources"
	"github.com/kriscelmer/os-tui/tools/orchestration/stacks"
	"github.com/kriscelmer/os-tui/tools/orchestration/stacktemplates"
	"github.com/kriscelmer/os-tui/tools/quota"
	"github.com/kriscelmer/os-tui/tools/reports/orphans"
	"github.com/kriscelmer/os-tui/tools/reports/tags"
	"github.com/kriscelmer/os-tui/tools/telemetry/alarms"
	"github.com/kriscelmer/os-tui/tools/telemetry/metrics"
)

// All returns every tool ostui has, unregistered.
func All() []tools.Tool {
	var all []tools.Tool
	for _, group := range [][]tools.Tool{
		flavors.Tools(),
		quota.Tools(),
		catalog.Tools(),
		whoami.Tools(),
		projects.Tools(),
		appcreds.Tools(),
		snapshots.Tools(),
		volumes.Tools(),
		backups.Tools(), volumetypes.Tools(),
		keypairs.Tools(),
		limits.Tools(),
		servers.Tools(),
		secgroups.Tools(),
		floatingips.Tools(),
		ports.Tools(),
		routers.Tools(),
		subnets.Tools(),
		images.Tools(),
		networks.Tools(),
		trunks.Tools(),
		containers.Tools(),
		objects.Tools(),
		account.Tools(),
		stacks.Tools(), stackresources.Tools(), stackevents.Tools(), stacktemplates.Tools(),
		loadbalancers.Tools(), listeners.Tools(), pools.Tools(), members.Tools(), monitors.Tools(), l7policies.Tools(),
		orphans.Tools(), tags.Tools(),
		metrics.Tools(), alarms.Tools(),
	} {
		all = append(all, group...)
	}
	return all
}

// Registry compiles every schema and registers every tool.
func Registry() (*tools.Registry, error) {
	return tools.NewRegistry(schemas.FS, schemas.BaseURL, All())
}
