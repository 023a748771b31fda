package secretstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// keyringService is the service name ostui's entries carry in the keyring
// (what a person sees in Seahorse or Keychain Access).
const keyringService = "ostui"

// keyringTimeout bounds every keyring call. A desktop keyring answers in
// milliseconds; a headless session without a Secret Service can block on
// D-Bus activation for ever, and nothing should wait on that for long.
var keyringTimeout = 3 * time.Second

// KeyringAPI is the OS keyring as go-keyring offers it.
type KeyringAPI interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// systemKeyring is the real keyring.
type systemKeyring struct{}

func (systemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (systemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (systemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// keyringBackend runs each call of api under timeout.
type keyringBackend struct {
	api     KeyringAPI
	timeout time.Duration
}

func (k *keyringBackend) Name() string { return "the OS keyring" }

func (k *keyringBackend) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := k.call(ctx, func() error {
		var err error
		v, err = k.api.Get(keyringService, key)
		return err
	})
	return v, err
}

func (k *keyringBackend) Set(ctx context.Context, key, value string) error {
	return k.call(ctx, func() error { return k.api.Set(keyringService, key, value) })
}

func (k *keyringBackend) Delete(ctx context.Context, key string) error {
	return k.call(ctx, func() error { return k.api.Delete(keyringService, key) })
}

// call runs f in a goroutine and gives up after the timeout. A call that
// never returns leaks its goroutine; that is the price of not hanging the
// shell, and the store asks a keyring that timed out nothing more.
func (k *keyringBackend) call(ctx context.Context, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return ErrNotFound
		}
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s (is a Secret Service running on this session's D-Bus?)", k.timeout)
	}
}
