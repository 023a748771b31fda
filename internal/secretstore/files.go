package secretstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"filippo.io/age"
	"filippo.io/age/armor"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/secrets"
)

// scryptWorkFactor is log2 of scrypt's N for the encrypted file: 2^16
// takes about a quarter of a second here, paid once per session that
// needs a secret; age's own default (2^18) would be a second each time.
const scryptWorkFactor = 16

func encryptedPath(dir string) string { return filepath.Join(dir, "secrets.age") }
func plainPath(dir string) string     { return filepath.Join(dir, "secrets.yaml") }

// ageFile is secrets.age: a YAML map of key to value, encrypted with age
// under a passphrase (scrypt) and armored, so `age -d` opens it too.
type ageFile struct {
	path       string
	passphrase func(confirm bool) (string, error)

	mu     sync.Mutex
	pass   string            // asked once per session
	values map[string]string // nil until read
}

func (a *ageFile) Name() string { return "the encrypted file " + a.path }

func (a *ageFile) exists() bool {
	_, err := os.Stat(a.path)
	return err == nil
}

func (a *ageFile) Get(_ context.Context, key string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.load(); err != nil {
		return "", err
	}
	v, ok := a.values[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (a *ageFile) Set(_ context.Context, key, value string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.load(); err != nil {
		return err
	}
	a.values[key] = value
	return a.save()
}

func (a *ageFile) Delete(_ context.Context, key string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.exists() {
		return ErrNotFound
	}
	if err := a.load(); err != nil {
		return err
	}
	if _, ok := a.values[key]; !ok {
		return ErrNotFound
	}
	delete(a.values, key)
	return a.save()
}

// load reads and decrypts the file once; a missing file is an empty map.
func (a *ageFile) load() error {
	if a.values != nil {
		return nil
	}
	b, err := readPrivate(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		a.values = map[string]string{}
		return nil
	}
	if err != nil {
		return err
	}
	if a.pass == "" {
		if a.pass, err = a.passphrase(false); err != nil {
			return err
		}
	}
	id, err := age.NewScryptIdentity(a.pass)
	if err != nil {
		return err
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(b)), id)
	if err != nil {
		a.pass = ""
		var wrong *age.NoIdentityMatchError
		if errors.As(err, &wrong) || errors.Is(err, age.ErrIncorrectIdentity) {
			return fmt.Errorf("the passphrase does not open %s (check %s)", a.path, PassphraseEnv)
		}
		return fmt.Errorf("decrypt %s: %w", a.path, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		a.pass = ""
		return fmt.Errorf("the passphrase does not open %s, or the file is damaged: %w", a.path, err)
	}
	values := map[string]string{}
	if err := yaml.Unmarshal(plain, &values); err != nil {
		return fmt.Errorf("%s decrypts to something that is not ostui's secrets: %w", a.path, err)
	}
	a.values = values
	return nil
}

// save encrypts the map and writes it 0600, atomically.
func (a *ageFile) save() error {
	if a.pass == "" {
		var err error
		if a.pass, err = a.passphrase(true); err != nil {
			return err
		}
	}
	rcpt, err := age.NewScryptRecipient(a.pass)
	if err != nil {
		return err
	}
	rcpt.SetWorkFactor(scryptWorkFactor)
	plain, err := marshalSorted(a.values)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rcpt)
	if err != nil {
		return err
	}
	if _, err := w.Write(plain); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := aw.Close(); err != nil {
		return err
	}
	return secrets.WriteFile0600(a.path, buf.Bytes())
}

// plainFile is secrets.yaml, for the person who asked for plain text.
type plainFile struct {
	path string
	mu   sync.Mutex
}

func (p *plainFile) Name() string { return "the plain-text file " + p.path }

func (p *plainFile) exists() bool {
	_, err := os.Stat(p.path)
	return err == nil
}

func (p *plainFile) read() (map[string]string, error) {
	values := map[string]string{}
	b, err := readPrivate(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return values, nil
	}
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(b, &values); err != nil {
		return nil, fmt.Errorf("read %s: %w", p.path, err)
	}
	return values, nil
}

func (p *plainFile) Get(_ context.Context, key string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	values, err := p.read()
	if err != nil {
		return "", err
	}
	v, ok := values[key]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (p *plainFile) Set(_ context.Context, key, value string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	values, err := p.read()
	if err != nil {
		return err
	}
	values[key] = value
	b, err := marshalSorted(values)
	if err != nil {
		return err
	}
	return secrets.WriteFile0600(p.path, b)
}

func (p *plainFile) Delete(_ context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	values, err := p.read()
	if err != nil {
		return err
	}
	if _, ok := values[key]; !ok {
		return ErrNotFound
	}
	delete(values, key)
	b, err := marshalSorted(values)
	if err != nil {
		return err
	}
	return secrets.WriteFile0600(p.path, b)
}

// readPrivate reads a secrets file, refusing one that is not a regular
// file or that its group or others can read or write: a secret others
// could have read is compromised, and one others could have written may
// not be the person's.
func readPrivate(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (a symlink?); ostui reads secrets only from its own files", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s is mode %04o: others can read or change it, so its secrets are refused; run chmod 600 %s (and consider the secrets in it exposed)", path, perm, path)
	}
	return os.ReadFile(path)
}

// marshalSorted writes the map with its keys in order, so a diff of two
// plain files (or of two decryptions) is readable.
func marshalSorted(values map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	node := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range keys {
		node.Content = append(node.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Value: values[k], Style: yaml.DoubleQuotedStyle})
	}
	return yaml.Marshal(node)
}
