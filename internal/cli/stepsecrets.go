package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// keepStepSecrets stores what a finished step handed over in
// tools.Result.Secrets (an application credential's secret, which
// Keystone shows once) in the secret store, under the current cloud:
// cloud/CLOUD/KEY. It runs for every finished step, whether or not a
// view has the screen, since a secret not kept now is lost.
//
// The secret is never printed, except with the step's show_secret
// argument (--show-secret), and then only to a terminal: printed to a
// pipe it would end up in a file or a CI log. Nothing here writes to the
// conversation, the history or the audit log. When the store fails, the
// secret is shown once on a terminal (the only way left to keep it);
// without one it is lost, and the person is told to delete the
// credential and make another.
func (s *Shell) keepStepSecrets(ev session.StepFinished) {
	o := ev.Outcome
	if o == nil || o.Result == nil || len(o.Result.Secrets) == 0 || o.Status != session.StepOK {
		return
	}
	cloudName := "envvars"
	if s.cfg != nil && s.cfg.Name != "" {
		cloudName = s.cfg.Name
	}
	var show struct {
		ShowSecret bool `json:"show_secret"`
	}
	_ = json.Unmarshal(o.Args, &show)
	tty := s.IO.IsStderrTTY()
	name, id := o.Result.Outputs["name"], o.Result.Outputs["id"]
	keys := make([]string, 0, len(o.Result.Secrets))
	for k := range o.Result.Secrets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	errOut := s.IO.ErrOut
	for _, k := range keys {
		value := o.Result.Secrets[k]
		key := "cloud/" + cloudName + "/" + k
		// Kept for the session too: a person who pastes it into a
		// question must not find it in a saved conversation.
		if s.login.secrets == nil {
			s.login.secrets = map[string]string{}
		}
		s.login.secrets[key] = value
		where, err := s.storeSecret(key, value)
		switch {
		case err != nil && tty:
			fmt.Fprintf(errOut, "warning: the secret of %s could not be stored (%s); it is shown this once, copy it now:\n  %s\n",
				termtext.Safe(name), termtext.Safe(err.Error()), termtext.Safe(value))
			continue
		case err != nil:
			fmt.Fprintf(errOut, "warning: the secret of %s could not be stored (%s) and is lost: Keystone shows it only once; delete the credential with /application credential delete %s and create it again once the secret store works\n",
				termtext.Safe(name), termtext.Safe(err.Error()), termtext.Safe(firstNonEmpty(id, name)))
			continue
		}
		fmt.Fprintf(errOut, "stored its secret in %s under %s (never shown; --show-secret prints it once at a terminal)\n", termtext.Safe(where), termtext.Safe(key))
		if strings.HasPrefix(k, "appcred/") {
			authURL := "AUTH_URL"
			if s.cfg != nil && s.cfg.AuthURL != "" {
				authURL = s.cfg.AuthURL
			}
			fmt.Fprintf(errOut, "to log in with it, add a clouds.yaml entry with auth_type: v3applicationcredential and auth: {auth_url: %s, application_credential_id: %s, application_credential_secret: …}; or let `ostui login cloud --cloud %s` make one and set up clouds.yaml for you\n",
				termtext.Safe(authURL), termtext.Safe(id), termtext.Safe(cloudName))
		}
		if show.ShowSecret {
			if !tty {
				fmt.Fprintln(errOut, "--show-secret prints the secret only to a terminal, and this output is not one; it is in the secret store")
				continue
			}
			fmt.Fprintf(errOut, "the secret of %s, shown this once (anyone holding it logs in as you until it expires or is deleted):\n  %s\n", termtext.Safe(name), termtext.Safe(value))
		}
	}
}

// storeSecret writes one secret to the session's store.
func (s *Shell) storeSecret(key, value string) (string, error) {
	st, err := s.secretStore()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return st.Set(ctx, key, value)
}
