package network

import (
	"fmt"
	"slices"
	"strings"
)

// KeyValues reads one of the openstack CLI's comma-separated specs
// ("subnet=private-subnet,ip-address=10.0.0.5" for --fixed-ip,
// "port=p1,segmentation-type=vlan,segmentation-id=100" for --subport):
// each key may appear once and must be one of keys. The error is a
// sentence naming flag and the keys it takes, for a preflight finding.
func KeyValues(flag, spec string, keys ...string) (map[string]string, error) {
	out := map[string]string{}
	usage := func() error {
		var forms []string
		for _, k := range keys {
			forms = append(forms, k+"="+strings.ToUpper(strings.ReplaceAll(k, "-", "_")))
		}
		return fmt.Errorf("%s takes %s (comma-separated), not %q", flag, strings.Join(forms, ","), spec)
	}
	for part := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		k = strings.TrimSpace(k)
		if !ok || !slices.Contains(keys, k) || strings.TrimSpace(v) == "" {
			return nil, usage()
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s gives %s twice in %q", flag, k, spec)
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}
