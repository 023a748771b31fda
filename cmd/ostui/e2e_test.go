//go:build e2e

package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestE2E runs testdata/e2e/*.txtar against the real devcloud. The oracle
// is the openstack CLI on the same cloud. Each script gets a unique $RUN
// prefix for the resources it creates; everything so named is deleted when
// the script ends, whether it passed or not.
func TestE2E(t *testing.T) {
	cfg := os.Getenv("DEVCLOUD_CLOUDS_YAML")
	if cfg == "" {
		cfg = "/var/lib/devcloud/clouds.yaml"
	}
	if _, err := os.Stat(cfg); err != nil {
		t.Fatalf("the devcloud's clouds.yaml is missing (%v): run `make devcloud` first (make e2e does)", err)
	}
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Fatalf("the openstack CLI (the oracle) is not installed: %v", err)
	}
	cache := t.TempDir()
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/e2e",
		UpdateScripts: *update,
		Cmds:          scriptCmds(),
		Setup: func(env *testscript.Env) error {
			isolate(env)
			run := "e2e-" + randomHex(4)
			env.Setenv("RUN", run)
			env.Setenv("OS_CLIENT_CONFIG_FILE", cfg)
			env.Setenv("OS_CLOUD", "devcloud")
			// One token cache for the whole suite: warm commands, as users see them.
			env.Setenv("OSTUI_CACHE_DIR", cache)
			env.Defer(func() {
				out, err := exec.Command("bash", "../../scripts/e2e-cleanup", run).CombinedOutput()
				if err != nil {
					t.Errorf("cleanup of %s failed: %v\n%s", run, err, out)
				}
			})
			return nil
		},
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
