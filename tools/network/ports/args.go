package ports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/kriscelmer/os-tui/tools/network"
)

// FixedIPArg is one fixed IP asked for: the openstack CLI's --fixed-ip
// "subnet=SUBNET,ip-address=ADDRESS" (either half may be left out), or
// the object {"subnet": …, "ip_address": …} a plan or the model gives.
// It always marshals as the object, so resolved arguments read plainly.
type FixedIPArg struct {
	Subnet    string `json:"subnet,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	// problem says why a typed spec could not be read; the preflight
	// blocks on it with that sentence rather than failing to decode.
	problem string
}

// UnmarshalJSON reads either form.
func (f *FixedIPArg) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		kv, err := network.KeyValues("--fixed-ip", s, "subnet", "ip-address")
		if err != nil {
			*f = FixedIPArg{problem: err.Error()}
			return nil //nolint:nilerr // kept as the argument's problem, which the preflight reports in a sentence
		}
		*f = FixedIPArg{Subnet: kv["subnet"], IPAddress: kv["ip-address"]}
		return nil
	}
	var o struct {
		Subnet    string `json:"subnet"`
		IPAddress string `json:"ip_address"`
	}
	if err := strictDecode(b, &o); err != nil {
		return fmt.Errorf("a fixed IP: %w", err)
	}
	*f = FixedIPArg{Subnet: o.Subnet, IPAddress: o.IPAddress}
	return nil
}

// String is the openstack spelling, for findings.
func (f FixedIPArg) String() string {
	var parts []string
	if f.Subnet != "" {
		parts = append(parts, "subnet="+f.Subnet)
	}
	if f.IPAddress != "" {
		parts = append(parts, "ip-address="+f.IPAddress)
	}
	return strings.Join(parts, ",")
}

// PairArg is one allowed address pair: the openstack CLI's
// --allowed-address "ip-address=ADDRESS[,mac-address=MAC]", or the object
// {"ip_address": …, "mac_address": …}. The address may be a CIDR.
type PairArg struct {
	IPAddress  string `json:"ip_address"`
	MACAddress string `json:"mac_address,omitempty"`
	problem    string
}

// UnmarshalJSON reads either form.
func (p *PairArg) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		kv, err := network.KeyValues("--allowed-address", s, "ip-address", "mac-address")
		switch {
		case err != nil:
			*p = PairArg{problem: err.Error()}
		case kv["ip-address"] == "":
			*p = PairArg{problem: fmt.Sprintf("--allowed-address needs ip-address=ADDRESS (got %q)", s)}
		default:
			*p = PairArg{IPAddress: kv["ip-address"], MACAddress: kv["mac-address"]}
		}
		return nil
	}
	var o struct {
		IPAddress  string `json:"ip_address"`
		MACAddress string `json:"mac_address"`
	}
	if err := strictDecode(b, &o); err != nil {
		return fmt.Errorf("an allowed address pair: %w", err)
	}
	*p = PairArg{IPAddress: o.IPAddress, MACAddress: o.MACAddress}
	return nil
}

// String is the openstack spelling, for findings.
func (p PairArg) String() string {
	s := "ip-address=" + p.IPAddress
	if p.MACAddress != "" {
		s += ",mac-address=" + p.MACAddress
	}
	return s
}

// check returns why a pair cannot be sent, or "".
func (p PairArg) check() string {
	if p.problem != "" {
		return p.problem
	}
	if net.ParseIP(p.IPAddress) == nil {
		if _, _, err := net.ParseCIDR(p.IPAddress); err != nil {
			return fmt.Sprintf("%s is neither an IP address nor a CIDR (--allowed-address ip-address=10.0.0.50 or ip-address=10.0.0.0/24)", p.IPAddress)
		}
	}
	if p.MACAddress != "" {
		if _, err := net.ParseMAC(p.MACAddress); err != nil {
			return fmt.Sprintf("%s is not a MAC address (fa:16:3e:12:34:56)", p.MACAddress)
		}
	}
	return ""
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
