package servers

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	novakeypairs "github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	netlist "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	flavorreads "github.com/kriscelmer/os-tui/tools/compute/flavors"
	"github.com/kriscelmer/os-tui/tools/compute/keypairs"
	"github.com/kriscelmer/os-tui/tools/image/images"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/ports"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// CreateArgs are the arguments of server.create. After Check, every
// reference to another resource is its ID.
type CreateArgs struct {
	Name                string            `json:"name"`
	Flavor              string            `json:"flavor"`
	Image               string            `json:"image,omitempty"`
	BootVolume          string            `json:"boot_volume,omitempty"`
	VolumeSize          int               `json:"volume_size,omitempty"`
	DeleteOnTermination bool              `json:"delete_on_termination,omitempty"`
	Networks            []string          `json:"networks,omitempty"`
	Ports               []string          `json:"ports,omitempty"`
	KeyName             string            `json:"key_name,omitempty"`
	SecurityGroups      []string          `json:"security_groups,omitempty"`
	UserDataFile        string            `json:"user_data_file,omitempty"`
	Metadata            map[string]string `json:"metadata,omitempty"`
	Count               int               `json:"count,omitempty"`
	AvailabilityZone    string            `json:"availability_zone,omitempty"`
}

func (a CreateArgs) count() int { return max(a.Count, 1) }

// maxUserData is Nova's limit on user data, counted base64-encoded.
const maxUserData = 65535

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "server.create",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo:     undoCreate,
	})
}

// createCheck is the preflight of one server.create under construction.
type createCheck struct {
	chk  *tools.Check
	args CreateArgs // resolved as far as the lookups went
	// names of what the server is made of, for the dry-run's summary.
	flavor, image, volume string
	nets                  []string
	state                 []string
}

func (c *createCheck) add(f ...tools.Finding) { c.chk.Findings = append(c.chk.Findings, f...) }

// lookup runs one name lookup; a missing or ambiguous name becomes a
// blocking finding and ok=false.
func (c *createCheck) lookup(err error) (ok bool, _ error) {
	if err == nil {
		return true, nil
	}
	f, err := lookupFinding(err)
	if err != nil {
		return false, err
	}
	c.add(f)
	return false, nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c := &createCheck{chk: &tools.Check{}, args: args}
	c.exclusive()

	project, err := quota.Project(ctx, env, "")
	if err != nil {
		return nil, err
	}
	fl, err := c.resolveFlavor(ctx, env)
	if err != nil {
		return nil, err
	}
	if err := c.resolveImage(ctx, env, fl); err != nil {
		return nil, err
	}
	if err := c.resolveBootVolume(ctx, env); err != nil {
		return nil, err
	}
	if err := c.resolveNetworks(ctx, env, project); err != nil {
		return nil, err
	}
	if err := c.resolveRest(ctx, env); err != nil {
		return nil, err
	}
	c.userData()

	n := c.args.count()
	var needs []quota.Need
	if fl != nil {
		needs = append(needs,
			quota.Need{Service: "compute", Resource: "instances", Delta: n},
			quota.Need{Service: "compute", Resource: "cores", Delta: fl.VCPUs * n},
			quota.Need{Service: "compute", Resource: "ram", Delta: fl.RAM * n})
	}
	needs = append(needs, quota.Need{Service: "network", Resource: "port", Delta: len(c.args.Networks) * n})
	if c.args.VolumeSize > 0 {
		needs = append(needs,
			quota.Need{Service: "volumev3", Resource: "volumes", Delta: n},
			quota.Need{Service: "volumev3", Resource: "gigabytes", Delta: c.args.VolumeSize * n})
	}
	if err := quota.Preflight(ctx, env, c.chk, project, needs...); err != nil {
		return nil, err
	}

	c.chk.Targets = append([]tools.Target{{Kind: "server", Name: args.Name}}, c.chk.Targets...)
	c.chk.Resolved = tools.JSON(c.args)
	c.chk.State = strings.Join(c.state, " ")
	return c.chk, nil
}

// exclusive checks the argument combinations the schema cannot express
// in a sentence a person reads.
func (c *createCheck) exclusive() {
	a := c.args
	switch {
	case a.Image == "" && a.BootVolume == "":
		c.add(block("name an image to boot from (--image), or a volume (--boot-volume)"))
	case a.Image != "" && a.BootVolume != "":
		c.add(block("give either an image or a boot volume, not both; to boot from a new volume made from the image, use --image with --volume-size"))
	}
	if a.VolumeSize > 0 && a.Image == "" {
		c.add(block("--volume-size makes a new boot volume from an image; name the image with --image"))
	}
	if a.DeleteOnTermination && a.VolumeSize == 0 && a.BootVolume == "" {
		c.add(block("--delete-on-termination applies to a boot volume; add --volume-size or --boot-volume"))
	}
	if len(a.Ports) > 0 && a.count() > 1 {
		c.add(block("a port can belong to only one server; drop --ports or create one server at a time (count %d)", a.count()))
	}
}

func (c *createCheck) resolveFlavor(ctx context.Context, env *tools.Env) (*flavors.Flavor, error) {
	if c.args.Flavor == "" || tools.IsRef(c.args.Flavor) {
		c.flavor = c.args.Flavor
		return nil, nil
	}
	fl, err := flavorreads.Resolve(ctx, env, c.args.Flavor)
	if ok, err := c.lookup(err); !ok {
		return nil, err
	}
	c.args.Flavor, c.flavor = fl.ID, fl.Name
	c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "flavor", ID: fl.ID, Name: fl.Name})
	c.state = append(c.state, "flavor="+fl.ID)
	return fl, nil
}

// resolveImage finds the image and checks that the flavor (or the new
// volume) is big enough for it, as Nova would refuse it.
func (c *createCheck) resolveImage(ctx context.Context, env *tools.Env, fl *flavors.Flavor) error {
	if c.args.Image == "" {
		return nil
	}
	if tools.IsRef(c.args.Image) {
		c.image = c.args.Image
		return nil
	}
	img, err := images.Resolve(ctx, env, c.args.Image)
	if ok, err := c.lookup(err); !ok {
		return err
	}
	id, _ := img["id"].(string)
	name, _ := img["name"].(string)
	status, _ := img["status"].(string)
	c.args.Image, c.image = id, name
	c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "image", ID: id, Name: name})
	c.state = append(c.state, "image="+id+"("+status+")")
	if status != "active" {
		c.add(block("image %s is %s; a server can boot only from an active image", name, status))
	}
	minRAM, minDisk, size := num(img["min_ram"]), num(img["min_disk"]), num(img["size"])
	if fl != nil && minRAM > fl.RAM {
		c.add(block("image %s needs at least %d MB of RAM; flavor %s has %d MB", name, minRAM, fl.Name, fl.RAM))
	}
	switch {
	case c.args.VolumeSize > 0:
		if minDisk > c.args.VolumeSize {
			c.add(block("image %s needs a disk of at least %d GB; --volume-size is %d GB", name, minDisk, c.args.VolumeSize))
		}
		if size > c.args.VolumeSize<<30 {
			c.add(block("image %s is %d bytes, more than the %d GB volume holds", name, size, c.args.VolumeSize))
		}
	case fl != nil && fl.Disk == 0:
		c.add(warn("flavor %s has no root disk size (0 GB); Nova sizes the disk from the image and, by default, lets only admins boot such a flavor from an image", fl.Name))
	case fl != nil:
		if minDisk > fl.Disk {
			c.add(block("image %s needs a disk of at least %d GB; flavor %s has %d GB", name, minDisk, fl.Name, fl.Disk))
		}
		if size > fl.Disk<<30 {
			c.add(block("image %s is %d bytes, more than flavor %s's %d GB root disk holds", name, size, fl.Name, fl.Disk))
		}
	}
	return nil
}

// num reads a JSON number (or null) as an int.
func num(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 0
}

func (c *createCheck) resolveBootVolume(ctx context.Context, env *tools.Env) error {
	if c.args.BootVolume == "" {
		return nil
	}
	if tools.IsRef(c.args.BootVolume) {
		c.volume = c.args.BootVolume
		return nil
	}
	v, err := volumes.Resolve(ctx, env, c.args.BootVolume)
	if ok, err := c.lookup(err); !ok {
		return err
	}
	c.args.BootVolume, c.volume = v.ID, v.Name
	if c.volume == "" {
		c.volume = v.ID
	}
	c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "volume", ID: v.ID, Name: v.Name})
	c.state = append(c.state, "volume="+v.ID+"("+v.Status+")")
	if v.Status != "available" {
		c.add(block("volume %s is %s; a server can boot only from an available volume", c.volume, v.Status))
	}
	if v.Bootable != "true" {
		c.add(block("volume %s is not bootable; make it from an image, or mark it bootable", c.volume))
	}
	return nil
}

// resolveNetworks resolves the networks given or, when neither networks
// nor ports are, picks the project's only network.
func (c *createCheck) resolveNetworks(ctx context.Context, env *tools.Env, project string) error {
	if len(c.args.Networks) == 0 && len(c.args.Ports) == 0 {
		return c.pickNetwork(ctx, env, project)
	}
	for i, ref := range c.args.Networks {
		if tools.IsRef(ref) {
			c.nets = append(c.nets, ref)
			continue
		}
		n, err := networks.Resolve(ctx, env, ref)
		if ok, err := c.lookup(err); !ok {
			if err != nil {
				return err
			}
			continue
		}
		c.args.Networks[i] = n.ID
		c.nets = append(c.nets, n.Name)
		c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "network", ID: n.ID, Name: n.Name})
		if n.External {
			c.add(warn("network %s is external; Nova can plug a server into it only if the cloud allows it (most give floating IPs instead)", n.Name))
		}
	}
	return nil
}

// pickNetwork uses the one network of the project (its own or shared,
// not external). With several, Nova would refuse the request, so the
// preflight names them for the person to choose.
func (c *createCheck) pickNetwork(ctx context.Context, env *tools.Env, project string) error {
	all, err := networks.All(ctx, env, netlist.ListOpts{})
	if err != nil {
		return err
	}
	var usable []networks.Network
	for _, n := range all {
		if !n.External && (n.ProjectID == project || n.Shared) {
			usable = append(usable, n)
		}
	}
	sort.Slice(usable, func(i, j int) bool { return usable[i].Name < usable[j].Name })
	switch len(usable) {
	case 0:
		c.add(block("the project has no network to plug the server into; create one, or name an external network with --networks"))
	case 1:
		n := usable[0]
		c.args.Networks = []string{n.ID}
		c.nets = []string{n.Name}
		c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "network", ID: n.ID, Name: n.Name})
		c.add(info("no network given: using %s, the project's only network", n.Name))
	default:
		names := make([]string, 0, len(usable))
		for _, n := range usable {
			names = append(names, fmt.Sprintf("%s (%s)", n.Name, n.ID))
		}
		c.add(block("the project has %d networks; choose with --networks: %s", len(usable), strings.Join(names, ", ")))
	}
	return nil
}

// resolveRest resolves ports, the key pair and security groups.
func (c *createCheck) resolveRest(ctx context.Context, env *tools.Env) error {
	for i, ref := range c.args.Ports {
		if tools.IsRef(ref) {
			c.nets = append(c.nets, "port "+ref)
			continue
		}
		p, err := ports.Resolve(ctx, env, ref)
		if ok, err := c.lookup(err); !ok {
			if err != nil {
				return err
			}
			continue
		}
		label := p.Name
		if label == "" {
			label = p.ID
		}
		c.args.Ports[i] = p.ID
		c.nets = append(c.nets, "port "+label)
		c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "port", ID: p.ID, Name: p.Name})
		c.state = append(c.state, "port="+p.ID+"("+p.DeviceID+")")
		if p.DeviceID != "" {
			c.add(block("port %s is in use by %s %s; detach it first or use another port", label, strings.TrimPrefix(p.DeviceOwner, "compute:"), p.DeviceID))
		}
	}
	if c.args.KeyName != "" && !tools.IsRef(c.args.KeyName) {
		k, err := keypairs.Resolve(ctx, env, c.args.KeyName)
		if ok, err := c.lookup(err); !ok {
			if err != nil {
				return err
			}
		} else {
			c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "keypair", ID: k.Name, Name: k.Name})
		}
	}
	for i, ref := range c.args.SecurityGroups {
		if tools.IsRef(ref) {
			continue
		}
		g, err := secgroups.Resolve(ctx, env, ref)
		if ok, err := c.lookup(err); !ok {
			if err != nil {
				return err
			}
			continue
		}
		c.args.SecurityGroups[i] = g.ID
		c.chk.Targets = append(c.chk.Targets, tools.Target{Kind: "security-group", ID: g.ID, Name: g.Name})
	}
	return nil
}

// userData checks that the user data file exists and fits Nova's limit.
// Only its size is read here: its content never enters a preflight.
func (c *createCheck) userData() {
	if c.args.UserDataFile == "" {
		return
	}
	path, err := filepath.Abs(c.args.UserDataFile)
	if err != nil {
		path = c.args.UserDataFile
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		c.add(block("cannot read user data file %s: %v", c.args.UserDataFile, unwrapPath(err)))
		return
	case st.IsDir():
		c.add(block("user data file %s is a directory", c.args.UserDataFile))
		return
	case base64.StdEncoding.EncodedLen(int(st.Size())) > maxUserData:
		c.add(block("user data file %s is %d bytes; Nova takes at most %d bytes base64-encoded (about %d bytes of text)",
			c.args.UserDataFile, st.Size(), maxUserData, maxUserData/4*3))
		return
	}
	c.args.UserDataFile = path
	c.state = append(c.state, fmt.Sprintf("user_data=%d", st.Size()))
	c.add(info("user data: %s", userDataPlaceholder(int(st.Size()), path)))
}

// unwrapPath drops the path from an *os.PathError: the finding names it.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// userDataPlaceholder stands for user data wherever a request is shown:
// user data often holds secrets, so its content is never displayed.
func userDataPlaceholder(n int, file string) string {
	return fmt.Sprintf("<%d bytes from %s>", n, file)
}

// createOpts builds the request from resolved arguments: the key pair
// rides on gophercloud's keypairs extension of the create request.
func createOpts(a CreateArgs, userData []byte) servers.CreateOptsBuilder {
	opts := serverOpts(a, userData)
	if a.KeyName == "" {
		return opts
	}
	return novakeypairs.CreateOptsExt{CreateOptsBuilder: opts, KeyName: a.KeyName}
}

// serverOpts builds the request's core from resolved arguments.
func serverOpts(a CreateArgs, userData []byte) servers.CreateOpts {
	opts := servers.CreateOpts{
		Name:             a.Name,
		ImageRef:         a.Image,
		FlavorRef:        a.Flavor,
		SecurityGroups:   a.SecurityGroups,
		UserData:         userData,
		AvailabilityZone: a.AvailabilityZone,
		Metadata:         a.Metadata,
	}
	var nets []servers.Network
	for _, n := range a.Networks {
		nets = append(nets, servers.Network{UUID: n})
	}
	for _, p := range a.Ports {
		nets = append(nets, servers.Network{Port: p})
	}
	if len(nets) > 0 {
		opts.Networks = nets
	}
	switch {
	case a.BootVolume != "":
		opts.BlockDevice = []servers.BlockDevice{{
			SourceType: servers.SourceVolume, UUID: a.BootVolume, BootIndex: 0,
			DestinationType: servers.DestinationVolume, DeleteOnTermination: a.DeleteOnTermination,
		}}
	case a.VolumeSize > 0:
		opts.ImageRef = ""
		opts.BlockDevice = []servers.BlockDevice{{
			SourceType: servers.SourceImage, UUID: a.Image, BootIndex: 0,
			DestinationType: servers.DestinationVolume, VolumeSize: a.VolumeSize, DeleteOnTermination: a.DeleteOnTermination,
		}}
	}
	if n := a.count(); n > 1 {
		opts.Min, opts.Max = n, n
	}
	return opts
}

// createBody is the request body exactly as gophercloud builds it.
func createBody(a CreateArgs, userData []byte) (map[string]any, error) {
	b, err := createOpts(a, userData).ToServerCreateMap()
	if err != nil {
		return nil, fmt.Errorf("build the create request: %w", err)
	}
	return b, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createBody(args, nil)
	if err != nil {
		return nil, err
	}
	if args.UserDataFile != "" {
		size := -1
		if st, err := os.Stat(args.UserDataFile); err == nil {
			size = int(st.Size())
		}
		body["server"].(map[string]any)["user_data"] = userDataPlaceholder(size, args.UserDataFile)
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers"), Body: body}},
		Creates:  createLines(args, chk),
	}, nil
}

// createLines sums up what is created: "server web-1 (m1.small, cirros)
// on private", and the boot volume when one is made.
func createLines(a CreateArgs, chk *tools.Check) []string {
	name := func(kind, id string) string {
		if chk != nil {
			for _, t := range chk.Targets {
				if t.Kind == kind && t.ID == id && t.Name != "" {
					return t.Name
				}
			}
		}
		return id
	}
	var boot string
	switch {
	case a.BootVolume != "":
		boot = "volume " + name("volume", a.BootVolume)
	default:
		boot = name("image", a.Image)
	}
	var on []string
	for _, n := range a.Networks {
		on = append(on, name("network", n))
	}
	for _, p := range a.Ports {
		on = append(on, "port "+name("port", p))
	}
	what := fmt.Sprintf("(%s, %s) on %s", name("flavor", a.Flavor), boot, strings.Join(on, ", "))
	var out []string
	if n := a.count(); n > 1 {
		out = append(out, fmt.Sprintf("%d servers %s-1 … %s-%d %s", n, a.Name, a.Name, n, what))
	} else {
		out = append(out, fmt.Sprintf("server %s %s", a.Name, what))
	}
	if a.VolumeSize > 0 {
		fate := "kept when the server is deleted"
		if a.DeleteOnTermination {
			fate = "deleted with the server"
		}
		out = append(out, fmt.Sprintf("boot volume of %d GB from image %s per server, %s", a.VolumeSize, name("image", a.Image), fate))
	}
	return out
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	var userData []byte
	if args.UserDataFile != "" {
		userData, err = os.ReadFile(args.UserDataFile)
		if err != nil {
			// The error names the file, never its content.
			return nil, fmt.Errorf("read user data file %s: %w", args.UserDataFile, unwrapPath(err))
		}
	}
	r := servers.Create(ctx, c, createOpts(args, userData), nil)
	ids := tools.HeaderRequestIDs(r.Header)
	if ids == nil {
		ids = tools.RequestIDs(nil, r.Err)
	}
	if r.Err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create server %s: %w", args.Name, r.Err)
	}
	// The response also holds the admin password; only the ID is kept.
	srv, err := r.Extract()
	if err != nil || srv.ID == "" {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create server %s: the response has no server ID", args.Name)
	}
	id := srv.ID
	env.Names.Remember("server", args.Name)
	msg := fmt.Sprintf("server %s (%s) is being built", args.Name, id)
	if n := args.count(); n > 1 {
		msg = fmt.Sprintf("%d servers named %s-1 … %s-%d are being built; waiting for %s", n, args.Name, args.Name, n, id)
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": id, "name": args.Name},
		RequestIDs: ids,
		Await: &tools.Await{
			Kind: "server", ID: id, Name: args.Name,
			Until: []string{"ACTIVE"},
			Fail:  []string{"ERROR"},
			Poll:  pollServer(id),
		},
	}, nil
}

// undoCreate deletes the new server. Several servers made at once have
// one known ID, so there is no whole inverse to offer.
func undoCreate(args CreateArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["id"] == "" || args.count() > 1 {
		return nil
	}
	return &tools.Call{Tool: "server.delete", Args: tools.JSON(map[string]string{"server": res.Outputs["id"]}), Why: "undo create of server " + args.Name}
}
