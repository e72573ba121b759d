//go:build gc && !purego

package asm

// The AVX2 front end (gen/avx2/front.go) needs a full vector of lanes.
const (
	frontLanes64 = 4
	frontLanes32 = 8
)

// The batches of single Gaussians (gen/avx2/gaussian.go) need a full vector
// of lanes too.
const (
	gaussLanes64 = 4
	gaussLanes32 = 8
)
