package cramer

import "github.com/gmmkit/cramer/kernels"

// The functions below call the active implementation's kernel of the
// precision F. The slices are reinterpreted, not copied.

type gradSums[F Float] struct{ H, D, R []F }

func (g gradSums[F]) k64() kernels.GradSums64 {
	return kernels.GradSums64{H: as64(g.H), D: as64(g.D), R: as64(g.R)}
}

func (g gradSums[F]) k32() kernels.GradSums32 {
	return kernels.GradSums32{H: as32(g.H), D: as32(g.D), R: as32(g.R)}
}

func crossRows[F Float](im *kernels.Impl, out, ma, va, wb, mb, vb []F) {
	if is64[F]() {
		im.CrossRowSums64(as64(out), as64(ma), as64(va), as64(wb), as64(mb), as64(vb))
	} else {
		im.CrossRowSums32(as32(out), as32(ma), as32(va), as32(wb), as32(mb), as32(vb))
	}
}

func crossGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wb, mb, vb []F) {
	if is64[F]() {
		im.CrossGrad64(rows.k64(), cols.k64(), as64(wa), as64(ma), as64(va), as64(wb), as64(mb), as64(vb))
	} else {
		im.CrossGrad32(rows.k32(), cols.k32(), as32(wa), as32(ma), as32(va), as32(wb), as32(mb), as32(vb))
	}
}

func selfRows[F Float](im *kernels.Impl, out, m, v, w []F) {
	if is64[F]() {
		im.SelfRowSums64(as64(out), as64(m), as64(v), as64(w))
	} else {
		im.SelfRowSums32(as32(out), as32(m), as32(v), as32(w))
	}
}

func selfGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], m, v, w []F) {
	if is64[F]() {
		im.SelfGrad64(rows.k64(), cols.k64(), as64(m), as64(v), as64(w))
	} else {
		im.SelfGrad32(rows.k32(), cols.k32(), as32(m), as32(v), as32(w))
	}
}

func diracRows[F Float](im *kernels.Impl, out, ma, va, wx, x []F) {
	if is64[F]() {
		im.DiracRowSums64(as64(out), as64(ma), as64(va), as64(wx), as64(x))
	} else {
		im.DiracRowSums32(as32(out), as32(ma), as32(va), as32(wx), as32(x))
	}
}

func diracGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wx, x []F) {
	if is64[F]() {
		im.DiracGrad64(rows.k64(), cols.k64(), as64(wa), as64(ma), as64(va), as64(wx), as64(x))
	} else {
		im.DiracGrad32(rows.k32(), cols.k32(), as32(wa), as32(ma), as32(va), as32(wx), as32(x))
	}
}

// Kernel returns the name of the active kernel implementation ("purego",
// "avx2", …).
func Kernel() string { return kernels.Active().Name }

// UseKernel makes the named implementation active for every later call; an
// unknown name or one this CPU cannot run is an error.
func UseKernel(name string) error {
	_, err := kernels.Use(name)
	return err
}

func (ws *Workspace[F]) active() *kernels.Impl { return kernels.Active() }

func projectMeans[F Float](im *kernels.Impl, dst, x, thetaT []F, n, d, l int) {
	if is64[F]() {
		im.ProjectMeans64(as64(dst), as64(x), as64(thetaT), n, d, l)
	} else {
		im.ProjectMeans32(as32(dst), as32(x), as32(thetaT), n, d, l)
	}
}

func projectDiagVars[F Float](im *kernels.Impl, dst, s2, thetaT []F, n, d, l int) {
	if is64[F]() {
		im.ProjectDiagVars64(as64(dst), as64(s2), as64(thetaT), n, d, l)
	} else {
		im.ProjectDiagVars32(as32(dst), as32(s2), as32(thetaT), n, d, l)
	}
}

func projectCholVars[F Float](im *kernels.Impl, dst, chol, thetaT []F, n, d, l int) {
	if is64[F]() {
		im.ProjectCholVars64(as64(dst), as64(chol), as64(thetaT), n, d, l)
	} else {
		im.ProjectCholVars32(as32(dst), as32(chol), as32(thetaT), n, d, l)
	}
}

// The batch-lane kernels: n mixture pairs, lane-interleaved (see
// purego.BatchCrossRowSums64).

func batchCrossRows[F Float](im *kernels.Impl, out, ma, va, wb, mb, vb []F, n int) {
	if is64[F]() {
		im.BatchCrossRowSums64(as64(out), as64(ma), as64(va), as64(wb), as64(mb), as64(vb), n)
	} else {
		im.BatchCrossRowSums32(as32(out), as32(ma), as32(va), as32(wb), as32(mb), as32(vb), n)
	}
}

func batchCrossGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wb, mb, vb []F, n int) {
	if is64[F]() {
		im.BatchCrossGrad64(rows.k64(), cols.k64(), as64(wa), as64(ma), as64(va), as64(wb), as64(mb), as64(vb), n)
	} else {
		im.BatchCrossGrad32(rows.k32(), cols.k32(), as32(wa), as32(ma), as32(va), as32(wb), as32(mb), as32(vb), n)
	}
}

func batchSelfRows[F Float](im *kernels.Impl, out, m, v, w []F, n int) {
	if is64[F]() {
		im.BatchSelfRowSums64(as64(out), as64(m), as64(v), as64(w), n)
	} else {
		im.BatchSelfRowSums32(as32(out), as32(m), as32(v), as32(w), n)
	}
}

func batchSelfGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], m, v, w []F, n int) {
	if is64[F]() {
		im.BatchSelfGrad64(rows.k64(), cols.k64(), as64(m), as64(v), as64(w), n)
	} else {
		im.BatchSelfGrad32(rows.k32(), cols.k32(), as32(m), as32(v), as32(w), n)
	}
}

func batchDiracRows[F Float](im *kernels.Impl, out, ma, va, wx, x []F, n int) {
	if is64[F]() {
		im.BatchDiracRowSums64(as64(out), as64(ma), as64(va), as64(wx), as64(x), n)
	} else {
		im.BatchDiracRowSums32(as32(out), as32(ma), as32(va), as32(wx), as32(x), n)
	}
}

func batchDiracGrad[F Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wx, x []F, n int) {
	if is64[F]() {
		im.BatchDiracGrad64(rows.k64(), cols.k64(), as64(wa), as64(ma), as64(va), as64(wx), as64(x), n)
	} else {
		im.BatchDiracGrad32(rows.k32(), cols.k32(), as32(wa), as32(ma), as32(va), as32(wx), as32(x), n)
	}
}

// KernelError reports a configuration error in the environment variable
// CRAMER_KERNEL, which names the kernel implementation to use: nil when the
// variable is unset or names an implementation this CPU can run; otherwise
// an error naming the variable, its value and the usable implementations,
// and every computation uses the default implementation (the one Kernel
// returns). Programs that want a misconfiguration to be fatal check it once
// at start-up, as the cramer command does. Safe for concurrent use.
func KernelError() error { return kernels.InitError() }
