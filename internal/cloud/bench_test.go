package cloud

import "testing"

// BenchmarkWarmConnect measures a command's start with a warm token cache:
// a new Conn, reading the cache, to the first compute client (no network).
func BenchmarkWarmConnect(b *testing.B) {
	f := newFakeCloud(b)
	cache := b.TempDir()
	if _, err := New(f.cloud(), Options{CacheDir: cache}).ServiceClient(b.Context(), "compute"); err != nil {
		b.Fatal(err)
	}
	before := f.total()
	b.ResetTimer()
	for b.Loop() {
		if _, err := New(f.cloud(), Options{CacheDir: cache}).ServiceClient(b.Context(), "compute"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if f.total() != before {
		b.Fatalf("warm connects made %d requests", f.total()-before)
	}
}
