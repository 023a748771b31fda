package reports

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
)

// More sources, read for tag policies only.
const (
	SrcNetworks Source = "networks"
	SrcSubnets  Source = "subnets"
)

// The catalog services the sources live in.
const (
	serviceCompute = "compute"
	serviceNetwork = "network"
	serviceVolume  = "volumev3"
	serviceImage   = "image"
)

// sourceService is the catalog service of each source.
var sourceService = map[Source]string{
	SrcServers: serviceCompute, SrcKeypairs: serviceCompute,
	SrcVolumes: serviceVolume, SrcSnapshots: serviceVolume,
	SrcFloatingIPs: serviceNetwork, SrcPorts: serviceNetwork, SrcRouters: serviceNetwork,
	SrcGroups: serviceNetwork, SrcNetworks: serviceNetwork, SrcSubnets: serviceNetwork,
	SrcImages: serviceImage,
}

// OrphanSources are the sources FindOrphans judges.
var OrphanSources = []Source{SrcServers, SrcVolumes, SrcSnapshots, SrcFloatingIPs, SrcPorts, SrcRouters, SrcGroups, SrcKeypairs, SrcImages}

// ReadFacts reads the sources in parallel through gophercloud (reads
// only: it runs in preflights too, under the read-only transport). A
// source the cloud lacks, or that fails, becomes a note and is left out
// of Facts.Read; the error is only for when nothing could be read.
func ReadFacts(ctx context.Context, env *tools.Env, srcs []Source) (Facts, []string, error) {
	f := Facts{Read: map[Source]bool{}}
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return f, nil, fmt.Errorf("read the catalog: %w", err)
	}
	if id, err := tools.CurrentIdentity(ctx, env); err == nil {
		f.ProjectID = id.ProjectID
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		notes []string
		errs  []error
	)
	for _, src := range srcs {
		if svc := sourceService[src]; !caps.Has(svc) {
			// Sources already started write notes too.
			mu.Lock()
			notes = append(notes, fmt.Sprintf("%s not checked: this cloud has no %s service", src, svc))
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fill, err := readSource(ctx, env, src, caps.Supports(serviceCompute, "2.26"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s not checked: %v", src, err))
				errs = append(errs, err)
				return
			}
			fill(&f)
			f.Read[src] = true
		}()
	}
	wg.Wait()
	sort.Strings(notes)
	if len(f.Read) == 0 && len(errs) > 0 {
		return f, notes, errors.Join(errs...)
	}
	return f, notes, nil
}

// readSource lists one source and returns how to put it into Facts (under
// ReadFacts' lock).
func readSource(ctx context.Context, env *tools.Env, src Source, computeTags bool) (func(*Facts), error) {
	client, err := env.Clients.ServiceClient(ctx, sourceService[src])
	if err != nil {
		return nil, err
	}
	switch src {
	case SrcServers:
		if computeTags {
			// Tags come with a server from 2.26 on.
			client.Microversion = "2.26"
		}
		all, err := listAll[server](ctx, servers.List(client, servers.ListOpts{}), "servers")
		if err != nil {
			return nil, fmt.Errorf("list servers: %w", err)
		}
		return func(f *Facts) {
			for _, s := range all {
				f.Servers = append(f.Servers, s.facts())
			}
		}, nil
	case SrcKeypairs:
		all, err := listAll[struct {
			Keypair struct {
				Name      string `json:"name"`
				CreatedAt string `json:"created_at"`
			} `json:"keypair"`
		}](ctx, keypairs.List(client, nil), "keypairs")
		if err != nil {
			return nil, fmt.Errorf("list key pairs: %w", err)
		}
		return func(f *Facts) {
			for _, k := range all {
				f.Keypairs = append(f.Keypairs, Keypair{Name: k.Keypair.Name, Created: parsed(k.Keypair.CreatedAt)})
			}
		}, nil
	case SrcVolumes:
		all, err := listAll[volume](ctx, volumes.List(client, volumes.ListOpts{}), "volumes")
		if err != nil {
			return nil, fmt.Errorf("list volumes: %w", err)
		}
		return func(f *Facts) {
			for _, v := range all {
				f.Volumes = append(f.Volumes, Volume{ID: v.ID, Name: v.Name, Status: v.Status, Size: v.Size,
					Attached: len(v.Attachments) > 0, Created: parsed(v.CreatedAt), Properties: v.Metadata})
			}
		}, nil
	case SrcSnapshots:
		all, err := listAll[struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			VolumeID  string `json:"volume_id"`
			Status    string `json:"status"`
			Size      int    `json:"size"`
			CreatedAt string `json:"created_at"`
		}](ctx, snapshots.List(client, snapshots.ListOpts{}), "snapshots")
		if err != nil {
			return nil, fmt.Errorf("list volume snapshots: %w", err)
		}
		return func(f *Facts) {
			for _, s := range all {
				f.Snapshots = append(f.Snapshots, Snapshot{ID: s.ID, Name: s.Name, VolumeID: s.VolumeID, Status: s.Status, Size: s.Size, Created: parsed(s.CreatedAt)})
			}
		}, nil
	case SrcFloatingIPs:
		all, err := listAll[struct {
			ID          string   `json:"id"`
			Address     string   `json:"floating_ip_address"`
			PortID      string   `json:"port_id"`
			Description string   `json:"description"`
			Tags        []string `json:"tags"`
			CreatedAt   string   `json:"created_at"`
			ProjectID   string   `json:"project_id"`
		}](ctx, floatingips.List(client, floatingips.ListOpts{}), "floatingips")
		if err != nil {
			return nil, fmt.Errorf("list floating IPs: %w", err)
		}
		return func(f *Facts) {
			for _, ip := range all {
				f.FloatingIPs = append(f.FloatingIPs, FloatingIP{ID: ip.ID, Address: ip.Address, PortID: ip.PortID,
					Description: ip.Description, Tags: ip.Tags, Created: parsed(ip.CreatedAt), ProjectID: ip.ProjectID})
			}
		}, nil
	case SrcPorts:
		all, err := listAll[struct {
			ID             string   `json:"id"`
			Name           string   `json:"name"`
			DeviceOwner    string   `json:"device_owner"`
			DeviceID       string   `json:"device_id"`
			SecurityGroups []string `json:"security_groups"`
			Tags           []string `json:"tags"`
			CreatedAt      string   `json:"created_at"`
			ProjectID      string   `json:"project_id"`
		}](ctx, ports.List(client, ports.ListOpts{}), "ports")
		if err != nil {
			return nil, fmt.Errorf("list ports: %w", err)
		}
		return func(f *Facts) {
			for _, p := range all {
				f.Ports = append(f.Ports, Port{ID: p.ID, Name: p.Name, DeviceOwner: p.DeviceOwner, DeviceID: p.DeviceID,
					SecurityGroups: p.SecurityGroups, Tags: p.Tags, Created: parsed(p.CreatedAt), ProjectID: p.ProjectID})
			}
		}, nil
	case SrcRouters:
		all, err := listAll[struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Gateway *struct {
				NetworkID string `json:"network_id"`
			} `json:"external_gateway_info"`
			Tags      []string `json:"tags"`
			CreatedAt string   `json:"created_at"`
			ProjectID string   `json:"project_id"`
		}](ctx, routers.List(client, routers.ListOpts{}), "routers")
		if err != nil {
			return nil, fmt.Errorf("list routers: %w", err)
		}
		return func(f *Facts) {
			for _, r := range all {
				f.Routers = append(f.Routers, Router{ID: r.ID, Name: r.Name, Gateway: r.Gateway != nil && r.Gateway.NetworkID != "",
					Tags: r.Tags, Created: parsed(r.CreatedAt), ProjectID: r.ProjectID})
			}
		}, nil
	case SrcGroups:
		all, err := listAll[struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Rules []struct {
				RemoteGroupID string `json:"remote_group_id"`
			} `json:"security_group_rules"`
			Tags      []string `json:"tags"`
			CreatedAt string   `json:"created_at"`
			ProjectID string   `json:"project_id"`
		}](ctx, groups.List(client, groups.ListOpts{}), "security_groups")
		if err != nil {
			return nil, fmt.Errorf("list security groups: %w", err)
		}
		return func(f *Facts) {
			for _, g := range all {
				fg := Group{ID: g.ID, Name: g.Name, Tags: g.Tags, Created: parsed(g.CreatedAt), ProjectID: g.ProjectID}
				for _, r := range g.Rules {
					if r.RemoteGroupID != "" && r.RemoteGroupID != g.ID {
						fg.RemoteGroups = append(fg.RemoteGroups, r.RemoteGroupID)
					}
				}
				f.Groups = append(f.Groups, fg)
			}
		}, nil
	case SrcNetworks:
		all, err := listAll[Tagged](ctx, networks.List(client, networks.ListOpts{}), "networks")
		if err != nil {
			return nil, fmt.Errorf("list networks: %w", err)
		}
		return func(f *Facts) { f.Networks = append(f.Networks, all...) }, nil
	case SrcSubnets:
		all, err := listAll[Tagged](ctx, subnets.List(client, subnets.ListOpts{}), "subnets")
		if err != nil {
			return nil, fmt.Errorf("list subnets: %w", err)
		}
		return func(f *Facts) { f.Subnets = append(f.Subnets, all...) }, nil
	case SrcImages:
		pager := images.List(client, images.ListOpts{})
		var all []Image
		err := pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
			ims, err := images.ExtractImages(page)
			if err != nil {
				return false, err
			}
			for _, im := range ims {
				all = append(all, Image{ID: im.ID, Name: im.Name, Owner: im.Owner, Status: string(im.Status), Protected: im.Protected,
					Visibility: string(im.Visibility), Created: im.CreatedAt.UTC(), Tags: im.Tags, Properties: stringProps(im.Properties)})
			}
			return true, nil
		})
		if err != nil {
			return nil, fmt.Errorf("list images: %w", err)
		}
		return func(f *Facts) { f.Images = append(f.Images, all...) }, nil
	}
	return nil, fmt.Errorf("unknown source %q", src)
}

// server is the part of a Nova server the reports read.
type server struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Status   string            `json:"status"`
	KeyName  string            `json:"key_name"`
	Image    any               `json:"image"`
	Created  string            `json:"created"`
	Updated  string            `json:"updated"`
	Metadata map[string]string `json:"metadata"`
	Tags     []string          `json:"tags"`
}

func (s server) facts() Server {
	out := Server{ID: s.ID, Name: s.Name, Status: s.Status, KeyName: s.KeyName, Created: parsed(s.Created), Updated: parsed(s.Updated),
		Tags: s.Tags, Properties: s.Metadata}
	// A server booted from a volume has "" for its image; one booted
	// from an image has {"id": ...}.
	if m, ok := s.Image.(map[string]any); ok {
		out.ImageID, _ = m["id"].(string)
	}
	return out
}

// volume is the part of a Cinder volume the reports read.
type volume struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Status      string            `json:"status"`
	Size        int               `json:"size"`
	Attachments []any             `json:"attachments"`
	CreatedAt   string            `json:"created_at"`
	Metadata    map[string]string `json:"metadata"`
}

// Tagged is a Neutron resource known by its tags only (a network, a
// subnet).
type Tagged struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Tags      []string `json:"tags"`
	ProjectID string   `json:"project_id"`
}

// listAll fetches every page and decodes the items under label into T.
func listAll[T any](ctx context.Context, pager pagination.Pager, label string) ([]T, error) {
	page, err := pager.AllPages(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := page.(interface {
		ExtractIntoSlicePtr(to any, label string) error
	})
	if !ok {
		return nil, fmt.Errorf("cannot decode a %T", page)
	}
	var out []T
	if err := ex.ExtractIntoSlicePtr(&out, label); err != nil {
		return nil, err
	}
	return out, nil
}

// parsed is ParseTime without the flag: zero when unknown.
func parsed(s string) time.Time {
	t, _ := ParseTime(s)
	return t
}

// stringProps keeps an image's string properties (Glance's own fields
// are not among them: gophercloud takes those out).
func stringProps(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
