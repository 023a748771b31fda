package objects

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Swift's ETag is an MD5; it checks transfer integrity, not secrecy
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"

	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// DefaultSegmentSize is the size above which a file goes up as a static
// large object, and the size of its segments: 1 GiB keeps most files one
// atomic PUT, and a failed big upload loses at most one segment's work.
const DefaultSegmentSize = 1 << 30

// previewFiles is how many files a review lists one by one.
const previewFiles = 10

// maxUndoObjects bounds the objects an undo of an upload deletes by name;
// a bigger upload is undone with /container delete --recursive or by
// prefix, which the message says.
const maxUndoObjects = 1000

// CreateArgs are the arguments of object.create.
type CreateArgs struct {
	Container   string `json:"container"`
	File        string `json:"file"`
	Name        string `json:"name,omitempty"`
	SegmentSize string `json:"segment_size,omitempty"`
}

// DeleteArgs are the arguments of object.delete.
type DeleteArgs struct {
	Container string   `json:"container"`
	Objects   []string `json:"objects"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name: "object.create", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"container", "name"},
		Check:    checkCreate, Preview: previewCreate, Run: runCreate,
		// An upload streams for as long as it takes; Ctrl-C takes back the
		// segments this run sent, and no half object is ever visible.
		Interruptible: true,
		Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["created"] == "" {
				return nil
			}
			var names []string
			if err := json.Unmarshal([]byte(res.Outputs["created"]), &names); err != nil || len(names) == 0 {
				return nil
			}
			return &tools.Call{Tool: "object.delete", Args: tools.JSON(DeleteArgs{Container: args.Container, Objects: names}),
				Why: "undo the upload: delete the objects it created (objects it replaced cannot be brought back)"}
		},
	})
}

// upload is one local file and the object it becomes.
type upload struct {
	Path    string
	Object  string
	Size    int64
	ModTime time.Time
	// Replaces is the object of that name already in the container.
	Replaces *swift.Entry
}

// uploadPlan is everything an upload does, worked out once for Check,
// Preview and Run.
type uploadPlan struct {
	container *swift.Container
	source    string // the absolute path given
	folder    bool
	prefix    string // object name prefix of a folder upload
	files     []upload
	total     int64
	segSize   int64
	// segments is the container large files' segments go to, and
	// segmentsExist whether it is there already.
	segments      string
	segmentsExist bool
}

func (p *uploadPlan) large(u upload) bool { return u.Size > p.segSize }

func (p *uploadPlan) segmentCount(u upload) int64 { return (u.Size + p.segSize - 1) / p.segSize }

// segmentPrefix names a file's segments the way the swift client does
// (NAME/slo/MTIME/SIZE/SEGMENT_SIZE/), so the same file uploaded again
// finds its segments from an interrupted try, and a changed file does not.
func (p *uploadPlan) segmentPrefix(u upload) string {
	mtime := float64(u.ModTime.UnixNano()) / 1e9
	return fmt.Sprintf("%s/slo/%.6f/%d/%d/", u.Object, mtime, u.Size, p.segSize)
}

// localPath turns what a person typed into an absolute path ("~/x" too).
func localPath(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home directory for %s: %w", p, err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return filepath.Abs(p)
}

// defaultName is the object name (or a folder's prefix) for a path as
// typed: the path itself when it is relative and stays below the current
// folder, as `openstack object create` names objects, else its base name.
func defaultName(typed string) string {
	t := filepath.Clean(typed)
	switch {
	case t == ".":
		return ""
	case filepath.IsAbs(t), strings.HasPrefix(typed, "~"), t == "..", strings.HasPrefix(t, ".."+string(filepath.Separator)):
		return filepath.Base(t)
	}
	return filepath.ToSlash(t)
}

// gather lists the regular files under root (root itself when it is a
// file), sorted; what cannot be read is a problem sentence.
func gather(root string, fi fs.FileInfo, prefix string) ([]upload, []string) {
	if !fi.IsDir() {
		return []upload{{Path: root, Object: prefix, Size: fi.Size(), ModTime: fi.ModTime()}}, nil
	}
	var out []upload
	var problems []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// Say what cannot be read and go on: the review lists it.
			problems = append(problems, fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err)))
			return nil //nolint:nilerr // reported as a problem above
		}
		if d.IsDir() {
			return nil
		}
		// Stat follows a link to a file; a dangling link, a socket or a
		// device is no file to upload and is left out.
		info, err := os.Stat(path)
		if err != nil || !info.Mode().IsRegular() {
			return nil //nolint:nilerr // skipped on purpose
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil //nolint:nilerr // cannot happen below root
		}
		name := filepath.ToSlash(rel)
		if prefix != "" {
			name = prefix + "/" + name
		}
		out = append(out, upload{Path: path, Object: name, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		problems = append(problems, fmt.Sprintf("cannot read %s: %v", root, err))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Object < out[j].Object })
	return out, problems
}

// prepare works out an upload. Problems are sentences that stop it; an
// error is a failure to ask the cloud.
func prepare(ctx context.Context, c *gophercloud.ServiceClient, info *swift.Info, args CreateArgs) (*uploadPlan, []string, error) {
	if p := swift.ContainerProblem(args.Container, info); p != "" {
		return nil, []string{p}, nil
	}
	ct, err := swift.GetContainer(ctx, c, args.Container)
	if swift.IsNotFound(err) {
		return nil, []string{fmt.Sprintf("container %s does not exist; create it first with /container create %s", args.Container, args.Container)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	path, err := localPath(args.File)
	if err != nil {
		return nil, nil, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, []string{fmt.Sprintf("%s does not exist (read as %s); give a file or a folder that does", args.File, path)}, nil
	case err != nil:
		return nil, []string{fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))}, nil
	case !fi.IsDir() && !fi.Mode().IsRegular():
		return nil, []string{fmt.Sprintf("%s is neither a file nor a folder", path)}, nil
	}
	p := &uploadPlan{container: ct, source: path, folder: fi.IsDir(), segSize: DefaultSegmentSize, segments: ct.Name + "_segments"}
	if args.SegmentSize != "" {
		if p.segSize, err = swift.ParseSize(args.SegmentSize); err != nil {
			return nil, []string{err.Error()}, nil //nolint:nilerr // a problem sentence, not a failure
		}
		if p.segSize < 1 {
			return nil, []string{"--segment-size must be at least 1 byte"}, nil
		}
	}
	name := args.Name
	if name == "" {
		name = defaultName(args.File)
	}
	name = strings.TrimSuffix(name, "/")
	if !p.folder && name == "" {
		name = filepath.Base(path)
	}
	p.prefix = name
	var problems []string
	p.files, problems = gather(path, fi, name)
	if p.folder && len(p.files) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("folder %s holds no files to upload", path))
	}
	for _, f := range p.files {
		if q := swift.ObjectProblem(f.Object, info); q != "" {
			problems = append(problems, q)
		}
		p.total += f.Size
	}
	if len(problems) > 0 {
		return p, problems, nil
	}
	if err := p.findReplaced(ctx, c); err != nil {
		return nil, nil, err
	}
	if _, err := swift.GetContainer(ctx, c, p.segments); err == nil {
		p.segmentsExist = true
	} else if !swift.IsNotFound(err) {
		return nil, nil, err
	}
	return p, problems, nil
}

// findReplaced marks the files whose object already exists: one HEAD for
// a file, one listing for a folder.
func (p *uploadPlan) findReplaced(ctx context.Context, c *gophercloud.ServiceClient) error {
	if !p.folder {
		if len(p.files) == 0 {
			return nil
		}
		o, err := swift.GetObject(ctx, c, p.container.Name, p.files[0].Object)
		var nf *swift.ObjectNotFoundError
		switch {
		case errors.As(err, &nf):
			return nil
		case err != nil:
			return err
		}
		e := swift.Entry{Name: o.Name, Bytes: o.Size, Hash: o.ETag}
		if o.SLO {
			e.SLOEtag = o.ETag
		}
		p.files[0].Replaces = &e
		return nil
	}
	prefix := ""
	if p.prefix != "" {
		prefix = p.prefix + "/"
	}
	existing, err := swift.ListObjects(ctx, c, p.container.Name, swift.ListOptions{Prefix: prefix})
	if err != nil {
		return err
	}
	byName := make(map[string]swift.Entry, len(existing))
	for _, e := range existing {
		byName[e.Name] = e
	}
	for i := range p.files {
		if e, ok := byName[p.files[i].Object]; ok {
			p.files[i].Replaces = &e
		}
	}
	return nil
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
	chk := &tools.Check{Targets: []tools.Target{{Kind: swift.ContainerKind, ID: args.Container, Name: args.Container}}}
	p, problems, err := prepare(ctx, c, info, args)
	if err != nil {
		return nil, err
	}
	for _, q := range problems {
		swift.Block(chk, q)
	}
	if p == nil || len(problems) > 0 {
		return chk, nil
	}
	chk.Fetched = p
	resolved := args
	resolved.File = p.source
	resolved.Name = p.prefix
	resolved.SegmentSize = strconv.FormatInt(p.segSize, 10)
	chk.Resolved = tools.JSON(resolved)
	chk.State = fmt.Sprintf("files=%d,bytes=%d", len(p.files), p.total)
	if !p.folder && len(p.files) == 1 {
		chk.Targets = []tools.Target{{Kind: swift.ObjectKind, ID: p.files[0].Object, Name: args.Container + "/" + p.files[0].Object}}
		chk.State += ",mtime=" + p.files[0].ModTime.UTC().Format(time.RFC3339Nano)
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("uploads %s (%s) as %s/%s", p.source, swift.HumanBytes(p.total), args.Container, p.files[0].Object)})
	} else if p.folder {
		under := "named by their paths in the folder"
		if p.prefix != "" {
			under = "under " + p.prefix + "/"
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("uploads %s (%s) from %s to %s, %s", swift.Plural(int64(len(p.files)), "file"), swift.HumanBytes(p.total), p.source, args.Container, under)})
	}
	if err := checkLarge(ctx, c, info, p, chk); err != nil {
		return nil, err
	}
	checkReplaced(p, chk)
	if err := checkQuota(ctx, c, p, chk); err != nil {
		return nil, err
	}
	return chk, nil
}

// checkLarge applies the cluster's SLO limits to the files that go up in
// segments and says what an earlier, interrupted try left to reuse.
func checkLarge(ctx context.Context, c *gophercloud.ServiceClient, info *swift.Info, p *uploadPlan, chk *tools.Check) error {
	var large []upload
	for _, f := range p.files {
		if p.large(f) {
			large = append(large, f)
		}
	}
	if len(large) == 0 {
		return nil
	}
	info.Require(chk, swift.FeatureSLO, fmt.Sprintf("files over %s cannot go up in segments; give a bigger --segment-size (at most %s)",
		swift.HumanBytes(p.segSize), swift.HumanBytes(info.Swift.MaxFileSize)))
	if minSeg := info.Int(swift.FeatureSLO, "min_segment_size", 1); p.segSize < minSeg {
		swift.Block(chk, fmt.Sprintf("--segment-size %s is below this cluster's smallest segment, %s", swift.HumanBytes(p.segSize), swift.HumanBytes(minSeg)))
	}
	if max := info.Swift.MaxFileSize; max > 0 && p.segSize > max {
		swift.Block(chk, fmt.Sprintf("--segment-size %s is above this cluster's largest object, %s; give a smaller one", swift.HumanBytes(p.segSize), swift.HumanBytes(max)))
	}
	maxSegs := info.Int(swift.FeatureSLO, "max_manifest_segments", 1000)
	for _, f := range large {
		n := p.segmentCount(f)
		if n > maxSegs {
			need := (f.Size + maxSegs - 1) / maxSegs
			swift.Block(chk, fmt.Sprintf("%s would need %d segments of %s, more than the %d a large object may have here; give --segment-size %s or more",
				f.Path, n, swift.HumanBytes(p.segSize), maxSegs, swift.HumanBytes(need)))
			continue
		}
		text := fmt.Sprintf("%s goes up as a static large object: %s of %s in container %s", f.Object, swift.Plural(n, "segment"), swift.HumanBytes(p.segSize), p.segments)
		if !p.segmentsExist {
			text += " (created)"
		}
		text += ", then a manifest; until the manifest is written nothing new is visible in " + p.container.Name
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: text})
		if p.segmentsExist {
			have, err := swift.ListObjects(ctx, c, p.segments, swift.ListOptions{Prefix: p.segmentPrefix(f)})
			if err != nil {
				return err
			}
			if len(have) > 0 {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
					Text: fmt.Sprintf("%d of its %d segments are already in %s from an earlier try; those with the same content are not sent again", len(have), n, p.segments)})
			}
		}
	}
	return nil
}

// checkReplaced warns about objects the upload overwrites.
func checkReplaced(p *uploadPlan, chk *tools.Check) {
	var names []string
	for _, f := range p.files {
		if f.Replaces != nil {
			names = append(names, f.Object)
		}
	}
	switch {
	case len(names) == 0:
	case len(names) == 1 && !p.folder:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("replaces object %s/%s (%s), which cannot be brought back", p.container.Name, names[0], swift.HumanBytes(p.files[0].Replaces.Bytes))})
	default:
		shown := names
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(names)-5)
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("replaces %s that already exist in %s (%s%s); they cannot be brought back", swift.Plural(int64(len(names)), "object"), p.container.Name, strings.Join(shown, ", "), more)})
	}
}

// checkQuota records and enforces the container's quotas and the
// account's byte quota, where they are set.
func checkQuota(ctx context.Context, c *gophercloud.ServiceClient, p *uploadPlan, chk *tools.Check) error {
	var addBytes, addCount int64
	for _, f := range p.files {
		addBytes += f.Size
		if f.Replaces != nil {
			addBytes -= f.Replaces.Bytes
		} else {
			addCount++
		}
	}
	use := func(resource string, inUse, limit, delta int64, full string) {
		chk.Quota = append(chk.Quota, tools.QuotaUse{Service: swift.Service, Resource: resource, InUse: int(inUse), Limit: int(limit), Delta: int(delta)})
		if delta > 0 && inUse+delta > limit {
			swift.Block(chk, full)
		}
	}
	ct := p.container
	if n, err := strconv.ParseInt(ct.QuotaBytes, 10, 64); err == nil {
		use("bytes in "+ct.Name, ct.Bytes, n, addBytes, fmt.Sprintf("container %s's quota is %s; it holds %s and this upload adds %s: delete objects or raise it with /container set %s --quota-bytes",
			ct.Name, swift.HumanBytes(n), swift.HumanBytes(ct.Bytes), swift.HumanBytes(addBytes), ct.Name))
	}
	if n, err := strconv.ParseInt(ct.QuotaCount, 10, 64); err == nil {
		use("objects in "+ct.Name, ct.Objects, n, addCount, fmt.Sprintf("container %s may hold %s; it holds %d and this upload adds %d: delete objects or raise it with /container set %s --quota-count",
			ct.Name, swift.Plural(n, "object"), ct.Objects, addCount, ct.Name))
	}
	acct, err := swift.GetAccount(ctx, c)
	if err != nil {
		return err
	}
	if n, err := strconv.ParseInt(acct.QuotaBytes, 10, 64); err == nil {
		use("bytes in the account", acct.Bytes, n, addBytes, fmt.Sprintf("the account's quota is %s; it holds %s and this upload adds %s: delete objects or ask the operator for more",
			swift.HumanBytes(n), swift.HumanBytes(acct.Bytes), swift.HumanBytes(addBytes)))
	}
	return nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, ok := tools.FetchedAs[*uploadPlan](chk)
	if !ok {
		info, err := swift.GetInfo(ctx, c)
		if err != nil {
			return nil, err
		}
		var problems []string
		if p, problems, err = prepare(ctx, c, info, args); err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errors.New(strings.Join(problems, "; "))
		}
	}
	pv := &tools.Preview{}
	madeSegments := p.segmentsExist
	var restBytes int64
	rest := 0
	for i, f := range p.files {
		if i >= previewFiles {
			rest++
			restBytes += f.Size
			continue
		}
		what := fmt.Sprintf("object %s/%s (%s)", p.container.Name, f.Object, swift.HumanBytes(f.Size))
		if !p.large(f) {
			pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: swift.URL(c, p.container.Name, f.Object), Body: fmt.Sprintf("%s from %s", swift.HumanBytes(f.Size), f.Path)})
		} else {
			if !madeSegments {
				pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: swift.URL(c, p.segments)})
				pv.Creates = append(pv.Creates, "container "+p.segments+" for the segments of large objects")
				madeSegments = true
			}
			n := p.segmentCount(f)
			pv.Requests = append(pv.Requests,
				tools.Request{Method: "PUT", URL: swift.URL(c, p.segments, p.segmentPrefix(f)) + fmt.Sprintf("{00000000..%08d}", n-1),
					Body: fmt.Sprintf("%s of %s from %s, each skipped if already there with the same MD5", swift.Plural(n, "segment"), swift.HumanBytes(p.segSize), f.Path)},
				tools.Request{Method: "PUT", URL: swift.URL(c, p.container.Name, f.Object) + "?multipart-manifest=put",
					Body: fmt.Sprintf("the manifest listing the %s", swift.Plural(n, "segment"))})
			what += fmt.Sprintf(", a static large object of %s", swift.Plural(n, "segment"))
		}
		if f.Replaces != nil {
			what += ", replacing the one there"
		}
		pv.Creates = append(pv.Creates, what)
	}
	if rest > 0 {
		pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: swift.URL(c, p.container.Name, "{object}"), Body: fmt.Sprintf("the same for each of the %s more", swift.Plural(int64(rest), "file"))})
		pv.Creates = append(pv.Creates, fmt.Sprintf("%s more (%s) in %s", swift.Plural(int64(rest), "object"), swift.HumanBytes(restBytes), p.container.Name))
	}
	return pv, nil
}

// uploader sends a plan's files, reporting bytes across all of them.
type uploader struct {
	c      *gophercloud.ServiceClient
	info   *swift.Info
	plan   *uploadPlan
	report tools.Progress
	done   int64
	ids    []string
	// reused counts segments an earlier try left that were not sent again.
	reused int64
	// segmentsSent counts the segments this run uploaded.
	segmentsSent int64
	// notes are things the person should know that did not stop the upload.
	notes []string
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	info, err := swift.GetInfo(ctx, c)
	if err != nil {
		return nil, err
	}
	p, problems, err := prepare(ctx, c, info, args)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	up := &uploader{c: c, info: info, plan: p, report: env.Report()}
	what := fmt.Sprintf("%s/%s", p.container.Name, p.files[0].Object)
	if p.folder {
		what = fmt.Sprintf("%s to %s", swift.Plural(int64(len(p.files)), "file"), p.container.Name)
	}
	up.report.Status(fmt.Sprintf("uploading %s (%s)", what, swift.HumanBytes(p.total)))
	up.report.Bytes(0, p.total)
	var created []string
	var sent int64
	for i, f := range p.files {
		if err := up.put(ctx, f); err != nil {
			res := &tools.Result{RequestIDs: up.ids}
			if p.folder {
				err = fmt.Errorf("%w (%d of %d files were uploaded before it; uploading the folder again replaces them and sends the rest)", err, i, len(p.files))
			}
			return res, err
		}
		sent += f.Size
		if f.Replaces == nil {
			created = append(created, f.Object)
		}
	}
	out := map[string]string{"container": p.container.Name, "name": p.prefix}
	if len(created) > 0 && len(created) <= maxUndoObjects {
		out["created"] = string(tools.JSON(created))
	}
	var msg string
	if p.folder {
		msg = fmt.Sprintf("%s (%s) uploaded from %s to %s", swift.Plural(int64(len(p.files)), "file"), swift.HumanBytes(sent), p.source, p.container.Name)
		if p.prefix != "" {
			msg += " under " + p.prefix + "/"
		}
	} else {
		f := p.files[0]
		msg = fmt.Sprintf("object %s/%s uploaded (%s", p.container.Name, f.Object, swift.HumanBytes(f.Size))
		if p.large(f) {
			msg += fmt.Sprintf(", a static large object of %s", swift.Plural(p.segmentCount(f), "segment"))
		}
		msg += ")"
	}
	if up.reused > 0 {
		msg += fmt.Sprintf("; %s from an earlier try reused", swift.Plural(up.reused, "segment"))
	}
	for _, n := range up.notes {
		msg += "; " + n
	}
	env.Names.Remember(swift.ContainerKind, p.container.Name)
	return &tools.Result{Message: msg, Outputs: out, RequestIDs: up.ids}, nil
}

// put uploads one file; a replaced large object's old segments are
// deleted once the new object is in place.
func (u *uploader) put(ctx context.Context, f upload) error {
	var old []string
	if f.Replaces != nil && f.Replaces.SLOEtag != "" {
		old = u.manifestSegments(ctx, f.Object)
	}
	var err error
	var keep map[string]bool
	if u.plan.large(f) {
		keep, err = u.putLarge(ctx, f)
	} else {
		err = u.putSmall(ctx, f)
	}
	if err != nil {
		return err
	}
	u.dropSegments(ctx, old, keep)
	return nil
}

// putSmall uploads a file in one PUT, hashing as it streams, and checks
// Swift's ETag against the hash. A PUT is atomic: an interrupted one
// leaves nothing behind.
func (u *uploader) putSmall(ctx context.Context, f upload) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("open %s: %w", f.Path, err)
	}
	defer func() { _ = fh.Close() }() // read only
	cr := u.reader(fh)
	r := objects.Create(ctx, u.c, u.plan.container.Name, f.Object, objects.CreateOpts{Content: cr, NoETag: true})
	u.ids = append(u.ids, tools.HeaderRequestIDs(r.Header)...)
	if r.Err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("upload of %s stopped; nothing of it was stored: %w", f.Path, ctx.Err())
		}
		return fmt.Errorf("upload %s to %s/%s: %w", f.Path, u.plan.container.Name, f.Object, r.Err)
	}
	return u.verify(ctx, r.Header.Get("Etag"), cr, u.plan.container.Name, f.Object)
}

// verify compares the ETag Swift stored with the MD5 of what was sent and
// deletes the object again when they differ: a damaged copy is worse
// than none.
func (u *uploader) verify(ctx context.Context, etag string, cr *countingReader, container, object string) error {
	etag = strings.Trim(etag, `"`)
	sum := hex.EncodeToString(cr.hash.Sum(nil))
	if etag == "" || etag == sum {
		return nil
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	d := objects.Delete(dctx, u.c, container, object, nil)
	u.ids = append(u.ids, tools.HeaderRequestIDs(d.Header)...)
	return fmt.Errorf("swift stored %s/%s with MD5 %s, but %s was sent: it was damaged on the way and was deleted again; upload it again", container, object, etag, sum)
}

// manifestEntry is one segment in an SLO manifest, as PUT takes it.
type manifestEntry struct {
	Path      string `json:"path"`
	Etag      string `json:"etag"`
	SizeBytes int64  `json:"size_bytes"`
}

// putLarge uploads a file as segments and a manifest. Segments an earlier
// try left with the same size and MD5 are not sent again. If the upload
// is cancelled, the segments this run sent are deleted; on another error
// they are kept so that the same command resumes. It returns the
// segment paths the new manifest uses.
func (u *uploader) putLarge(ctx context.Context, f upload) (map[string]bool, error) {
	p := u.plan
	if !p.segmentsExist {
		r := containers.Create(ctx, u.c, p.segments, containers.CreateOpts{StoragePolicy: p.container.StoragePolicy})
		u.ids = append(u.ids, tools.HeaderRequestIDs(r.Header)...)
		if r.Err != nil {
			return nil, fmt.Errorf("create container %s for the segments: %w", p.segments, r.Err)
		}
		p.segmentsExist = true
	}
	prefix := p.segmentPrefix(f)
	have, err := swift.ListObjects(ctx, u.c, p.segments, swift.ListOptions{Prefix: prefix})
	if err != nil {
		return nil, err
	}
	existing := make(map[string]swift.Entry, len(have))
	for _, e := range have {
		existing[e.Name] = e
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Path, err)
	}
	defer func() { _ = fh.Close() }() // read only
	n := p.segmentCount(f)
	manifest := make([]manifestEntry, 0, n)
	keep := map[string]bool{}
	var sentNow []swift.Entry
	for i := range n {
		off := i * p.segSize
		length := min(p.segSize, f.Size-off)
		name := fmt.Sprintf("%s%08d", prefix, i)
		entry := manifestEntry{Path: "/" + p.segments + "/" + name, SizeBytes: length}
		keep[entry.Path] = true
		if e, ok := existing[name]; ok && e.Bytes == length {
			sum, err := u.md5Of(ctx, io.NewSectionReader(fh, off, length))
			if err != nil {
				return nil, u.segmentsFailed(ctx, f, sentNow, err)
			}
			if sum == e.Hash {
				entry.Etag = sum
				manifest = append(manifest, entry)
				u.reused++
				continue
			}
			u.done -= length // counted while hashing; counted again as it is sent
		}
		u.report.Status(fmt.Sprintf("uploading %s: segment %d of %d", f.Object, i+1, n))
		cr := u.reader(io.NewSectionReader(fh, off, length))
		r := objects.Create(ctx, u.c, p.segments, name, objects.CreateOpts{Content: cr, NoETag: true})
		u.ids = append(u.ids, tools.HeaderRequestIDs(r.Header)...)
		if r.Err != nil {
			return nil, u.segmentsFailed(ctx, f, sentNow, fmt.Errorf("upload segment %d of %s: %w", i+1, f.Path, r.Err))
		}
		if err := u.verify(ctx, r.Header.Get("Etag"), cr, p.segments, name); err != nil {
			return nil, u.segmentsFailed(ctx, f, sentNow, err)
		}
		sentNow = append(sentNow, swift.Entry{Name: name, Bytes: length})
		u.segmentsSent++
		entry.Etag = hex.EncodeToString(cr.hash.Sum(nil))
		manifest = append(manifest, entry)
	}
	body, err := json.Marshal(manifest)
	if err != nil {
		return nil, err
	}
	u.report.Status(fmt.Sprintf("uploading %s: writing the manifest of %s", f.Object, swift.Plural(n, "segment")))
	r := objects.Create(ctx, u.c, p.container.Name, f.Object, objects.CreateOpts{Content: bytes.NewReader(body), NoETag: true, MultipartManifest: "put"})
	u.ids = append(u.ids, tools.HeaderRequestIDs(r.Header)...)
	if r.Err != nil {
		return nil, u.segmentsFailed(ctx, f, sentNow, fmt.Errorf("write the manifest of %s/%s: %w", p.container.Name, f.Object, r.Err))
	}
	return keep, nil
}

// segmentsFailed decides what happens to the segments of a failed large
// upload: after Ctrl-C those this run sent are deleted (the person chose
// to stop); after an error they stay, so running the same command again
// resumes where it stopped.
func (u *uploader) segmentsFailed(ctx context.Context, f upload, sentNow []swift.Entry, err error) error {
	p := u.plan
	if ctx.Err() == nil {
		return fmt.Errorf("%w; the segments sent so far stay in %s: run the same command again to resume, or delete them with /object delete", err, p.segments)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	t, derr := swift.DeleteObjects(dctx, u.c, u.info, p.segments, sentNow, discard{})
	u.ids = append(u.ids, t.RequestIDs...)
	if derr != nil {
		return fmt.Errorf("upload of %s stopped; %s/%s was not created, and deleting the %s sent failed (%v): remove them from %s with /object delete",
			f.Path, p.container.Name, f.Object, swift.Plural(int64(len(sentNow)), "segment"), derr, p.segments)
	}
	return fmt.Errorf("upload of %s stopped; %s/%s was not created and the %s sent were deleted again: %w",
		f.Path, p.container.Name, f.Object, swift.Plural(int64(len(sentNow)), "segment"), ctx.Err())
}

// manifestSegments lists the segment paths ("/container/name") of an
// existing static large object, to delete the ones a replacement no
// longer uses. A manifest that cannot be read is a note, not an error.
func (u *uploader) manifestSegments(ctx context.Context, object string) []string {
	r := objects.Download(ctx, u.c, u.plan.container.Name, object, objects.DownloadOpts{MultipartManifest: "get"})
	u.ids = append(u.ids, tools.HeaderRequestIDs(r.Header)...)
	body, err := r.ExtractContent()
	if err != nil {
		u.notes = append(u.notes, fmt.Sprintf("the segments of the replaced %s could not be listed (%v) and may be left behind", object, err))
		return nil
	}
	var segs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &segs); err != nil {
		return nil
	}
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		out = append(out, s.Name)
	}
	return out
}

// dropSegments deletes the old segments (paths) not in keep.
func (u *uploader) dropSegments(ctx context.Context, old []string, keep map[string]bool) {
	byContainer := map[string][]swift.Entry{}
	for _, path := range old {
		if keep[path] {
			continue
		}
		ct, name, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if !ok {
			continue
		}
		byContainer[ct] = append(byContainer[ct], swift.Entry{Name: name})
	}
	for _, ct := range swift.SortedKeys(byContainer) {
		t, err := swift.DeleteObjects(ctx, u.c, u.info, ct, byContainer[ct], discard{})
		u.ids = append(u.ids, t.RequestIDs...)
		if err != nil {
			u.notes = append(u.notes, fmt.Sprintf("old segments in %s could not all be deleted (%v)", ct, err))
		}
	}
}

// md5Of hashes a section of a file, counting it as progress.
func (u *uploader) md5Of(ctx context.Context, r io.Reader) (string, error) {
	cr := u.reader(r)
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		_, err := cr.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(cr.hash.Sum(nil)), nil
}

// countingReader hashes what it reads and reports the upload's progress.
// It can go back to its start (gophercloud rewinds a body to send it
// again after re-authenticating), and then forgets what it counted.
type countingReader struct {
	r    io.Reader
	hash hash.Hash
	n    int64
	u    *uploader
}

func (u *uploader) reader(r io.Reader) *countingReader {
	return &countingReader{r: r, hash: md5.New(), u: u} //nolint:gosec // see the import
}

func (cr *countingReader) Read(b []byte) (int, error) {
	n, err := cr.r.Read(b)
	if n > 0 {
		cr.hash.Write(b[:n])
		cr.n += int64(n)
		cr.u.done += int64(n)
		cr.u.report.Bytes(cr.u.done, cr.u.plan.total)
	}
	return n, err
}

// Seek supports only a rewind to the start.
func (cr *countingReader) Seek(offset int64, whence int) (int64, error) {
	s, ok := cr.r.(io.Seeker)
	if !ok || offset != 0 || whence != io.SeekStart {
		return 0, errors.New("an upload body can only be rewound to its start")
	}
	if _, err := s.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	cr.u.done -= cr.n
	cr.n = 0
	cr.hash.Reset()
	return 0, nil
}

// discard is a Progress that drops everything, for clean-ups that should
// not move the bar.
type discard struct{}

func (discard) Status(string)      {}
func (discard) Bytes(int64, int64) {}
