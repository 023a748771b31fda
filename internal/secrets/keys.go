package secrets

import "strings"

// Placeholder replaces every redacted value. It says that something was
// there without giving away its length or a prefix.
const Placeholder = "<redacted>"

// exactKeys are normalized field names (see normalizeKey) whose values are
// always secret.
var exactKeys = map[string]bool{
	"password":                    true,
	"passwd":                      true,
	"secret":                      true,
	"token":                       true,
	"authtoken":                   true,
	"xauthtoken":                  true,
	"xsubjecttoken":               true,
	"privatekey":                  true,
	"adminpass":                   true,
	"userdata":                    true,
	"applicationcredentialsecret": true,
	// a TOTP passcode, and Keystone's auth receipt (proof that the
	// password factor already succeeded)
	"passcode":                  true,
	"openstackauthreceipt":      true,
	"tempurlkey":                true,
	"xaccountmetatempurlkey":    true,
	"xaccountmetatempurlkey2":   true,
	"xcontainermetatempurlkey":  true,
	"xcontainermetatempurlkey2": true,
}

// secretSuffixes catch the variants nobody listed: "original_password"
// (Keystone's password change), "client_secret", "x-service-token",
// "ssh_private_key". Redacting a harmless field by mistake costs a little
// detail; missing a secret one leaks it, so the rule leans wide.
var secretSuffixes = []string{
	"password",
	"passwd",
	"secret",
	"token",
	"privatekey",
	"tempurlkey",
	"tempurlkey2",
}

// normalizeKey lowercases name and drops '-' and '_', so that
// "X-Auth-Token", "x_auth_token" and "xAuthToken" compare equal.
func normalizeKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsSecretKey reports whether a field or header called name always holds
// a secret (password, token, private key, user_data, temp-URL key, ...).
// Case and the separators '-' and '_' do not matter.
//
// "key" alone is not a secret key: Redact hides its value only when the
// value is a PEM block, because "key" also names metadata keys and the like.
func IsSecretKey(name string) bool {
	n := normalizeKey(name)
	if exactKeys[n] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}
