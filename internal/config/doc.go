// Package config finds the settings of the OpenStack cloud ostui talks to:
// command-line flags, OS_* environment variables, clouds.yaml and
// secure.yaml. It does no network I/O; internal/cloud authenticates with
// the Cloud it returns.
//
// # Where cloud settings come from
//
// Each setting is taken from the first of these that sets it:
//
//  1. command-line flags (--os-cloud, --os-auth-url, --os-username,
//     --os-password, --os-project-name, --os-project-id,
//     --os-user-domain-name, --os-project-domain-name, --os-region-name,
//     --os-interface, --os-cacert, --insecure);
//  2. OS_* environment variables (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD,
//     OS_PROJECT_NAME, OS_REGION_NAME, ... — what an openrc file sets);
//  3. secure.yaml, for the chosen cloud;
//  4. clouds.yaml, for the chosen cloud.
//
// Settings that name one thing two ways — username/user_id,
// project_name/project_id, user_domain_name/user_domain_id,
// project_domain_name/project_domain_id — travel together: the source
// that sets either one provides both, so --os-project-id replaces a
// project_name from clouds.yaml instead of being sent alongside it.
// When an OS_* variable replaces a different value from a file, ostui
// warns, because a stale openrc is a common surprise.
//
// # Which cloud
//
// The cloud is named by --os-cloud, else OS_CLOUD. With neither, if
// --os-auth-url or OS_AUTH_URL is set the flags and OS_* variables alone
// describe the cloud (it is called "envvars"); otherwise the only cloud in
// clouds.yaml is used. Several clouds and no name is an error that lists
// them.
//
// # Where the files are
//
// clouds.yaml is the first found of: $OS_CLIENT_CONFIG_FILE,
// ./clouds.yaml, $XDG_CONFIG_HOME/openstack/clouds.yaml (default
// ~/.config/openstack/clouds.yaml), /etc/openstack/clouds.yaml.
// secure.yaml is the first found of: $OS_CLIENT_SECURE_FILE, secure.yaml
// beside clouds.yaml, then the same directories. Keep passwords in
// secure.yaml with mode 0600; ostui warns when secure.yaml, or a
// clouds.yaml holding a secret, is readable by group or others, and when
// secure.yaml exists but cannot be read.
//
// # Authentication
//
// auth_type is password (alias v3password), v3applicationcredential,
// token (alias v3token), v3totp (alias v3multifactor: password and
// passcode together), or one of the OpenID Connect federation types
// v3oidcpassword, v3oidcaccesstoken and v3oidcdeviceauthz, which read
// keystoneauth's keys (identity_provider, protocol, client_id,
// client_secret, discovery_endpoint, access_token_endpoint,
// device_authorization_endpoint, access_token, openid_scope,
// access_token_type) and their OS_* variables. Without auth_type, an
// application credential ID or name means v3applicationcredential, a
// token without a password means token, and anything else means password.
//
// # Domains
//
// The user's domain and the project's domain are resolved separately, so
// a user of one domain can work in a project of another:
//
//   - user_domain_name/_id (OS_USER_DOMAIN_NAME/_ID) and
//     project_domain_name/_id (OS_PROJECT_DOMAIN_NAME/_ID) are used as given;
//   - with a project, domain_name/_id (OS_DOMAIN_NAME/_ID) fills whichever
//     of the two is unset; without a project it scopes the token to that
//     domain;
//   - default_domain (OS_DEFAULT_DOMAIN) is a domain ID that fills what is
//     still unset;
//   - only when nothing at all is set is the domain name "Default" used.
//
// # Other settings
//
// interface (OS_INTERFACE, --os-interface) is public unless set. TLS
// verification is on unless verify: false, OS_INSECURE=true or --insecure
// says otherwise; cacert (OS_CACERT, --os-cacert) names a CA bundle, cert
// and key (OS_CERT, OS_KEY) a client certificate. Cloud.Sources records
// where each setting came from, and Cloud.String never prints a password,
// token or application credential secret.
package config
