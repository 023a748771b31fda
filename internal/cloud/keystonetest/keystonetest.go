// Package keystonetest is a fake Keystone (and a fake OpenID Connect
// identity provider) on an httptest server, for tests of logins that
// gophercloud's testhelper does not cover: multi-factor auth receipts,
// TOTP, application credentials and federation.
//
// It models only what those flows touch: POST /v3/auth/tokens (password,
// totp, token and application_credential methods, the
// Openstack-Auth-Receipt header) and GET (a token reading itself),
// application credential create (with Keystone's refusals: a duplicate
// name, a role the user lacks, a restricted credential making another),
// list, get and delete, and the OS-FEDERATION auth endpoint. Tokens are opaque strings it
// remembers; its catalog points back at itself.
package keystonetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// User is a Keystone user of the fake.
type User struct {
	ID, Name, Password string
	// Passcode is the TOTP passcode the fake accepts ("" when the user
	// has no TOTP credential).
	Passcode string
	// MFA requires password and totp together: a password alone is
	// answered with 401 and an auth receipt.
	MFA bool
	// Roles on the project "demo" (p1).
	Roles []string
}

// AppCred is an application credential the fake issued.
type AppCred struct {
	ID, Name, Secret, UserID, Description string
	Roles                                 []string
	AccessRules                           []map[string]string
	ExpiresAt                             string
	Unrestricted                          bool
}

// Server is the fake Keystone.
type Server struct {
	*httptest.Server
	t testing.TB

	mu       sync.Mutex
	users    map[string]*User // by name
	tokens   map[string]token
	appCreds map[string]*AppCred
	// AccessTokens are the IdP access tokens the federation endpoint
	// accepts, mapped to the federated user's name.
	AccessTokens map[string]string
	// Requests are "METHOD PATH" in order.
	Requests []string
	// Bodies are the request bodies of POSTs, in order (for leak checks).
	Bodies []string
	n      int
}

type token struct {
	userID    string
	methods   []string
	projectID string // "" for an unscoped token
	roles     []string
	appCred   string // the application credential it was issued for
}

// New starts a fake Keystone with the given users.
func New(t testing.TB, users ...User) *Server {
	s := &Server{t: t, users: map[string]*User{}, tokens: map[string]token{}, appCreds: map[string]*AppCred{}, AccessTokens: map[string]string{}}
	for i := range users {
		u := users[i]
		if u.ID == "" {
			u.ID = "u-" + u.Name
		}
		if u.Roles == nil {
			u.Roles = []string{"member", "reader"}
		}
		s.users[u.Name] = &u
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// AuthURL is the fake's auth_url (with /v3).
func (s *Server) AuthURL() string { return s.URL + "/v3" }

// AppCreds returns the application credentials issued so far.
func (s *Server) AppCreds() []AppCred {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AppCred
	for _, a := range s.appCreds {
		out = append(out, *a)
	}
	return out
}

// Count is how many requests matched "METHOD PATH".
func (s *Server) Count(req string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.Requests {
		if r == req {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if r.Method == http.MethodPost {
		_ = json.NewDecoder(r.Body).Decode(&raw)
	}
	s.mu.Lock()
	s.Requests = append(s.Requests, r.Method+" "+r.URL.Path)
	if raw != nil {
		s.Bodies = append(s.Bodies, string(raw))
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-fake")
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && p == "/v3/auth/tokens":
		s.auth(w, r, raw)
	case r.Method == http.MethodGet && p == "/v3/auth/tokens":
		s.validate(w, r)
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/v3/OS-FEDERATION/identity_providers/") && strings.HasSuffix(p, "/auth"):
		s.federated(w, r)
	case strings.HasPrefix(p, "/v3/users/") && strings.Contains(p, "/application_credentials"):
		s.appCred(w, r, p, raw)
	case r.Method == http.MethodGet && p == "/v3":
		fmt.Fprint(w, `{"version": {"id": "v3.14", "status": "stable"}}`)
	case r.Method == http.MethodGet && p == "/compute/v2.1/servers":
		if _, ok := s.valid(r); !ok {
			unauthorized(w, "The request you have made requires authentication.")
			return
		}
		fmt.Fprint(w, `{"servers": []}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 404, "message": "no route " + r.Method + " " + p}})
	}
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error": {"code": 401, "title": "Unauthorized", "message": %q}}`, msg)
}

func (s *Server) valid(r *http.Request) (token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := s.tokens[r.Header.Get("X-Auth-Token")]
	return tok, ok
}

type userRef struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Password string `json:"password"`
	Passcode string `json:"passcode"`
}

func (s *Server) auth(w http.ResponseWriter, r *http.Request, raw json.RawMessage) {
	var body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User userRef `json:"user"`
				} `json:"password"`
				TOTP struct {
					User userRef `json:"user"`
				} `json:"totp"`
				Token struct {
					ID string `json:"id"`
				} `json:"token"`
				AppCred struct {
					ID     string `json:"id"`
					Secret string `json:"secret"`
				} `json:"application_credential"`
			} `json:"identity"`
			Scope json.RawMessage `json:"scope"`
		} `json:"auth"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id := body.Auth.Identity
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *User
	methods := map[string]bool{}
	find := func(ref userRef) *User {
		for _, x := range s.users {
			if x.Name == ref.Name || x.ID == ref.ID {
				return x
			}
		}
		return nil
	}
	if rc := r.Header.Get("Openstack-Auth-Receipt"); rc != "" {
		tok, ok := s.tokens["receipt-"+rc]
		if !ok {
			unauthorized(w, "invalid receipt")
			return
		}
		for _, m := range tok.methods {
			methods[m] = true
		}
		for _, x := range s.users {
			if x.ID == tok.userID {
				u = x
			}
		}
	}
	var appCred *AppCred
	var fromToken *token
	for _, m := range id.Methods {
		switch m {
		case "password":
			x := find(id.Password.User)
			if x == nil || x.Password != id.Password.User.Password {
				unauthorized(w, "The request you have made requires authentication.")
				return
			}
			u, methods["password"] = x, true
		case "totp":
			x := find(id.TOTP.User)
			if x == nil || x.Passcode == "" || x.Passcode != id.TOTP.User.Passcode {
				unauthorized(w, "The request you have made requires authentication.")
				return
			}
			u, methods["totp"] = x, true
		case "application_credential":
			a := s.appCreds[id.AppCred.ID]
			if a == nil || a.Secret != id.AppCred.Secret {
				unauthorized(w, "The request you have made requires authentication.")
				return
			}
			appCred = a
			methods["application_credential"] = true
			for _, x := range s.users {
				if x.ID == a.UserID {
					u = x
				}
			}
		case "token":
			tok, ok := s.tokens[id.Token.ID]
			if !ok {
				unauthorized(w, "The request you have made requires authentication.")
				return
			}
			fromToken = &tok
			methods["token"] = true
		}
	}
	var userID, userName string
	roles := []string{"member", "reader"}
	switch {
	case u != nil:
		userID, userName, roles = u.ID, u.Name, u.Roles
		if u.MFA && appCred == nil && (!methods["password"] || !methods["totp"]) {
			s.n++
			rc := fmt.Sprintf("receipt-%d", s.n)
			var ms []string
			for m := range methods {
				ms = append(ms, m)
			}
			s.tokens["receipt-"+rc] = token{userID: u.ID, methods: ms}
			w.Header().Set("Openstack-Auth-Receipt", rc)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"receipt": {"methods": %q, "user": {"id": %q, "name": %q}, "expires_at": "2099-01-01T00:00:00.000000Z"}, "required_auth_methods": [["password", "totp"]]}`,
				ms, u.ID, u.Name)
			return
		}
	case fromToken != nil:
		userID, userName = fromToken.userID, strings.TrimPrefix(fromToken.userID, "fed-")
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error": {"code": 400, "message": "no identity"}}`)
		return
	}
	if appCred != nil {
		roles = appCred.Roles
	}
	var ms []string
	for m := range methods {
		ms = append(ms, m)
	}
	s.n++
	tokID := fmt.Sprintf("gAAAAA-fake-%d", s.n)
	scoped := len(body.Auth.Scope) > 0 && string(body.Auth.Scope) != "null" || appCred != nil
	project := ""
	if scoped {
		project = "p1"
	}
	s.tokens[tokID] = token{userID: userID, methods: ms, projectID: project, roles: roles}
	if appCred != nil {
		t := s.tokens[tokID]
		t.appCred = appCred.ID
		s.tokens[tokID] = t
	}
	w.Header().Set("X-Subject-Token", tokID)
	w.WriteHeader(http.StatusCreated)
	writeToken(w, s.URL, userID, userName, ms, project, roles)
}

func writeToken(w http.ResponseWriter, base, userID, userName string, methods []string, project string, roles []string) {
	type ref struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	tok := map[string]any{
		"expires_at": time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"),
		"methods":    methods,
		"user":       map[string]any{"id": userID, "name": userName, "domain": map[string]string{"id": "default", "name": "Default"}},
	}
	if project != "" {
		var rs []ref
		for i, r := range roles {
			rs = append(rs, ref{ID: fmt.Sprintf("r%d", i), Name: r})
		}
		tok["project"] = map[string]any{"id": project, "name": "demo", "domain": map[string]string{"id": "default", "name": "Default"}}
		tok["roles"] = rs
		ep := func(path string) []map[string]string {
			return []map[string]string{{"id": "e", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": base + path}}
		}
		tok["catalog"] = []map[string]any{
			{"type": "identity", "name": "keystone", "id": "s1", "endpoints": ep("/v3")},
			{"type": "compute", "name": "nova", "id": "s2", "endpoints": ep("/compute/v2.1")},
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok})
}

// validate is GET /v3/auth/tokens: the token in X-Subject-Token, as the
// token in X-Auth-Token may see it (tools.CurrentIdentity reads its own).
func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.valid(r); !ok {
		unauthorized(w, "The request you have made requires authentication.")
		return
	}
	s.mu.Lock()
	tok, ok := s.tokens[r.Header.Get("X-Subject-Token")]
	name := strings.TrimPrefix(tok.userID, "fed-")
	for _, u := range s.users {
		if u.ID == tok.userID {
			name = u.Name
		}
	}
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error": {"code": 404, "message": "Could not find token"}}`)
		return
	}
	writeToken(w, s.URL, tok.userID, name, tok.methods, tok.projectID, tok.roles)
}

func (s *Server) federated(w http.ResponseWriter, r *http.Request) {
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.AccessTokens[bearer]
	if !ok || bearer == "" {
		unauthorized(w, "The request you have made requires authentication.")
		return
	}
	s.n++
	tokID := fmt.Sprintf("gAAAAA-unscoped-%d", s.n)
	s.tokens[tokID] = token{userID: "fed-" + name, methods: []string{"mapped"}}
	w.Header().Set("X-Subject-Token", tokID)
	w.WriteHeader(http.StatusCreated)
	writeToken(w, s.URL, "fed-"+name, name, []string{"mapped"}, "", nil)
}

func (s *Server) appCred(w http.ResponseWriter, r *http.Request, p string, raw json.RawMessage) {
	tok, ok := s.valid(r)
	if !ok {
		unauthorized(w, "The request you have made requires authentication.")
		return
	}
	parts := strings.Split(strings.TrimPrefix(p, "/v3/users/"), "/")
	if parts[0] != tok.userID {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error": {"code": 403, "message": "You are not authorized to perform the requested action."}}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && len(parts) == 2:
		var body struct {
			AppCred struct {
				Name         string `json:"name"`
				Description  string `json:"description"`
				ExpiresAt    string `json:"expires_at"`
				Unrestricted bool   `json:"unrestricted"`
				Roles        []struct {
					Name string `json:"name"`
				} `json:"roles"`
				AccessRules []map[string]string `json:"access_rules"`
			} `json:"application_credential"`
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		in := body.AppCred
		// Keystone's refusals, in the order it applies them.
		if tok.appCred != "" && !s.appCreds[tok.appCred].Unrestricted {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error": {"code": 403, "message": "Using method 'application_credential' is not allowed for managing additional application credentials."}}`)
			return
		}
		for _, a := range s.appCreds {
			if a.UserID == tok.userID && a.Name == in.Name {
				w.WriteHeader(http.StatusConflict)
				fmt.Fprint(w, `{"error": {"code": 409, "message": "Duplicate entry found with name `+in.Name+`."}}`)
				return
			}
		}
		for _, want := range in.Roles {
			held := false
			for _, have := range tok.roles {
				held = held || have == want.Name
			}
			if !held {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `{"error": {"code": 404, "message": "Could not find role assignment with role: %s, user or group: %s, project, domain, or system: p1."}}`, want.Name, tok.userID)
				return
			}
		}
		roles := tok.roles
		if len(in.Roles) > 0 {
			roles = nil
			for _, r := range in.Roles {
				roles = append(roles, r.Name)
			}
		}
		s.n++
		a := &AppCred{ID: fmt.Sprintf("ac%d", s.n), Name: in.Name, Description: in.Description, Secret: fmt.Sprintf("appcred-secret-%d-zzz", s.n), UserID: tok.userID,
			Roles: roles, AccessRules: in.AccessRules, ExpiresAt: in.ExpiresAt, Unrestricted: in.Unrestricted}
		s.appCreds[a.ID] = a
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"application_credential": s.appCredJSON(a, true)})
	case r.Method == http.MethodGet && len(parts) == 2:
		list := []map[string]any{}
		for _, a := range s.appCreds {
			if a.UserID == tok.userID && (r.URL.Query().Get("name") == "" || a.Name == r.URL.Query().Get("name")) {
				list = append(list, s.appCredJSON(a, false))
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"application_credentials": list, "links": map[string]any{"next": nil}})
	case r.Method == http.MethodGet && len(parts) == 3:
		a := s.appCreds[parts[2]]
		if a == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error": {"code": 404, "message": "Could not find application credential"}}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"application_credential": s.appCredJSON(a, false)})
	case r.Method == http.MethodDelete && len(parts) == 3:
		if s.appCreds[parts[2]] == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error": {"code": 404, "message": "Could not find application credential"}}`)
			return
		}
		delete(s.appCreds, parts[2])
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *Server) appCredJSON(a *AppCred, withSecret bool) map[string]any {
	var roles []map[string]string
	for i, r := range a.Roles {
		roles = append(roles, map[string]string{"id": fmt.Sprintf("r%d", i), "name": r})
	}
	m := map[string]any{"id": a.ID, "name": a.Name, "project_id": "p1", "roles": roles, "unrestricted": a.Unrestricted,
		"access_rules": a.AccessRules, "description": a.Description}
	if a.ExpiresAt != "" {
		m["expires_at"] = a.ExpiresAt
	} else {
		m["expires_at"] = nil
	}
	if withSecret {
		m["secret"] = a.Secret
	}
	return m
}
