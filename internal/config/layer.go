package config

// value is one setting and where it came from ("flag --os-cloud",
// "env OS_REGION_NAME", "clouds.yaml /path", "default").
type value struct {
	v   string
	src string
}

// layer is the settings one source gives, keyed by their clouds.yaml names
// (auth keys and top-level keys share one namespace; they do not clash).
type layer map[string]value

// groups are keys that name the same thing in different ways: a name or an
// ID. The layer with the highest precedence that sets any key of a group
// provides the whole group, so a --os-project-id flag replaces a
// project_name from clouds.yaml instead of sending both to Keystone.
var groups = [][]string{
	{"username", "user_id"},
	{"project_name", "project_id"},
	{"user_domain_name", "user_domain_id"},
	{"project_domain_name", "project_domain_id"},
	{"domain_name", "domain_id"},
	{"application_credential_id", "application_credential_name"},
}

// merge combines layers, highest precedence first.
func merge(layers ...layer) layer {
	out := layer{}
	grouped := map[string]bool{}
	for _, g := range groups {
		for _, k := range g {
			grouped[k] = true
		}
		for _, l := range layers {
			found := false
			for _, k := range g {
				if v, ok := l[k]; ok {
					out[k] = v
					found = true
				}
			}
			if found {
				break
			}
		}
	}
	for i := len(layers) - 1; i >= 0; i-- {
		for k, v := range layers[i] {
			if !grouped[k] {
				out[k] = v
			}
		}
	}
	return out
}
