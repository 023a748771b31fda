package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// DiscoveryTimeout bounds ResolveModel's question to the server. It runs
// as the shell starts, so a server that does not answer must cost a
// moment, not the person's patience; a local server answers in
// milliseconds.
const DiscoveryTimeout = 3 * time.Second

// ErrModelNotNamed: no model was named and the server did not name
// exactly one (it serves several, none, or did not say).
var ErrModelNotNamed = errors.New("no model named")

// maxListed bounds the model names an error lists: a hosted server can
// serve hundreds.
const maxListed = 10

// ResolveModel fills in cfg.Model when an OpenAI-compatible server
// (OPENAI_BASE_URL) was named without a model, by asking the server's
// GET /models. A server that serves exactly one model (a llama.cpp or
// vLLM instance started for one model, the usual local set-up) is used
// with it, and note says so, for the person to see once. Several models,
// none, or a server that cannot be asked are an error that says what to
// set. Any other configuration is returned as it is, with no request made.
//
// Asking beats going offline with a bare "set OSTUI_MODEL": the person
// learns the names the server offers, or that the URL is wrong.
func ResolveModel(ctx context.Context, cfg Config) (_ Config, note string, _ error) {
	if cfg.provider() != ProviderOpenAI || cfg.Model != "" || cfg.BaseURL == "" {
		return cfg, "", nil
	}
	oc, err := openaiConfig(cfg)
	if err != nil {
		return cfg, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, DiscoveryTimeout)
	defer cancel()
	c := &client{cfg: cfg}
	list, err := openai.NewClientWithConfig(oc).ListModels(ctx)
	if err != nil {
		return cfg, "", c.explainDiscovery(err)
	}
	var names []string
	for _, m := range list.Models {
		if m.ID != "" {
			names = append(names, m.ID)
		}
	}
	url := cfg.endpoint()
	switch len(names) {
	case 0:
		return cfg, "", &Error{Kind: ErrModelNotNamed, msg: fmt.Sprintf("the server at %s lists no models; set %s to a model it serves", url, EnvModel)}
	case 1:
		cfg.Model = names[0]
		return cfg, fmt.Sprintf("using model %s, the only one the server at %s serves (set %s to choose another)", names[0], url, EnvModel), nil
	}
	shown := names
	more := ""
	if len(shown) > maxListed {
		shown, more = shown[:maxListed], fmt.Sprintf(" and %d more", len(names)-maxListed)
	}
	return cfg, "", &Error{Kind: ErrModelNotNamed, msg: c.scrub(fmt.Sprintf("the server at %s serves several models: %s%s; set %s to one", url, strings.Join(shown, ", "), more, EnvModel))}
}

// explainDiscovery says why the server could not be asked for its models,
// naming the URL and what to set either way.
func (c *client) explainDiscovery(err error) error {
	url, set := c.cfg.endpoint(), fmt.Sprintf("set %s to a model it serves", EnvModel)
	var (
		kind error
		msg  string
		se   *statusError
	)
	switch {
	case errors.As(err, &se) && (se.status == http.StatusUnauthorized || se.status == http.StatusForbidden):
		kind = ErrAuth
		msg = fmt.Sprintf("the server at %s refused the key when asked which models it serves: %v; %s", url, se, c.cfg.AuthRemedy())
	case errors.As(err, &se):
		kind = ErrModelNotNamed
		msg = fmt.Sprintf("the server at %s did not list its models (%v); %s", url, se, set)
	case errors.Is(err, context.DeadlineExceeded):
		kind = ErrUnreachable
		msg = fmt.Sprintf("the server at %s did not answer within %s when asked which models it serves; is %s right? Or %s", url, DiscoveryTimeout, EnvOpenAIBaseURL, set)
	case isNetError(err):
		kind = ErrUnreachable
		msg = fmt.Sprintf("cannot reach the model server at %s to ask which models it serves (%v); is it running, and is %s right?", url, err, EnvOpenAIBaseURL)
	default:
		kind = ErrModelNotNamed
		msg = fmt.Sprintf("the server at %s did not say which models it serves (%v); %s", url, err, set)
	}
	return &Error{Kind: kind, msg: c.scrub(msg)}
}
