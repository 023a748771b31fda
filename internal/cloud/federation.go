package cloud

import (
	"context"
	"errors"

	"github.com/gophercloud/gophercloud/v2"
)

// federatedLogin is replaced by the OpenID Connect flows.
func (c *Conn) federatedLogin(ctx context.Context, tac *gophercloud.ProviderClient) error {
	return errors.New("federated login: not yet")
}
