package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// errTruncated: the stream ended without a finish reason, so the answer
// may be cut short.
var errTruncated = errors.New("the stream ended before the model finished")

// client is the Client over go-openai.
type client struct {
	cfg        Config
	api        *openai.Client
	maxRetries int
	// sleep and jitter are fields so tests run retries without waiting.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func() float64
	now    func() time.Time
}

// New returns a Client for cfg. It checks only that cfg is complete; the
// endpoint is first contacted by Complete.
func New(cfg Config) (Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func newClient(cfg Config) (*client, error) {
	if cfg.Provider == "" {
		cfg.Provider = ProviderOpenAI
	}
	if (cfg.Provider == ProviderOpenAI || cfg.Provider == ProviderGitHub) && cfg.Model == "" {
		return nil, fmt.Errorf("model provider %s: no model named (set OSTUI_MODEL)", cfg.Provider)
	}
	oc, err := openaiConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Provider == ProviderAzure && cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAzureAPIVersion
	}

	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	return &client{
		cfg:        cfg,
		api:        openai.NewClientWithConfig(oc),
		maxRetries: retries,
		sleep:      sleepCtx,
		jitter:     defaultJitter,
		now:        time.Now,
	}, nil
}

// openaiConfig is go-openai's configuration for cfg: base URL, key,
// Azure's version and deployment, and our HTTP client. It does not need a
// model name, so ResolveModel can use it to ask for one.
func openaiConfig(cfg Config) (openai.ClientConfig, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		// No overall timeout: an answer streams for as long as it takes;
		// the caller's context bounds it.
		hc = &http.Client{}
	}
	var oc openai.ClientConfig
	switch cfg.provider() {
	case ProviderOpenAI, ProviderGitHub:
		oc = openai.DefaultConfig(cfg.APIKey)
		switch {
		case cfg.BaseURL != "":
			oc.BaseURL = cfg.BaseURL
		case cfg.Provider == ProviderGitHub:
			oc.BaseURL = GitHubModelsURL
		}
	case ProviderAzure:
		if cfg.BaseURL == "" || cfg.AzureDeployment == "" {
			return oc, errors.New("model provider azure: set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT")
		}
		if cfg.APIVersion == "" {
			cfg.APIVersion = DefaultAzureAPIVersion
		}
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		oc.APIVersion = cfg.APIVersion
		deployment := cfg.AzureDeployment
		// go-openai derives the deployment from the model name by default;
		// ours is named outright.
		oc.AzureModelMapperFunc = func(string) string { return deployment }
		if cfg.AzureAD {
			oc.APIType = openai.APITypeAzureAD
		}
	default:
		return oc, fmt.Errorf("model provider %q is not one of openai, azure, github", cfg.Provider)
	}
	oc.HTTPClient = statusDoer{hc: hc, token: cfg.Token, azure: cfg.provider() == ProviderAzure}
	return oc, nil
}

// statusDoer turns non-2xx answers into statusError before go-openai
// parses them, keeping the status and Retry-After that go-openai drops.
type statusDoer struct {
	hc *http.Client
	// token, when set, authorizes each request (see authorize).
	token TokenSource
	azure bool
}

func (d statusDoer) Do(req *http.Request) (*http.Response, error) {
	tok, err := d.authorize(req)
	if err != nil {
		return nil, err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := readStatusError(resp)
		if len(tok) >= 4 {
			// A refreshed token is not Config.APIKey, which explain scrubs.
			se.message = strings.ReplaceAll(se.message, tok, "[REDACTED]")
		}
		return nil, se
	}
	return resp, nil
}

// Model names the model in use (the deployment on Azure).
func (c *client) Model() string { return c.cfg.modelName() }

// Complete streams one completion. It retries rate limits, server faults
// and broken connections while no text has reached onText: once a person
// has seen part of an answer, a second answer would contradict it.
func (c *client) Complete(ctx context.Context, req Request, onText func(delta string)) (*Response, error) {
	oreq := c.request(req)
	for attempt := 1; ; attempt++ {
		resp, shown, err := c.attempt(ctx, oreq, onText)
		if err == nil {
			if resp.Usage == (Usage{}) {
				resp.Usage = estimateUsage(req, resp)
			}
			return resp, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("model request: %w", ctxErr)
		}
		if dropStreamOptions(&oreq, err) {
			attempt-- // a compatibility fallback, not a retry
			continue
		}
		if shown || attempt > c.maxRetries || !retryable(err) {
			return nil, c.explain(err, attempt)
		}
		wait, werr := delay(err, attempt-1, c.now(), c.jitter)
		if werr != nil {
			return nil, c.explain(werr, attempt)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("model request: %w", err)
		}
	}
}

// dropStreamOptions handles servers that reject stream_options outright
// (older Azure API versions, strict proxies): ask once more without it.
func dropStreamOptions(oreq *openai.ChatCompletionRequest, err error) bool {
	var se *statusError
	if oreq.StreamOptions == nil || !errors.As(err, &se) || se.status != http.StatusBadRequest {
		return false
	}
	if !strings.Contains(se.message, "stream_options") {
		return false
	}
	oreq.StreamOptions = nil
	return true
}

// attempt makes one streamed request. shown reports whether any text
// reached onText, which forbids a retry.
func (c *client) attempt(ctx context.Context, oreq openai.ChatCompletionRequest, onText func(string)) (_ *Response, shown bool, _ error) {
	stream, err := c.api.CreateChatCompletionStream(ctx, oreq)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = stream.Close() }() // the answer is read; a close error loses nothing

	var (
		text  strings.Builder
		calls accumulator
		resp  Response
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, shown, err
		}
		// Chunks already buffered would still be read after a cancel;
		// the person asked to stop, so stop now.
		if err := ctx.Err(); err != nil {
			return nil, shown, err
		}
		if chunk.Usage != nil {
			resp.Usage = Usage{PromptTokens: chunk.Usage.PromptTokens, CompletionTokens: chunk.Usage.CompletionTokens}
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue // we ask for one choice; ignore any others
			}
			if d := choice.Delta.Content; d != "" {
				text.WriteString(d)
				if onText != nil {
					onText(d)
					shown = true
				}
			}
			for _, tc := range choice.Delta.ToolCalls {
				if err := calls.add(tc); err != nil {
					return nil, shown, err
				}
			}
			if choice.FinishReason != "" {
				resp.FinishReason = string(choice.FinishReason)
			}
		}
	}
	// go-openai reports a clean close without [DONE] as io.EOF too; a
	// missing finish reason is how a cut-off answer shows.
	if resp.FinishReason == "" {
		return nil, shown, errTruncated
	}
	resp.Content = text.String()
	resp.ToolCalls = calls.result()
	return &resp, shown, nil
}

// request translates the port's request into go-openai's.
func (c *client) request(req Request) openai.ChatCompletionRequest {
	model := c.cfg.Model
	if model == "" {
		model = c.cfg.AzureDeployment
	}
	out := openai.ChatCompletionRequest{
		Model:  model,
		Stream: true,
		// Most servers then send token counts in a last chunk; those that
		// ignore it leave usage to estimateUsage.
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	}
	for _, m := range req.Messages {
		om := openai.ChatCompletionMessage{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			om.ToolCalls = append(om.ToolCalls, openai.ToolCall{
				ID:       tc.ID,
				Type:     openai.ToolTypeFunction,
				Function: openai.FunctionCall{Name: tc.Name, Arguments: tc.Arguments},
			})
		}
		out.Messages = append(out.Messages, om)
	}
	for _, f := range req.Functions {
		params := f.Parameters
		if len(params) == 0 {
			// A null schema is rejected by OpenAI; a function without
			// arguments takes an empty object.
			params = []byte(`{"type":"object","properties":{}}`)
		}
		out.Tools = append(out.Tools, openai.Tool{
			Type: openai.ToolTypeFunction,
			Function: &openai.FunctionDefinition{
				Name:        f.Name,
				Description: f.Description,
				Parameters:  params,
			},
		})
	}
	return out
}

// estimateUsage guesses token counts when the server sent none: one token
// per four characters, the usual rule of thumb for English and JSON.
func estimateUsage(req Request, resp *Response) Usage {
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content) + len(m.Role)
		for _, tc := range m.ToolCalls {
			prompt += len(tc.Name) + len(tc.Arguments)
		}
	}
	for _, f := range req.Functions {
		prompt += len(f.Name) + len(f.Description) + len(f.Parameters)
	}
	completion := len(resp.Content)
	for _, tc := range resp.ToolCalls {
		completion += len(tc.Name) + len(tc.Arguments)
	}
	return Usage{PromptTokens: prompt / 4, CompletionTokens: completion / 4, Estimated: true}
}

func isUnexpectedEOF(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }
