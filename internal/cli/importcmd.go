package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// importSecretFields are the auth fields moved out of clouds.yaml into the
// secret store, under cloud/NAME/FIELD.
func importSecretFields() []string { return []string{"password", "application_credential_secret"} }

// importedCloud is one entry read from a Horizon download.
type importedCloud struct {
	source  string
	name    string         // the name it gets in the user's clouds.yaml
	entry   map[string]any // the clouds.yaml entry, without its secrets
	secrets map[string]string
	// prompted is set for an openrc that asks for the password at run
	// time: there is no password to move, so `ostui login cloud` (or
	// secure.yaml) must supply it.
	prompted bool
}

// importOptions are what runImport needs from outside: tests replace the
// keyring and the clock.
type importOptions struct {
	dryRun  bool
	keyring secretstore.KeyringAPI
	now     func() time.Time
}

// importUsage is `ostui import --help`.
const importUsage = `usage: ostui import clouds.yaml|openrc.sh... [--dry-run]

Merges clouds.yaml and openrc files downloaded from Horizon into your
clouds.yaml: each entry is named after its project, passwords and
application-credential secrets move to the secret store (the OS keyring, or
an encrypted file), and the old clouds.yaml is kept as a 0600 backup.
--dry-run shows what would change and stores nothing.`

// runImport is `ostui import FILE...`.
func runImport(ctx context.Context, ios *iostreams.IOStreams, args []string, getenv func(string) string, iopts importOptions) error {
	var files []string
	for _, a := range args {
		switch a {
		case "--dry-run", "-dry-run":
			iopts.dryRun = true
		case "-h", "--help", "-help":
			fmt.Fprintln(ios.Out, importUsage)
			return nil
		default:
			if strings.HasPrefix(a, "-") {
				def, _ := subcommandNamed("import")
				problem := flagProblem(fmt.Errorf("flag provided but not defined: %s", a), def.flags)
				return &usageError{msg: "ostui import: " + problem + "\n" + importUsage}
			}
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		return &usageError{msg: importUsage}
	}
	if iopts.now == nil {
		iopts.now = time.Now
	}
	target := importTarget(getenv, files)
	doc, err := readCloudsNode(target)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, n := range cloudNames(doc) {
		taken[n] = true
	}
	var clouds []importedCloud
	for _, f := range files {
		got, err := readHorizonFile(f)
		if err != nil {
			return err
		}
		for _, c := range got {
			c.name = uniqueName(importBaseName(c.entry), taken)
			taken[c.name] = true
			clouds = append(clouds, c)
		}
	}
	if len(clouds) == 0 {
		return fmt.Errorf("ostui import: no cloud found in %s", strings.Join(files, ", "))
	}

	verb := "added"
	if iopts.dryRun {
		verb = "would add"
	}
	for _, c := range clouds {
		fmt.Fprintf(ios.Out, "%s cloud %s from %s (%s)\n", verb, c.name, c.source, describeEntry(c.entry))
		for _, k := range sortedKeys(c.secrets) {
			where := "the secret store"
			fmt.Fprintf(ios.Out, "  %s its %s in %s, not in clouds.yaml\n", storeVerb(iopts.dryRun), k, where)
		}
		if c.prompted {
			fmt.Fprintf(ios.Out, "  no password in the file (Horizon's openrc asks for it): put it in secure.yaml or set OS_PASSWORD\n")
		}
	}
	backup := ""
	if _, err := os.Stat(target); err == nil {
		backup = target + ".bak-" + iopts.now().UTC().Format("20060102T150405Z")
	}
	if iopts.dryRun {
		if backup != "" {
			fmt.Fprintf(ios.Out, "would back up %s to %s\n", target, backup)
		}
		fmt.Fprintf(ios.Out, "would write %s (dry run: nothing changed)\n", target)
		return nil
	}

	// Secrets first: if the store refuses, clouds.yaml is left as it was
	// rather than naming clouds whose passwords went nowhere.
	if hasSecrets(clouds) {
		store, err := secretstore.Open(secretstore.Options{
			Dir:     filepath.Dir(settingsPath(getenv)),
			Getenv:  getenv,
			Keyring: iopts.keyring,
			Warn:    func(w string) { fmt.Fprintln(ios.ErrOut, "ostui:", w) },
		})
		if err != nil {
			return err
		}
		for _, c := range clouds {
			for _, k := range sortedKeys(c.secrets) {
				where, err := store.Set(ctx, secretstore.Key("cloud", c.name, k), c.secrets[k])
				if err != nil {
					return fmt.Errorf("ostui import: store the %s of %s: %w (nothing was written to %s)", k, c.name, err, target)
				}
				fmt.Fprintf(ios.Out, "stored the %s of %s in %s\n", k, c.name, where)
			}
		}
	}
	if backup != "" {
		old, err := os.ReadFile(target)
		if err != nil {
			return err
		}
		if err := secrets.WriteFile0600(backup, old); err != nil {
			return err
		}
		fmt.Fprintf(ios.Out, "backed up %s to %s\n", target, backup)
	}
	for _, c := range clouds {
		if err := addCloud(doc, c.name, c.entry); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := secrets.WriteFile0600(target, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "wrote %s; try: ostui --os-cloud %s\n", target, clouds[0].name)
	return nil
}

func storeVerb(dry bool) string {
	if dry {
		return "would keep"
	}
	return "keeping"
}

func hasSecrets(cs []importedCloud) bool {
	for _, c := range cs {
		if len(c.secrets) > 0 {
			return true
		}
	}
	return false
}

// importTarget is the clouds.yaml to merge into: OS_CLIENT_CONFIG_FILE,
// else the first existing clouds.yaml the config loader searches (the
// working directory, then the user's), else the user's
// ~/.config/openstack/clouds.yaml. The system file (/etc/openstack) is not
// the user's to change, and a file being imported is never its own target.
func importTarget(getenv func(string) string, sources []string) string {
	if p := getenv("OS_CLIENT_CONFIG_FILE"); p != "" {
		return p
	}
	user := ""
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		user = filepath.Join(x, "openstack", "clouds.yaml")
	} else {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		user = filepath.Join(home, ".config", "openstack", "clouds.yaml")
	}
	for _, p := range []string{"clouds.yaml", user} {
		if _, err := os.Stat(p); err != nil || isSource(p, sources) {
			continue
		}
		return p
	}
	return user
}

func isSource(p string, sources []string) bool {
	for _, s := range sources {
		a, err1 := os.Stat(p)
		b, err2 := os.Stat(s)
		if err1 == nil && err2 == nil && os.SameFile(a, b) {
			return true
		}
	}
	return false
}

// readCloudsNode reads the target clouds.yaml as a YAML node tree, so
// that its comments and order survive the merge; a missing file is an
// empty document.
func readCloudsNode(path string) (*yaml.Node, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(bytes.TrimSpace(b)) == 0) {
		return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ostui import: read %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("ostui import: %s is not valid YAML (%v); fix it first, nothing was changed", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("ostui import: %s is not a clouds.yaml mapping; nothing was changed", path)
	}
	return &doc, nil
}

// cloudsMapping returns the `clouds:` mapping of doc, creating it.
func cloudsMapping(doc *yaml.Node) *yaml.Node {
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "clouds" {
			m := root.Content[i+1]
			if m.Kind != yaml.MappingNode {
				*m = yaml.Node{Kind: yaml.MappingNode}
			}
			return m
		}
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "clouds"}, m)
	return m
}

func cloudNames(doc *yaml.Node) []string {
	m := cloudsMapping(doc)
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

func addCloud(doc *yaml.Node, name string, entry map[string]any) error {
	var n yaml.Node
	if err := n.Encode(entry); err != nil {
		return err
	}
	m := cloudsMapping(doc)
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &n)
	return nil
}

// readHorizonFile reads a clouds.yaml or an openrc file, told apart by
// content: an openrc exports OS_* variables.
func readHorizonFile(path string) ([]importedCloud, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ostui import: %w", err)
	}
	if openrcExport().Match(b) {
		c, err := parseOpenrc(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("ostui import: %s: %w", path, err)
		}
		c.source = path
		return []importedCloud{c}, nil
	}
	var doc struct {
		Clouds map[string]map[string]any `yaml:"clouds"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("ostui import: %s is neither an openrc file nor a valid clouds.yaml: %v", path, err)
	}
	if len(doc.Clouds) == 0 {
		return nil, fmt.Errorf("ostui import: %s has no clouds: section and no export OS_... lines; download \"OpenStack clouds.yaml File\" or \"OpenStack RC File\" from Horizon's API Access page", path)
	}
	var out []importedCloud
	for _, name := range sortedKeys(doc.Clouds) {
		entry := doc.Clouds[name]
		out = append(out, importedCloud{source: path, entry: entry, secrets: takeSecrets(entry)})
	}
	return out, nil
}

// takeSecrets removes the secret auth fields from entry and returns them.
func takeSecrets(entry map[string]any) map[string]string {
	out := map[string]string{}
	auth, _ := entry["auth"].(map[string]any)
	for _, k := range importSecretFields() {
		if v, ok := auth[k]; ok {
			if s := fmt.Sprint(v); s != "" {
				out[k] = s
			}
			delete(auth, k)
		}
	}
	return out
}

// Built on first use: ostui's start pays nothing for a command it may never run.
var openrcExport = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*export\s+OS_[A-Z_]+=`) })

// openrcAuth maps OS_* variables to clouds.yaml auth fields; openrcTop to
// the entry's top-level fields.
var openrcAuth = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"OS_AUTH_URL": "auth_url", "OS_USERNAME": "username", "OS_USER_ID": "user_id",
		"OS_PASSWORD": "password", "OS_PROJECT_NAME": "project_name", "OS_TENANT_NAME": "project_name",
		"OS_PROJECT_ID": "project_id", "OS_TENANT_ID": "project_id",
		"OS_USER_DOMAIN_NAME": "user_domain_name", "OS_USER_DOMAIN_ID": "user_domain_id",
		"OS_PROJECT_DOMAIN_NAME": "project_domain_name", "OS_PROJECT_DOMAIN_ID": "project_domain_id",
		"OS_APPLICATION_CREDENTIAL_ID":     "application_credential_id",
		"OS_APPLICATION_CREDENTIAL_SECRET": "application_credential_secret",
		"OS_APPLICATION_CREDENTIAL_NAME":   "application_credential_name",
	}
})

var openrcTop = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"OS_REGION_NAME": "region_name", "OS_INTERFACE": "interface", "OS_ENDPOINT_TYPE": "interface",
		"OS_IDENTITY_API_VERSION": "identity_api_version", "OS_AUTH_TYPE": "auth_type", "OS_CACERT": "cacert",
	}
})

// parseOpenrc reads the export lines of a Horizon openrc. A value that
// refers to another variable ($OS_PASSWORD_INPUT, read with `read -sr`) is
// not a value: Horizon's file asks for the password when sourced.
func parseOpenrc(r io.Reader) (importedCloud, error) {
	c := importedCloud{entry: map[string]any{}, secrets: map[string]string{}}
	auth := map[string]any{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "export ") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "export ")), "=")
		if !ok {
			continue
		}
		v = unquoteShell(v)
		if strings.Contains(v, "$") {
			if k == "OS_PASSWORD" {
				c.prompted = true
			}
			continue
		}
		if v == "" {
			continue
		}
		if f, ok := openrcAuth()[k]; ok {
			if f == "password" || f == "application_credential_secret" {
				c.secrets[f] = v
				continue
			}
			auth[f] = v
		} else if f, ok := openrcTop()[k]; ok {
			c.entry[f] = v
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	if auth["auth_url"] == nil {
		return c, errors.New("no OS_AUTH_URL export; is this Horizon's OpenStack RC file?")
	}
	if _, ok := c.secrets["application_credential_secret"]; ok && c.entry["auth_type"] == nil {
		c.entry["auth_type"] = "v3applicationcredential"
	}
	c.entry["auth"] = auth
	return c, nil
}

// unquoteShell strips one level of shell quoting and a trailing comment.
func unquoteShell(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : end+1]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// importBaseName names a cloud after its project: Horizon calls every
// entry "openstack", which says nothing once there are two.
func importBaseName(entry map[string]any) string {
	auth, _ := entry["auth"].(map[string]any)
	for _, k := range []string{"project_name", "application_credential_name", "project_id"} {
		if s, ok := auth[k].(string); ok && s != "" {
			return sanitizeName(s)
		}
	}
	return "openstack"
}

var nameUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

func sanitizeName(s string) string {
	s = strings.Trim(nameUnsafe().ReplaceAllString(s, "-"), "-")
	if s == "" {
		return "openstack"
	}
	return s
}

// uniqueName is base, or base-2, base-3... when taken.
func uniqueName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s-%d", base, i); !taken[n] {
			return n
		}
	}
}

// describeEntry is the non-secret summary shown for an imported cloud.
func describeEntry(entry map[string]any) string {
	auth, _ := entry["auth"].(map[string]any)
	var parts []string
	for _, k := range []string{"auth_url", "username", "project_name", "application_credential_id"} {
		if v, ok := auth[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", k, v))
		}
	}
	if v, ok := entry["region_name"]; ok {
		parts = append(parts, fmt.Sprintf("region_name %v", v))
	}
	return secrets.RedactString(strings.Join(parts, ", "))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
