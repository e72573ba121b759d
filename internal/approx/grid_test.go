package approx

import (
	"math"
	"testing"
)

// TestErfGridEnds checks the facts the erf grid's steps rely on (package
// doc, "erf(t) and E2 on one grid"), in both precisions: the clamp is a grid
// point and the last row, whose exponential is 0 and whose erf is 1; the
// row below it is the last true one; ErfZero is halfway between them; the
// shift leaves the row index alone in the low bits of x = fma(tc, step,
// shift) for every tc in [0, ErfClamp]; the row index of a tc is the
// nearest row.
func TestErfGridEnds(t *testing.T) {
	if got := float64(ErfRows64-1) / ErfStep64; got != ErfClamp64 {
		t.Errorf("float64: last row at %v, clamp %v", got, ErfClamp64)
	}
	if got := float64(ErfRows32-1) / ErfStep32; got != ErfClamp32 {
		t.Errorf("float32: last row at %v, clamp %v", got, ErfClamp32)
	}
	if len(Erf64Table) != ErfRows64 || len(Exp64GridTable) != ErfRows64 ||
		len(Erf32Table) != ErfRows32 || len(Exp32GridTable) != ErfRows32 {
		t.Fatalf("table lengths %d %d %d %d, want %d and %d rows", len(Erf64Table),
			len(Exp64GridTable), len(Erf32Table), len(Exp32GridTable), ErfRows64, ErfRows32)
	}
	if e, f := Exp64GridTable[ErfRows64-1], Erf64Table[ErfRows64-1]; e != 0 || f != 1 {
		t.Errorf("float64 last row: E %v, erf %v; want 0 and 1", e, f)
	}
	if e, f := Exp32GridTable[ErfRows32-1], Erf32Table[ErfRows32-1]; e != 0 || f != 1 {
		t.Errorf("float32 last row: E %v, erf %v; want 0 and 1", e, f)
	}
	if float64(ErfRows64-2)/ErfStep64 != ErfLast64 || float64(ErfRows32-2)/ErfStep32 != ErfLast32 {
		t.Errorf("the row before the last is not ErfLast (%v, %v)", ErfLast64, ErfLast32)
	}
	if Exp64GridTable[ErfRows64-2] == 0 || Exp32GridTable[ErfRows32-2] == 0 {
		t.Errorf("the last true rows' exponentials are 0")
	}
	if ErfZero64 != (ErfLast64+ErfClamp64)/2 || ErfZero32 != (ErfLast32+ErfClamp32)/2 {
		t.Errorf("ErfZero is not halfway between the last two rows")
	}
	if math.Float64bits(ErfShift64)&(1<<32-1) != 0 || math.Float32bits(ErfShift32)&0xffff != 0 {
		t.Errorf("the shifts have bits set where the row index goes")
	}
	for j := 0; j < ErfRows64; j++ {
		for _, tc := range []float64{
			float64(j) / ErfStep64, (float64(j) - 0.49) / ErfStep64, (float64(j) + 0.49) / ErfStep64,
		} {
			if tc < 0 || tc > ErfClamp64 {
				continue
			}
			x := math.FMA(tc, ErfStep64, ErfShift64)
			if got := int(uint32(math.Float64bits(x))); got != j || x-ErfShift64 != float64(j) {
				t.Fatalf("float64 tc = %v: row %d (rj %v), want %d", tc, got, x-ErfShift64, j)
			}
		}
	}
	for j := 0; j < ErfRows32; j++ {
		for _, tc := range []float32{
			float32(j) / ErfStep32, (float32(j) - 0.49) / ErfStep32, (float32(j) + 0.49) / ErfStep32,
		} {
			if tc < 0 || tc > ErfClamp32 {
				continue
			}
			x := float32(float64(tc)*ErfStep32 + ErfShift32) // exact product, one rounding
			if got := int(math.Float32bits(x) & 0xffff); got != j || x-ErfShift32 != float32(j) {
				t.Fatalf("float32 tc = %v: row %d (rj %v), want %d", tc, got, x-ErfShift32, j)
			}
		}
	}
}
