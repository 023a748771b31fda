package objects

import (
	"context"
	"crypto/md5" //nolint:gosec // Swift's ETag is an MD5; it checks transfer integrity, not secrecy
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"

	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// SaveArgs are the arguments of object.save.
type SaveArgs struct {
	Container string `json:"container"`
	Object    string `json:"object,omitempty"`
	File      string `json:"file,omitempty"`
	Overwrite bool   `json:"overwrite,omitempty"`
}

// object.save changes no cloud resource, but it writes files on the
// person's disk wherever a name says: that is a change they approve, and
// one a model can never make on its own.
func saveTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SaveArgs]{
		Name: "object.save", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"file"},
		Check:    checkSave, Preview: previewSave, Run: runSave,
		// A download runs as long as it takes; Ctrl-C removes the part
		// file, so no half-written file is ever left under the real name.
		Interruptible: true,
	})
}

// download is one object and the local file it becomes.
type download struct {
	Object string
	Size   int64
	File   string
	// Exists says the file is there already.
	Exists bool
}

type savePlan struct {
	folder string // the destination folder of a multi-object save
	items  []download
	total  int64
}

// isFolder reports a save of many objects: the whole container, or a
// pseudo-folder named with its trailing '/'.
func isFolder(args SaveArgs) bool { return args.Object == "" || strings.HasSuffix(args.Object, "/") }

// localFor is where an object of a folder save lands: its name below the
// prefix, under the folder. A name that would climb out of the folder
// ("..", an absolute name) is a problem, never a path.
func localFor(folder, prefix, name string) (string, string) {
	rel := strings.TrimPrefix(name, prefix)
	clean := path.Clean("/" + rel)
	if rel == "" || strings.HasPrefix(rel, "/") || clean != "/"+rel || strings.Contains("/"+rel+"/", "/../") {
		return "", fmt.Sprintf("object %q would be saved outside %s; save it alone with --file", name, folder)
	}
	return filepath.Join(folder, filepath.FromSlash(rel)), ""
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func prepareSave(ctx context.Context, c *gophercloud.ServiceClient, args SaveArgs) (*savePlan, []string, error) {
	if p := swift.ContainerProblem(args.Container, nil); p != "" {
		return nil, []string{p}, nil
	}
	if !isFolder(args) {
		o, err := head(ctx, c, args.Container, args.Object)
		var nf *swift.ObjectNotFoundError
		var pf *pseudoFolderError
		switch {
		case errors.As(err, &pf):
			return nil, []string{fmt.Sprintf("%s in %s is a pseudo-folder; add a trailing / (%s) to save everything under it", args.Object, args.Container, pf.prefix)}, nil
		case errors.As(err, &nf):
			return nil, []string{err.Error()}, nil
		case err != nil:
			return nil, nil, err
		}
		dest := args.File
		if dest == "" {
			if p := swift.ObjectProblem(o.Name, nil); p != "" || strings.HasPrefix(o.Name, "/") {
				return nil, []string{fmt.Sprintf("object %q cannot be saved under its own name below this folder; give --file", o.Name)}, nil
			}
			dest = filepath.FromSlash(o.Name)
		}
		abs, err := localPath(dest)
		if err != nil {
			return nil, nil, err
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			abs = filepath.Join(abs, path.Base(o.Name))
		}
		d := download{Object: o.Name, Size: o.Size, File: abs, Exists: exists(abs)}
		return &savePlan{items: []download{d}, total: o.Size}, nil, nil
	}
	dest := args.File
	if dest == "" {
		dest = args.Container
		if args.Object != "" {
			dest = filepath.FromSlash(strings.TrimSuffix(args.Object, "/"))
		}
	}
	folder, err := localPath(dest)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Stat(folder); err == nil && !fi.IsDir() {
		return nil, []string{fmt.Sprintf("%s is a file; a folder save needs a folder (--file)", folder)}, nil
	}
	entries, err := swift.ListObjects(ctx, c, args.Container, swift.ListOptions{Prefix: args.Object})
	if err != nil {
		if swift.IsNotFound(err) {
			return nil, []string{err.Error()}, nil
		}
		return nil, nil, err
	}
	p := &savePlan{folder: folder}
	var problems []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name, "/") && e.Bytes == 0 {
			continue // a folder marker, not content
		}
		file, problem := localFor(folder, args.Object, e.Name)
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		p.items = append(p.items, download{Object: e.Name, Size: e.Bytes, File: file, Exists: exists(file)})
		p.total += e.Bytes
	}
	if len(p.items) == 0 && len(problems) == 0 {
		where := "container " + args.Container
		if args.Object != "" {
			where = args.Object + " in " + args.Container
		}
		problems = append(problems, fmt.Sprintf("%s holds no objects to save", where))
	}
	return p, problems, nil
}

func checkSave(ctx context.Context, env *tools.Env, args SaveArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: swift.ContainerKind, ID: args.Container, Name: args.Container}}}
	p, problems, err := prepareSave(ctx, c, args)
	if err != nil {
		return nil, err
	}
	for _, q := range problems {
		swift.Block(chk, q)
	}
	if p == nil {
		return chk, nil
	}
	chk.Fetched = p
	var there []string
	for _, d := range p.items {
		if d.Exists {
			there = append(there, d.File)
		}
	}
	if len(there) > 0 {
		shown, more := there, ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(there)-5)
		}
		them, verb := "them", "exist"
		if len(there) == 1 {
			them, verb = "it", "exists"
		}
		level, tail := tools.Block, fmt.Sprintf("; add --overwrite to replace %s, or give another --file", them)
		if args.Overwrite {
			level, tail = tools.Warn, fmt.Sprintf("; --overwrite replaces %s", them)
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: level, Text: fmt.Sprintf("%s already %s (%s%s)%s",
			swift.Plural(int64(len(there)), "local file"), verb, strings.Join(shown, ", "), more, tail)})
	}
	resolved := args
	if p.folder != "" {
		resolved.File = p.folder
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("saves %s (%s) into %s", swift.Plural(int64(len(p.items)), "object"), swift.HumanBytes(p.total), p.folder)})
	} else if len(p.items) == 1 {
		resolved.File = p.items[0].File
		chk.Targets = []tools.Target{objectTarget(args.Container, p.items[0].Object)}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("saves %s/%s (%s) to %s", args.Container, p.items[0].Object, swift.HumanBytes(p.total), p.items[0].File)})
	}
	chk.Resolved = tools.JSON(resolved)
	chk.State = fmt.Sprintf("objects=%d,bytes=%d,existing=%d", len(p.items), p.total, len(there))
	return chk, nil
}

func previewSave(ctx context.Context, env *tools.Env, args SaveArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, ok := tools.FetchedAs[*savePlan](chk)
	if !ok {
		var problems []string
		if p, problems, err = prepareSave(ctx, c, args); err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errors.New(strings.Join(problems, "; "))
		}
	}
	pv := &tools.Preview{}
	for i, d := range p.items {
		if i >= previewFiles {
			pv.Requests = append(pv.Requests, tools.Request{Method: "GET", URL: swift.URL(c, args.Container, "{object}"), Body: fmt.Sprintf("the same for each of the %d more", len(p.items)-previewFiles)})
			pv.Creates = append(pv.Creates, fmt.Sprintf("%d more local files under %s", len(p.items)-previewFiles, p.folder))
			break
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "GET", URL: swift.URL(c, args.Container, d.Object)})
		what := fmt.Sprintf("local file %s (%s)", d.File, swift.HumanBytes(d.Size))
		if d.Exists {
			what += ", replacing the one there"
		}
		pv.Creates = append(pv.Creates, what)
	}
	return pv, nil
}

func runSave(ctx context.Context, env *tools.Env, args SaveArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, problems, err := prepareSave(ctx, c, args)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	report := env.Report()
	what := args.Container + "/" + p.items[0].Object
	if p.folder != "" {
		what = fmt.Sprintf("%s from %s", swift.Plural(int64(len(p.items)), "object"), args.Container)
	}
	report.Status(fmt.Sprintf("downloading %s (%s)", what, swift.HumanBytes(p.total)))
	report.Bytes(0, p.total)
	d := &downloader{c: c, container: args.Container, report: report, total: p.total}
	for i, it := range p.items {
		if err := d.get(ctx, it, args.Overwrite); err != nil {
			if p.folder != "" {
				err = fmt.Errorf("%w (%d of %d objects were saved before it)", err, i, len(p.items))
			}
			return &tools.Result{RequestIDs: d.ids}, err
		}
	}
	out := map[string]string{"file": p.folder}
	msg := fmt.Sprintf("%s (%s) saved into %s", swift.Plural(int64(len(p.items)), "object"), swift.HumanBytes(d.done), p.folder)
	if p.folder == "" {
		out["file"] = p.items[0].File
		msg = fmt.Sprintf("%s/%s saved to %s (%s)", args.Container, p.items[0].Object, p.items[0].File, swift.HumanBytes(d.done))
	}
	return &tools.Result{Message: msg, Outputs: out, RequestIDs: d.ids}, nil
}

type downloader struct {
	c         *gophercloud.ServiceClient
	container string
	report    tools.Progress
	done      int64
	total     int64
	ids       []string
}

// get downloads one object into a part file beside its destination and
// renames it into place once complete (and, for a plain object, its MD5
// matches the ETag): the destination is never half-written.
func (d *downloader) get(ctx context.Context, it download, overwrite bool) error {
	if !overwrite && exists(it.File) {
		return fmt.Errorf("%s appeared since the check; nothing was overwritten (add --overwrite to replace it)", it.File)
	}
	dir := filepath.Dir(it.File)
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // an ordinary folder for downloads, as mkdir makes it
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	r := objects.Download(ctx, d.c, d.container, it.Object, nil)
	d.ids = append(d.ids, tools.HeaderRequestIDs(r.Header)...)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return &swift.ObjectNotFoundError{Container: d.container, Object: it.Object}
		}
		return fmt.Errorf("download %s/%s: %w", d.container, it.Object, r.Err)
	}
	defer func() { _ = r.Body.Close() }() // a read body
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(it.File)+".part-*")
	if err != nil {
		return fmt.Errorf("create a file in %s: %w", dir, err)
	}
	cleanup := func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }
	h := md5.New() //nolint:gosec // see the import
	// A 1 MiB buffer instead of io.Copy's 32 KiB: a tenth of the write
	// calls. The file is not fsynced before the rename, as curl, swift and
	// the openstack CLI do not: the rename already keeps an interrupted
	// download from leaving a half-written file, and a sync of a large
	// object cost a fifth of the download's time (docs/performance.md).
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), &progressReader{r: r.Body, d: d}, make([]byte, 1<<20))
	if err != nil {
		cleanup()
		if ctx.Err() != nil {
			return fmt.Errorf("download of %s/%s stopped; %s was not written: %w", d.container, it.Object, it.File, ctx.Err())
		}
		return fmt.Errorf("download %s/%s: %w", d.container, it.Object, err)
	}
	etag := strings.Trim(r.Header.Get("Etag"), `"`)
	large := strings.EqualFold(r.Header.Get("X-Static-Large-Object"), "true") || r.Header.Get("X-Object-Manifest") != ""
	// A large object's ETag is the MD5 of its segments' ETags, not of its
	// content; its length is what can be checked.
	if sum := hex.EncodeToString(h.Sum(nil)); !large && etag != "" && sum != etag {
		cleanup()
		return fmt.Errorf("%s/%s arrived with MD5 %s, not its ETag %s: it was damaged on the way; nothing was written, try again", d.container, it.Object, sum, etag)
	}
	if want := r.Header.Get("Content-Length"); want != "" && want != fmt.Sprint(n) {
		cleanup()
		return fmt.Errorf("%s/%s arrived with %d bytes, not %s; nothing was written, try again", d.container, it.Object, n, want)
	}
	// CreateTemp makes the file 0600; a saved object is an ordinary file.
	if err := tmp.Chmod(0o644); err != nil {
		cleanup()
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if t, err := time.Parse(time.RFC1123, r.Header.Get("Last-Modified")); err == nil {
		_ = os.Chtimes(tmp.Name(), t, t)
	}
	if err := os.Rename(tmp.Name(), it.File); err != nil {
		_ = os.Remove(tmp.Name())
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s is in the way: %w", it.File, err)
		}
		return fmt.Errorf("save %s: %w", it.File, err)
	}
	return nil
}

type progressReader struct {
	r io.Reader
	d *downloader
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.d.done += int64(n)
		p.d.report.Bytes(p.d.done, p.d.total)
	}
	return n, err
}
