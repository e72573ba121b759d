package mdn

import (
	"math"
	"testing"
)

func TestExp32Accuracy(t *testing.T) {
	var worst float64
	for x := -104.0; x <= 80; x += 0.0137 {
		want := math.Exp(x)
		if e := math.Abs(exp32(x)-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 1e-8 {
		t.Fatalf("exp32 relative error %g, want ≤ 1e-8", worst)
	}
	if exp32(-105) != 0 || exp32(-1e30) != 0 {
		t.Fatal("exp32 of very negative arguments is not 0")
	}
}
