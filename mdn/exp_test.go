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

func TestLog32Accuracy(t *testing.T) {
	var worst float64
	for x := 1e-18; x < 1e16; x *= 1.0137 {
		if e := math.Abs(log32(x) - math.Log(x)); e > worst {
			worst = e
		}
	}
	for x := 0.5; x < 2; x += 1e-4 {
		if e := math.Abs(log32(x) - math.Log(x)); e > worst {
			worst = e
		}
	}
	if worst > 1e-9 {
		t.Fatalf("log32 absolute error %g, want ≤ 1e-9", worst)
	}
}
