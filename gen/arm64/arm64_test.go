package arm64

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// decode returns the GNU syntax of w as golang.org/x/arch decodes it.
func decode(t *testing.T, w uint32) string {
	t.Helper()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], w)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		t.Fatalf("%#08x: %v", w, err)
	}
	return arm64asm.GNUSyntax(inst)
}

// TestEncodersDecode checks every encoder on every register in every operand
// position (and every lane) against the disassembler.
func TestEncodersDecode(t *testing.T) {
	var insts []Inst
	for _, a := range []Arr{D2, S4} {
		for r := V(0); r < 32; r++ {
			d, n, m := r, (r+7)%32, (r+19)%32
			for _, f := range []func(Arr, V, V, V) Inst{FADD, FSUB, FMUL, FDIV, FMINNM, FCMGT, FADDP, FMAX, FCMGE} {
				insts = append(insts, f(a, d, n, m), f(a, m, d, n))
			}
			for _, f := range []func(Arr, V, V) Inst{FABS, FNEG, FSQRT, FCVTZS, SCVTF, FCMEQZ} {
				insts = append(insts, f(a, d, n), f(a, n, d))
			}
			for lane := 0; lane < a.Lanes(); lane++ {
				insts = append(insts, FMLAE(a, d, n, m, lane), FMULE(a, n, m, d, lane))
			}
		}
	}
	for r := V(0); r < 32; r++ {
		insts = append(insts, BIC(r, (r+1)%32, (r+2)%32), MUL((r+3)%32, r, (r+5)%32),
			FADDPScalar(true, r, (r+9)%32), FADDPScalar(false, (r+9)%32, r),
			FCVTN(r, (r+11)%32), FCVTN2((r+11)%32, r), XTN(r, (r+13)%32), XTN2((r+13)%32, r),
			FCVTL(r, (r+4)%32), FCVTL2((r+4)%32, r))
	}
	for _, in := range insts {
		if got := decode(t, in.Word); got != in.GNU {
			t.Errorf("%#08x decodes as %q, encoder says %q", in.Word, got, in.GNU)
		}
	}
	t.Logf("%d encodings checked", len(insts))
}

// TestRangeChecks: out-of-range operands panic.
func TestRangeChecks(t *testing.T) {
	for name, f := range map[string]func(){
		"V32":         func() { FADD(D2, 32, 0, 0) },
		"lane D2":     func() { FMLAE(D2, 0, 1, 2, 2) },
		"lane S4":     func() { FMULE(S4, 0, 1, 2, 4) },
		"negative":    func() { FMLAE(S4, 0, 1, 2, -1) },
		"B16 fp":      func() { FADD(B16, 0, 1, 2) },
		"R18":         func() { _ = R(18).String() },
		"R27":         func() { _ = R(27).String() },
		"shift":       func() { new(Prog).VUSHR(D2, 0, 1, 0) },
		"shift S4":    func() { new(Prog).VSHL(S4, 0, 1, 32) },
		"list":        func() { new(Prog).VLD1P(D2, 1, 3, 5) },
		"list length": func() { new(Prog).VLD1P(D2, 1, 0, 1, 2, 3, 4) },
		"GPR R18":     func() { new(Prog).VLD1P(D2, 18, 0) },
		"GPR R28":     func() { new(Prog).ToGPR(D2, 28, 0, 1) },
		"scalar V40":  func() { new(Prog).Go("FMOVD (R1), %s", V(40)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
