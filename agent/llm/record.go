package llm

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Exchange is one recorded request and its response.
type Exchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"request_header"`
	RequestBody    []byte      `json:"request_body"`
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"response_header"`
	// ResponseBody is what the client read of the body, filled in as it
	// streams; it is complete once the client closed the body.
	ResponseBody []byte `json:"response_body"`
	// Err is the transport's error, if the request got no response.
	Err string `json:"error,omitempty"`
}

// RecordingTransport is an http.RoundTripper that keeps every request and
// response body passing through it, for golden files of model exchanges.
// Credentials are redacted from the recorded headers; the request itself
// goes out unchanged.
type RecordingTransport struct {
	// Next carries the requests; nil means http.DefaultTransport.
	Next http.RoundTripper

	mu        sync.Mutex
	exchanges []*recorded
}

// recorded is an Exchange being filled while its response streams.
type recorded struct {
	mu   sync.Mutex
	x    Exchange
	body bytes.Buffer
}

// credentialHeaders are redacted in recordings: OpenAI-style bearer
// tokens, Azure's api-key, and anything a proxy might add.
var credentialHeaders = []string{"Authorization", "Api-Key", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// RoundTrip records req and its response, then returns the response with
// a body that keeps a copy of what is read.
func (t *RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := &recorded{x: Exchange{Method: req.Method, URL: req.URL.Redacted(), RequestHeader: redactHeader(req.Header)}}
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close() // fully read; replaced below
		if err != nil {
			return nil, fmt.Errorf("recording the request body: %w", err)
		}
		rec.x.RequestBody = body
		// A fresh copy for the request going out, and for redirects.
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	t.mu.Lock()
	t.exchanges = append(t.exchanges, rec)
	t.mu.Unlock()

	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		rec.mu.Lock()
		rec.x.Err = err.Error()
		rec.mu.Unlock()
		return nil, err
	}
	rec.mu.Lock()
	rec.x.Status = resp.StatusCode
	rec.x.ResponseHeader = redactHeader(resp.Header)
	rec.mu.Unlock()
	resp.Body = &teeBody{rc: resp.Body, rec: rec}
	return resp, nil
}

// Exchanges returns copies of the exchanges recorded so far, in order.
func (t *RecordingTransport) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Exchange, 0, len(t.exchanges))
	for _, rec := range t.exchanges {
		rec.mu.Lock()
		x := rec.x
		x.ResponseBody = bytes.Clone(rec.body.Bytes())
		rec.mu.Unlock()
		out = append(out, x)
	}
	return out
}

// teeBody copies what the client reads into the recording; streams are
// recorded as they arrive, not buffered before the client sees them.
type teeBody struct {
	rc  io.ReadCloser
	rec *recorded
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.rec.mu.Lock()
		b.rec.body.Write(p[:n])
		b.rec.mu.Unlock()
	}
	return n, err
}

func (b *teeBody) Close() error { return b.rc.Close() }

func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range credentialHeaders {
		if _, ok := out[http.CanonicalHeaderKey(k)]; ok {
			out.Set(k, "REDACTED")
		}
	}
	return out
}
