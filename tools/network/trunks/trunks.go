// Package trunks holds the trunk tools (VLAN-aware ports). Neutron has
// trunks only where its trunk service plugin is loaded, so every tool
// first asks whether the cloud has the "trunk" extension.
package trunks

import "github.com/kriscelmer/os-tui/tools"

// Tools returns the trunk tools.
func Tools() []tools.Tool {
	return nil
}
