package cloud

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kriscelmer/os-tui/internal/config"
)

// DefaultTimeout bounds connecting, the TLS handshake and waiting for
// response headers when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// newHTTPClient builds the client every request goes through: TLS from the
// cloud's settings, timeouts, retries of idempotent reads and, with
// Options.Debug, one log line per attempt. There is deliberately no
// http.Client.Timeout: it would also cut off long bodies (image and
// object downloads), which the caller's context bounds instead.
func newHTTPClient(cfg *config.Cloud, opts Options) (*http.Client, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tlsConf, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
	var rt http.RoundTripper = base
	if opts.Debug != nil {
		rt = &debugTransport{next: rt, w: opts.Debug}
	}
	rt = &retryTransport{next: rt, sleep: sleepCtx}
	// Outermost, so a refused write is never attempted, retried or logged as sent.
	rt = ReadOnlyTransport(rt)
	return &http.Client{Transport: rt}, nil
}

// tlsConfig trusts the system roots plus cacert, presents cert/key when
// given, and skips verification only when the cloud says insecure.
func tlsConfig(cfg *config.Cloud) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // only on explicit request
	if cfg.CACert != "" {
		pem, err := os.ReadFile(cfg.CACert)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle (cacert) %s: %w", cfg.CACert, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle (cacert) %s holds no PEM certificate", cfg.CACert)
		}
		tc.RootCAs = pool
	}
	if cfg.Cert != "" || cfg.Key != "" {
		pair, err := tls.LoadX509KeyPair(cfg.Cert, cfg.Key)
		if err != nil {
			return nil, fmt.Errorf("load client certificate %s and key %s: %w", cfg.Cert, cfg.Key, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return tc, nil
}
