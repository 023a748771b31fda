package osbench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed cloud.py
var cloudPy []byte

// cloud runs the snapshot and cleanup script with openstacksdk: one Python
// process answers a dozen lists in about two seconds, where the openstack
// CLI would take twenty.
type cloud struct {
	python string // an interpreter with openstacksdk, e.g. /usr/bin/python3
	script string // cloud.py written out
	name   string // the project under test, e.g. devcloud
	admin  string // an admin cloud for flavors, e.g. devcloud-admin
}

func newCloud(python, workDir, name, admin string) (*cloud, error) {
	path := filepath.Join(workDir, "cloud.py")
	if err := os.WriteFile(path, cloudPy, 0o600); err != nil {
		return nil, fmt.Errorf("writing the snapshot script: %w", err)
	}
	return &cloud{python: python, script: path, name: name, admin: admin}, nil
}

// Snapshot lists the project's resources.
func (c *cloud) Snapshot(ctx context.Context) (Snapshot, error) {
	out, err := c.run(ctx, "snapshot", c.name)
	if err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", c.name, err)
	}
	var s Snapshot
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("snapshot of %s: %w", c.name, err)
	}
	return s, nil
}

// Cleanup deletes everything named with prefix, and the floating IPs the
// run allocated (they have no name to carry the prefix).
func (c *cloud) Cleanup(ctx context.Context, prefix string, newFloatingIPs []string) error {
	if _, err := c.run(ctx, append([]string{"cleanup", c.name, c.admin, prefix}, newFloatingIPs...)...); err != nil {
		return fmt.Errorf("cleanup of %s*: %w", prefix, err)
	}
	return nil
}

func (c *cloud) run(ctx context.Context, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, c.python, append([]string{c.script}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// newIDs are the IDs of kind in after but not in before.
func newIDs(before, after Snapshot, kind string) []string {
	seen := map[string]bool{}
	for _, r := range before {
		if r.Kind == kind {
			seen[r.ID] = true
		}
	}
	var out []string
	for _, r := range after {
		if r.Kind == kind && !seen[r.ID] {
			out = append(out, r.ID)
		}
	}
	return out
}
