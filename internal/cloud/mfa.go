package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/kriscelmer/os-tui/internal/config"
)

// receiptHeader carries Keystone's auth receipt: the proof that some of
// a multi-factor rule's methods already succeeded.
const receiptHeader = "Openstack-Auth-Receipt"

// authenticate logs tac in with the cloud's auth type. A password that
// Keystone answers with an auth receipt (a v3multifactor rule wants a
// second factor) is completed with a TOTP passcode and the receipt.
func (c *Conn) authenticate(ctx context.Context, tac *gophercloud.ProviderClient) error {
	if c.cfg.Federated() {
		return c.federatedLogin(ctx, tac)
	}
	ao := authOptions(c.cfg)
	if c.cfg.AuthType == config.AuthTOTP {
		p, err := c.passcode(ctx, "")
		if err != nil {
			return err
		}
		ao.Passcode = p
	}
	err := openstack.AuthenticateV3(ctx, tac, &ao, gophercloud.EndpointOpts{})
	r, ok := authReceipt(err)
	if !ok {
		return err
	}
	if !r.wants("totp") {
		return fmt.Errorf("the login needs more than %s for user %s: its rules are %s, and ostui can add only a TOTP passcode: %w",
			strings.Join(r.Receipt.Methods, " and "), c.who(), r.rules(), err)
	}
	p, perr := c.passcode(ctx, "a second factor (rules: "+r.rules()+")")
	if perr != nil {
		return perr
	}
	return completeReceipt(ctx, tac, ao, r.token, p)
}

// who names the user for messages.
func (c *Conn) who() string {
	if c.cfg.Username != "" {
		return c.cfg.Username
	}
	return c.cfg.UserID
}

// ErrPasscodeNeeded is a login that needs a TOTP passcode nobody can type.
var ErrPasscodeNeeded = errors.New("a TOTP passcode is needed")

// ErrPasscodeRejected is a TOTP passcode Keystone did not accept.
var ErrPasscodeRejected = errors.New("the TOTP passcode was not accepted")

// passcode is the configured passcode, else the person's answer.
func (c *Conn) passcode(ctx context.Context, why string) (string, error) {
	if c.cfg.Passcode != "" {
		return c.cfg.Passcode, nil
	}
	if c.opts.Passcode == nil {
		what := "auth_type v3totp"
		if why != "" {
			what = "Keystone asks for " + why
		}
		return "", fmt.Errorf("cloud %q: %s, and there is no terminal to type a passcode at: run `ostui login cloud --cloud %s` (it can leave an application credential, so that later sessions need no passcode) or set OS_PASSCODE for one login: %w",
			c.cfg.Name, what, c.cfg.Name, ErrPasscodeNeeded)
	}
	prompt := fmt.Sprintf("TOTP passcode for %s at %s: ", c.who(), c.cfg.Name)
	p, err := c.opts.Passcode(ctx, prompt)
	if err != nil {
		return "", fmt.Errorf("read the TOTP passcode: %w", err)
	}
	p = strings.TrimSpace(p)
	if p == "" {
		return "", fmt.Errorf("cloud %q: no passcode given: %w", c.cfg.Name, ErrPasscodeNeeded)
	}
	return p, nil
}

// receipt is Keystone's 401 answer to a login that satisfied only part
// of a multi-factor rule.
type receipt struct {
	token   string
	Receipt struct {
		Methods []string `json:"methods"`
	} `json:"receipt"`
	Required [][]string `json:"required_auth_methods"`
}

func (r *receipt) wants(method string) bool {
	for _, rule := range r.Required {
		for _, m := range rule {
			if m == method {
				return true
			}
		}
	}
	// A receipt without rules: try the one factor ostui has.
	return len(r.Required) == 0
}

func (r *receipt) rules() string {
	var out []string
	for _, rule := range r.Required {
		out = append(out, strings.Join(rule, "+"))
	}
	if len(out) == 0 {
		return "not given"
	}
	return strings.Join(out, " or ")
}

// authReceipt finds an auth receipt in a failed login.
func authReceipt(err error) (*receipt, bool) {
	if err == nil {
		return nil, false
	}
	rc, ok := responseError(err)
	if !ok || rc.Actual != http.StatusUnauthorized || rc.ResponseHeader == nil {
		return nil, false
	}
	tok := rc.ResponseHeader.Get(receiptHeader)
	if tok == "" {
		return nil, false
	}
	r := &receipt{token: tok}
	_ = json.Unmarshal(rc.Body, r) // the rules only improve the messages
	return r, true
}

// completeReceipt sends the passcode with the receipt. gophercloud's
// tokens.Create sends no extra headers, so the request is made here with
// gophercloud's body builder and result type.
func completeReceipt(ctx context.Context, tac *gophercloud.ProviderClient, ao gophercloud.AuthOptions, receiptToken, passcode string) error {
	ic, err := openstack.NewIdentityV3(tac, gophercloud.EndpointOpts{})
	if err != nil {
		return err
	}
	// Only the missing factor: the receipt stands for the password.
	ao.Password, ao.Passcode = "", passcode
	scope, err := ao.ToTokenV3ScopeMap()
	if err != nil {
		return err
	}
	body, err := ao.ToTokenV3CreateMap(scope)
	if err != nil {
		return err
	}
	var res tokens.CreateResult
	resp, err := ic.Post(ctx, ic.ServiceURL("auth", "tokens"), body, &res.Body, &gophercloud.RequestOpts{ //nolint:bodyclose // gophercloud decodes and closes it
		OmitHeaders: []string{"X-Auth-Token"},
		MoreHeaders: map[string]string{receiptHeader: receiptToken},
	})
	_, res.Header, res.Err = gophercloud.ParseResponse(resp, err)
	if res.Err != nil {
		return fmt.Errorf("%w: %w", ErrPasscodeRejected, res.Err)
	}
	return tac.SetTokenAndAuthResult(res)
}
