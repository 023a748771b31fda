package objectstorage

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"

	"github.com/kriscelmer/os-tui/tools"
)

// deleteWorkers bounds concurrent single-object deletes when the cluster
// has no bulk delete: enough to hide round trips, few enough not to be
// rate-limited.
const deleteWorkers = 8

// DeleteTally is what DeleteObjects did.
type DeleteTally struct {
	Deleted int
	// Large counts the static large objects deleted with their segments.
	Large      int
	Bytes      int64
	RequestIDs []string
}

// DeleteObjects deletes the listed objects of a container: a static large
// object's manifest with ?multipart-manifest=delete, so its segments go
// too; the others in bulk (POST ?bulk-delete) when the cluster runs that
// middleware, one by one otherwise. An object that is already gone counts
// as deleted. It reports bytes done to report as it goes.
func DeleteObjects(ctx context.Context, c *gophercloud.ServiceClient, info *Info, container string, entries []Entry, report tools.Progress) (DeleteTally, error) {
	var (
		t     DeleteTally
		total int64
		plain []Entry
		large []Entry
	)
	for _, e := range entries {
		if e.Subdir != "" {
			continue
		}
		total += e.Bytes
		if e.SLOEtag != "" {
			large = append(large, e)
		} else {
			plain = append(plain, e)
		}
	}
	report.Bytes(0, total)
	done := func(e Entry) {
		t.Deleted++
		t.Bytes += e.Bytes
		report.Bytes(t.Bytes, total)
	}
	for _, e := range large {
		if err := ctx.Err(); err != nil {
			return t, err
		}
		ids, err := DeleteLarge(ctx, c, container, e.Name)
		t.RequestIDs = append(t.RequestIDs, ids...)
		if err != nil {
			return t, err
		}
		t.Large++
		done(e)
	}
	if len(plain) == 0 {
		return t, nil
	}
	if info.Published && info.Has(FeatureBulkDelete) {
		per := int(info.Int(FeatureBulkDelete, "max_deletes_per_request", 10000))
		for start := 0; start < len(plain); start += per {
			if err := ctx.Err(); err != nil {
				return t, err
			}
			batch := plain[start:min(start+per, len(plain))]
			names := make([]string, len(batch))
			for i, e := range batch {
				names[i] = e.Name
			}
			r := objects.BulkDelete(ctx, c, container, names)
			t.RequestIDs = append(t.RequestIDs, tools.HeaderRequestIDs(r.Header)...)
			res, err := r.Extract()
			if err != nil {
				return t, fmt.Errorf("bulk delete in %s: %w", container, err)
			}
			if len(res.Errors) > 0 {
				var msgs []string
				for _, e := range res.Errors {
					msgs = append(msgs, strings.Join(e, ": "))
				}
				return t, fmt.Errorf("bulk delete in %s refused %d objects: %s", container, len(res.Errors), strings.Join(msgs, "; "))
			}
			for _, e := range batch {
				done(e)
			}
		}
		return t, nil
	}
	return deleteEach(ctx, c, container, plain, &t, done)
}

// deleteEach deletes objects one request each, a few at a time.
func deleteEach(ctx context.Context, c *gophercloud.ServiceClient, container string, entries []Entry, t *DeleteTally, done func(Entry)) (DeleteTally, error) {
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan Entry)
	for range deleteWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				r := objects.Delete(ctx, c, container, e.Name, nil)
				mu.Lock()
				t.RequestIDs = append(t.RequestIDs, tools.HeaderRequestIDs(r.Header)...)
				if r.Err != nil && !gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
					if firstErr == nil {
						firstErr = fmt.Errorf("delete %s/%s: %w", container, e.Name, r.Err)
					}
				} else {
					done(e)
				}
				mu.Unlock()
			}
		}()
	}
	for _, e := range entries {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		work <- e
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return *t, firstErr
}

// DeleteLarge deletes a static large object with its segments
// (?multipart-manifest=delete). Swift answers 200 with a bulk-delete
// report even when some segments could not be deleted, so the report is
// read; gophercloud's objects.Delete would refuse the 200 itself. A
// missing object counts as deleted.
func DeleteLarge(ctx context.Context, c *gophercloud.ServiceClient, container, name string) ([]string, error) {
	var report struct {
		Status string     `json:"Response Status"`
		Errors [][]string `json:"Errors"`
	}
	resp, err := c.Delete(ctx, URL(c, container, name)+"?multipart-manifest=delete", &gophercloud.RequestOpts{ //nolint:bodyclose // closed by gophercloud
		OkCodes:      []int{http.StatusOK, http.StatusAccepted, http.StatusNoContent},
		JSONResponse: &report,
	})
	ids := tools.RequestIDs(resp, err)
	switch {
	case gophercloud.ResponseCodeIs(err, http.StatusNotFound):
		return ids, nil
	case err != nil:
		return ids, fmt.Errorf("delete large object %s/%s with its segments: %w", container, name, err)
	case len(report.Errors) > 0:
		var msgs []string
		for _, e := range report.Errors {
			msgs = append(msgs, strings.Join(e, ": "))
		}
		return ids, fmt.Errorf("delete large object %s/%s: Swift kept %d of its segments (%s)", container, name, len(report.Errors), strings.Join(msgs, "; "))
	}
	return ids, nil
}
