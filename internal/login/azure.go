package login

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/profile"
)

func init() {
	Register(Provider{
		Name:    profile.ProviderAzure,
		Summary: "Azure OpenAI: API key with endpoint and deployment (or --device-code)",
		Usage:   "ostui login azure [--endpoint URL] [--deployment NAME] [--device-code]",
		Help: `Asks for what the flags do not give (the endpoint, e.g.
https://NAME.openai.azure.com, and the deployment), then for the API key
without echoing it; checks the key against the resource, stores it in the
secret store and writes the profile. --device-code signs in with
Microsoft Entra ID instead of a key.`,
		Flags: []Flag{
			{Name: "endpoint", Arg: "URL", Help: "the resource's endpoint, https://NAME.openai.azure.com"},
			{Name: "deployment", Arg: "NAME", Help: "the deployment to send requests to"},
			{Name: "api-version", Arg: "V", Help: "Azure's api-version (default " + llm.DefaultAzureAPIVersion + ")"},
			{Name: "model", Arg: "NAME", Help: "the model behind the deployment, for display"},
			{Name: "no-verify", Help: "store the key without checking it (no request is made)"},
			{Name: "device-code", Help: "sign in with Microsoft Entra ID (device code) instead of a key"},
			{Name: "tenant", Arg: "ID", Help: "the Entra tenant (with --device-code)"},
			{Name: "client-id", Arg: "ID", Help: "the Entra application's client ID (with --device-code)"},
		},
		Run: runAzure,
		// Entra tokens (--device-code) expire within about an hour.
		Refresh: refreshAzureEntra,
	})
}

// AzureModel is the azure model the request describes: the profile's
// current one overlaid with the flags given (for the device-code flow,
// which shares them).
func AzureModel(req *Request) (profile.Model, error) {
	existing, err := req.LoadProfile()
	if err != nil {
		return profile.Model{}, err
	}
	m := profile.Model{Provider: profile.ProviderAzure}
	if existing != nil && existing.Model != nil && existing.Model.Provider == profile.ProviderAzure {
		m = *existing.Model
	}
	set := func(flag string, dst *string) {
		if req.Given(flag) {
			*dst = strings.TrimSpace(req.Value(flag))
		}
	}
	set("endpoint", &m.Endpoint)
	set("deployment", &m.Deployment)
	set("api-version", &m.APIVersion)
	set("model", &m.Model)
	set("tenant", &m.Tenant)
	set("client-id", &m.ClientID)
	m.Endpoint = strings.TrimRight(m.Endpoint, "/")
	if req.Scopes != nil {
		m.Scopes = req.Scopes
	}
	ask := func(dst *string, what, flag string) error {
		if *dst != "" {
			return nil
		}
		v, err := req.IO.Line(what + ": ")
		if err != nil {
			return fmt.Errorf("read the %s (or give --%s): %w", strings.ToLower(what), flag, err)
		}
		if v == "" {
			return fmt.Errorf("azure needs the %s: give --%s", strings.ToLower(what), flag)
		}
		*dst = strings.TrimRight(v, "/")
		return nil
	}
	if err := ask(&m.Endpoint, "Endpoint (https://NAME.openai.azure.com)", "endpoint"); err != nil {
		return m, err
	}
	if err := ask(&m.Deployment, "Deployment", "deployment"); err != nil {
		return m, err
	}
	if m.APIVersion == "" {
		m.APIVersion = llm.DefaultAzureAPIVersion
	}
	return m, nil
}

func runAzure(ctx context.Context, req *Request) error {
	if req.Switch("device-code") {
		flow := azureDeviceCodeFlow()
		if flow == nil {
			return errors.New("sign-in with Microsoft Entra ID (--device-code) is not available in this build; log in with the resource's API key (run `ostui login azure` without --device-code)")
		}
		return flow(ctx, req)
	}
	for _, f := range []string{"tenant", "client-id"} {
		if req.Given(f) {
			return &UsageError{Msg: fmt.Sprintf("ostui login azure: --%s goes with --device-code", f)}
		}
	}
	m, err := AzureModel(req)
	if err != nil {
		return err
	}
	m.Auth = ""
	p := &profile.Profile{Name: req.ProfileName, Model: &m}
	cfg, err := ConfigOf(p)
	if err != nil {
		return err
	}
	if err := req.sayWhere(ctx); err != nil {
		return err
	}
	key, err := req.IO.Secret("Azure OpenAI API key (input hidden): ")
	if err != nil {
		return fmt.Errorf("read the API key: %w", err)
	}
	if key == "" {
		return errors.New("no API key given; nothing was stored (the key is under Keys and Endpoint in the Azure portal)")
	}
	cfg.APIKey, cfg.HTTPClient = key, req.Client()
	if !req.Switch("no-verify") {
		if _, err := verify(ctx, req, cfg); err != nil {
			return err
		}
	}
	if err := req.StoreSecret(ctx, profile.SecretKey(p.CredentialOf(), profile.FieldAPIKey), key); err != nil {
		return err
	}
	if err := req.SaveProfile(func(dst *profile.Profile) error {
		dst.Model = &m
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(req.IO.Out, "logged in to azure (profile %s, deployment %s)\n", req.ProfileName, m.Deployment)
	return nil
}
