//go:build gc && !purego

package asm

// The AVX2 front end (gen/avx2/front.go) needs a full vector of lanes and,
// in float32, c = 1 or a tile of 4 components.
const (
	frontLanes64 = 4
	frontLanes32 = 8
	frontTile32  = true
)
