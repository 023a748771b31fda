// Package llmtest is a scripted OpenAI-compatible chat server for tests:
// each request gets the next scripted answer, streamed the way OpenAI
// streams (or as one JSON body), and is recorded so a test can check what
// the model was sent. Canaries prove that secrets never reach the model.
//
// New serves one test through httptest; RunServer and Main serve outside
// `go test`, for testscript transcripts and the benchmark harness.
package llmtest

import (
	"net/http/httptest"
	"testing"
)

// Option adjusts a server.
type Option func(*handler)

// Canaries fails any request whose body contains one of these strings:
// plant a secret in the fake cloud, list it here, and the test proves it
// was redacted before reaching the model.
func Canaries(secrets ...string) Option {
	return func(h *handler) {
		for _, s := range secrets {
			if s != "" {
				h.canaries = append(h.canaries, s)
			}
		}
	}
}

// IgnoreStreamOptions makes the server behave like many local servers
// (Ollama, llama.cpp): stream_options is ignored and no usage is sent.
func IgnoreStreamOptions() Option {
	return func(h *handler) { h.ignoreStreamOptions = true }
}

// Models sets the model names GET /v1/models answers with (none: an
// empty list), for testing how a client picks a model nobody named.
func Models(names ...string) Option {
	return func(h *handler) { h.models = append(h.models, names...) }
}

// APIKey makes the server accept only this key (as a Bearer token, or
// Azure's api-key header) and answer any other with 401, as OpenAI does:
// for testing that a login checks the key it is given.
func APIKey(key string) Option {
	return func(h *handler) { h.apiKey = key }
}

// Server is a scripted model endpoint for one test.
type Server struct {
	// URL is the OpenAI base URL, ending in /v1: OPENAI_BASE_URL.
	URL string
	// Endpoint is the server's root: AZURE_OPENAI_ENDPOINT.
	Endpoint string

	srv *httptest.Server
	h   *handler
}

// New starts a server answering with script. Failed expectations, canary
// hits and requests beyond the script fail t; so do turns left unused when
// the test ends, since the conversation was then shorter than scripted.
func New(t testing.TB, script Script, opts ...Option) *Server {
	t.Helper()
	h := newHandler(script, t.Errorf, opts...)
	s := &Server{srv: httptest.NewServer(h), h: h}
	s.Endpoint = s.srv.URL
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(func() {
		s.Close()
		h.reportLeftovers()
	})
	return s
}

// Requests returns the requests received so far, decoded, in order.
func (s *Server) Requests() []Captured { return s.h.captured() }

// Close stops the server; New also arranges it at the test's end.
func (s *Server) Close() { s.srv.Close() }
