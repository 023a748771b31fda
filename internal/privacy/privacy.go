// Package privacy hides what a screencast or a shared terminal should not
// show: public IP addresses, user and project names, UUIDs, MAC addresses,
// key fingerprints and key material. Each value becomes a placeholder
// ("ip-1", "project-2", "id-7") that stays the same for the whole session,
// so a masked screen still reads: the server whose ID is id-3 in one table
// is id-3 in the next.
//
// A Masker does no I/O and knows nothing of terminals; the table renderer
// (internal/render) and the views call it on each cell before laying text
// out, so widths are measured on what is shown.
package privacy

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Kind is what a placeholder stands for; it is the placeholder's prefix.
type Kind string

// The kinds of value a Masker hides.
const (
	ID          Kind = "id"      // UUIDs and 32-hex Keystone IDs
	IP          Kind = "ip"      // public IPv4 and IPv6 addresses, and floating IPs
	MAC         Kind = "mac"     // hardware addresses
	Fingerprint Kind = "fp"      // SSH and key fingerprints
	Key         Kind = "key"     // public keys and PEM blocks
	User        Kind = "user"    // user names
	Project     Kind = "project" // project (tenant) names
)

// minName is the shortest registered name masked inside text: shorter
// ones ("qa") would hit too many unrelated words.
const minName = 3

// Masker replaces sensitive values with placeholders, the same input
// always with the same placeholder. It is safe for concurrent use (the
// overview's panels load in parallel). The zero value is not usable; call
// New.
type Masker struct {
	mu    sync.Mutex
	seen  map[string]string // value → placeholder
	count map[Kind]int
	names map[string]Kind // registered user and project names
	// nameRE matches any registered name; rebuilt when a name is added.
	nameRE *regexp.Regexp
}

// New returns an empty Masker.
func New() *Masker {
	return &Masker{seen: map[string]string{}, count: map[Kind]int{}, names: map[string]Kind{}}
}

// Placeholder returns the placeholder of value as kind, making one the
// first time value is seen. A value seen before keeps its placeholder
// whatever kind it is asked as.
func (m *Masker) Placeholder(kind Kind, value string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.placeholder(kind, value)
}

func (m *Masker) placeholder(kind Kind, value string) string {
	if p, ok := m.seen[value]; ok {
		return p
	}
	m.count[kind]++
	p := fmt.Sprintf("%s-%d", kind, m.count[kind])
	m.seen[value] = p
	return p
}

// AddName registers a user or project name, so it is masked wherever it
// appears in text as a whole word (not inside a longer word). Empty and
// very short names are ignored.
func (m *Masker) AddName(kind Kind, names ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := false
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) < minName || pattern().FindString(n) == n || isKind(n) {
			continue
		}
		if _, ok := m.names[n]; !ok {
			m.names[n] = kind
			changed = true
		}
	}
	if changed {
		m.nameRE = nil
	}
}

// isKind reports whether a name is a placeholder prefix ("user"): masked
// as a name it would turn "user-1" into "user-2-1" when text is masked
// twice.
func isKind(n string) bool {
	switch Kind(strings.ToLower(n)) {
	case ID, IP, MAC, Fingerprint, Key, User, Project:
		return true
	}
	return false
}

// AddIP marks addresses as sensitive even when they are private (a
// floating IP on a lab cloud's 172.24.4.0/24 is the address people reach
// the server by).
func (m *Masker) AddIP(ips ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ip := range ips {
		if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil && !a.IsUnspecified() {
			m.placeholder(IP, a.String())
		}
	}
}

// pattern finds the values masked by their shape, longest shapes first
// so a fingerprint is not read as a MAC and a PEM block as its lines.
// It is compiled on first use: a shell without --privacy never pays for it.
var pattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(strings.Join([]string{
		`(?P<pem>-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----)`,
		`(?P<ssh>(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) AAAA[0-9A-Za-z+/]+=*(?: [^\s,;'"]+)?)`,
		`(?P<fp>SHA256:[0-9A-Za-z+/]{43}=?|\b(?:[0-9a-fA-F]{2}:){19}[0-9a-fA-F]{2}\b|\b(?:[0-9a-fA-F]{2}:){15}[0-9a-fA-F]{2}\b)`,
		`(?P<mac>\b(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}\b)`,
		`(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\b[0-9a-f]{32}\b)`,
		`(?P<ip6>\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b|\b(?:[0-9a-fA-F]{1,4}:){1,6}(?::[0-9a-fA-F]{1,4}){1,6}\b|\b(?:[0-9a-fA-F]{1,4}:){1,7}:|::(?:[0-9a-fA-F]{1,4}:){0,6}[0-9a-fA-F]{1,4}\b)`,
		`(?P<ip4>\b(?:\d{1,3}\.){3}\d{1,3}\b)`,
	}, "|"))
})

// kindOfGroup is the kind a named group of pattern finds.
func kindOfGroup(group string) Kind {
	switch group {
	case "pem", "ssh":
		return Key
	case "fp":
		return Fingerprint
	case "mac":
		return MAC
	case "uuid":
		return ID
	}
	return IP
}

// Text masks every sensitive value found in s.
func (m *Masker) Text(s string) string {
	if s == "" {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s = m.shapes(s)
	return m.namesIn(s)
}

func (m *Masker) shapes(s string) string {
	matches := pattern().FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	names := pattern().SubexpNames()
	var b strings.Builder
	last := 0
	for _, loc := range matches {
		for g := 1; g < len(names); g++ {
			if loc[2*g] < 0 {
				continue
			}
			start, end := loc[2*g], loc[2*g+1]
			value := s[start:end]
			kind := kindOfGroup(names[g])
			if kind == IP {
				a, ok := m.maskedIP(value)
				if !ok {
					break
				}
				value = a
			}
			b.WriteString(s[last:start])
			b.WriteString(m.placeholder(kind, value))
			last = end
			break
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskedIP reports whether text is an address to hide (public, or marked
// with AddIP), in its canonical form.
func (m *Masker) maskedIP(text string) (string, bool) {
	a, err := netip.ParseAddr(text)
	if err != nil {
		return "", false
	}
	canon := a.String()
	if _, ok := m.seen[canon]; ok {
		return canon, true
	}
	return canon, Public(a)
}

// Public reports whether a is an address the internet could route to
// this cloud: not private, loopback, link-local, unspecified or multicast.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !cgnat.Contains(a)
}

// cgnat is the shared address space (RFC 6598) carriers put between a
// customer and the internet: not reachable from outside either.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

func (m *Masker) namesIn(s string) string {
	if len(m.names) == 0 {
		return s
	}
	if m.nameRE == nil {
		list := make([]string, 0, len(m.names))
		for n := range m.names {
			list = append(list, n)
		}
		// Longest first: "demo-admin" before "demo".
		slices.SortFunc(list, func(a, b string) int {
			if d := len(b) - len(a); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		for i, n := range list {
			list[i] = regexp.QuoteMeta(n)
		}
		m.nameRE = regexp.MustCompile(strings.Join(list, "|"))
	}
	locs := m.nameRE.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		if !wordEdge(s, loc[0], loc[1]) {
			continue
		}
		value := s[loc[0]:loc[1]]
		b.WriteString(s[last:loc[0]])
		b.WriteString(m.placeholder(m.names[value], value))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// wordEdge reports whether s[start:end] is not inside a longer word:
// the characters around it are not letters or digits. (A hyphen or an
// underscore is an edge: "demo-net" shows it is the demo project's.)
func wordEdge(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Cell masks one table cell: the column's name says what a whole value is
// (a "User" column holds a user name, a "Fingerprint" column a
// fingerprint, a "Floating IP Address" column addresses to hide even when
// private), then the text is masked as Text does.
func (m *Masker) Cell(column, text string) string {
	if text == "" {
		return text
	}
	switch kind := ColumnKind(column); kind {
	case User, Project:
		v := strings.TrimSpace(text)
		if v != "" && !pattern().MatchString(v) && !strings.ContainsAny(v, ",;=") {
			m.AddName(kind, v)
			if utf8.RuneCountInString(v) < minName {
				return m.Placeholder(kind, v)
			}
		}
	case Fingerprint, Key:
		if v := strings.TrimSpace(text); v != "" {
			return m.Placeholder(kind, v)
		}
	case IP:
		for _, f := range pattern().FindAllString(text, -1) {
			m.AddIP(f)
		}
	}
	return m.Text(text)
}

// ColumnKind says what a column's values are by its name, as the tools
// name their columns ("Project", "project_id", "User Name", "Floating IP
// Address", "Fingerprint", "Public Key"); "" for any other column.
func ColumnKind(column string) Kind {
	c := strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(column))
	switch {
	case strings.Contains(c, "fingerprint"):
		return Fingerprint
	case strings.Contains(c, "public key"), strings.Contains(c, "private key"), c == "key", c == "secret":
		return Key
	case strings.Contains(c, "floating ip"), strings.Contains(c, "external ip"), strings.Contains(c, "gateway ip"),
		strings.Contains(c, "external fixed ip"), strings.Contains(c, "public ip"), c == "ip", c == "address", c == "vip address":
		return IP
	case strings.Contains(c, "domain"):
		return ""
	case c == "user" || c == "user name" || c == "username" || c == "owner" || c == "user id":
		return User
	case c == "project" || c == "project name" || c == "tenant" || c == "tenant name" || c == "project id" || c == "tenant id":
		return Project
	}
	return ""
}
