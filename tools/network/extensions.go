package network

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gophercloud/gophercloud/v2"
)

// HasExtension reports whether Neutron has the API extension alias
// ("dns-integration", "net-mtu-writable", "trunk"). A Neutron without an
// extension refuses its attributes with a terse 400, so a preflight asks
// first and says what to leave out.
func HasExtension(ctx context.Context, c *gophercloud.ServiceClient, alias string) (bool, error) {
	_, err := c.Get(ctx, c.ServiceURL("extensions", alias), nil, nil) //nolint:bodyclose // closed by gophercloud
	switch {
	case err == nil:
		return true, nil
	case gophercloud.ResponseCodeIs(err, http.StatusNotFound):
		return false, nil
	}
	return false, fmt.Errorf("read network extension %s: %w", alias, err)
}
