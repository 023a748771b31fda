package login

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

func init() {
	Register(Provider{
		Name:    profile.ProviderOpenAI,
		Summary: "OpenAI (or an OpenAI-compatible server): API key, hidden input",
		Usage:   "ostui login openai [--endpoint URL] [--model NAME] [--no-verify]",
		Help: `Asks for the API key without echoing it (without a terminal, reads one
line from standard input), checks it with GET /models, stores it in the
secret store and writes the profile. The key is never a flag: a flag is
seen by ps and kept in shell history.`,
		Flags: []Flag{
			{Name: "endpoint", Arg: "URL", Help: "an OpenAI-compatible base URL (default https://api.openai.com/v1)"},
			{Name: "model", Arg: "NAME", Help: "the model to use (default " + llm.DefaultOpenAIModel + ")"},
			{Name: "no-verify", Help: "store the key without checking it (no request is made)"},
		},
		Run: runOpenAI,
	})
}

func runOpenAI(ctx context.Context, req *Request) error {
	existing, err := req.LoadProfile()
	if err != nil {
		return err
	}
	m := profile.Model{Provider: profile.ProviderOpenAI}
	if existing != nil && existing.Model != nil && existing.Model.Provider == profile.ProviderOpenAI {
		m = *existing.Model
	}
	if req.Given("endpoint") {
		m.Endpoint = strings.TrimRight(req.Value("endpoint"), "/")
	}
	if req.Given("model") {
		m.Model = req.Value("model")
	}
	if req.Scopes != nil {
		m.Scopes = req.Scopes
	}
	m.Auth = ""
	p := &profile.Profile{Name: req.ProfileName, Model: &m}
	cred := p.CredentialOf()

	if err := req.sayWhere(ctx); err != nil {
		return err
	}
	key, err := req.IO.Secret("OpenAI API key (input hidden): ")
	if err != nil {
		return fmt.Errorf("read the API key: %w", err)
	}
	if key == "" {
		return errors.New("no API key given; nothing was stored (create one at https://platform.openai.com/api-keys)")
	}
	cfg, err := ConfigOf(p)
	if err != nil {
		return err
	}
	cfg.APIKey, cfg.HTTPClient = key, req.Client()
	if !req.Switch("no-verify") {
		models, err := verify(ctx, req, cfg)
		if err != nil {
			return err
		}
		if m.Model == "" && m.Endpoint != "" && len(models) == 1 {
			// A server that serves one model: that is the one.
			m.Model = models[0]
		}
		if m.Model != "" && len(models) > 0 && !slices.Contains(models, m.Model) {
			fmt.Fprintf(req.IO.ErrOut, "warning: %s does not list model %s; set another with --model\n", endpointOf(cfg), m.Model)
		}
	}
	if err := req.StoreSecret(ctx, profile.SecretKey(cred, profile.FieldAPIKey), key); err != nil {
		return err
	}
	if err := req.SaveProfile(func(dst *profile.Profile) error {
		dst.Model = &m
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(req.IO.Out, "logged in to openai (profile %s)\n", req.ProfileName)
	return nil
}

// sayWhere tells the person where the secret will go before asking for
// it, and fails before the question when it can go nowhere (no keyring
// and no passphrase for the encrypted file).
func (r *Request) sayWhere(ctx context.Context) error {
	if !r.SaveSecret {
		return nil
	}
	if r.Store == nil {
		return errors.New("no secret store is available; use --no-save-secret to use the secret for this session only")
	}
	where, err := r.Store.Where(ctx)
	if err != nil {
		return fmt.Errorf("the secret cannot be stored: %w", err)
	}
	// The encrypted file needs a passphrase; without a terminal to ask
	// and without the variable, say so before asking for the secret.
	if strings.HasPrefix(where, "the encrypted file") && r.getenv(secretstore.PassphraseEnv) == "" && !r.IO.IsTerminal() {
		return fmt.Errorf("no OS keyring answers, and %s needs a passphrase: set %s (or run in a terminal), or use --no-save-secret", where, secretstore.PassphraseEnv)
	}
	fmt.Fprintf(r.IO.ErrOut, "the secret will be stored in %s\n", where)
	return nil
}

// verify checks the key with GET /models and turns a refusal into a
// sentence about this login (nothing was stored), not the session's
// "run ostui login" advice.
func verify(ctx context.Context, req *Request, cfg llm.Config) ([]string, error) {
	cfg.Remedy = "nothing was stored; check the key and run `" + Command(req.Provider, req.ProfileName) + "` again"
	if cfg.Provider == llm.ProviderAzure {
		cfg.Remedy = "nothing was stored; check the key, the endpoint (the resource's region) and --api-version, and run `" + Command(req.Provider, req.ProfileName) + "` again"
	}
	models, err := llm.Verify(ctx, cfg)
	if err != nil {
		if errors.Is(err, llm.ErrUnreachable) {
			return nil, fmt.Errorf("%w (nothing was stored; --no-verify stores the key without checking it)", err)
		}
		return nil, err
	}
	fmt.Fprintf(req.IO.ErrOut, "the key works: %s answered\n", endpointOf(cfg))
	return models, nil
}

// endpointOf is where the key was checked, with any user:password in
// the URL hidden.
func endpointOf(cfg llm.Config) string {
	if cfg.BaseURL == "" {
		return "https://api.openai.com/v1"
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return "the endpoint"
	}
	return u.Redacted()
}
