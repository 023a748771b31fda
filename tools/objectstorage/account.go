package objectstorage

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/accounts"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
)

// Account metadata keys (after X-Account-Meta-).
const (
	MetaAccountTempURLKey  = "Temp-Url-Key"
	MetaAccountTempURLKey2 = "Temp-Url-Key-2"
	MetaAccountQuotaBytes  = "Quota-Bytes"
)

// Account is the project's Swift account, read.
type Account struct {
	Name       string
	Containers int64
	Objects    int64
	Bytes      int64
	QuotaBytes string
	// HasTempURLKey says the account has a temp-URL key; its value is
	// never read into this struct.
	HasTempURLKey bool
	// Properties are the account's metadata, secret values redacted.
	Properties map[string]string
}

// AccountName is the account part of the endpoint ("AUTH_..."), as the
// openstack CLI shows it.
func AccountName(c *gophercloud.ServiceClient) string {
	parts := strings.Split(strings.TrimSuffix(c.Endpoint, "/"), "/")
	return parts[len(parts)-1]
}

// GetAccount reads the account's headers.
func GetAccount(ctx context.Context, c *gophercloud.ServiceClient) (*Account, error) {
	r := accounts.Get(ctx, c, nil)
	if r.Err != nil {
		return nil, fmt.Errorf("read the object storage account: %w", r.Err)
	}
	h := r.Header
	meta := func(k string) string { return h.Get("X-Account-Meta-" + k) }
	return &Account{
		Name:          AccountName(c),
		Containers:    unmarshalInt(h, "X-Account-Container-Count"),
		Objects:       unmarshalInt(h, "X-Account-Object-Count"),
		Bytes:         unmarshalInt(h, "X-Account-Bytes-Used"),
		QuotaBytes:    meta(MetaAccountQuotaBytes),
		HasTempURLKey: meta(MetaAccountTempURLKey) != "" || meta(MetaAccountTempURLKey2) != "",
		Properties:    Metadata(h, "X-Account-Meta-"),
	}, nil
}

// ErrNoTempURLKey says neither the account nor the container holds a key
// to sign temp URLs with.
type ErrNoTempURLKey struct{ Container string }

func (e *ErrNoTempURLKey) Error() string {
	return fmt.Sprintf("neither the account nor container %s has a Temp-URL-Key, so no temp URL can be signed; "+
		"set one with /object store account set --generate-temp-url-key (a change you approve; the key is never shown), then ask again", e.Container)
}

// SigningKey returns the key that signs temp URLs for objects of a
// container: the container's own key if it has one, else the account's.
// The key is a secret: callers keep it in a local variable, pass it to
// the signer and nowhere else (no result, output, finding or error).
func SigningKey(ctx context.Context, c *gophercloud.ServiceClient, container string) (string, error) {
	r := containers.Get(ctx, c, container, nil)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return "", NotFound(r.Err, ContainerKind, container)
		}
		return "", fmt.Errorf("read container %s: %w", container, r.Err)
	}
	for _, k := range []string{MetaTempURLKey, MetaTempURLKey2} {
		if v := r.Header.Get("X-Container-Meta-" + k); v != "" {
			return v, nil
		}
	}
	a := accounts.Get(ctx, c, nil)
	if a.Err != nil {
		return "", fmt.Errorf("read the object storage account: %w", a.Err)
	}
	for _, k := range []string{MetaAccountTempURLKey, MetaAccountTempURLKey2} {
		if v := a.Header.Get("X-Account-Meta-" + k); v != "" {
			return v, nil
		}
	}
	return "", &ErrNoTempURLKey{Container: container}
}
