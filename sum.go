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
