//go:build gc && !purego

package asm

// The NEON front end (gen/neon/front.go) needs a full vector of lanes.
const (
	frontLanes64 = 2
	frontLanes32 = 4
)
