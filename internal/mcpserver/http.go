package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// CheckListen refuses an address other than a loopback one unless
// anyAddr is set (--http-any). The HTTP transport has no authentication
// of its own: whoever reaches the port reads the cloud with the
// credentials ostui was started with, so by default only this machine
// may.
func CheckListen(addr string, anyAddr bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--http takes HOST:PORT, such as 127.0.0.1:8765 (%w)", err)
	}
	if port == "" {
		return errors.New("--http takes HOST:PORT, such as 127.0.0.1:8765: the port is missing")
	}
	if anyAddr || loopback(host) {
		return nil
	}
	where := host
	if where == "" {
		where = "every interface"
	}
	return fmt.Errorf("--http %s listens on %s, which other machines can reach, and MCP over HTTP has no login here: "+
		"anyone who reaches it reads your cloud with your credentials. Listen on 127.0.0.1 (--http 127.0.0.1:%s), "+
		"or add --http-any if the network is yours to trust", addr, where, port)
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenAndServe serves streamable HTTP on addr until ctx ends; ready,
// when set, is told the address actually listened on (port 0 picks one).
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve MCP over HTTP: %w", err)
	case <-ctx.Done():
	}
	// Give open calls a moment to finish; an approval still waiting on a
	// person ends with the server.
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		_ = hs.Close()
	}
	return nil
}
