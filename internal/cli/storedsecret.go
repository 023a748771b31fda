package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// fillStoredSecrets completes cfg from ostui's secret store (where `ostui
// import` puts passwords) when nothing else gave its password. The store
// is opened only then, so a cloud with its password in clouds.yaml or the
// environment never touches the keyring. A store that fails is a warning:
// Validate then names what is missing.
func fillStoredSecrets(cfg *config.Cloud, getenv func(string) string, warn io.Writer) {
	if cfg == nil {
		return
	}
	var store *secretstore.Store
	get := func(key string) (string, error) {
		if store == nil {
			// The backend the config names (secret_backend), as for
			// every other secret ostui reads.
			s, err := openSecretStore(getenv, warn, nil)
			if err != nil {
				return "", err
			}
			store = s
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := store.Get(ctx, key)
		if errors.Is(err, secretstore.ErrNotFound) {
			return "", config.ErrNoStoredSecret
		}
		return v, err
	}
	if err := cfg.FillStoredSecrets(get); err != nil {
		fmt.Fprintf(warn, "warning: cloud %q: the secret store did not answer: %v\n", cfg.Name, err)
	}
}
