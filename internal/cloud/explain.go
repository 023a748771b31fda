package cloud

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/config"
)

// Kind classifies a failure by what the person should do about it.
type Kind int

// Kinds of failure Explain recognises.
const (
	KindOther       Kind = iota
	KindAuth             // 401: log in again or fix credentials
	KindForbidden        // 403: policy forbids it for this role
	KindNotFound         // 404
	KindConflict         // 409: the resource's state does not allow it
	KindQuota            // 413, or a quota message: a limit is reached
	KindBadRequest       // 400: the request was wrong
	KindServer           // 5xx: the cloud failed
	KindTLS              // certificate not trusted or wrong host
	KindTimeout          // no answer in time
	KindUnreachable      // DNS failure or connection refused
)

// Error is a failure explained for a person: Msg says what happened and
// what to do; RequestID is the x-openstack-request-id to quote to the
// operator. Err is the original error.
type Error struct {
	Kind      Kind
	Status    int // HTTP status, 0 when there was no response
	RequestID string
	Msg       string
	Err       error
}

func (e *Error) Error() string {
	if e.RequestID != "" {
		return fmt.Sprintf("%s (request ID %s)", e.Msg, e.RequestID)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Explain returns an error a person can act on for err, keeping err
// reachable with errors.As/Is. Errors it does not recognise (such as
// tools' not-found and ambiguity errors, which already say what to do)
// are returned unchanged; nil stays nil.
func Explain(err error) error {
	return explain(err, nil)
}

// Explain is the package Explain with this connection's cloud, project,
// user and roles (when known) in the advice.
func (c *Conn) Explain(err error) error {
	s := c.Scope()
	who := &who{scope: s, timeout: c.opts.Timeout, authType: c.cfg.AuthType}
	if who.timeout <= 0 {
		who.timeout = DefaultTimeout
	}
	if e := c.current(); e != nil {
		who.roles = e.Roles
	}
	return explain(err, who)
}

type who struct {
	authType string
	scope    Scope
	roles    []string
	timeout  time.Duration
}

func explain(err error, w *who) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	var authErr *AuthError
	isLogin := errors.As(err, &authErr)

	// A rejected token whose replacement also failed: the login failure
	// is what matters.
	var unable *gophercloud.ErrUnableToReauthenticate
	if errors.As(err, &unable) && unable.ErrReauth != nil {
		if errors.As(unable.ErrReauth, &authErr) {
			isLogin = true
		}
		err = fmt.Errorf("%w", unable.ErrReauth)
	}

	if rc, ok := responseError(err); ok {
		return explainStatus(err, rc, w, isLogin, authErr)
	}
	return explainTransport(err, w)
}

// responseError finds gophercloud's HTTP error, returned by value or by
// pointer depending on the path it took.
func responseError(err error) (gophercloud.ErrUnexpectedResponseCode, bool) {
	var v gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &v) {
		return v, true
	}
	var p *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &p) && p != nil {
		return *p, true
	}
	return v, false
}

var quotaRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)quota exceeded for (\w+)|maximum number of (\w+)|(\w+) quota exceeded|exceeded .*quota`)
})

func explainStatus(err error, rc gophercloud.ErrUnexpectedResponseCode, w *who, isLogin bool, authErr *AuthError) error {
	e := &Error{Status: rc.Actual, RequestID: requestID(rc.ResponseHeader), Err: err}
	msg := bodyMessage(rc.Body)
	req := rc.Method + " " + rc.URL
	cloud := ""
	switch {
	case authErr != nil:
		cloud = authErr.Cloud
	case w != nil:
		cloud = w.scope.Cloud
	}
	switch {
	case rc.Actual == http.StatusUnauthorized && isLogin && errors.Is(err, ErrPasscodeRejected):
		e.Kind = KindAuth
		e.Msg = fmt.Sprintf("Keystone at %s accepted the password of cloud %q but not the TOTP passcode", authErr.AuthURL, cloud) +
			": a passcode is good for about 30 s; type the one your authenticator shows now (and check the clock of the device that makes them)"
	case rc.Actual == http.StatusUnauthorized && isLogin:
		e.Kind = KindAuth
		e.Msg = fmt.Sprintf("Keystone at %s rejected the credentials of cloud %q", authErr.AuthURL, cloud) +
			": check the username, password (or application credential) and project in clouds.yaml/secure.yaml or OS_* variables" +
			suffix(msg) + "; " + LoginRemedy(cloud, authErr.AuthType)
	case rc.Actual == http.StatusUnauthorized:
		e.Kind = KindAuth
		e.Msg = fmt.Sprintf("the cloud rejected the token for %s (expired or revoked) and logging in again did not help", req) +
			fmt.Sprintf("; check the credentials of cloud %q and run the command again", cloud) + suffix(msg) +
			"; " + LoginRemedy(cloud, authTypeOf(w))
	case quotaRe().MatchString(msg) && (rc.Actual == http.StatusForbidden || rc.Actual == http.StatusRequestEntityTooLarge || rc.Actual == http.StatusConflict || rc.Actual == http.StatusBadRequest):
		e.Kind = KindQuota
		e.Msg = "quota exceeded"
		if q := quotaName(msg); q != "" {
			e.Msg += " for " + q
		}
		e.Msg += ": " + msg + "; free some resources or ask the cloud operator to raise the quota"
	case rc.Actual == http.StatusRequestEntityTooLarge:
		e.Kind = KindQuota
		e.Msg = "over a limit (HTTP 413) for " + req + suffix(msg) + "; free some resources or ask the cloud operator to raise the quota"
	case rc.Actual == http.StatusForbidden:
		e.Kind = KindForbidden
		e.Msg = "not allowed: the cloud's policy forbids " + req
		if w != nil {
			e.Msg += fmt.Sprintf(" for user %s in project %s", w.scope.User, w.scope.Project)
			if len(w.roles) > 0 {
				e.Msg += " with roles " + strings.Join(w.roles, ", ")
			}
		}
		e.Msg += suffix(msg) + "; ask the cloud operator for a role that permits it"
	case rc.Actual == http.StatusNotFound:
		e.Kind = KindNotFound
		e.Msg = "not found: " + req + suffix(msg)
	case rc.Actual == http.StatusConflict:
		e.Kind = KindConflict
		e.Msg = "conflict: " + req + " cannot be done in the resource's current state" + suffix(msg)
	case rc.Actual == http.StatusBadRequest:
		e.Kind = KindBadRequest
		e.Msg = "the cloud refused " + req + " as invalid" + suffix(msg)
	case rc.Actual >= 500:
		e.Kind = KindServer
		e.Msg = fmt.Sprintf("the cloud failed (HTTP %d) on %s%s; try again later, and if it persists give the request ID to the cloud operator",
			rc.Actual, req, suffix(msg))
	default:
		e.Msg = fmt.Sprintf("HTTP %d for %s%s", rc.Actual, req, suffix(msg))
	}
	return e
}

// LoginRemedy says how to log in to cloud again after Keystone refused
// it: `ostui login cloud` for a clouds.yaml entry (which replaces an
// expired or deleted application credential too), the variables to set
// again for a cloud described by OS_* variables alone.
func LoginRemedy(cloud, authType string) string {
	switch cloud {
	case "":
		return "log in again: `ostui login cloud --cloud NAME` for a clouds.yaml entry, or set OS_PASSWORD again"
	case "envvars":
		return "set OS_PASSWORD (or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET) again, for example by sourcing the openrc file"
	}
	switch authType {
	case config.AuthApplicationCredential:
		return fmt.Sprintf("if the application credential expired or was deleted, run `ostui login cloud --cloud %s` to make a new one", cloud)
	case config.AuthOIDCPassword, config.AuthOIDCAccessToken, config.AuthOIDCDevice:
		return fmt.Sprintf("the identity provider's token may have expired: run `ostui --os-cloud %s` again to log in through it, or check identity_provider and protocol", cloud)
	case config.AuthToken:
		return "get a new token (openstack token issue) and set OS_TOKEN"
	}
	return fmt.Sprintf("to log in again, run `ostui login cloud --cloud %s`", cloud)
}

func authTypeOf(w *who) string {
	if w == nil {
		return ""
	}
	return w.authType
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func quotaName(msg string) string {
	m := quotaRe().FindStringSubmatch(msg)
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}

// bodyMessage pulls the human message out of an OpenStack error body:
// {"itemNotFound": {"message": ...}}, {"error": {"message": ...}},
// {"NeutronError": {"message": ...}}, {"message": ...}, or plain text.
func bodyMessage(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if s, ok := m["message"].(string); ok {
			return clip(s)
		}
		for _, v := range m {
			if inner, ok := v.(map[string]any); ok {
				if s, ok := inner["message"].(string); ok {
					return clip(s)
				}
			}
			if s, ok := v.(string); ok && len(m) == 1 {
				return clip(s)
			}
		}
	}
	text := tagRe().ReplaceAllString(string(body), " ")
	return clip(strings.Join(strings.Fields(text), " "))
}

var tagRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// explainTransport explains failures where no response came back.
func explainTransport(err error, w *who) error {
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
	}
	var (
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidCert x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		dnsErr      *net.DNSError
		netErr      net.Error
	)
	caHelp := "pass the CA bundle that signed it with cacert: in clouds.yaml, OS_CACERT or --os-cacert (or, for a test cloud only, verify: false / --insecure)"
	switch {
	case errors.As(err, &unknownCA):
		return &Error{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("the certificate of %s is signed by an authority this machine does not trust: %s", host, caHelp)}
	case errors.As(err, &hostnameErr):
		return &Error{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("the certificate of %s is not valid for that name (%v); use the host name the certificate names in auth_url", host, hostnameErr)}
	case errors.As(err, &invalidCert):
		return &Error{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("the certificate of %s is not valid (%v); check the clock, or %s", host, invalidCert, caHelp)}
	case errors.As(err, &verifyErr):
		return &Error{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("the certificate of %s could not be verified (%v): %s", host, verifyErr.Err, caHelp)}
	case ue != nil && strings.HasPrefix(ue.URL, "https://") && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "first record does not look like a TLS handshake") || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")):
		// The port answered but not with TLS: most often an http://
		// service given an https:// URL.
		return &Error{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("%s closed the connection during the TLS handshake: does it speak plain HTTP? Try http:// in auth_url (clouds.yaml) or OS_AUTH_URL, or check the port", host)}
	case errors.As(err, &dnsErr):
		if host == "" {
			host = dnsErr.Name
		}
		return &Error{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("cannot resolve host %s (%v): is the endpoint right? Check auth_url in clouds.yaml or OS_AUTH_URL, and your DNS", host, dnsErr.Err)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("connection to %s refused: is the endpoint right, and is the service running? Check auth_url in clouds.yaml or OS_AUTH_URL", host)}
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return &Error{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("no route to %s: check the network (VPN?) and the endpoint", host)}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return &Error{Kind: KindTimeout, Err: err, Msg: fmt.Sprintf("%s did not answer in time (%s%s): the cloud may be down or slow, or the endpoint unreachable from here; try again or raise the timeout", orUnknown(host), timeoutOf(err), limit(w))}
	}
	return err
}

func limit(w *who) string {
	if w == nil || w.timeout <= 0 {
		return ""
	}
	return ", limit " + w.timeout.String()
}

func orUnknown(host string) string {
	if host == "" {
		return "the cloud"
	}
	return host
}

// timeoutOf names the timeout that fired, from the error text Go gives.
func timeoutOf(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "awaiting response headers"):
		return "waiting for a response"
	case strings.Contains(s, "TLS handshake"):
		return "TLS handshake"
	case strings.Contains(s, "dial"):
		return "connecting"
	case errors.Is(err, context.DeadlineExceeded):
		return "the command's deadline"
	}
	return "timeout"
}
