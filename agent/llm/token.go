package llm

import (
	"context"
	"net/http"
)

// TokenSource gives the bearer token of a request: an OAuth access token
// kept fresh (refreshed before it expires, the new one stored). Its error
// says what the person should do ("run `ostui login github`").
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// tokenError is a request that never left: no token could be had.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// authorize puts the source's token on req as "Authorization: Bearer",
// replacing the key go-openai set from Config.APIKey (and Azure's api-key
// header, which an Entra token does not go in).
// It returns the token, for scrubbing from an error answer that quotes it.
func (d statusDoer) authorize(req *http.Request) (string, error) {
	if d.token == nil {
		return "", nil
	}
	tok, err := d.token.Token(req.Context())
	if err != nil {
		return "", &tokenError{err: err}
	}
	if d.azure {
		req.Header.Del("api-key")
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return tok, nil
}
