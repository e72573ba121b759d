package arm64

import (
	"fmt"
	"strings"
)

// Loads and stores that advance the base register by another register (the
// stride of a matrix row), and loads and stores of single lanes (vector
// tails that must touch no element past the end of a slice). All are Go
// mnemonics.

// ElemSize is the size in bytes of one lane of the arrangement.
func (a Arr) ElemSize() int { a.check(); return 16 / a.Lanes() }

// laneName is a lane in Go syntax (V3.S[2]).
func laneName(a Arr, v V, lane int) string {
	a.check()
	checkLane(a, lane)
	return fmt.Sprintf("V%d.%s[%d]", v.check(), strings.ToUpper(a.elem()), lane)
}

// postReg checks the registers of a register post-index: the increment may
// not be the base (the base would be advanced by its own old value).
func postReg(base, inc R) {
	base.check()
	inc.check()
	if base == inc {
		panic(fmt.Sprintf("arm64: %s advanced by itself", base))
	}
}

// VLD1PR loads len(vs) consecutive registers from (r) and advances r by inc.
func (p *Prog) VLD1PR(a Arr, r, inc R, vs ...V) {
	postReg(r, inc)
	p.Go("VLD1.P (%s)(%s), %s", r, inc, regList(a, vs))
}

// VST1PR stores len(vs) consecutive registers to (r) and advances r by inc.
func (p *Prog) VST1PR(a Arr, r, inc R, vs ...V) {
	postReg(r, inc)
	p.Go("VST1.P %s, (%s)(%s)", regList(a, vs), r, inc)
}

// VLD1RPR loads one element from (r) into every lane of v and advances r by inc.
func (p *Prog) VLD1RPR(a Arr, r, inc R, v V) {
	postReg(r, inc)
	p.Go("VLD1R.P (%s)(%s), [%s]", r, inc, v.Go(a))
}

// VLD1Lane loads one element from (r) into v[lane]; the other lanes are unchanged.
func (p *Prog) VLD1Lane(a Arr, r R, v V, lane int) {
	r.check() // fmt would turn the panic of String into text
	p.Go("VLD1 (%s), %s", r, laneName(a, v, lane))
}

// VLD1LaneP loads one element from (r) into v[lane] and advances r by the element size.
func (p *Prog) VLD1LaneP(a Arr, r R, v V, lane int) {
	r.check()
	p.Go("VLD1.P %d(%s), %s", a.ElemSize(), r, laneName(a, v, lane))
}

// VLD1LanePR loads one element from (r) into v[lane] and advances r by inc.
func (p *Prog) VLD1LanePR(a Arr, r, inc R, v V, lane int) {
	postReg(r, inc)
	p.Go("VLD1.P (%s)(%s), %s", r, inc, laneName(a, v, lane))
}

// VST1Lane stores v[lane] to (r).
func (p *Prog) VST1Lane(a Arr, r R, v V, lane int) {
	r.check()
	p.Go("VST1 %s, (%s)", laneName(a, v, lane), r)
}

// VST1LaneP stores v[lane] to (r) and advances r by the element size.
func (p *Prog) VST1LaneP(a Arr, r R, v V, lane int) {
	r.check()
	p.Go("VST1.P %s, %d(%s)", laneName(a, v, lane), a.ElemSize(), r)
}

// VST1LanePR stores v[lane] to (r) and advances r by inc.
func (p *Prog) VST1LanePR(a Arr, r, inc R, v V, lane int) {
	postReg(r, inc)
	p.Go("VST1.P %s, (%s)(%s)", laneName(a, v, lane), r, inc)
}
