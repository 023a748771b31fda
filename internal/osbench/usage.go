package osbench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Usage is what the model endpoint reported for one task.
type Usage struct {
	Requests         int `json:"requests"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// meter is a reverse proxy between ostui and the model endpoint that adds
// up the usage the endpoint reports. ostui prints no usage in one-shot
// mode, and reading it off the wire works for any OpenAI-compatible
// endpoint, scripted or real, without changing ostui.
type meter struct {
	// URL is what ostui should use as its base URL: the proxy with the
	// upstream's path.
	URL string

	srv *http.Server
	// inflight counts requests being proxied: a client can read the last
	// byte of a response before the proxy has closed the upstream body
	// and counted its usage, so Usage waits for them.
	inflight sync.WaitGroup
	mu       sync.Mutex
	use      Usage
}

// startMeter proxies to upstream (a base URL such as
// https://api.openai.com/v1) on a free local port.
func startMeter(upstream string) (*meter, error) {
	up, err := url.Parse(upstream)
	if err != nil || up.Host == "" {
		return nil, fmt.Errorf("model endpoint %q is not a URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("usage meter: %w", err)
	}
	m := &meter{URL: "http://" + ln.Addr().String() + strings.TrimRight(up.Path, "/")}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host, r.Out.Host = up.Scheme, up.Host, up.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			resp.Body = &sniffer{ReadCloser: resp.Body, done: m.add}
			return nil
		},
		FlushInterval: -1, // stream deltas as they come, as ostui would see them
	}
	count := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inflight.Add(1)
		defer m.inflight.Done()
		proxy.ServeHTTP(w, r)
	})
	m.srv = &http.Server{Handler: count, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = m.srv.Serve(ln) }() // Serve ends with ErrServerClosed at close
	return m, nil
}

// Usage returns the totals of the requests made so far, once those still
// being proxied have finished.
func (m *meter) Usage() Usage {
	m.inflight.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.use
}

func (m *meter) add(u Usage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.use.Requests++
	m.use.PromptTokens += u.PromptTokens
	m.use.CompletionTokens += u.CompletionTokens
}

// Close stops the proxy.
func (m *meter) Close() error { return m.srv.Close() }

// sniffer keeps a copy of a response body and reports its usage on close.
type sniffer struct {
	io.ReadCloser
	buf  bytes.Buffer
	done func(Usage)
	once sync.Once
}

func (s *sniffer) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	s.buf.Write(p[:n])
	return n, err
}

func (s *sniffer) Close() error {
	s.once.Do(func() { s.done(parseUsage(s.buf.Bytes())) })
	return s.ReadCloser.Close()
}

// parseUsage finds the usage in a chat completion response: a JSON body,
// or a server-sent event stream whose last chunks carry it.
func parseUsage(body []byte) Usage {
	type chunk struct {
		Usage *struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	var u Usage
	take := func(data []byte) {
		var c chunk
		if json.Unmarshal(data, &c) == nil && c.Usage != nil {
			u.PromptTokens, u.CompletionTokens = c.Usage.PromptTokens, c.Usage.CompletionTokens
		}
	}
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		take(trimmed)
		return u
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data:")); ok {
			take(bytes.TrimSpace(data))
		}
	}
	return u
}
