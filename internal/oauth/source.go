package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// Fields of a stored token under its credential prefix: the same names
// the profile package gives them (profile.FieldAccessToken, …), so that a
// token `ostui login` stores is the one the model resolver reads.
const (
	FieldAccessToken  = "access_token"
	FieldRefreshToken = "refresh_token"
	// FieldExpiry is RFC 3339; no secret, but kept beside the token so
	// the two are found together.
	FieldExpiry = "expiry"
)

// SecretStore is the secret store as tokens use it (*secretstore.Store
// satisfies it).
type SecretStore interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) (where string, err error)
	Delete(ctx context.Context, key string) error
}

// ErrNoToken is a store that holds no token under the prefix.
var ErrNoToken = errors.New("no token stored")

// Stored is a token in the secret store under a credential prefix
// ("provider/github"): PREFIX/access_token, PREFIX/refresh_token and
// PREFIX/expiry.
type Stored struct {
	Store  SecretStore
	Prefix string
}

func (s Stored) key(field string) string { return strings.TrimSuffix(s.Prefix, "/") + "/" + field }

// Save stores t and says where it went. The refresh token is written
// first and the expiry last: GitHub rotates refresh tokens on every use,
// so a save cut short must never lose the new one, and an access token
// stored with its old expiry is only refreshed early. A token without a
// refresh token or expiry deletes the stored ones, which belonged to an
// earlier login.
//
// A store that can write several secrets at once (SetMany: the encrypted
// file, encrypted once rather than three times) gets them together.
func (s Stored) Save(ctx context.Context, t *Token) (string, error) {
	if t == nil || t.AccessToken == "" {
		return "", errors.New("refusing to store an empty token")
	}
	if many, ok := s.Store.(interface {
		SetMany(ctx context.Context, pairs []secretstore.Pair) (string, error)
	}); ok {
		return s.saveMany(ctx, many.SetMany, t)
	}
	if t.RefreshToken != "" {
		if _, err := s.Store.Set(ctx, s.key(FieldRefreshToken), t.RefreshToken); err != nil {
			return "", err
		}
	} else if err := s.Store.Delete(ctx, s.key(FieldRefreshToken)); err != nil {
		return "", err
	}
	where, err := s.Store.Set(ctx, s.key(FieldAccessToken), t.AccessToken)
	if err != nil {
		return "", err
	}
	if !t.Expiry.IsZero() {
		_, err = s.Store.Set(ctx, s.key(FieldExpiry), t.Expiry.UTC().Format(time.RFC3339))
	} else {
		err = s.Store.Delete(ctx, s.key(FieldExpiry))
	}
	return where, err
}

func (s Stored) saveMany(ctx context.Context, setMany func(context.Context, []secretstore.Pair) (string, error), t *Token) (string, error) {
	var pairs []secretstore.Pair
	var stale []string
	if t.RefreshToken != "" {
		pairs = append(pairs, secretstore.Pair{Key: s.key(FieldRefreshToken), Value: t.RefreshToken})
	} else {
		stale = append(stale, s.key(FieldRefreshToken))
	}
	pairs = append(pairs, secretstore.Pair{Key: s.key(FieldAccessToken), Value: t.AccessToken})
	if !t.Expiry.IsZero() {
		pairs = append(pairs, secretstore.Pair{Key: s.key(FieldExpiry), Value: t.Expiry.UTC().Format(time.RFC3339)})
	} else {
		stale = append(stale, s.key(FieldExpiry))
	}
	where, err := setMany(ctx, pairs)
	if err != nil {
		return "", err
	}
	for _, k := range stale {
		// Absent is the usual case, and costs no write.
		if err := s.Store.Delete(ctx, k); err != nil && !errors.Is(err, secretstore.ErrNotFound) {
			return "", err
		}
	}
	return where, nil
}

// Load reads the stored token; ErrNoToken when there is no access token.
func (s Stored) Load(ctx context.Context) (*Token, error) {
	get := func(field string) (string, error) {
		v, err := s.Store.Get(ctx, s.key(field))
		if errors.Is(err, secretstore.ErrNotFound) {
			return "", nil
		}
		return v, err
	}
	access, err := get(FieldAccessToken)
	if err != nil {
		return nil, err
	}
	if access == "" {
		return nil, ErrNoToken
	}
	t := &Token{AccessToken: access}
	if t.RefreshToken, err = get(FieldRefreshToken); err != nil {
		return nil, err
	}
	exp, err := get(FieldExpiry)
	if err != nil {
		return nil, err
	}
	if exp != "" {
		at, err := time.Parse(time.RFC3339, exp)
		if err != nil {
			// Unreadable: treat as expired, so a refresh (or a login) mends it.
			at = time.Unix(1, 0)
		}
		t.Expiry = at
	}
	return t, nil
}

// DefaultMargin is how long before its expiry a token is refreshed: a
// request that starts with a token about to expire may be refused midway.
// It is the model resolver's margin too (login.Resolver), so a session
// that refreshed at start does not refresh again at its first request.
const DefaultMargin = time.Minute

// Source hands out a valid access token: the stored one while it is
// fresh, a refreshed one (stored again) once it has expired or will
// within Margin. Safe for concurrent use.
type Source struct {
	// Client refreshes; its ClientID must be the one that issued the token.
	Client *Client
	Stored Stored
	// Margin is DefaultMargin when 0.
	Margin time.Duration
	// Relogin is the advice when no token can be had:
	// "run `ostui login github`".
	Relogin string
	// Warn receives a sentence the person should see (a refreshed token
	// that could not be stored); nil drops it.
	Warn func(string)

	mu  sync.Mutex
	tok *Token
}

// Token returns an access token valid for at least Margin.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		t, err := s.Stored.Load(ctx)
		if errors.Is(err, ErrNoToken) {
			return "", fmt.Errorf("no token is stored (%s); %s", s.Stored.key(FieldAccessToken), s.Relogin)
		}
		if err != nil {
			return "", fmt.Errorf("read the stored token: %w; %s", err, s.Relogin)
		}
		s.tok = t
	}
	margin := s.Margin
	if margin == 0 {
		margin = DefaultMargin
	}
	now := s.Client.clock().Now()
	if !s.tok.ExpiresWithin(now, margin) {
		return s.tok.AccessToken, nil
	}
	if s.tok.RefreshToken == "" || (!s.tok.RefreshExpiry.IsZero() && !now.Before(s.tok.RefreshExpiry)) {
		return "", fmt.Errorf("the token expired at %s and cannot be refreshed; %s", s.tok.Expiry.Local().Format(time.DateTime), s.Relogin)
	}
	t, err := s.Client.Refresh(ctx, s.tok.RefreshToken)
	if err != nil {
		// Another ostui may have refreshed first: GitHub rotates refresh
		// tokens, so ours is spent, and the fresh pair is in the store.
		if errors.Is(err, ErrInvalidGrant) {
			if st, lerr := s.Stored.Load(ctx); lerr == nil && st.AccessToken != s.tok.AccessToken && !st.ExpiresWithin(now, margin) {
				s.tok = st
				return st.AccessToken, nil
			}
		}
		return "", fmt.Errorf("the token expired and refreshing it failed (%w); %s", err, s.Relogin)
	}
	s.tok = t
	// A refreshed token that cannot be stored still works for this
	// session; the next one refreshes again (if the server still takes
	// the old refresh token) or asks for a login.
	if _, err := s.Stored.Save(ctx, t); err != nil && s.Warn != nil {
		s.Warn("the refreshed token could not be stored (" + err.Error() + "); it is used for this session only")
	}
	return t.AccessToken, nil
}

// Forget drops the cached token, so the next Token reads the store again
// (after a 401: another ostui may have refreshed it).
func (s *Source) Forget() {
	s.mu.Lock()
	s.tok = nil
	s.mu.Unlock()
}
