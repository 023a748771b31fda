package config

import (
	"fmt"
	"strings"
)

// exampleClouds is what NoConfigError tells people to write.
const exampleClouds = `clouds:
  mycloud:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: alice
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne`

// NoConfigError means there is no clouds.yaml and no OS_AUTH_URL: ostui
// does not know any cloud.
type NoConfigError struct {
	Searched []string // clouds.yaml paths looked at
}

func (e *NoConfigError) Error() string {
	var b strings.Builder
	b.WriteString("no OpenStack cloud is configured: found no clouds.yaml and OS_AUTH_URL is not set.\n\n")
	b.WriteString("Either create ~/.config/openstack/clouds.yaml, for example:\n\n")
	for _, line := range strings.Split(exampleClouds, "\n") {
		b.WriteString("    " + line + "\n")
	}
	b.WriteString("\nwith the password in ~/.config/openstack/secure.yaml (chmod 600):\n\n")
	b.WriteString("    clouds:\n      mycloud:\n        auth:\n          password: ...\n\n")
	b.WriteString("and run ostui --os-cloud mycloud (or export OS_CLOUD=mycloud);\n")
	b.WriteString("or source your cloud's openrc file, which sets OS_AUTH_URL, OS_USERNAME,\n")
	b.WriteString("OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME and OS_PROJECT_DOMAIN_NAME.")
	if len(e.Searched) > 0 {
		b.WriteString("\n\nLooked for clouds.yaml in: " + strings.Join(e.Searched, ", "))
	}
	return b.String()
}

// UnknownCloudError means the cloud asked for is not in clouds.yaml.
type UnknownCloudError struct {
	Name  string
	File  string   // the clouds.yaml read, "" when none was found
	Known []string // cloud names in it
}

func (e *UnknownCloudError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("cloud %q not found: there is no clouds.yaml (looked in ./, ~/.config/openstack/ and /etc/openstack/); create one or unset OS_CLOUD to use OS_* variables", e.Name)
	}
	if len(e.Known) == 0 {
		return fmt.Sprintf("cloud %q not found: %s defines no clouds", e.Name, e.File)
	}
	return fmt.Sprintf("cloud %q not found in %s; known clouds: %s", e.Name, e.File, strings.Join(e.Known, ", "))
}

// NoCloudChosenError means clouds.yaml has several clouds and nothing
// says which to use.
type NoCloudChosenError struct {
	File  string
	Known []string
}

func (e *NoCloudChosenError) Error() string {
	return fmt.Sprintf("%s has %d clouds (%s): choose one with --os-cloud NAME or OS_CLOUD=NAME",
		e.File, len(e.Known), strings.Join(e.Known, ", "))
}

// Warning is a problem that does not stop ostui, such as a secrets file
// others can read.
type Warning struct {
	File string // the file concerned, "" when none
	Msg  string
}

func (w Warning) String() string {
	if w.File == "" {
		return w.Msg
	}
	return w.File + ": " + w.Msg
}
