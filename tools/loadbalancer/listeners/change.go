package listeners

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/keymanager"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name: "loadbalancer.listener.create", Effect: tools.Change, Service: lb.Service,
		Produces: []string{"id", "name", "certificate"},
		Check:    checkCreate, Preview: previewCreate, Run: runCreate,
		Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["id"] == "" {
				return nil
			}
			return &tools.Call{Tool: "loadbalancer.listener.delete",
				Args: tools.JSON(DeleteArgs{Listener: res.Outputs["id"], Certificate: res.Outputs["certificate"]}),
				Why:  "undo creating listener " + res.Outputs["name"]}
		},
	})
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name: "loadbalancer.listener.set", Effect: tools.Change, Service: lb.Service,
		Produces: []string{"id"},
		Subject:  func(a SetArgs) (string, string) { return lb.KindListener, a.Listener },
		Check:    checkSet, Preview: previewSet, Run: runSet,
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name: "loadbalancer.listener.delete", Effect: tools.Destroy, Service: lb.Service,
		Produces: []string{"id"},
		Subject:  func(a DeleteArgs) (string, string) { return lb.KindListener, a.Listener },
		Check:    checkDelete, Preview: previewDelete, Run: runDelete,
	})
}

// certFindings checks the TLS arguments: TERMINATED_HTTPS needs a
// certificate, the others take none; files are read and matched, a
// container is looked up. It returns the pair read, if any.
func certFindings(ctx context.Context, env *tools.Env, args *CreateArgs, chk *tools.Check) (*keymanager.CertPair, error) {
	tlsGiven := args.Cert != "" || args.Key != "" || args.TLSContainer != ""
	if args.Protocol != "TERMINATED_HTTPS" {
		if tlsGiven {
			chk.Findings = append(chk.Findings, lb.Block("--cert, --key and --tls-container are for a TERMINATED_HTTPS listener, not %s; use --protocol TERMINATED_HTTPS to end TLS at the load balancer", args.Protocol))
		}
		return nil, nil
	}
	switch {
	case !tlsGiven:
		chk.Findings = append(chk.Findings, lb.Block("a TERMINATED_HTTPS listener needs a certificate: give --cert FILE.pem --key FILE.pem (stored in Barbican) or --tls-container REF; or use --protocol HTTPS to pass TLS through to the members"))
		return nil, nil
	case args.TLSContainer != "" && (args.Cert != "" || args.Key != ""):
		chk.Findings = append(chk.Findings, lb.Block("give either --cert and --key, or --tls-container, not both"))
		return nil, nil
	case args.TLSContainer == "" && (args.Cert == "" || args.Key == ""):
		chk.Findings = append(chk.Findings, lb.Block("--cert and --key go together: the certificate and its private key"))
		return nil, nil
	}
	ok, err := keymanager.Available(ctx, env)
	if err != nil {
		return nil, err
	}
	if !ok {
		chk.Findings = append(chk.Findings, lb.Block("this cloud has no key manager (Barbican) in its catalog, where Octavia reads certificates; ask the operator for one, or use --protocol HTTPS to pass TLS through"))
		return nil, nil
	}
	kc, err := keymanager.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if args.TLSContainer != "" {
		ct, err := keymanager.Container(ctx, kc, args.TLSContainer)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
			return nil, nil
		}
		if ct.Type != "certificate" {
			chk.Findings = append(chk.Findings, lb.Block("container %s is a %s container; Octavia needs a certificate container", args.TLSContainer, ct.Type))
			return nil, nil
		}
		args.TLSContainer = ct.ContainerRef
		chk.Findings = append(chk.Findings, lb.Info("the certificate comes from Barbican container %s", ct.ContainerRef))
		return nil, nil
	}
	args.Cert, args.Key = abs(args.Cert), abs(args.Key)
	pair, err := keymanager.ReadCertPair(args.Cert, args.Key)
	if err != nil {
		chk.Findings = append(chk.Findings, lb.Block("%s", err.Error()))
		return nil, nil
	}
	if time.Until(pair.NotAft) < 0 {
		chk.Findings = append(chk.Findings, lb.Warn("the certificate for %s expired on %s; clients will refuse it", pair.Subject, expiry(pair.NotAft)))
	}
	chk.Findings = append(chk.Findings, lb.Info("certificate for %s (valid until %s) and its key are stored in Barbican as a certificate container; the key is shown nowhere", pair.Subject, expiry(pair.NotAft)))
	return pair, nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindListener, Name: args.Name}}}
	for _, cidr := range args.AllowedCIDRs {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			chk.Findings = append(chk.Findings, lb.Block("--allowed-cidr %q is not a range like 203.0.113.0/24", cidr))
		}
	}
	if _, err := certFindings(ctx, env, &args, chk); err != nil {
		return nil, err
	}
	if tools.IsRef(args.Loadbalancer) {
		chk.Findings = append(chk.Findings, lb.Info("load balancer %s comes from an earlier step; its ports are checked before the step runs", args.Loadbalancer))
		chk.Resolved = tools.JSON(args)
		return chk, nil
	}
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.FindLB(ctx, c, args.Loadbalancer)
	if err != nil {
		f, err := lb.LookupFinding(err)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, f)
		return chk, nil
	}
	chk.Findings = append(chk.Findings, lb.StateFindings(v)...)
	chk.State = v.ProvisioningStatus
	if err := portFree(ctx, c, v, args.Protocol, args.ProtocolPort, chk); err != nil {
		return nil, err
	}
	if args.DefaultPool != "" && !tools.IsRef(args.DefaultPool) {
		p, err := lb.FindPool(ctx, c, args.DefaultPool)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
		} else {
			if got := lb.LBOfPool(p); got != v.ID {
				chk.Findings = append(chk.Findings, lb.Block("pool %s belongs to another load balancer; a listener's default pool must be on its own", lb.Label(p.Name, p.ID)))
			}
			args.DefaultPool = p.ID
		}
	}
	args.Loadbalancer = v.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

// portFree blocks a port another listener of the load balancer uses.
func portFree(ctx context.Context, c *gophercloud.ServiceClient, v *loadbalancers.LoadBalancer, protocol string, port int, chk *tools.Check) error {
	all, err := lb.All(ctx, listeners.List(c, listeners.ListOpts{LoadbalancerID: v.ID}), listeners.ExtractListeners)
	if err != nil {
		return fmt.Errorf("list the listeners of %s: %w", lb.Label(v.Name, v.ID), err)
	}
	for _, l := range all {
		if l.ProtocolPort == port && usesPort(l.Protocol, protocol) {
			chk.Findings = append(chk.Findings, lb.Block("port %d is already used by listener %s (%s) on load balancer %s; choose another --protocol-port, or change that listener (/loadbalancer listener set)",
				port, lb.Label(l.Name, l.ID), l.Protocol, lb.Label(v.Name, v.ID)))
		}
	}
	return nil
}

func createOpts(args CreateArgs, container string) listeners.CreateOpts {
	o := listeners.CreateOpts{
		LoadbalancerID: args.Loadbalancer, Name: args.Name, Description: args.Description,
		Protocol: listeners.Protocol(args.Protocol), ProtocolPort: args.ProtocolPort, DefaultPoolID: args.DefaultPool,
		ConnLimit: args.ConnectionLimit, AllowedCIDRs: args.AllowedCIDRs, AdminStateUp: args.AdminStateUp,
		DefaultTlsContainerRef: args.TLSContainer,
	}
	if container != "" {
		o.DefaultTlsContainerRef = container
	}
	return o
}

// containerName names the container ostui makes for a listener.
func containerName(args CreateArgs) string {
	n := args.Name
	if n == "" {
		n = fmt.Sprintf("listener-%d", args.ProtocolPort)
	}
	return n + "-tls"
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{}
	container := ""
	if args.Cert != "" && args.Key != "" {
		kc, err := keymanager.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		pair, err := keymanager.ReadCertPair(args.Cert, args.Key)
		if err != nil {
			return nil, err
		}
		name := containerName(args)
		opts := keymanager.SecretOpts(name, pair)
		for _, role := range []string{"certificate", "private_key", "intermediates"} {
			if o, ok := opts[role]; ok {
				p.Requests = append(p.Requests, tools.Request{Method: "POST", URL: kc.ServiceURL("secrets"), Body: keymanager.Redacted(o)})
				p.Creates = append(p.Creates, fmt.Sprintf("Barbican secret %s (%s)", o.Name, role))
			}
		}
		p.Requests = append(p.Requests, tools.Request{Method: "POST", URL: kc.ServiceURL("containers"),
			Body: map[string]any{"type": "certificate", "name": name, "secret_refs": "the secrets above"}})
		p.Creates = append(p.Creates, "Barbican certificate container "+name)
		container = "<the container above>"
	}
	body, err := createOpts(args, container).ToListenerCreateMap()
	if err != nil {
		return nil, err
	}
	p.Requests = append(p.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("lbaas", "listeners"), Body: body})
	p.Creates = append(p.Creates, fmt.Sprintf("listener %s(%s on port %d); waits until the load balancer is ACTIVE", lb.Named(args.Name), args.Protocol, args.ProtocolPort))
	return p, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	var ids []string
	var stored *keymanager.Stored
	if args.Cert != "" && args.Key != "" {
		kc, err := keymanager.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		pair, err := keymanager.ReadCertPair(args.Cert, args.Key)
		if err != nil {
			return nil, err
		}
		env.Report().Status("storing the certificate in Barbican")
		var sids []string
		stored, sids, err = keymanager.StoreCertificate(ctx, kc, containerName(args), pair)
		ids = append(ids, sids...)
		if err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
		defer func() {
			if stored != nil {
				// The listener was not made: the certificate is taken back.
				keymanager.Cleanup(ctx, kc, stored)
			}
		}()
	}
	container := ""
	if stored != nil {
		container = stored.Container
	}
	r := listeners.Create(ctx, c, createOpts(args, container))
	ids = append(ids, tools.HeaderRequestIDs(r.Header)...)
	l, err := r.Extract()
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create listener on %s: %w", lb.Label(v.Name, v.ID), err)
	}
	stored = nil
	env.Names.Remember(lb.KindListener, l.Name)
	msg := fmt.Sprintf("listener %s created (%s %d)", lb.Label(l.Name, l.ID), l.Protocol, l.ProtocolPort)
	if container != "" {
		msg += "; certificate stored in Barbican as " + container
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": l.ID, "name": l.Name, "certificate": container},
		Await:      lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: ids,
	}, nil
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindListener, ID: l.ID, Name: l.Name}}, State: l.ProvisioningStatus, Fetched: l}
	parent, _ := lb.ParentFindings(ctx, c, lb.LBOfListener(l))
	chk.Findings = append(chk.Findings, parent...)
	if args.DefaultPool != nil && *args.DefaultPool != "" {
		p, err := lb.FindPool(ctx, c, *args.DefaultPool)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
		} else {
			args.DefaultPool = &p.ID
		}
	}
	if args.TLSContainer != nil && l.Protocol != "TERMINATED_HTTPS" {
		chk.Findings = append(chk.Findings, lb.Block("listener %s is %s; only a TERMINATED_HTTPS listener takes a certificate", lb.Label(l.Name, l.ID), l.Protocol))
	}
	args.Listener = l.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(args SetArgs) listeners.UpdateOpts {
	return listeners.UpdateOpts{Name: args.Name, Description: args.Description, ConnLimit: args.ConnectionLimit,
		DefaultPoolID: args.DefaultPool, DefaultTlsContainerRef: args.TLSContainer, AdminStateUp: args.AdminStateUp}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToListenerUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "listeners", args.Listener), Body: body}}}
	if l, ok := tools.FetchedAs[*listeners.Listener](chk); ok {
		if args.Name != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "name", From: l.Name, To: *args.Name})
		}
		if args.ConnectionLimit != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "connection_limit", From: l.ConnLimit, To: *args.ConnectionLimit})
		}
		if args.DefaultPool != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "default_pool_id", From: l.DefaultPoolID, To: *args.DefaultPool})
		}
		if args.AdminStateUp != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "admin_state_up", From: l.AdminStateUp, To: *args.AdminStateUp})
		}
	}
	return p, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfListener(l))
	if err != nil {
		return nil, err
	}
	r := listeners.Update(ctx, c, l.ID, updateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update listener %s: %w", lb.Label(l.Name, l.ID), err)
	}
	return &tools.Result{
		Message: fmt.Sprintf("listener %s updated", lb.Label(l.Name, l.ID)),
		Outputs: map[string]string{"id": l.ID}, Await: lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindListener, ID: l.ID, Name: l.Name}}, State: l.ProvisioningStatus, Fetched: l}
	parent, _ := lb.ParentFindings(ctx, c, lb.LBOfListener(l))
	chk.Findings = append(chk.Findings, parent...)
	if l.DefaultPoolID != "" {
		chk.Findings = append(chk.Findings, lb.Info("its default pool %s stays, without a listener", l.DefaultPoolID))
	}
	if args.Certificate != "" {
		if ok, err := keymanager.Available(ctx, env); err != nil {
			return nil, err
		} else if !ok {
			chk.Findings = append(chk.Findings, lb.Block("this cloud has no key manager to delete certificate %s from", args.Certificate))
		}
	}
	args.Listener = l.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "listeners", args.Listener)}}}
	name := args.Listener
	if l, ok := tools.FetchedAs[*listeners.Listener](chk); ok {
		name = lb.Label(l.Name, l.ID)
		for _, pol := range l.L7Policies {
			p.Deletes = append(p.Deletes, tools.Dependent{Kind: "l7policy", ID: pol.ID, Name: pol.ID, Fate: "deleted with the listener"})
		}
	}
	p.Deletes = append([]tools.Dependent{{Kind: "listener", ID: args.Listener, Name: name, Fate: "deleted"}}, p.Deletes...)
	if args.Certificate != "" {
		p.Requests = append(p.Requests, tools.Request{Method: "DELETE", URL: args.Certificate})
		p.Deletes = append(p.Deletes, tools.Dependent{Kind: "certificate container", ID: keymanager.RefID(args.Certificate), Name: args.Certificate, Fate: "deleted with its secrets, after the listener"})
	}
	return p, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfListener(l))
	if err != nil {
		return nil, err
	}
	r := listeners.Delete(ctx, c, l.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete listener %s: %w", lb.Label(l.Name, l.ID), lb.NotFound(r.Err, lb.KindListener, args.Listener))
	}
	ids := tools.HeaderRequestIDs(r.Header)
	msg := fmt.Sprintf("listener %s deleted", lb.Label(l.Name, l.ID))
	if args.Certificate != "" {
		// Octavia reads the certificate until the listener is gone.
		if _, err := lb.Settle(ctx, env, c, v.ID); err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
		kc, err := keymanager.Client(ctx, env)
		if err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
		kids, err := keymanager.DeleteContainer(ctx, kc, args.Certificate)
		ids = append(ids, kids...)
		if err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
		msg += "; its certificate container deleted from Barbican"
	}
	return &tools.Result{Message: msg, Outputs: map[string]string{"id": l.ID}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: ids}, nil
}
