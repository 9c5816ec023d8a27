package embedded

import (
	"strconv"
	"testing"
)

// BenchmarkSet measures one journalled SET: hook, miniredis round trip,
// journal append and fsync (the dominant cost).
func BenchmarkSet(b *testing.B) {
	s := mustOpen(b, b.TempDir(), WithCompactBytes(1<<30))
	c := s.Client()
	i := 0
	for b.Loop() {
		if err := c.Set(ctx, "k"+strconv.Itoa(i%1000), i, 0).Err(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGet is the unjournalled baseline for BenchmarkSet.
func BenchmarkGet(b *testing.B) {
	s := mustOpen(b, b.TempDir())
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := c.Get(ctx, "k").Err(); err != nil {
			b.Fatal(err)
		}
	}
}
