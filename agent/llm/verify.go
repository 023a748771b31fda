package llm

import (
	"context"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// VerifyTimeout bounds Verify: a login waits for it, so a wrong URL must
// fail in seconds.
const VerifyTimeout = 15 * time.Second

// Verify proves cfg's key works with the cheapest request there is,
// GET /models (on Azure, the resource's /openai/models), and returns the
// model names the endpoint lists. Its error is an *Error (ErrAuth for a
// refused key, ErrUnreachable for a wrong URL) that never holds the key;
// cfg.Remedy, when set, is what a refused key's message advises.
func Verify(ctx context.Context, cfg Config) ([]string, error) {
	if cfg.Provider == "" {
		cfg.Provider = ProviderOpenAI
	}
	oc, err := openaiConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, VerifyTimeout)
	defer cancel()
	c := &client{cfg: cfg}
	list, err := openai.NewClientWithConfig(oc).ListModels(ctx)
	if err != nil {
		return nil, c.explain(err, 1)
	}
	names := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		if m.ID != "" {
			names = append(names, m.ID)
		}
	}
	return names, nil
}
