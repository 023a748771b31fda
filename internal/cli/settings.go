package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/llm"
)

// settings is ostui's own config file, $XDG_CONFIG_HOME/ostui/config.yaml
// (or $OSTUI_CONFIG). It holds no secrets: API keys stay in the
// environment, so the file can be shared and checked in.
type settings struct {
	Model struct {
		Provider        string `yaml:"provider"`
		BaseURL         string `yaml:"base_url"`
		Name            string `yaml:"name"`
		AzureEndpoint   string `yaml:"azure_endpoint"`
		AzureDeployment string `yaml:"azure_deployment"`
		APIVersion      string `yaml:"api_version"`
	} `yaml:"model"`
}

func settingsPath(getenv func(string) string) string {
	if p := getenv("OSTUI_CONFIG"); p != "" {
		return p
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "ostui", "config.yaml")
}

// loadSettings reads the config file; a missing file is no settings.
func loadSettings(getenv func(string) string) (*settings, error) {
	path := settingsPath(getenv)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &settings{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var s settings
	if err := yaml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &s, nil
}

// withSettings lets the environment win over the config file: the file's
// values answer only for variables that are not set.
func withSettings(getenv func(string) string, s *settings) func(string) string {
	fromFile := map[string]string{
		llm.EnvProvider:        s.Model.Provider,
		llm.EnvOpenAIBaseURL:   s.Model.BaseURL,
		llm.EnvModel:           s.Model.Name,
		llm.EnvAzureEndpoint:   s.Model.AzureEndpoint,
		llm.EnvAzureDeployment: s.Model.AzureDeployment,
		llm.EnvAzureAPIVersion: s.Model.APIVersion,
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return fromFile[k]
	}
}

// modelConfig resolves the model from the environment and the config file;
// what model discovery chose is said on stderr.
func modelConfig(getenv func(string) string) (llm.Config, bool, error) {
	return modelConfigTo(os.Stderr, getenv)
}

// modelConfigTo is modelConfig writing its note to notes. A server named
// without a model is asked which it serves (llm.ResolveModel): its only
// model is used, and notes is told which, once, as the shell starts.
func modelConfigTo(notes io.Writer, getenv func(string) string) (llm.Config, bool, error) {
	s, err := loadSettings(getenv)
	if err != nil {
		return llm.Config{}, false, err
	}
	cfg, configured, err := llm.ConfigFromEnv(withSettings(getenv, s))
	if err != nil || !configured {
		return cfg, configured, err
	}
	cfg, note, err := llm.ResolveModel(context.Background(), cfg)
	if err != nil {
		return llm.Config{}, false, err
	}
	if note != "" {
		fmt.Fprintln(notes, "note: "+note)
	}
	return cfg, true, nil
}
