package objectstorage

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
)

// Container metadata keys (after X-Container-Meta-) that tools show and
// set as fields of their own rather than as properties.
const (
	MetaQuotaBytes        = "Quota-Bytes"
	MetaQuotaCount        = "Quota-Count"
	MetaCORSAllowOrigin   = "Access-Control-Allow-Origin"
	MetaCORSMaxAge        = "Access-Control-Max-Age"
	MetaCORSExposeHeaders = "Access-Control-Expose-Headers"
	MetaTempURLKey        = "Temp-Url-Key"
	MetaTempURLKey2       = "Temp-Url-Key-2"
)

// fieldMeta are the container metadata keys that are fields.
var fieldMeta = []string{MetaQuotaBytes, MetaQuotaCount, MetaCORSAllowOrigin, MetaCORSMaxAge, MetaCORSExposeHeaders}

// Container is a container's headers, read.
type Container struct {
	Name             string
	Objects          int64
	Bytes            int64
	ReadACL          string
	WriteACL         string
	StoragePolicy    string
	VersionsLocation string
	HistoryLocation  string
	// VersionsEnabled is X-Versions-Enabled ("" when the header is absent).
	VersionsEnabled   string
	QuotaBytes        string
	QuotaCount        string
	CORSAllowOrigin   string
	CORSMaxAge        string
	CORSExposeHeaders string
	SyncTo            string
	// HasTempURLKey says a container key is set; its value is never read
	// into this struct.
	HasTempURLKey bool
	// Properties are the other user metadata (secret ones redacted).
	Properties map[string]string
}

// Public reports a read ACL that lets anyone read objects.
func (c *Container) Public() bool { return strings.Contains(c.ReadACL, ".r:*") }

// State sums up what a change to the container depends on, for the gate
// to compare right before it runs.
func (c *Container) State() string {
	return fmt.Sprintf("objects=%d,bytes=%d,read=%s,write=%s", c.Objects, c.Bytes, c.ReadACL, c.WriteACL)
}

// GetContainer reads a container's headers. A missing container is a
// NotFoundError.
func GetContainer(ctx context.Context, c *gophercloud.ServiceClient, name string) (*Container, error) {
	r := containers.Get(ctx, c, name, nil)
	if r.Err != nil {
		if err := NotFound(r.Err, ContainerKind, name); IsNotFound(err) {
			return nil, err
		}
		return nil, fmt.Errorf("read container %s: %w", name, r.Err)
	}
	return containerFrom(name, r.Header), nil
}

func containerFrom(name string, h http.Header) *Container {
	meta := func(k string) string { return h.Get("X-Container-Meta-" + k) }
	return &Container{
		Name:              name,
		Objects:           unmarshalInt(h, "X-Container-Object-Count"),
		Bytes:             unmarshalInt(h, "X-Container-Bytes-Used"),
		ReadACL:           h.Get("X-Container-Read"),
		WriteACL:          h.Get("X-Container-Write"),
		StoragePolicy:     h.Get("X-Storage-Policy"),
		VersionsLocation:  h.Get("X-Versions-Location"),
		HistoryLocation:   h.Get("X-History-Location"),
		VersionsEnabled:   h.Get("X-Versions-Enabled"),
		QuotaBytes:        meta(MetaQuotaBytes),
		QuotaCount:        meta(MetaQuotaCount),
		CORSAllowOrigin:   meta(MetaCORSAllowOrigin),
		CORSMaxAge:        meta(MetaCORSMaxAge),
		CORSExposeHeaders: meta(MetaCORSExposeHeaders),
		SyncTo:            h.Get("X-Container-Sync-To"),
		HasTempURLKey:     meta(MetaTempURLKey) != "" || meta(MetaTempURLKey2) != "",
		Properties:        Metadata(h, "X-Container-Meta-", fieldMeta...),
	}
}

// Object is an object's headers, read.
type Object struct {
	Container    string
	Name         string
	Size         int64
	ContentType  string
	ETag         string
	LastModified string
	// DeleteAt is X-Delete-At in Unix seconds, 0 when the object does not
	// expire.
	DeleteAt int64
	// SLO marks a static large object: a manifest whose segments live
	// elsewhere (usually CONTAINER_segments).
	SLO bool
	// Manifest is X-Object-Manifest of a dynamic large object.
	Manifest   string
	Properties map[string]string
	// RawProperties are the metadata as stored, secrets included: Swift's
	// object POST replaces all of it, so object.set must send back what it
	// does not change. Never shown.
	RawProperties map[string]string `json:"-"`
}

// GetObject reads an object's headers. A missing object is a
// NotFoundError naming container/object.
func GetObject(ctx context.Context, c *gophercloud.ServiceClient, container, name string) (*Object, error) {
	r := objects.Get(ctx, c, container, name, nil)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &ObjectNotFoundError{Container: container, Object: name}
		}
		return nil, fmt.Errorf("read object %s/%s: %w", container, name, r.Err)
	}
	h := r.Header
	return &Object{
		Container:     container,
		Name:          name,
		Size:          unmarshalInt(h, "Content-Length"),
		ContentType:   h.Get("Content-Type"),
		ETag:          strings.Trim(h.Get("Etag"), `"`),
		LastModified:  h.Get("Last-Modified"),
		DeleteAt:      unmarshalInt(h, "X-Delete-At"),
		SLO:           strings.EqualFold(h.Get("X-Static-Large-Object"), "true"),
		Manifest:      h.Get("X-Object-Manifest"),
		Properties:    Metadata(h, "X-Object-Meta-"),
		RawProperties: rawMetadata(h, "X-Object-Meta-"),
	}, nil
}

// ObjectNotFoundError is a missing object, or a missing container the
// object was looked for in.
type ObjectNotFoundError struct {
	Container, Object string
}

func (e *ObjectNotFoundError) Error() string {
	return fmt.Sprintf("no object %q in container %s (or no such container); /object list %s shows what is there", e.Object, e.Container, e.Container)
}

// Entry is one line of a container listing: an object, or with a
// delimiter a pseudo-folder (Subdir set, everything else empty).
type Entry struct {
	Name         string `json:"name"`
	Subdir       string `json:"subdir"`
	Bytes        int64  `json:"bytes"`
	Hash         string `json:"hash"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	// SLOEtag is set for a static large object's manifest (Swift lists it
	// since 2.19), so a delete can take its segments with it.
	SLOEtag string `json:"slo_etag"`
}

// ListOptions narrow a listing.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// Limit stops after this many entries (0: all).
	Limit int
}

// ListObjects lists a container's objects, every page.
func ListObjects(ctx context.Context, c *gophercloud.ServiceClient, container string, o ListOptions) ([]Entry, error) {
	var out []Entry
	opts := objects.ListOpts{Prefix: o.Prefix, Delimiter: o.Delimiter}
	if o.Limit > 0 && o.Limit < 10000 {
		opts.Limit = o.Limit
	}
	err := objects.List(c, container, opts).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		var page []Entry
		if err := p.(objects.ObjectPage).ExtractInto(&page); err != nil {
			return false, err
		}
		out = append(out, page...)
		return o.Limit == 0 || len(out) < o.Limit, nil
	})
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: ContainerKind, Name: container}
		}
		return nil, fmt.Errorf("list objects of %s: %w", container, err)
	}
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	return out, nil
}

// FormatDeleteAt is X-Delete-At for a person: RFC 3339 UTC, "" for none.
func FormatDeleteAt(unix int64) string {
	if unix <= 0 {
		return ""
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

// rawMetadata is Metadata without redaction.
func rawMetadata(h http.Header, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if rest, ok := cutPrefixFold(k, prefix); ok && len(v) > 0 {
			out[rest] = v[0]
		}
	}
	return out
}
