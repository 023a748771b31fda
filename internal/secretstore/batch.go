package secretstore

import (
	"context"
	"fmt"

	"github.com/kriscelmer/os-tui/internal/secrets"
)

// Pair is one secret of a SetMany.
type Pair struct{ Key, Value string }

// SetMany stores several secrets that belong together (an OAuth access
// token, its refresh token and its expiry) in the backend Set would use.
// The encrypted file is encrypted once for all of them — each encryption
// runs scrypt, a quarter of a second idle and more on a busy machine —
// and is replaced whole, so no reader sees half of the set. The keyring
// has no transactions: it gets them one by one, in the order given.
func (s *Store) SetMany(ctx context.Context, pairs []Pair) (where string, err error) {
	for _, p := range pairs {
		if err := checkKey(p.Key); err != nil {
			return "", err
		}
		if p.Value == "" {
			return "", fmt.Errorf("secret %s: refusing to store an empty value", p.Key)
		}
	}
	b, err := s.writer(ctx)
	if err != nil {
		return "", err
	}
	switch f := b.(type) {
	case *ageFile:
		err = f.setMany(pairs)
	case *plainFile:
		err = f.setMany(pairs)
		if err == nil {
			s.warn(fmt.Sprintf("%d secrets were written in plain text to %s (secret_backend: plain)", len(pairs), f.path))
		}
	default:
		for _, p := range pairs {
			if err = b.Set(ctx, p.Key, p.Value); err != nil {
				break
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("store secrets in %s: %w", b.Name(), err)
	}
	return b.Name(), nil
}

func (a *ageFile) setMany(pairs []Pair) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.load(); err != nil {
		return err
	}
	for _, p := range pairs {
		a.values[p.Key] = p.Value
	}
	return a.save()
}

func (p *plainFile) setMany(pairs []Pair) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	values, err := p.read()
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		values[kv.Key] = kv.Value
	}
	b, err := marshalSorted(values)
	if err != nil {
		return err
	}
	return secrets.WriteFile0600(p.path, b)
}
