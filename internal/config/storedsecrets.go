package config

import "errors"

// ErrNoStoredSecret is what a StoredSecret lookup returns for a key the
// secret store does not hold: the cloud simply stays without that secret.
var ErrNoStoredSecret = errors.New("no stored secret")

// StoredSecret reads one secret from ostui's secret store by key
// ("cloud/NAME/password"). config does not open the store itself: opening
// it may ask the keyring (with a timeout) or for a passphrase, which only
// the front end can decide to do.
type StoredSecret func(key string) (string, error)

// FillStoredSecrets is the last step of the resolution order: a password
// or application-credential secret that clouds.yaml, secure.yaml, the
// environment and the flags all left empty is looked up in the secret
// store under cloud/NAME/password or cloud/NAME/application_credential_secret
// (where `ostui import` puts them). It never replaces a value that is set,
// and a cloud described only by OS_* variables has no name to look under.
// The error is a store that failed (not one that lacks the key), for the
// caller to show as a warning.
func (c *Cloud) FillStoredSecrets(get StoredSecret) error {
	if c == nil || get == nil || c.Name == "" || c.Name == "envvars" {
		return nil
	}
	var field string
	var dst *string
	switch {
	case (c.AuthType == AuthPassword || c.AuthType == AuthTOTP || c.AuthType == AuthOIDCPassword) && c.Password == "":
		field, dst = "password", &c.Password
	case c.AuthType == AuthApplicationCredential && c.ApplicationCredentialSecret == "":
		field, dst = "application_credential_secret", &c.ApplicationCredentialSecret
	default:
		return nil
	}
	v, err := get("cloud/" + c.Name + "/" + field)
	if errors.Is(err, ErrNoStoredSecret) || (err == nil && v == "") {
		return nil
	}
	if err != nil {
		return err
	}
	*dst = v
	if c.Sources == nil {
		c.Sources = map[string]string{}
	}
	c.Sources[field] = "secret store"
	return nil
}
