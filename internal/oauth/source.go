package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// SecretField is the field, under a profile's credential prefix, of the
// one secret that holds a token: access token, refresh token and expiry
// together, as JSON ("provider/github/oauth_token"). One secret rather
// than three, so that a refresh replaces all of them at once and an
// interrupted write never pairs a new access token with an old expiry.
const SecretField = "oauth_token"

// Store is where tokens are kept (*secretstore.Store satisfies it).
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) (where string, err error)
}

// ErrNoToken is a store that holds no token under the key.
var ErrNoToken = errors.New("no token stored")

// Save stores t under key and says where it went.
func Save(ctx context.Context, st Store, key string, t *Token) (string, error) {
	if t == nil || t.AccessToken == "" {
		return "", errors.New("refusing to store an empty token")
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return st.Set(ctx, key, string(b))
}

// Load reads the token stored under key; ErrNoToken when there is none.
func Load(ctx context.Context, st Store, key string) (*Token, error) {
	v, err := st.Get(ctx, key)
	if errors.Is(err, secretstore.ErrNotFound) {
		return nil, ErrNoToken
	}
	if err != nil {
		return nil, err
	}
	var t Token
	// The error of json.Unmarshal may quote the value: it is not passed on.
	if json.Unmarshal([]byte(v), &t) != nil || t.AccessToken == "" {
		return nil, fmt.Errorf("the secret %s is not a token ostui stored", key)
	}
	return &t, nil
}

// DefaultMargin is how long before its expiry a token is refreshed: a
// request that starts with a token about to expire may be refused midway.
const DefaultMargin = 2 * time.Minute

// Source hands out a valid access token: the stored one while it is
// fresh, a refreshed one (stored again) once it has expired or will
// within Margin. Safe for concurrent use.
type Source struct {
	// Client refreshes; its ClientID must be the one that issued the token.
	Client *Client
	Store  Store
	// Key is the secret's key (PREFIX/oauth_token).
	Key string
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
		t, err := Load(ctx, s.Store, s.Key)
		if errors.Is(err, ErrNoToken) {
			return "", fmt.Errorf("no token is stored (%s); %s", s.Key, s.Relogin)
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
		return "", fmt.Errorf("the token expired and refreshing it failed (%w); %s", err, s.Relogin)
	}
	s.tok = t
	// A refreshed token that cannot be stored still works for this
	// session; the next one refreshes again (if the server still takes
	// the old refresh token) or asks for a login.
	if _, err := Save(ctx, s.Store, s.Key, t); err != nil && s.Warn != nil {
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
