package spec

// FastExp is the name of the element-wise exponential of the float32
// mixture-density losses (purego.Exp64; the algorithm is approx.FastExp…).
// It exists in float64 only: those losses evaluate their exponentials in
// float64.
const FastExp = "Exp"

// FastExpKernel describes Exp64: dst[i] = exp(x[i]) for i < len(x).
func FastExpKernel() Kernel {
	return Kernel{
		Name:   FastExp,
		Doc:    "dst[i] = exp(x[i]) for i < len(x), relative error below 4e-9, 0 below x = −104",
		Params: slices("dst", "x"),
		Only64: true,
		Sizes:  []Size{{"n", "len(x)"}},
		Stub:   []Arg{{Name: "dst", Expr: "dst", Len: "n"}, {Name: "x", Expr: "x"}},
	}
}
