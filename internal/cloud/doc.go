// Package cloud connects ostui to an OpenStack cloud described by a
// config.Cloud: authentication and re-authentication, an on-disk token
// cache, the service catalog with version and microversion discovery,
// HTTP timeouts, retries and debug logging, and error explanations.
//
// A Conn is lazy: New does nothing; the first call that needs the cloud
// reads the token cache (Options.CacheDir/tokens/<key>.json, mode 0600 in
// a 0700 directory) and, when it holds a token valid for at least five
// more minutes, uses it with the cached catalog without calling Keystone.
// Otherwise it logs in (password, application credential or token) and
// writes the cache. A 401 from any service logs in once more and rewrites
// the cache. Capabilities (version documents per service, fetched
// concurrently) are cached with the token, so a warm command makes no
// request before its own.
//
// Service clients get a default microversion: compute the lower of
// ComputeMicroversion (2.79) and the cloud's maximum, block storage the
// lower of VolumeMicroversion (3.59) and the cloud's maximum. Block
// storage answers to "volumev3", "block-storage", "block-store" and
// "volume"; Capabilities lists it as "volumev3".
//
// GET and HEAD requests are retried (three tries at most) on 429, 502,
// 503 and 504, honouring Retry-After; other methods never are. With
// Options.Debug each attempt is logged as one line — method, URL, status,
// duration, request ID — and never a header or body, so tokens and
// passwords cannot leak into it.
//
// Explain turns gophercloud and network errors into messages that say
// what to do, with the x-openstack-request-id when there was one.
package cloud
