package approx

import (
	"math"
	"testing"
)

// TestFastExp2Table: every entry of FastExp2Table is within one unit in the
// last place of 2^(j/128), correctly rounded at 320 bits by gen/tables as
// 2·Exp64Table[128−j] (a power-of-2 scaling of a correctly rounded value is
// correctly rounded).
func TestFastExp2Table(t *testing.T) {
	if len(Exp64Table) != FastExpN || ExpN64 != FastExpN {
		t.Fatalf("tables of %d and %d rows, want %d", len(Exp64Table), ExpN64, FastExpN)
	}
	off := 0
	for j, v := range FastExp2Table {
		want := 1.0
		if j > 0 {
			want = 2 * Exp64Table[FastExpN-j]
		}
		d := int64(math.Float64bits(v)) - int64(math.Float64bits(want))
		if d < -1 || d > 1 {
			t.Errorf("FastExp2Table[%d] = %v, correctly rounded %v: %d units in the last place apart", j, v, want, d)
		}
		if d != 0 {
			off++
		}
	}
	t.Logf("%d of %d entries one unit in the last place from the correctly rounded value", off, FastExpN)
}
