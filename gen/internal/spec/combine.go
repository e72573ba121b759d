package spec

// The batch combination kernels (see purego.BatchPairValues64 and
// purego.BatchSideGrad64): the per-lane back end of a batch, which combines
// the lane-interleaved sums of the batch-lane kernels with the weights and
// contiguous stds of each mixture pair.

// Combine lists the batch combination kernels, in the order the generators
// emit them.
func Combine() []Kernel {
	self := func(c string) string { return "purego.SelfLanes(" + c + ", n)" }
	values := Kernel{
		Name: "BatchPairValues",
		Doc:  "out[l], vals[l] and cross[l] of the n mixture pairs from the row sums of their batch-lane kernels (vals and cross float64 in both precisions), and in under[0] the first lane whose value underflows (or −1)",
		Params: []Param{{"out", Slice}, {"under", Ints}, {"vals", Float64s}, {"cross", Float64s},
			{"wa", Slice}, {"cr", Slice}, {"sa", Slice}, {"sp", Slice}, {"wb", Slice}, {"sb", Slice}, {"sq", Slice}, {"n", Int}},
		Lanes: true,
		Sizes: []Size{{"k, m", "len(wa)/n, len(wb)/n"}, {"kp, mq", self("k") + ", " + self("m")}},
		Stub: []Arg{{Name: "out", Expr: "out", Len: "n"}, {Name: "under", Expr: "under", Len: "1"}, {Name: "vals", Expr: "vals", Len: "n"}, {Name: "cross", Expr: "cross", Len: "n"},
			{Name: "wa", Expr: "wa", Len: "k*n"}, {Name: "cr", Expr: "cr", Len: "k*n"}, {Name: "sa", Expr: "sa", Len: "k*n"},
			{Name: "sp", Expr: "sp", Len: "kp"},
			{Name: "wb", Expr: "wb", Len: "m*n"}, {Name: "sb", Expr: "sb", Len: "m*n"}, {Name: "sq", Expr: "sq", Len: "mq"},
			{Name: "k", Expr: "k", Int: true}, {Name: "m", Expr: "m", Int: true}, {Name: "n", Expr: "n", Int: true}},
	}
	grad := Kernel{
		Name: "BatchSideGrad",
		Doc:  "the derivatives gw, gm, gs of the n mixture pairs' values with respect to the components of one side, from the side's cross and self gradient sums",
		Params: []Param{{"gw", Slice}, {"gm", Slice}, {"gs", Slice}, {"w", Slice}, {"s", Slice},
			{"cross", GradSums}, {"rows", GradSums}, {"cols", GradSums}, {"sign", Int}, {"n", Int}},
		Lanes: true,
		Sizes: []Size{{"c", "len(w) / n"}, {"cn, sn", "c*n, " + self("c")}},
	}
	for _, a := range []string{"gw", "gm", "gs", "w", "s", "cross.H", "cross.D", "cross.R"} {
		grad.Stub = append(grad.Stub, Arg{Name: argName(a), Expr: a, Len: "cn"})
	}
	for _, a := range []string{"rows.H", "rows.D", "rows.R", "cols.H", "cols.D", "cols.R"} {
		grad.Stub = append(grad.Stub, Arg{Name: argName(a), Expr: a, Len: "sn"})
	}
	grad.Stub = append(grad.Stub, Arg{Name: "sign", Expr: "sign", Int: true}, Arg{Name: "c", Expr: "c", Int: true}, Arg{Name: "n", Expr: "n", Int: true})
	return []Kernel{values, grad}
}

// argName returns the assembly's name of a gradient-sum field ("cross.H" →
// "xh", "rows.D" → "rd", "cols.R" → "cr" is taken: "kr") or the slice name.
func argName(expr string) string {
	names := map[string]string{
		"cross.H": "xh", "cross.D": "xd", "cross.R": "xr",
		"rows.H": "rh", "rows.D": "rd", "rows.R": "rr",
		"cols.H": "kh", "cols.D": "kd", "cols.R": "kr",
	}
	if n, ok := names[expr]; ok {
		return n
	}
	return expr
}

// CombineSlices returns the names of the assembly's slice parameters of a
// combination kernel, in order (its integers follow).
func (k Kernel) CombineSlices() (names []string) {
	for _, a := range k.Stub {
		if !a.Int {
			names = append(names, a.Name)
		}
	}
	return names
}

// CombineInts returns the names of the assembly's integer parameters.
func (k Kernel) CombineInts() (names []string) {
	for _, a := range k.Stub {
		if a.Int {
			names = append(names, a.Name)
		}
	}
	return names
}
