package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"

	"gopkg.in/yaml.v3"
)

// systemDir is where system-wide clouds.yaml and secure.yaml live. A
// variable so that tests do not depend on the machine they run on.
var systemDir = "/etc/openstack"

// configDirs returns the directories searched for clouds.yaml and
// secure.yaml, in order: the working directory, the user's config
// directory, the system directory.
func configDirs(getenv func(string) string) []string {
	dirs := []string{"."}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		dirs = append(dirs, filepath.Join(x, "openstack"))
	} else if h := getenv("HOME"); h != "" {
		dirs = append(dirs, filepath.Join(h, ".config", "openstack"))
	}
	return append(dirs, systemDir)
}

// candidates returns the paths searched for a file name, with the
// override variable (OS_CLIENT_CONFIG_FILE, OS_CLIENT_SECURE_FILE) first
// and extra directories (beside clouds.yaml) before the standard ones.
func candidates(getenv func(string) string, override, name string, extra ...string) []string {
	var out []string
	if p := getenv(override); p != "" {
		out = append(out, p)
	}
	seen := map[string]bool{}
	for _, d := range append(extra, configDirs(getenv)...) {
		p := filepath.Join(d, name)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// firstExisting returns the first path that exists (readable or not).
func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// ParseError is a malformed clouds.yaml or secure.yaml, with the line the
// YAML parser stopped at (0 when it did not say).
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s (fix the YAML and try again)", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s (fix the YAML and try again)", e.File, e.Msg)
}

// fileDoc is the part of clouds.yaml / secure.yaml ostui reads.
type fileDoc struct {
	Clouds map[string]cloudDoc `yaml:"clouds"`
}

type cloudDoc struct {
	Auth       map[string]scalar `yaml:"auth"`
	AuthType   scalar            `yaml:"auth_type"`
	RegionName scalar            `yaml:"region_name"`
	Regions    []region          `yaml:"regions"`
	Interface  scalar            `yaml:"interface"`
	Verify     scalar            `yaml:"verify"`
	CACert     scalar            `yaml:"cacert"`
	Cert       scalar            `yaml:"cert"`
	Key        scalar            `yaml:"key"`
}

// scalar accepts any YAML scalar (project IDs are sometimes unquoted
// numbers) and rejects lists and maps with the line they are on.
type scalar string

func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &lineError{line: n.Line, msg: "want a single value, got a list or a map"}
	}
	*s = scalar(n.Value)
	return nil
}

// region is an entry of "regions:", either "RegionOne" or {name: RegionOne}.
type region string

func (r *region) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = region(n.Value)
		return nil
	case yaml.MappingNode:
		var m struct {
			Name scalar `yaml:"name"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		*r = region(m.Name)
		return nil
	}
	return &lineError{line: n.Line, msg: "regions: want a name or {name: ...}"}
}

type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+): ?`) })

// parseError turns a yaml.v3 error into a ParseError naming the file and line.
func parseError(file string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &ParseError{File: file, Line: le.line, Msg: le.msg}
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	pe := &ParseError{File: file, Msg: msg}
	if m := yamlLine().FindStringSubmatchIndex(msg); m != nil {
		pe.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		pe.Msg = msg[:m[0]] + msg[m[1]:]
	}
	pe.Msg = trimYAMLPrefix(pe.Msg)
	return pe
}

func trimYAMLPrefix(s string) string {
	for _, p := range []string{"yaml: unmarshal errors:\n  ", "yaml: "} {
		if len(s) >= len(p) && s[:len(p)] == p {
			s = s[len(p):]
		}
	}
	return s
}

// readFile parses a clouds.yaml or secure.yaml.
func readFile(path string) (*fileDoc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseDoc(path, data)
}

func parseDoc(path string, data []byte) (doc *fileDoc, err error) {
	// yaml.v3 panics on a few pathological inputs; a config file must
	// never crash the shell.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, &ParseError{File: path, Msg: fmt.Sprintf("cannot parse: %v", r)}
		}
	}()
	doc = &fileDoc{}
	if err := yaml.Unmarshal(data, doc); err != nil {
		return nil, parseError(path, err)
	}
	return doc, nil
}

// names returns the cloud names of a document, sorted.
func (d *fileDoc) names() []string {
	if d == nil {
		return nil
	}
	out := make([]string, 0, len(d.Clouds))
	for n := range d.Clouds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// authKeys are the auth: keys ostui understands; tenant_* are the
// Keystone v2 spellings of project_*.
var authKeys = map[string]string{
	"auth_url":                      "auth_url",
	"username":                      "username",
	"user_id":                       "user_id",
	"password":                      "password",
	"project_name":                  "project_name",
	"tenant_name":                   "project_name",
	"project_id":                    "project_id",
	"tenant_id":                     "project_id",
	"user_domain_name":              "user_domain_name",
	"user_domain_id":                "user_domain_id",
	"project_domain_name":           "project_domain_name",
	"project_domain_id":             "project_domain_id",
	"domain_name":                   "domain_name",
	"domain_id":                     "domain_id",
	"default_domain":                "default_domain",
	"token":                         "token",
	"application_credential_id":     "application_credential_id",
	"application_credential_name":   "application_credential_name",
	"application_credential_secret": "application_credential_secret",
	"passcode":                      "passcode",
	"identity_provider":             "identity_provider",
	"protocol":                      "protocol",
	"client_id":                     "client_id",
	"client_secret":                 "client_secret",
	"discovery_endpoint":            "discovery_endpoint",
	"access_token_endpoint":         "access_token_endpoint",
	"device_authorization_endpoint": "device_authorization_endpoint",
	"access_token":                  "access_token",
	"openid_scope":                  "openid_scope",
	"access_token_type":             "access_token_type",
}

// layer returns the settings of one cloud entry.
func (c cloudDoc) layer(src string) (layer, error) {
	l := layer{}
	put := func(k string, v scalar) {
		if v != "" {
			l[k] = value{v: string(v), src: src}
		}
	}
	for k, v := range c.Auth {
		if key, ok := authKeys[k]; ok {
			put(key, v)
		}
	}
	put("auth_type", c.AuthType)
	put("region_name", c.RegionName)
	if c.RegionName == "" && len(c.Regions) > 0 {
		put("region_name", scalar(c.Regions[0]))
	}
	put("interface", c.Interface)
	put("cacert", c.CACert)
	put("cert", c.Cert)
	put("key", c.Key)
	if c.Verify != "" {
		verify, err := strconv.ParseBool(string(c.Verify))
		if err != nil {
			return nil, fmt.Errorf("verify: want true or false, got %q", string(c.Verify))
		}
		put("insecure", scalar(strconv.FormatBool(!verify)))
	}
	return l, nil
}
