package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Load resolves the cloud to use from flags, OS_* variables (read with
// getenv; nil means os.Getenv), clouds.yaml and secure.yaml, in that order
// of precedence. See the package documentation for the rules.
func Load(flags Flags, getenv func(string) string) (*Cloud, []Warning, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var warns []Warning

	searched := candidates(getenv, "OS_CLIENT_CONFIG_FILE", "clouds.yaml")
	if p := getenv("OS_CLIENT_CONFIG_FILE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("OS_CLIENT_CONFIG_FILE=%s: %w (fix the path or unset it)", p, err)
		}
	}
	cfgPath := firstExisting(searched)
	var doc *fileDoc
	if cfgPath != "" {
		d, err := readFile(cfgPath)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("read clouds.yaml: %w", err)
		}
		doc = d
	}

	secPath := firstExisting(candidates(getenv, "OS_CLIENT_SECURE_FILE", "secure.yaml", dirOf(cfgPath)...))
	var sec *fileDoc
	if secPath != "" {
		d, err := readFile(secPath)
		var pe *ParseError
		switch {
		case errors.As(err, &pe):
			return nil, nil, err
		case err != nil:
			warns = append(warns, Warning{File: secPath, Msg: fmt.Sprintf("cannot read secure.yaml, so the secrets in it are ignored: %v", err)})
			secPath = ""
		default:
			sec = d
			if w, bad := groupReadable(secPath); bad {
				warns = append(warns, w)
			}
		}
	}

	fl, env := flags.settings(), envSettings(getenv)
	name := flags.Cloud
	if name == "" {
		name = getenv("OS_CLOUD")
	}
	envOnly := false
	if name == "" {
		_, flagURL := fl["auth_url"]
		_, envURL := env["auth_url"]
		switch known := doc.names(); {
		case flagURL || envURL:
			// An openrc was sourced (or --os-auth-url given): those
			// variables describe the cloud, whatever clouds.yaml holds.
			envOnly, name = true, "envvars"
		case doc == nil:
			return nil, warns, &NoConfigError{Searched: searched}
		case len(known) == 1:
			name = known[0]
		case len(known) == 0:
			return nil, warns, &NoConfigError{Searched: searched}
		default:
			return nil, warns, &NoCloudChosenError{File: cfgPath, Known: known}
		}
	}

	var fileL, secL layer
	if !envOnly {
		if doc == nil {
			return nil, warns, &UnknownCloudError{Name: name}
		}
		cd, ok := doc.Clouds[name]
		if !ok {
			return nil, warns, &UnknownCloudError{Name: name, File: cfgPath, Known: doc.names()}
		}
		var err error
		if fileL, err = cd.layer("clouds.yaml " + cfgPath); err != nil {
			return nil, warns, fmt.Errorf("%s: cloud %q: %w", cfgPath, name, err)
		}
		if sc, ok := sec.cloud(name); ok {
			if secL, err = sc.layer("secure.yaml " + secPath); err != nil {
				return nil, warns, fmt.Errorf("%s: cloud %q: %w", secPath, name, err)
			}
		}
		if hasSecret(fileL) {
			if w, bad := groupReadable(cfgPath); bad {
				warns = append(warns, w)
			}
		}
		warns = append(warns, overrides(env, secL, fileL)...)
	}

	c, err := resolve(name, merge(fl, env, secL, fileL))
	if err != nil {
		return nil, warns, err
	}
	if !envOnly {
		c.ConfigFile = cfgPath
		if secL != nil {
			c.SecureFile = secPath
		}
	}
	return c, warns, nil
}

// Names lists the clouds in clouds.yaml, sorted; none when there is no
// clouds.yaml. It is meant for /cloud switching and completion.
func Names(getenv func(string) string) ([]string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := firstExisting(candidates(getenv, "OS_CLIENT_CONFIG_FILE", "clouds.yaml"))
	if p == "" {
		return nil, nil
	}
	doc, err := readFile(p)
	if err != nil {
		return nil, err
	}
	return doc.names(), nil
}

func dirOf(path string) []string {
	if path == "" {
		return nil
	}
	return []string{filepath.Dir(path)}
}

func (d *fileDoc) cloud(name string) (cloudDoc, bool) {
	if d == nil {
		return cloudDoc{}, false
	}
	c, ok := d.Clouds[name]
	return c, ok
}

func hasSecret(l layer) bool {
	for k := range secretKeys {
		if _, ok := l[k]; ok {
			return true
		}
	}
	return false
}

// groupReadable warns when a file holding secrets can be read by others.
func groupReadable(path string) (Warning, bool) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return Warning{}, false
	}
	return Warning{File: path, Msg: fmt.Sprintf("holds secrets but is readable by group or others (mode %04o); run: chmod 600 %s", fi.Mode().Perm(), path)}, true
}

// overrides warns when an OS_* variable replaces a different value from
// the files, which surprises people who sourced an openrc for another
// cloud. Secrets are named, never shown.
func overrides(env layer, files ...layer) []Warning {
	var out []Warning
	for _, e := range envVars {
		ev, ok := env[e.key]
		if !ok {
			continue
		}
		for _, f := range files {
			fv, ok := f[e.key]
			if !ok || fv.v == ev.v {
				continue
			}
			msg := fmt.Sprintf("%s overrides %s from %s", strings.TrimPrefix(ev.src, "env "), e.key, fv.src)
			if !secretKeys[e.key] {
				msg += fmt.Sprintf(" (%q instead of %q)", ev.v, fv.v)
			}
			out = append(out, Warning{Msg: msg})
			break
		}
	}
	return out
}

// resolve turns merged settings into a Cloud, applying aliases and defaults.
func resolve(name string, m layer) (*Cloud, error) {
	src := map[string]string{}
	get := func(k string) string {
		v, ok := m[k]
		if !ok {
			return ""
		}
		src[k] = v.src
		return v.v
	}
	set := func(dst *string, k, v, from string) {
		*dst = v
		src[k] = from
	}
	c := &Cloud{
		Name:                        name,
		AuthURL:                     get("auth_url"),
		Username:                    get("username"),
		UserID:                      get("user_id"),
		Password:                    get("password"),
		ProjectName:                 get("project_name"),
		ProjectID:                   get("project_id"),
		UserDomainName:              get("user_domain_name"),
		UserDomainID:                get("user_domain_id"),
		ProjectDomainName:           get("project_domain_name"),
		ProjectDomainID:             get("project_domain_id"),
		DomainName:                  get("domain_name"),
		DomainID:                    get("domain_id"),
		Token:                       get("token"),
		ApplicationCredentialID:     get("application_credential_id"),
		ApplicationCredentialName:   get("application_credential_name"),
		ApplicationCredentialSecret: get("application_credential_secret"),
		Passcode:                    get("passcode"),
		IdentityProvider:            get("identity_provider"),
		Protocol:                    get("protocol"),
		ClientID:                    get("client_id"),
		ClientSecret:                get("client_secret"),
		DiscoveryEndpoint:           get("discovery_endpoint"),
		AccessTokenEndpoint:         get("access_token_endpoint"),
		DeviceAuthorizationEndpoint: get("device_authorization_endpoint"),
		AccessToken:                 get("access_token"),
		OpenIDScope:                 get("openid_scope"),
		AccessTokenType:             get("access_token_type"),
		Region:                      get("region_name"),
		Interface:                   get("interface"),
		CACert:                      get("cacert"),
		Cert:                        get("cert"),
		Key:                         get("key"),
		Sources:                     src,
	}
	if c.AuthURL == "" {
		return nil, fmt.Errorf("cloud %q has no auth_url: set auth.auth_url in clouds.yaml, OS_AUTH_URL or --os-auth-url", name)
	}

	at, err := authType(get("auth_type"), c)
	if err != nil {
		return nil, fmt.Errorf("cloud %q: %w", name, err)
	}
	c.AuthType = at
	if _, ok := src["auth_type"]; !ok {
		src["auth_type"] = "default"
	}

	if ins := get("insecure"); ins != "" {
		b, err := strconv.ParseBool(ins)
		if err != nil {
			return nil, fmt.Errorf("cloud %q: insecure (%s) must be true or false, not %q", name, src["insecure"], ins)
		}
		c.Insecure = b
	}

	switch strings.TrimSuffix(strings.ToLower(c.Interface), "url") {
	case "", "public":
		set(&c.Interface, "interface", "public", orDefault(src["interface"]))
	case "internal":
		c.Interface = "internal"
	case "admin":
		c.Interface = "admin"
	default:
		return nil, fmt.Errorf("cloud %q: interface (%s) must be public, internal or admin, not %q", name, src["interface"], c.Interface)
	}

	resolveDomains(c, get("default_domain"), m["default_domain"].src, set)
	return c, nil
}

func orDefault(s string) string {
	if s == "" {
		return "default"
	}
	return s
}

// authType folds aliases and infers the type from the credentials given
// when none is set.
func authType(t string, c *Cloud) (string, error) {
	switch strings.ToLower(t) {
	case "":
		switch {
		case c.ApplicationCredentialID != "" || c.ApplicationCredentialName != "":
			return AuthApplicationCredential, nil
		case c.Token != "" && c.Password == "":
			return AuthToken, nil
		}
		return AuthPassword, nil
	case "password", "v3password":
		return AuthPassword, nil
	case "token", "v3token":
		return AuthToken, nil
	case "v3applicationcredential", "applicationcredential", "application_credential":
		return AuthApplicationCredential, nil
	case "v3totp", "totp", "v3multifactor":
		return AuthTOTP, nil
	case "v3oidcpassword":
		return AuthOIDCPassword, nil
	case "v3oidcaccesstoken":
		return AuthOIDCAccessToken, nil
	case "v3oidcdeviceauthz":
		return AuthOIDCDevice, nil
	}
	return "", fmt.Errorf("auth_type %q is not supported; use password, v3applicationcredential, token, v3totp, v3oidcpassword, v3oidcaccesstoken or v3oidcdeviceauthz", t)
}

// resolveDomains fills the user's and the project's domains, each on its
// own: domain_* stands in for both when a project is given (as
// openstacksdk does), default_domain fills what is still unset, and
// "Default" is used only where nothing at all is set.
func resolveDomains(c *Cloud, defDomain, defSrc string, set func(*string, string, string, string)) {
	projectScoped := c.ProjectName != "" || c.ProjectID != ""
	userDomainSet := func() bool { return c.UserDomainName != "" || c.UserDomainID != "" }
	projDomainSet := func() bool { return c.ProjectDomainName != "" || c.ProjectDomainID != "" }
	if projectScoped && (c.DomainName != "" || c.DomainID != "") {
		if !userDomainSet() {
			set(&c.UserDomainName, "user_domain_name", c.DomainName, c.Sources["domain_name"])
			set(&c.UserDomainID, "user_domain_id", c.DomainID, c.Sources["domain_id"])
		}
		if !projDomainSet() {
			set(&c.ProjectDomainName, "project_domain_name", c.DomainName, c.Sources["domain_name"])
			set(&c.ProjectDomainID, "project_domain_id", c.DomainID, c.Sources["domain_id"])
		}
		c.DomainName, c.DomainID = "", ""
		delete(c.Sources, "domain_name")
		delete(c.Sources, "domain_id")
	}
	for _, k := range []string{"user_domain_name", "user_domain_id", "project_domain_name", "project_domain_id"} {
		if c.Sources[k] == "" {
			delete(c.Sources, k)
		}
	}
	// A user ID or an application credential ID identifies the user
	// without a domain; a name needs one.
	needUserDomain := c.UserID == "" && (c.Username != "") &&
		c.AuthType != AuthToken && c.ApplicationCredentialID == "" && !c.Federated()
	if needUserDomain && !userDomainSet() {
		if defDomain != "" {
			set(&c.UserDomainID, "user_domain_id", defDomain, defSrc)
		} else {
			set(&c.UserDomainName, "user_domain_name", "Default", "default")
		}
	}
	if c.ProjectName != "" && !projDomainSet() {
		if defDomain != "" {
			set(&c.ProjectDomainID, "project_domain_id", defDomain, defSrc)
		} else {
			set(&c.ProjectDomainName, "project_domain_name", "Default", "default")
		}
	}
}

// Validate reports settings missing for the cloud's auth type, with what
// to set. Load does not call it, so that a caller may still prompt for a
// password; the connection calls it before authenticating.
func (c *Cloud) Validate() error {
	where := "secure.yaml, OS_* variables or flags"
	if c.ConfigFile != "" {
		where = fmt.Sprintf("%s (or a secure.yaml beside it) or OS_* variables", c.ConfigFile)
	}
	missing := func(what, env string) error {
		return fmt.Errorf("cloud %q has no %s: set it in %s (%s)", c.Name, what, where, env)
	}
	switch c.AuthType {
	case AuthPassword:
		if c.Username == "" && c.UserID == "" {
			return missing("username", "OS_USERNAME")
		}
		if c.Password == "" {
			return loginHint(missing("password", "OS_PASSWORD"), c.Name)
		}
	case AuthApplicationCredential:
		if c.ApplicationCredentialID == "" && c.ApplicationCredentialName == "" {
			return missing("application_credential_id", "OS_APPLICATION_CREDENTIAL_ID")
		}
		if c.ApplicationCredentialID == "" && c.Username == "" && c.UserID == "" {
			return missing("username (an application credential given by name needs its user)", "OS_USERNAME")
		}
		if c.ApplicationCredentialSecret == "" {
			return loginHint(missing("application_credential_secret", "OS_APPLICATION_CREDENTIAL_SECRET"), c.Name)
		}
	case AuthToken:
		if c.Token == "" {
			return missing("token", "OS_TOKEN")
		}
	case AuthTOTP:
		// The passcode is not checked here: it changes every 30 s, so a
		// login usually asks for it (see internal/cloud).
		if c.Username == "" && c.UserID == "" {
			return missing("username", "OS_USERNAME")
		}
	case AuthOIDCPassword, AuthOIDCAccessToken, AuthOIDCDevice:
		return c.validateFederated(missing)
	}
	return nil
}

// loginHint adds `ostui login cloud` to a missing secret of a cloud of
// clouds.yaml: the login asks for it and stores it (or an application
// credential) where the next session finds it.
func loginHint(err error, name string) error {
	if name == "" || name == "envvars" {
		return err
	}
	return fmt.Errorf("%w, or run `ostui login cloud --cloud %s`", err, name)
}

// validateFederated checks the keys keystoneauth's v3oidc* plugins need,
// naming the first one missing.
func (c *Cloud) validateFederated(missing func(what, env string) error) error {
	if c.IdentityProvider == "" {
		return missing("identity_provider (the identity provider's ID in Keystone)", "OS_IDENTITY_PROVIDER")
	}
	if c.Protocol == "" {
		return missing("protocol (the federation protocol, usually openid)", "OS_PROTOCOL")
	}
	if c.ProjectName == "" && c.ProjectID == "" && c.DomainName == "" && c.DomainID == "" {
		return missing("project_name or project_id (a federated login is unscoped until a project is chosen)", "OS_PROJECT_NAME")
	}
	switch c.AuthType {
	case AuthOIDCAccessToken:
		if c.AccessToken == "" {
			return missing("access_token", "OS_ACCESS_TOKEN")
		}
	case AuthOIDCPassword:
		if c.ClientID == "" {
			return missing("client_id", "OS_CLIENT_ID")
		}
		if c.Username == "" {
			return missing("username", "OS_USERNAME")
		}
		if c.Password == "" {
			return missing("password", "OS_PASSWORD")
		}
		if c.AccessTokenEndpoint == "" && c.DiscoveryEndpoint == "" {
			return missing("discovery_endpoint or access_token_endpoint", "OS_DISCOVERY_ENDPOINT")
		}
	case AuthOIDCDevice:
		if c.ClientID == "" {
			return missing("client_id", "OS_CLIENT_ID")
		}
		if c.DiscoveryEndpoint == "" && (c.DeviceAuthorizationEndpoint == "" || c.AccessTokenEndpoint == "") {
			return missing("discovery_endpoint (or both device_authorization_endpoint and access_token_endpoint)", "OS_DISCOVERY_ENDPOINT")
		}
	}
	return nil
}
