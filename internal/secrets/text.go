package secrets

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// minSecretLen is the shortest secret RedactString replaces: shorter ones
// ("a", "123") would shred ordinary text and hide nothing worth hiding.
const minSecretLen = 4

// credentialHeader matches a credential header and its value in free text:
// "X-Auth-Token: gAAAA...", "-H 'X-Auth-Token: ...'", "Authorization=Bearer
// ...", "\"X-Subject-Token\": \"...\"" (temp-URL keys have their own
// rule, tempURLKey). The value runs to the end of the line or a quote,
// since an Authorization value may contain spaces.
var credentialHeader = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(x-auth-token|x-subject-token|x-service-token|x-storage-token|x-auth-key|proxy-authorization|authorization)(["']?[ \t]*[:=][ \t]*["']?)([^\r\n"']*)`)
})

// tempURLKey is a temp-URL key as a header or as the openstack CLI spells
// it ("--property Temp-URL-Key=..."). Unlike an Authorization value it
// never holds a space, so it ends at one: a goal typed on one line keeps
// the words after the key.
var tempURLKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b((?:x-(?:account|container)-meta-)?temp[-_]?url[-_]?key(?:[-_]?2)?)(["']?[ \t]*[:=][ \t]*["']?)([^\s"']*)`)
})

// RedactString returns s with every occurrence of each given secret, every
// PEM private key block and the value of every credential header
// (X-Auth-Token, X-Subject-Token, Authorization, temp-URL keys, ...)
// replaced by "<redacted>". Secrets that are empty or shorter than four
// bytes are ignored.
func RedactString(s string, secrets ...string) string {
	// Longest first, so that a secret containing a shorter one is hidden
	// whole rather than leaving its remainder next to a placeholder.
	list := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if len(sec) >= minSecretLen {
			list = append(list, sec)
		}
	}
	slices.SortFunc(list, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, sec := range list {
		s = strings.ReplaceAll(s, sec, Placeholder)
	}
	if strings.Contains(s, "-----") {
		s = pemPrivateBlock().ReplaceAllString(s, Placeholder)
	}
	s = credentialHeader().ReplaceAllString(s, "${1}${2}"+Placeholder)
	s = tempURLKey().ReplaceAllString(s, "${1}${2}"+Placeholder)
	s = keyValueSecret().ReplaceAllString(s, "${1}${2}"+Placeholder)
	if strings.Contains(s, "gh") || strings.Contains(s, "github_pat_") {
		s = githubToken().ReplaceAllString(s, Placeholder)
	}
	return chpasswdLine().ReplaceAllString(s, "${1}"+Placeholder)
}

// keyValueSecret is "password: hunter2", "admin_pass=x", "\"secret\": \"y\""
// in free text (console logs, messages): the value up to a space, quote,
// comma or line end.
var keyValueSecret = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(\w*(?:passw(?:or)?d|passwd|adminpass|secret|token|api[_-]?key)\w*)(["']?[ \t]*[:=][ \t]*["']?)([^\s"',}]+)`)
})

// githubToken is a GitHub token by its shape, wherever it stands (an
// error quoting it, a pasted command): OAuth (gho_), GitHub App user
// (ghu_), refresh (ghr_), installation (ghs_), classic (ghp_) and
// fine-grained (github_pat_) tokens. Their prefixes exist so that
// scanners can find them; ostui is one.
var githubToken = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(?:gh[opsur]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b`)
})

// chpasswdLine is cloud-init's "chpasswd" list: "root:SECRET" lines.
var chpasswdLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^([ \t]*-?[ \t]*(?:root|ubuntu|debian|centos|cirros|admin|user)[ \t]*:[ \t]*)([^\s:]{4,})$`)
})
