package keypairs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/limits"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	quotas "github.com/kriscelmer/os-tui/tools/quota"
)

// GenerateMicroversion is the newest compute microversion at which Nova
// still generates a key pair: 2.92 made the public key mandatory.
const GenerateMicroversion = "2.91"

// CreateArgs are the arguments of keypair.create.
type CreateArgs struct {
	Name           string `json:"name"`
	PrivateKeyFile string `json:"private_key_file,omitempty"`
	Type           string `json:"type,omitempty"`
}

// ImportArgs are the arguments of keypair.import.
type ImportArgs struct {
	Name          string `json:"name"`
	PublicKeyFile string `json:"public_key_file,omitempty"`
	Type          string `json:"type,omitempty"`
}

// DeleteArgs are the arguments of keypair.delete.
type DeleteArgs struct {
	Keypair string `json:"keypair"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "keypair.create",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"name", "fingerprint"},
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(args CreateArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "keypair.delete", Args: tools.JSON(DeleteArgs{Keypair: args.Name}),
				Why: "undo creating the key pair (the private key file " + args.PrivateKeyFile + " is kept)"}
		},
	})
}

func importTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[ImportArgs]{
		Name:     "keypair.import",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"name", "fingerprint"},
		Check:    checkImport,
		Preview:  previewImport,
		Run:      runImport,
		Undo: func(args ImportArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "keypair.delete", Args: tools.JSON(DeleteArgs{Keypair: args.Name}), Why: "undo importing the key pair"}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "keypair.delete",
		Effect:   tools.Destroy,
		Service:  "compute",
		Produces: []string{"name"},
		Check:    checkDelete,
		Preview:  previewDelete,
		Run:      runDelete,
	})
}

// expandHome turns "~/x" into an absolute path under $HOME, and any other
// relative path into an absolute one, so the file named in the approval
// is the file written whatever the working directory is later.
func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home directory for %s: %w", p, err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return filepath.Abs(p)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func keypairTarget(name string) tools.Target {
	return tools.Target{Kind: Kind, ID: name, Name: name}
}

// nameFree adds a Block when a key pair of that name already exists.
func nameFree(ctx context.Context, c *gophercloud.ServiceClient, name string, chk *tools.Check) error {
	k, err := get(ctx, c, name)
	var nf *tools.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil
	case err != nil:
		return err
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
		Text: fmt.Sprintf("key pair %s already exists (fingerprint %s); choose another name or delete it first", name, k.Fingerprint)})
	return nil
}

// quota adds the key pair quota: Nova's limits give the maximum, and the
// user's own list is what counts against it (key pairs are per user).
func quota(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, chk *tools.Check) error {
	return quotas.Preflight(ctx, env, chk, "", quotas.Need{Service: "compute", Resource: "key_pairs", Delta: 1,
		Count: func(ctx context.Context) (inUse, limit int, err error) {
			l, err := limits.Get(ctx, c, nil).Extract()
			if err != nil {
				return 0, 0, fmt.Errorf("read compute limits: %w", err)
			}
			pages, err := keypairs.List(c, nil).AllPages(ctx)
			if err != nil {
				return 0, 0, fmt.Errorf("list key pairs: %w", err)
			}
			all, err := keypairs.ExtractKeyPairs(pages)
			if err != nil {
				return 0, 0, fmt.Errorf("list key pairs: %w", err)
			}
			return len(all), l.Absolute.MaxTotalKeypairs, nil
		},
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the key pair quota is full (%d of %d); delete one with /keypair delete", u.InUse, u.Limit)
		}})
}

// generateVersion is the microversion keypair.create asks for: 2.91, or
// the cloud's newest when that is older. ok is false when the cloud's
// oldest is already past 2.91, so Nova no longer generates keys.
func generateVersion(ctx context.Context, env *tools.Env) (version string, ok bool, err error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return "", false, err
	}
	svc := caps.Services["compute"]
	switch {
	case svc.MaxMicroversion == "" || caps.Supports("compute", GenerateMicroversion):
		return GenerateMicroversion, true, nil
	case cloud.MicroversionLess(svc.MaxMicroversion, GenerateMicroversion):
		return svc.MaxMicroversion, true, nil
	}
	return svc.MinMicroversion, false, nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	if args.PrivateKeyFile == "" {
		args.PrivateKeyFile = "~/.ssh/" + args.Name + ".pem"
	}
	if args.Type == "" {
		args.Type = "ssh"
	}
	path, err := expandHome(args.PrivateKeyFile)
	if err != nil {
		return nil, err
	}
	args.PrivateKeyFile = path
	chk := &tools.Check{Targets: []tools.Target{keypairTarget(args.Name)}, Resolved: tools.JSON(args)}
	if v, ok, err := generateVersion(ctx, env); err != nil {
		return nil, err
	} else if !ok {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("this cloud's compute API starts at microversion %s and no longer generates key pairs; make one with ssh-keygen and use /keypair import", v)})
	}
	if err := nameFree(ctx, c, args.Name, chk); err != nil {
		return nil, err
	}
	fileState := "absent"
	if exists(path) {
		fileState = "present"
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s already exists; ostui never overwrites a private key file: choose another --private-key-file or move that one away", path)})
	} else if fi, err := os.Stat(filepath.Dir(path)); err == nil && !fi.IsDir() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf("%s is not a directory", filepath.Dir(path))})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("Nova generates the key; the private key is saved to %s (mode 0600) and shown nowhere else", path)})
	}
	if err := quota(ctx, env, c, chk); err != nil {
		return nil, err
	}
	chk.State = "file " + fileState
	return chk, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := keypairs.CreateOpts{Name: args.Name, Type: args.Type}.ToKeyPairCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("os-keypairs"), Body: body}},
		Creates: []string{
			fmt.Sprintf("key pair %s (%s), generated by Nova", args.Name, args.Type),
			fmt.Sprintf("file %s (mode 0600) holding its private key", args.PrivateKeyFile),
		},
	}, nil
}

// created is what Nova answers to a create; only PrivateKey is secret.
type created struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PrivateKey  string `json:"private_key"`
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	path, err := expandHome(args.PrivateKeyFile)
	if err != nil {
		return nil, err
	}
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	version, ok, err := generateVersion(ctx, env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("this cloud's compute API no longer generates key pairs; use /keypair import")
	}
	c.Microversion = version
	// The file is claimed before Nova makes the key: a key that cannot be
	// saved is a key nobody can use, so it is better not made at all.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the directory for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("claim the private key file: %w", err)
	}
	r := keypairs.Create(ctx, c, keypairs.CreateOpts{Name: args.Name, Type: args.Type})
	var k created
	if err := r.ExtractInto(&struct {
		KeyPair *created `json:"keypair"`
	}{&k}); err != nil || k.PrivateKey == "" {
		_ = f.Close()
		_ = os.Remove(path)
		if err == nil {
			// Never the body: it may hold the key.
			err = errors.New("nova returned no private key")
		}
		return nil, fmt.Errorf("create key pair %s: %w", args.Name, err)
	}
	ids := tools.HeaderRequestIDs(r.Header)
	if err := writeKey(f, k.PrivateKey); err != nil {
		_ = os.Remove(path)
		// An unsaved key is lost; take the key pair back so it is not
		// left behind unusable.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		d := keypairs.Delete(dctx, c, args.Name, nil)
		cancel()
		ids = append(ids, tools.HeaderRequestIDs(d.Header)...)
		undone := "the key pair was deleted again"
		if d.Err != nil {
			undone = fmt.Sprintf("deleting the key pair failed too (%v); remove it with /keypair delete %s", d.Err, args.Name)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("save the private key of %s to %s: %w (%s)", args.Name, path, err, undone)
	}
	k.PrivateKey = ""
	env.Names.Remember(Kind, k.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("key pair %s created (fingerprint %s); private key saved to %s (0600)", k.Name, k.Fingerprint, path),
		Outputs:    map[string]string{"name": k.Name, "fingerprint": k.Fingerprint},
		RequestIDs: ids,
	}, nil
}

func writeKey(f *os.File, key string) error {
	if !strings.HasSuffix(key, "\n") {
		key += "\n"
	}
	if _, err := io.WriteString(f, key); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	// The mode was set at creation; Chmod guards against a file system
	// that ignored it.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// defaultPublicKey is the public key keypair.import uses when none is
// named: ed25519 first, as ssh-keygen now prefers it.
func defaultPublicKey() (string, error) {
	var tried []string
	for _, p := range []string{"~/.ssh/id_ed25519.pub", "~/.ssh/id_rsa.pub"} {
		abs, err := expandHome(p)
		if err != nil {
			return "", err
		}
		if exists(abs) {
			return abs, nil
		}
		tried = append(tried, abs)
	}
	return "", fmt.Errorf("no --public-key-file given and neither %s exists; make a key with ssh-keygen or name the file", strings.Join(tried, " nor "))
}

// sshKeyTypes are the OpenSSH public key types Nova accepts.
var sshKeyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ssh-ed25519@openssh.com": true, "sk-ecdsa-sha2-nistp256@openssh.com": true,
}

// readPublicKey reads and checks a public key file. Its problems are
// sentences for a Block finding; the file's content is never quoted in
// them, in case it is a private key.
func readPublicKey(path string) (key, keyType, problem string) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return "", "", fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))
	case fi.IsDir():
		return "", "", path + " is a directory, not a public key file"
	case fi.Size() > 64<<10:
		return "", "", fmt.Sprintf("%s is %d bytes, too big for a public key", path, fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	text := strings.TrimSpace(string(b))
	switch {
	case strings.Contains(text, "PRIVATE KEY"):
		return "", "", path + " holds a private key; give its public half (the .pub file) instead"
	case strings.HasPrefix(text, "-----BEGIN CERTIFICATE-----"):
		return text, "x509", ""
	}
	fields := strings.Fields(text)
	if len(fields) < 2 || !sshKeyTypes[fields[0]] || strings.Contains(text, "\n") {
		return "", "", path + " does not look like an OpenSSH public key (one line: type, base64 key, comment)"
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(blob) < 4 {
		return "", "", path + " does not look like an OpenSSH public key: its key is not base64"
	}
	n := binary.BigEndian.Uint32(blob)
	if int(n) > len(blob)-4 || !bytes.Equal(blob[4:4+n], []byte(fields[0])) {
		return "", "", fmt.Sprintf("%s says %s but its key data is of another type", path, fields[0])
	}
	return text, "ssh", ""
}

func checkImport(ctx context.Context, env *tools.Env, args ImportArgs) (*tools.Check, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{keypairTarget(args.Name)}}
	if args.PublicKeyFile == "" {
		if args.PublicKeyFile, err = defaultPublicKey(); err != nil {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: err.Error()})
		}
	} else if args.PublicKeyFile, err = expandHome(args.PublicKeyFile); err != nil {
		return nil, err
	}
	if args.PublicKeyFile != "" {
		_, typ, problem := readPublicKey(args.PublicKeyFile)
		if problem != "" {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: problem})
		} else {
			if args.Type == "" {
				args.Type = typ
			} else if args.Type != typ {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
					Text: fmt.Sprintf("%s holds an %s key, not %s", args.PublicKeyFile, typ, args.Type)})
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("public key read from %s", args.PublicKeyFile)})
		}
	}
	chk.Resolved = tools.JSON(args)
	if err := nameFree(ctx, c, args.Name, chk); err != nil {
		return nil, err
	}
	if err := quota(ctx, env, c, chk); err != nil {
		return nil, err
	}
	return chk, nil
}

func importOpts(args ImportArgs) (keypairs.CreateOpts, error) {
	path, err := expandHome(args.PublicKeyFile)
	if err != nil {
		return keypairs.CreateOpts{}, err
	}
	key, typ, problem := readPublicKey(path)
	if problem != "" {
		return keypairs.CreateOpts{}, errors.New(problem)
	}
	if args.Type != "" {
		typ = args.Type
	}
	return keypairs.CreateOpts{Name: args.Name, Type: typ, PublicKey: key}, nil
}

func previewImport(ctx context.Context, env *tools.Env, args ImportArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts, err := importOpts(args)
	if err != nil {
		return nil, err
	}
	body, err := opts.ToKeyPairCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("os-keypairs"), Body: body}},
		Creates:  []string{fmt.Sprintf("key pair %s (%s) from %s", args.Name, opts.Type, args.PublicKeyFile)},
	}, nil
}

func runImport(ctx context.Context, env *tools.Env, args ImportArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts, err := importOpts(args)
	if err != nil {
		return nil, err
	}
	r := keypairs.Create(ctx, c, opts)
	k, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("import key pair %s: %w", args.Name, err)
	}
	env.Names.Remember(Kind, k.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("key pair %s imported (fingerprint %s)", k.Name, k.Fingerprint),
		Outputs:    map[string]string{"name": k.Name, "fingerprint": k.Fingerprint},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	k, err := get(ctx, c, args.Keypair)
	if err != nil {
		return nil, err
	}
	return &tools.Check{
		Targets:  []tools.Target{keypairTarget(k.Name)},
		Resolved: tools.JSON(DeleteArgs{Keypair: k.Name}),
		State:    "fingerprint=" + k.Fingerprint,
		Findings: []tools.Finding{{Level: tools.Warn,
			Text: fmt.Sprintf("servers launched with key pair %s keep working; the key pair cannot be recovered once deleted (only re-imported from its public key)", k.Name)}},
	}, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("os-keypairs", args.Keypair)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: args.Keypair, Name: args.Keypair, Fate: "deleted; servers launched with it keep its public key"}},
	}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := keypairs.Delete(ctx, c, args.Keypair, nil)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: args.Keypair}
		}
		return nil, fmt.Errorf("delete key pair %s: %w", args.Keypair, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("key pair %s deleted", args.Keypair),
		Outputs:    map[string]string{"name": args.Keypair},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
