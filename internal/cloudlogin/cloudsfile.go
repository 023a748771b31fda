package cloudlogin

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/secrets"
)

// UseAppCredential rewrites cloud name's entry in the clouds.yaml at path
// to log in with the application credential id: auth_type becomes
// v3applicationcredential, application_credential_id is set, and every
// secret (password, token, passcode, an old credential's secret) leaves
// the file — the new secret lives in the secret store. The user and
// project stay, so a later `ostui login cloud` knows whom to log in as.
//
// The file is edited as a YAML node tree (comments and order survive),
// the old one is kept as PATH.bak-TIMESTAMP, and both are written 0600.
// It returns the backup's path.
func UseAppCredential(path, name, id string, now time.Time) (string, error) {
	old, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(old, &doc); err != nil {
		return "", fmt.Errorf("%s is not valid YAML (%v); nothing was changed", path, err)
	}
	entry := lookup(doc.Content, "clouds", name)
	if entry == nil || entry.Kind != yaml.MappingNode {
		return "", fmt.Errorf("%s has no cloud %q to update; nothing was changed", path, name)
	}
	set(entry, "auth_type", "v3applicationcredential")
	auth := child(entry, "auth")
	if auth == nil {
		auth = &yaml.Node{Kind: yaml.MappingNode}
		entry.Content = append(entry.Content, scalar("auth"), auth)
	}
	for _, k := range []string{"password", "token", "passcode", "application_credential_secret", "application_credential_name"} {
		remove(auth, k)
	}
	set(auth, "application_credential_id", id)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", err
	}
	backup := path + ".bak-" + now.UTC().Format("20060102T150405Z")
	if err := secrets.WriteFile0600(backup, old); err != nil {
		return "", err
	}
	if err := secrets.WriteFile0600(path, buf.Bytes()); err != nil {
		return "", err
	}
	return backup, nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// lookup follows keys from a document's root mapping.
func lookup(content []*yaml.Node, keys ...string) *yaml.Node {
	if len(content) != 1 {
		return nil
	}
	n := content[0]
	for _, k := range keys {
		n = child(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func set(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = scalar(value)
			return
		}
	}
	m.Content = append(m.Content, scalar(key), scalar(value))
}

func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
