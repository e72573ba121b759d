//go:build gc && !purego

package asm

// The NEON front end (gen/neon/front.go) needs a full vector of lanes.
const (
	frontLanes64 = 2
	frontLanes32 = 4
)

// The batches of single Gaussians (gen/neon/gaussian.go) need a full vector
// of lanes too.
const (
	gaussLanes64 = 2
	gaussLanes32 = 4
)
