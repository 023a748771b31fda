package config

// envVars maps clouds.yaml keys to the OS_* variables that set them, in
// order of preference (the first non-empty one wins). The legacy TENANT
// and ENDPOINT_TYPE spellings are still found in old openrc files.
var envVars = []struct {
	key   string
	names []string
}{
	{"auth_url", []string{"OS_AUTH_URL"}},
	{"auth_type", []string{"OS_AUTH_TYPE"}},
	{"username", []string{"OS_USERNAME"}},
	{"user_id", []string{"OS_USER_ID"}},
	{"password", []string{"OS_PASSWORD"}},
	{"project_name", []string{"OS_PROJECT_NAME", "OS_TENANT_NAME"}},
	{"project_id", []string{"OS_PROJECT_ID", "OS_TENANT_ID"}},
	{"user_domain_name", []string{"OS_USER_DOMAIN_NAME"}},
	{"user_domain_id", []string{"OS_USER_DOMAIN_ID"}},
	{"project_domain_name", []string{"OS_PROJECT_DOMAIN_NAME"}},
	{"project_domain_id", []string{"OS_PROJECT_DOMAIN_ID"}},
	{"domain_name", []string{"OS_DOMAIN_NAME"}},
	{"domain_id", []string{"OS_DOMAIN_ID"}},
	{"default_domain", []string{"OS_DEFAULT_DOMAIN", "OS_DEFAULT_DOMAIN_ID"}},
	{"token", []string{"OS_TOKEN"}},
	{"application_credential_id", []string{"OS_APPLICATION_CREDENTIAL_ID"}},
	{"application_credential_name", []string{"OS_APPLICATION_CREDENTIAL_NAME"}},
	{"application_credential_secret", []string{"OS_APPLICATION_CREDENTIAL_SECRET"}},
	{"passcode", []string{"OS_PASSCODE"}},
	{"identity_provider", []string{"OS_IDENTITY_PROVIDER"}},
	{"protocol", []string{"OS_PROTOCOL"}},
	{"client_id", []string{"OS_CLIENT_ID"}},
	{"client_secret", []string{"OS_CLIENT_SECRET"}},
	{"discovery_endpoint", []string{"OS_DISCOVERY_ENDPOINT"}},
	{"access_token_endpoint", []string{"OS_ACCESS_TOKEN_ENDPOINT"}},
	{"device_authorization_endpoint", []string{"OS_DEVICE_AUTHORIZATION_ENDPOINT"}},
	{"access_token", []string{"OS_ACCESS_TOKEN"}},
	{"openid_scope", []string{"OS_OPENID_SCOPE"}},
	{"access_token_type", []string{"OS_ACCESS_TOKEN_TYPE"}},
	{"region_name", []string{"OS_REGION_NAME"}},
	{"interface", []string{"OS_INTERFACE", "OS_ENDPOINT_TYPE"}},
	{"cacert", []string{"OS_CACERT"}},
	{"cert", []string{"OS_CERT"}},
	{"key", []string{"OS_KEY"}},
	{"insecure", []string{"OS_INSECURE"}},
}

// envSettings reads the OS_* variables into a layer.
func envSettings(getenv func(string) string) layer {
	l := layer{}
	for _, e := range envVars {
		for _, name := range e.names {
			if v := getenv(name); v != "" {
				l[e.key] = value{v: v, src: "env " + name}
				break
			}
		}
	}
	return l
}
