// Package secretstore keeps ostui's own secrets — model API keys, OAuth
// access and refresh tokens, cloud passwords and application-credential
// secrets — out of every plain-text file.
//
// Where a secret goes is decided once, in this order:
//
//  1. the operating system's keyring (Secret Service over D-Bus on Linux,
//     the Keychain on macOS, the Credential Manager on Windows), each call
//     under a short timeout because a headless Linux session can leave a
//     D-Bus call hanging for ever;
//  2. when no keyring answers, a file encrypted with age (secrets.age in
//     the config directory), its passphrase from OSTUI_CONFIG_ENCRYPTION_KEY
//     or asked for at the terminal;
//  3. a plain file (secrets.yaml) only when the person opted in with
//     secret_backend: plain, and then with a warning each time it is used.
//
// Reading looks in every backend that holds something, so a secret stored
// while the keyring was away is still found once it is back. Files are 0600
// in 0700 folders; a secrets file others can read is refused, not used.
package secretstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// ErrNotFound is a secret no backend holds.
var ErrNotFound = errors.New("secret not found")

// Mode chooses the backends: the config's secret_backend setting.
type Mode string

// The modes a person can choose.
const (
	// Auto uses the keyring when it answers and the encrypted file when
	// not; it is the default.
	Auto Mode = "auto"
	// Keyring uses only the OS keyring: a store fails rather than fall
	// back to a file.
	Keyring Mode = "keyring"
	// Encrypted uses only the age-encrypted file.
	Encrypted Mode = "file"
	// Plain uses a plain-text file: only for machines where neither of
	// the others can work, and never chosen without being asked for.
	Plain Mode = "plain"
)

// ParseMode reads a secret_backend value; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Auto, nil
	case Auto, Keyring, Encrypted, Plain:
		return m, nil
	}
	return "", fmt.Errorf("secret_backend %q is not one of auto, keyring, file, plain", s)
}

// backend is one place secrets can live.
type backend interface {
	// Name says where, for messages: "the OS keyring", "the encrypted
	// file ~/.config/ostui/secrets.age".
	Name() string
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}

// Options configure Open.
type Options struct {
	Mode Mode
	// Dir is the folder of the secret files (ostui's config folder).
	Dir string
	// Getenv reads OSTUI_CONFIG_ENCRYPTION_KEY; nil means no environment.
	Getenv func(string) string
	// Passphrase asks the person for the encrypted file's passphrase
	// (hidden input); nil when there is no terminal. confirm is set when
	// the file is about to be created, so the caller can ask twice.
	Passphrase func(confirm bool) (string, error)
	// Keyring is the OS keyring; nil means the real one. Tests pass a
	// fake (an absent or a hanging keyring among them).
	Keyring KeyringAPI
	// Warn receives a sentence the person should see (the plain-text
	// file in use); nil drops it.
	Warn func(string)
}

// Store is the secret store: Get, Set and Delete by key (see Key).
type Store struct {
	opts Options

	mu        sync.Mutex
	keyring   backend
	available *bool // the keyring answered a probe (nil: not asked yet)
	encrypted *ageFile
	plain     *plainFile
}

// Open prepares a store. Nothing is read until a secret is asked for, so
// a session that needs none pays nothing (no keyring call, no scrypt).
func Open(opts Options) (*Store, error) {
	if opts.Mode == "" {
		opts.Mode = Auto
	}
	if _, err := ParseMode(string(opts.Mode)); err != nil {
		return nil, err
	}
	if opts.Dir == "" && opts.Mode != Keyring {
		return nil, errors.New("secret store: no folder for the secret files")
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Keyring == nil {
		opts.Keyring = systemKeyring{}
	}
	s := &Store{opts: opts}
	s.keyring = &keyringBackend{api: opts.Keyring, timeout: keyringTimeout}
	s.encrypted = &ageFile{path: encryptedPath(opts.Dir), passphrase: s.passphrase}
	s.plain = &plainFile{path: plainPath(opts.Dir)}
	return s, nil
}

// Mode is the mode the store was opened with.
func (s *Store) Mode() Mode { return s.opts.Mode }

// Get returns the secret stored under key, looking in every backend the
// mode allows: the keyring first, then the files that exist.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	var errs []error
	for _, b := range s.readers(ctx) {
		v, err := b.Get(ctx, key)
		switch {
		case err == nil:
			if b == backend(s.plain) {
				s.warn("secret " + key + " was read from the plain-text file " + s.plain.path)
			}
			return v, nil
		case errors.Is(err, ErrNotFound):
		default:
			errs = append(errs, fmt.Errorf("%s: %w", b.Name(), err))
		}
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	return "", ErrNotFound
}

// Set stores value under key in the first backend the mode allows that
// works, and says which.
func (s *Store) Set(ctx context.Context, key, value string) (where string, err error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if value == "" {
		return "", fmt.Errorf("secret %s: refusing to store an empty value", key)
	}
	b, err := s.writer(ctx)
	if err != nil {
		return "", err
	}
	if err := b.Set(ctx, key, value); err != nil {
		return "", fmt.Errorf("store secret %s in %s: %w", key, b.Name(), err)
	}
	if b == backend(s.plain) {
		s.warn("secret " + key + " was written in plain text to " + s.plain.path + " (secret_backend: plain)")
	}
	return b.Name(), nil
}

// Delete removes key from every backend that holds it. A key held nowhere
// is not an error: the goal (the secret is gone) holds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var errs []error
	for _, b := range s.readers(ctx) {
		if err := b.Delete(ctx, key); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, fmt.Errorf("%s: %w", b.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Where names the backend a Set would use now, or why none can be used:
// for `ostui login` to say where the secret will go before asking for it.
func (s *Store) Where(ctx context.Context) (string, error) {
	b, err := s.writer(ctx)
	if err != nil {
		return "", err
	}
	return b.Name(), nil
}

// readers are the backends Get and Delete consult, in order.
func (s *Store) readers(ctx context.Context) []backend {
	var out []backend
	switch s.opts.Mode {
	case Keyring:
		return []backend{s.keyring}
	case Encrypted:
		return []backend{s.encrypted}
	case Plain:
		out = append(out, s.plain)
		if s.encrypted.exists() {
			out = append(out, s.encrypted)
		}
		return out
	}
	if s.keyringAvailable(ctx) {
		out = append(out, s.keyring)
	}
	if s.encrypted.exists() {
		out = append(out, s.encrypted)
	}
	// A plain file left from an earlier opt-in is still read in auto
	// mode (with the warning), so that switching back loses nothing.
	if s.plain.exists() {
		out = append(out, s.plain)
	}
	return out
}

// writer is the backend Set uses.
func (s *Store) writer(ctx context.Context) (backend, error) {
	switch s.opts.Mode {
	case Keyring:
		if !s.keyringAvailable(ctx) {
			return nil, errors.New("the OS keyring does not answer (secret_backend: keyring); start a Secret Service (gnome-keyring, KeePassXC) or set secret_backend: file in the ostui config")
		}
		return s.keyring, nil
	case Encrypted:
		return s.encrypted, nil
	case Plain:
		return s.plain, nil
	}
	if s.keyringAvailable(ctx) {
		return s.keyring, nil
	}
	return s.encrypted, nil
}

// keyringAvailable asks the keyring once per store whether it answers: a
// lookup of a key nobody stores either comes back "not found" (it works)
// or fails or times out (it does not, and the files are used instead).
func (s *Store) keyringAvailable(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.available == nil {
		_, err := s.keyring.Get(ctx, probeKey)
		ok := err == nil || errors.Is(err, ErrNotFound)
		s.available = &ok
	}
	return *s.available
}

// passphrase is the encrypted file's: the environment first, then the
// terminal.
func (s *Store) passphrase(confirm bool) (string, error) {
	if p := s.opts.Getenv(PassphraseEnv); p != "" {
		return p, nil
	}
	if s.opts.Passphrase == nil {
		return "", fmt.Errorf("no OS keyring answers and the encrypted secrets file needs a passphrase: set %s, or run ostui in a terminal to type it", PassphraseEnv)
	}
	p, err := s.opts.Passphrase(confirm)
	if err != nil {
		return "", fmt.Errorf("read the passphrase of %s: %w", s.encrypted.path, err)
	}
	if p == "" {
		return "", errors.New("the passphrase is empty; an empty passphrase would protect nothing")
	}
	return p, nil
}

func (s *Store) warn(msg string) {
	if s.opts.Warn != nil {
		s.opts.Warn(msg)
	}
}

// PassphraseEnv holds the encrypted file's passphrase for sessions with no
// terminal (CI, `ostui mcp`).
const PassphraseEnv = "OSTUI_CONFIG_ENCRYPTION_KEY" //nolint:gosec // the variable's name, not a credential

// probeKey is looked up to learn whether the keyring answers.
const probeKey = "ostui/probe"

// Key names a secret: Key("cloud", "devcloud", "password") is
// "cloud/devcloud/password", Key("provider", "github", "refresh_token") is
// "provider/github/refresh_token". Every part must be non-empty.
func Key(parts ...string) string { return strings.Join(parts, "/") }

func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		return fmt.Errorf("secret key %q is malformed (want kind/name/field)", key)
	}
	return nil
}
