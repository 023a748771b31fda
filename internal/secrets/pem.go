package secrets

import (
	"regexp"
	"strings"
	"sync"
)

// pemPrivateBegin finds the start of a PEM private key of any kind: RSA,
// EC, OPENSSH, ENCRYPTED, PKCS#8 ("PRIVATE KEY"). Case is ignored because
// a key pasted through a form may have been case-folded.
var pemPrivateBegin = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----`) })

// pemPrivateBlock is a whole private key block; when the END line is
// missing (a truncated paste or log), the block runs to the end of the
// text so that no key material is left behind.
var pemPrivateBlock = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)`)
})

// hasPrivateKey reports whether s contains a PEM private key block.
func hasPrivateKey(s string) bool {
	return strings.Contains(s, "-----") && pemPrivateBegin().MatchString(s)
}

// looksLikePEM reports whether s holds a PEM block of any type; used for
// fields merely called "key".
func looksLikePEM(s string) bool {
	return strings.Contains(s, "-----BEGIN ")
}
