package cli

import (
	"context"
	"io"
	"os"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/login"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// settingsPath is ostui's own config file, $OSTUI_CONFIG or
// $XDG_CONFIG_HOME/ostui/config.yaml: profiles, the pre-profile model:
// section and secret_backend (internal/profile reads and writes it). It
// holds no secrets; the secret files live beside it.
func settingsPath(getenv func(string) string) string { return profile.Path(getenv) }

// modelConfig resolves the default model from the environment and the
// config file; what model discovery chose is said on stderr.
func modelConfig(getenv func(string) string) (llm.Config, bool, error) {
	return modelConfigTo(os.Stderr, getenv, "")
}

// modelConfigTo is modelConfig for profile name ("" the default), writing
// its note to notes. A server named without a model is asked which it
// serves (llm.ResolveModel): its only model is used, and notes is told
// which, once, as the shell starts.
func modelConfigTo(notes io.Writer, getenv func(string) string, name string) (llm.Config, bool, error) {
	c, cfg, _, err := modelFromProfile(context.Background(), notes, getenv, name, nil, func() (login.SecretStore, error) {
		return openSecretStore(getenv, notes, nil)
	})
	if err != nil || c == nil {
		return llm.Config{}, false, err
	}
	return *cfg, true, nil
}
