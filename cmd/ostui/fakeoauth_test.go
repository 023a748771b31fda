package main

import (
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kriscelmer/os-tui/internal/oauth/oauthtest"
)

// fakeOAuth starts a fake GitHub (or Entra) authorization server for the
// rest of the script and sets $FAKEOAUTH_URL to its base URL:
//
//	fakeoauth [KEY=VALUE...]
//
// KEYs: interval, pending, slowdown, expires (token lifetime, s),
// access, refresh (the tokens issued), outcome (access_denied,
// expired_token), client (the only client_id accepted), authorize (the
// browser's answer: wrong-state, access_denied). Each request is logged
// to $WORK/fakeoauth.log as "METHOD PATH GRANT", never with a token.
func fakeOAuth(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: fakeoauth [KEY=VALUE...]")
	}
	var b oauthtest.Behaviour
	num := func(k, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil {
			ts.Fatalf("fakeoauth: %s=%q is not a number", k, v)
		}
		return n
	}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("fakeoauth: %q is not KEY=VALUE", a)
		}
		switch k {
		case "interval":
			b.Interval = num(k, v)
		case "pending":
			b.Pending = num(k, v)
		case "slowdown":
			b.SlowDown = num(k, v)
		case "expires":
			b.TokenExpiresIn = num(k, v)
		case "access":
			b.AccessToken = v
		case "refresh":
			b.RefreshToken = v
		case "outcome":
			b.Outcome = v
		case "client":
			b.ClientID = v
		case "authorize":
			b.Authorize = v
		default:
			ts.Fatalf("fakeoauth: unknown key %q", k)
		}
	}
	log, err := os.OpenFile(ts.MkAbs("fakeoauth.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	ts.Check(err)
	b.Log = log
	srv := oauthtest.NewServer(b)
	ts.Setenv("FAKEOAUTH_URL", srv.URL)
	ts.Defer(func() {
		srv.Close()
		_ = log.Close()
	})
}
