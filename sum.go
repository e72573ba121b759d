package cramer

import "math"

// ksum is a Neumaier-compensated running sum. Each addition's rounding
// error is computed exactly by the branch-free TwoSum (the same error the
// classic |s| ≥ |f| branch of Neumaier's algorithm computes, without the
// data-dependent branch).
type ksum struct{ s, c float64 }

func (k *ksum) add(f float64) {
	t := k.s + f
	bp := t - k.s
	k.c += (k.s - (t - bp)) + (f - bp)
	k.s = t
}

func (k *ksum) val() float64 { return k.s + k.c }

// plus returns k with f added, the same operations as add. Loops whose
// sums must stay in registers use it: the Go compiler keeps a ksum whose
// address is taken, even only by an inlined add, in memory, so that every
// addition waits for a store and a load.
func (k ksum) plus(f float64) ksum {
	t := k.s + f
	bp := t - k.s
	k.c += (k.s - (t - bp)) + (f - bp)
	k.s = t
	return k
}

// value returns the sum, as val.
func (k ksum) value() float64 { return k.s + k.c }

// sumF64 returns the sum of x in float64 with Neumaier compensation.
func sumF64[F Float](x []F) float64 {
	var k ksum
	for _, v := range x {
		k.add(float64(v))
	}
	return k.val()
}

// dot returns Σ a[i]·b[i] in float64 with compensation (products split
// exactly by FMA), accurate to about one rounding of the result.
func dot[F Float](a []F, b []float64) float64 {
	var k ksum
	for i, x := range a {
		p := float64(x) * b[i]
		k.add(p)
		k.c += math.FMA(float64(x), b[i], -p)
	}
	return k.val()
}
