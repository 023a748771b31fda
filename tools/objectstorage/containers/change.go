package containers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"

	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// PublicACL is the read ACL of a public container: anyone may read its
// objects (.r:*) and list them (.rlistings), as `openstack container
// create --public` sets it.
const PublicACL = ".r:*,.rlistings"

// CreateArgs are the arguments of container.create.
type CreateArgs struct {
	Name          string `json:"name"`
	Public        bool   `json:"public,omitempty"`
	StoragePolicy string `json:"storage_policy,omitempty"`
}

// DeleteArgs are the arguments of container.delete.
type DeleteArgs struct {
	Container string `json:"container"`
	Recursive bool   `json:"recursive,omitempty"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name: "container.create", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"name"},
		Check:    checkCreate, Preview: previewCreate, Run: runCreate,
		Undo: func(args CreateArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "container.delete", Args: tools.JSON(DeleteArgs{Container: args.Name}), Why: "undo creating the container"}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name: "container.delete", Effect: tools.Destroy, Service: swift.Service,
		Produces: []string{"name"},
		Subject:  func(a DeleteArgs) (string, string) { return swift.ContainerKind, a.Container },
		Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		// Deleting thousands of objects takes as long as it takes; Ctrl-C
		// stops between requests and says what is left.
		Interruptible: true,
	})
}

func target(name string) tools.Target {
	return tools.Target{Kind: swift.ContainerKind, ID: name, Name: name}
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	info, err := swift.GetInfo(ctx, c)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{target(args.Name)}}
	if p := swift.ContainerProblem(args.Name, info); p != "" {
		swift.Block(chk, p)
		return chk, nil
	}
	switch ct, err := swift.GetContainer(ctx, c, args.Name); {
	case err == nil:
		swift.Block(chk, fmt.Sprintf("container %s already exists (%s, %s); change it with /container set %s",
			args.Name, swift.Plural(ct.Objects, "object"), swift.HumanBytes(ct.Bytes), args.Name))
	case !swift.IsNotFound(err):
		return nil, err
	}
	if args.StoragePolicy != "" {
		if p, ok := info.Policy(args.StoragePolicy); ok {
			args.StoragePolicy = p.Name
		} else {
			swift.Block(chk, fmt.Sprintf("this cluster has no storage policy %q; it has %s", args.StoragePolicy, info.PolicyNames()))
		}
	}
	if args.Public {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("container %s will be public: anyone who knows its URL can list and read its objects, without logging in", args.Name)})
	}
	chk.Resolved = tools.JSON(args)
	chk.State = "absent"
	return chk, nil
}

func createOpts(args CreateArgs) containers.CreateOpts {
	opts := containers.CreateOpts{StoragePolicy: args.StoragePolicy}
	if args.Public {
		opts.ContainerRead = PublicACL
	}
	return opts
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	h, err := createOpts(args).ToContainerCreateMap()
	if err != nil {
		return nil, err
	}
	how := "private"
	if args.Public {
		how = "public (read ACL " + PublicACL + ")"
	}
	if args.StoragePolicy != "" {
		how += ", storage policy " + args.StoragePolicy
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: swift.URL(c, args.Name), Body: swift.HeaderBody(h)}},
		Creates:  []string{fmt.Sprintf("container %s, %s", args.Name, how)},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := containers.Create(ctx, c, args.Name, createOpts(args))
	if r.Err != nil {
		return nil, fmt.Errorf("create container %s: %w", args.Name, r.Err)
	}
	env.Names.Remember(swift.ContainerKind, args.Name)
	msg := "container " + args.Name + " created"
	if args.Public {
		msg += " (public)"
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"name": args.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// contents is what a recursive delete found in a container.
type contents struct {
	container *swift.Container
	entries   []swift.Entry
	large     int
	// bytes is what the objects hold, large objects at their full size
	// (the container's own count has only their manifests).
	bytes int64
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	ct, err := resolve(ctx, c, args.Container)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{target(ct.Name)}, State: ct.State()}
	found := contents{container: ct}
	switch {
	case ct.Objects > 0 && !args.Recursive:
		swift.Block(chk, fmt.Sprintf("container %s holds %s (%s); add --recursive to delete them with it, or delete them first with /object delete",
			ct.Name, swift.Plural(ct.Objects, "object"), swift.HumanBytes(contentBytes(ctx, c, ct))))
	case ct.Objects > 0:
		if found.entries, err = swift.ListObjects(ctx, c, ct.Name, swift.ListOptions{}); err != nil {
			return nil, err
		}
		for _, e := range found.entries {
			if e.SLOEtag != "" {
				found.large++
			}
			found.bytes += e.Bytes
		}
		text := fmt.Sprintf("deletes %s (%s) in %s, then the container; objects cannot be recovered", swift.Plural(int64(len(found.entries)), "object"), swift.HumanBytes(found.bytes), ct.Name)
		switch {
		case found.large == 1:
			text += "; the large object among them takes its segments with it"
		case found.large > 1:
			text += fmt.Sprintf("; the %d large objects among them take their segments with them", found.large)
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: text})
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("container %s is empty", ct.Name)})
	}
	if ct.Public() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("container %s is public: links to its objects stop working", ct.Name)})
	}
	chk.Fetched = found
	return chk, nil
}

// onePage is as many objects as a refusal lists to size them.
const onePage = 10000

// contentBytes is what a container's objects hold, large objects at their
// full size, when one listing page has them all; else Swift's own count
// (in which a large object is its manifest).
func contentBytes(ctx context.Context, c *gophercloud.ServiceClient, ct *swift.Container) int64 {
	entries, err := swift.ListObjects(ctx, c, ct.Name, swift.ListOptions{Limit: onePage})
	if err != nil || len(entries) >= onePage {
		return ct.Bytes
	}
	var n int64
	for _, e := range entries {
		n += e.Bytes
	}
	return n
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	found, ok := tools.FetchedAs[contents](chk)
	if !ok {
		ct, err := resolve(ctx, c, args.Container)
		if err != nil {
			return nil, err
		}
		found = contents{container: ct}
		if args.Recursive && ct.Objects > 0 {
			if found.entries, err = swift.ListObjects(ctx, c, ct.Name, swift.ListOptions{}); err != nil {
				return nil, err
			}
		}
	}
	pv := &tools.Preview{}
	if args.Recursive && len(found.entries) > 0 {
		info, err := swift.GetInfo(ctx, c)
		if err != nil {
			return nil, err
		}
		var plain, large int64
		for _, e := range found.entries {
			if e.SLOEtag != "" {
				large++
				pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: swift.URL(c, args.Container, e.Name) + "?multipart-manifest=delete"})
			} else {
				plain++
			}
		}
		if plain > 0 {
			if info.Published && info.Has(swift.FeatureBulkDelete) {
				per := info.Int(swift.FeatureBulkDelete, "max_deletes_per_request", 10000)
				pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.Endpoint + "?bulk-delete=true",
					Body: fmt.Sprintf("%s of %s, up to %d a request", swift.Plural(plain, "object name"), args.Container, per)})
			} else {
				pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: swift.URL(c, args.Container, "{object}"),
					Body: fmt.Sprintf("once for each of %s", swift.Plural(plain, "object"))})
			}
		}
		var total int64
		for _, e := range found.entries {
			total += e.Bytes
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "objects", Name: fmt.Sprintf("%s (%s)", swift.Plural(int64(len(found.entries)), "object"), swift.HumanBytes(total)),
			Fate: "deleted for good"})
		if large > 0 {
			pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "segments", Name: "of " + swift.Plural(large, "large object"), Fate: "deleted with their manifests"})
		}
	}
	pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: swift.URL(c, args.Container)})
	pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: swift.ContainerKind, ID: args.Container, Name: args.Container, Fate: "deleted"})
	return pv, nil
}

// conflictRetries bounds how often a container DELETE is retried on 409:
// right after its last object goes, a container server may still count
// it for a moment.
const conflictRetries = 5

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	res := &tools.Result{Outputs: map[string]string{"name": args.Container}}
	var tally swift.DeleteTally
	if args.Recursive {
		info, err := swift.GetInfo(ctx, c)
		if err != nil {
			return nil, err
		}
		// The listing is taken again: objects written since the review
		// go too, as the person asked for the container's contents.
		entries, err := swift.ListObjects(ctx, c, args.Container, swift.ListOptions{})
		if err != nil {
			return nil, err
		}
		report := env.Report()
		report.Status(fmt.Sprintf("deleting %s in %s", swift.Plural(int64(len(entries)), "object"), args.Container))
		tally, err = swift.DeleteObjects(ctx, c, info, args.Container, entries, report)
		res.RequestIDs = tally.RequestIDs
		if err != nil {
			left := len(entries) - tally.Deleted
			if errors.Is(err, context.Canceled) {
				return res, fmt.Errorf("stopped: %s deleted, %s left in %s (the container is kept); run the delete again to finish",
					swift.Plural(int64(tally.Deleted), "object"), swift.Plural(int64(left), "object"), args.Container)
			}
			return res, fmt.Errorf("%w (%s deleted, %s left; the container is kept)", err, swift.Plural(int64(tally.Deleted), "object"), swift.Plural(int64(left), "object"))
		}
	}
	for try := 1; ; try++ {
		r := containers.Delete(ctx, c, args.Container)
		res.RequestIDs = append(res.RequestIDs, tools.HeaderRequestIDs(r.Header)...)
		switch {
		case r.Err == nil:
		case gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound):
			return res, &tools.NotFoundError{Kind: swift.ContainerKind, Name: args.Container}
		case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict) && args.Recursive && try < conflictRetries:
			if err := sleep(ctx, time.Duration(try)*500*time.Millisecond); err != nil {
				return res, err
			}
			continue
		case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict):
			return res, fmt.Errorf("container %s is not empty (objects were added since the check, or Swift still counts deleted ones); try again, with --recursive to delete what it holds", args.Container)
		default:
			return res, fmt.Errorf("delete container %s: %w", args.Container, r.Err)
		}
		break
	}
	res.Message = "container " + args.Container + " deleted"
	if tally.Deleted > 0 {
		res.Message += fmt.Sprintf(" with %s (%s)", swift.Plural(int64(tally.Deleted), "object"), swift.HumanBytes(tally.Bytes))
	}
	if tally.Large > 0 {
		// The segments went with their manifests; the container that held
		// them stays, and is worth a word when nothing is left in it.
		segs := args.Container + "_segments"
		if ct, err := swift.GetContainer(ctx, c, segs); err == nil && ct.Objects == 0 {
			res.Message += fmt.Sprintf("; %s, which held the segments, is empty now (/container delete %s removes it)", segs, segs)
		}
	}
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
