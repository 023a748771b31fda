// Package keymanager is the kernel of the key manager (Barbican): storing
// a TLS certificate and its private key as a certificate container for a
// load balancer's TERMINATED_HTTPS listener, finding a container, and
// taking one apart. The private key goes from its file to Barbican's API
// and nowhere else: no finding, preview, result, error or output carries
// it (previews show its size), so it never reaches a terminal, the audit
// log, a transcript or a model.
package keymanager

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/secrets"

	"github.com/kriscelmer/os-tui/tools"
)

// Service is the catalog type of Barbican.
const Service = "key-manager"

// Client returns the key-manager service client.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, Service)
	if err != nil {
		return nil, fmt.Errorf("key-manager service: %w", err)
	}
	if c.ResourceBase == "" {
		c.ResourceBase = strings.TrimSuffix(c.Endpoint, "/") + "/v1/"
	}
	return c, nil
}

// Available reports whether the cloud's catalog has a key manager.
func Available(ctx context.Context, env *tools.Env) (bool, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return false, err
	}
	return caps.Has(Service), nil
}

// CertPair is a certificate, its chain and its private key, read from
// PEM files. Key is the secret: it is only ever sent to Barbican.
type CertPair struct {
	Cert    []byte // the leaf certificate, PEM
	Chain   []byte // intermediates, PEM; nil when none
	Key     []byte // the private key, PEM
	Subject string
	NotAft  time.Time
}

// ReadCertPair reads a certificate file (the leaf first, then any
// intermediates) and its private key file, and checks that they belong
// together. Its errors are sentences for a finding and never quote the
// files.
func ReadCertPair(certFile, keyFile string) (*CertPair, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the certificate %s: %v", certFile, errors.Unwrap(err))
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the private key %s: %v", keyFile, errors.Unwrap(err))
	}
	var certs []*pem.Block
	rest := certPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			certs = append(certs, b)
		case strings.Contains(b.Type, "PRIVATE KEY"):
			return nil, fmt.Errorf("%s holds a private key; give the certificate with --cert and the key with --key", certFile)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", certFile)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || !strings.Contains(kb.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("%s holds no PEM private key (-----BEGIN PRIVATE KEY-----)", keyFile)
	}
	if strings.Contains(kb.Type, "ENCRYPTED") || kb.Headers["Proc-Type"] != "" {
		return nil, fmt.Errorf("%s is encrypted with a passphrase; Octavia needs it without one (openssl pkey -in KEY -out PLAIN)", keyFile)
	}
	leaf, err := x509.ParseCertificate(certs[0].Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: the certificate does not parse: %v", certFile, err)
	}
	if _, err := tls.X509KeyPair(pem.EncodeToMemory(certs[0]), keyPEM); err != nil {
		return nil, fmt.Errorf("the private key in %s does not belong to the certificate in %s", keyFile, certFile)
	}
	p := &CertPair{Cert: pem.EncodeToMemory(certs[0]), Key: keyPEM, Subject: leaf.Subject.String(), NotAft: leaf.NotAfter}
	for _, b := range certs[1:] {
		p.Chain = append(p.Chain, pem.EncodeToMemory(b)...)
	}
	return p, nil
}

// Stored is what StoreCertificate made.
type Stored struct {
	Container string   // the container's ref (URL)
	Secrets   []string // the secrets' refs
}

// SecretOpts are the secrets a certificate container holds, by their
// role in the container; the payloads are the PEM texts.
func SecretOpts(name string, p *CertPair) map[string]secrets.CreateOpts {
	out := map[string]secrets.CreateOpts{
		"certificate": {Name: name + "-cert", Payload: string(p.Cert), PayloadContentType: "text/plain", SecretType: secrets.CertificateSecret},
		"private_key": {Name: name + "-key", Payload: string(p.Key), PayloadContentType: "text/plain", SecretType: secrets.PrivateSecret},
	}
	if len(p.Chain) > 0 {
		out["intermediates"] = secrets.CreateOpts{Name: name + "-chain", Payload: string(p.Chain), PayloadContentType: "text/plain", SecretType: secrets.CertificateSecret}
	}
	return out
}

// Redacted is a secret's request body for a preview: the payload is
// replaced by its size.
func Redacted(o secrets.CreateOpts) map[string]any {
	b, _ := o.ToSecretCreateMap()
	if b == nil {
		b = map[string]any{}
	}
	b["payload"] = fmt.Sprintf("<%d bytes, not shown>", len(o.Payload))
	return b
}

// StoreCertificate stores the pair as secrets and a certificate
// container named name. Whatever it stored before a failure it deletes
// again.
func StoreCertificate(ctx context.Context, c *gophercloud.ServiceClient, name string, p *CertPair) (*Stored, []string, error) {
	st := &Stored{}
	var ids []string
	var refs []containers.SecretRef
	for _, role := range []string{"certificate", "private_key", "intermediates"} {
		o, ok := SecretOpts(name, p)[role]
		if !ok {
			continue
		}
		r := secrets.Create(ctx, c, o)
		ids = append(ids, tools.HeaderRequestIDs(r.Header)...)
		s, err := r.Extract()
		if err != nil {
			Cleanup(ctx, c, st)
			// gophercloud's error quotes the response, never the request.
			return nil, ids, fmt.Errorf("store the %s in Barbican: %w", strings.ReplaceAll(role, "_", " "), err)
		}
		st.Secrets = append(st.Secrets, s.SecretRef)
		refs = append(refs, containers.SecretRef{Name: role, SecretRef: s.SecretRef})
	}
	r := containers.Create(ctx, c, containers.CreateOpts{Type: containers.CertificateContainer, Name: name, SecretRefs: refs})
	ids = append(ids, tools.HeaderRequestIDs(r.Header)...)
	ct, err := r.Extract()
	if err != nil {
		Cleanup(ctx, c, st)
		return nil, ids, fmt.Errorf("make the certificate container in Barbican: %w", err)
	}
	st.Container = ct.ContainerRef
	return st, ids, nil
}

// Cleanup deletes what StoreCertificate stored, best effort, with a
// context of its own so a cancelled step still cleans up.
func Cleanup(ctx context.Context, c *gophercloud.ServiceClient, st *Stored) {
	if st == nil {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if st.Container != "" {
		_ = containers.Delete(cctx, c, RefID(st.Container)).ExtractErr()
	}
	for _, s := range st.Secrets {
		_ = secrets.Delete(cctx, c, RefID(s)).ExtractErr()
	}
}

// RefID is the ID at the end of a Barbican ref URL (or the ID itself).
func RefID(ref string) string { return path.Base(strings.TrimSuffix(ref, "/")) }

// Container finds a certificate container by ref or ID.
func Container(ctx context.Context, c *gophercloud.ServiceClient, ref string) (*containers.Container, error) {
	ct, err := containers.Get(ctx, c, RefID(ref)).Extract()
	if err != nil {
		if gophercloud.ResponseCodeIs(err, 404) {
			return nil, &tools.NotFoundError{Kind: "certificate container", Name: ref}
		}
		return nil, fmt.Errorf("get certificate container %s: %w", ref, err)
	}
	return ct, nil
}

// DeleteContainer deletes a container and the secrets it holds; it
// returns the request IDs.
func DeleteContainer(ctx context.Context, c *gophercloud.ServiceClient, ref string) ([]string, error) {
	ct, err := Container(ctx, c, ref)
	if err != nil {
		return nil, err
	}
	r := containers.Delete(ctx, c, RefID(ref))
	ids := tools.HeaderRequestIDs(r.Header)
	if r.Err != nil {
		return ids, fmt.Errorf("delete certificate container %s: %w", ref, r.Err)
	}
	for _, s := range ct.SecretRefs {
		d := secrets.Delete(ctx, c, RefID(s.SecretRef))
		ids = append(ids, tools.HeaderRequestIDs(d.Header)...)
		if d.Err != nil && !gophercloud.ResponseCodeIs(d.Err, 404) {
			return ids, fmt.Errorf("delete secret %s: %w", s.SecretRef, d.Err)
		}
	}
	return ids, nil
}
