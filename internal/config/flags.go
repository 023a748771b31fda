package config

// Flags holds the command-line overrides. An empty string means "not
// given"; Insecure is a pointer so that an unset flag differs from an
// explicit --insecure=false (which must beat OS_INSECURE=true).
type Flags struct {
	Cloud             string // --os-cloud
	Region            string // --os-region-name
	AuthURL           string // --os-auth-url
	Username          string // --os-username
	Password          string // --os-password
	ProjectName       string // --os-project-name
	ProjectID         string // --os-project-id
	UserDomainName    string // --os-user-domain-name
	ProjectDomainName string // --os-project-domain-name
	Interface         string // --os-interface
	CACert            string // --os-cacert
	Insecure          *bool  // --insecure
}

// settings returns the flags as clouds.yaml keys, skipping unset ones.
func (f Flags) settings() layer {
	l := layer{}
	put := func(key, flag, v string) {
		if v != "" {
			l[key] = value{v: v, src: "flag " + flag}
		}
	}
	put("auth_url", "--os-auth-url", f.AuthURL)
	put("username", "--os-username", f.Username)
	put("password", "--os-password", f.Password)
	put("project_name", "--os-project-name", f.ProjectName)
	put("project_id", "--os-project-id", f.ProjectID)
	put("user_domain_name", "--os-user-domain-name", f.UserDomainName)
	put("project_domain_name", "--os-project-domain-name", f.ProjectDomainName)
	put("region_name", "--os-region-name", f.Region)
	put("interface", "--os-interface", f.Interface)
	put("cacert", "--os-cacert", f.CACert)
	if f.Insecure != nil {
		v := "false"
		if *f.Insecure {
			v = "true"
		}
		put("insecure", "--insecure", v)
	}
	return l
}
