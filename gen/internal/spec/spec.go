// Package spec names the row-sum, gradient and projection kernels that every
// assembly generator emits, with their parameters, so that gen/avx2 and
// gen/neon declare the same functions (package kernels wraps both with one
// set of wrappers). The definitions are the purego functions of the same
// names.
package spec

// Rows selects the pair matrix of a row-sum or gradient kernel.
type Rows int

const (
	Cross Rows = iota // rows ma/va against columns wb/mb/vb
	Self              // upper triangle of m/v/w: columns j > i
	Dirac             // rows ma/va against points wx/x
)

// AllRows lists the kinds in the order the generators emit them.
var AllRows = []Rows{Cross, Self, Dirac}

// Roles are the parameter names of a kind's row means and variances, row
// weights (gradients only), column weights, means and variances ("" where the
// kind has none: Dirac columns are points), and the slice whose length is the
// number of columns.
type Roles struct{ RM, RV, RW, CW, CM, CV, Cols string }

// Roles returns the parameter names of the kind.
func (k Rows) Roles() Roles {
	switch k {
	case Cross:
		return Roles{RM: "ma", RV: "va", RW: "wa", CW: "wb", CM: "mb", CV: "vb", Cols: "mb"}
	case Self:
		return Roles{RM: "m", RV: "v", RW: "w", CW: "w", CM: "m", CV: "v", Cols: "m"}
	case Dirac:
		return Roles{RM: "ma", RV: "va", RW: "wa", CW: "wx", CM: "x", Cols: "x"}
	}
	panic("spec: unknown row kind")
}

var rowNames = [...]string{"Cross", "Self", "Dirac"}

// Sums returns the name (without precision suffix) and parameters of the
// row-sum kernel: out, then the kind's inputs.
func (k Rows) Sums() (name string, params []string) {
	r := k.Roles()
	switch k {
	case Cross:
		params = []string{"out", r.RM, r.RV, r.CW, r.CM, r.CV}
	case Self:
		params = []string{"out", r.RM, r.RV, r.CW}
	case Dirac:
		params = []string{"out", r.RM, r.RV, r.CW, r.CM}
	}
	return rowNames[k] + "RowSums", params
}

// Grad returns the name and parameters of the gradient kernel: the row sums
// rh, rd, rr, the column sums ch, cd (and cr, except for Dirac), then the
// kind's inputs.
func (k Rows) Grad() (name string, params []string) {
	r := k.Roles()
	switch k {
	case Cross:
		params = []string{"rh", "rd", "rr", "ch", "cd", "cr", r.RW, r.RM, r.RV, r.CW, r.CM, r.CV}
	case Self:
		params = []string{"rh", "rd", "rr", "ch", "cd", "cr", r.RM, r.RV, r.RW}
	case Dirac:
		params = []string{"rh", "rd", "rr", "ch", "cd", r.RW, r.RM, r.RV, r.CW, r.CM}
	}
	return rowNames[k] + "Grad", params
}

// Proj selects a projection kernel of the sliced distance.
type Proj int

const (
	Means    Proj = iota // dst = Σⱼ x·θ
	DiagVars             // dst = Σⱼ s2·θ²
	CholVars             // dst = Σ_c (Σ_{r≥c} L[r][c]·θ[r])²
)

// AllProj lists the projection kernels in the order the generators emit them.
var AllProj = []Proj{Means, DiagVars, CholVars}

// Name, In and Doc give the kernel's name (without precision suffix), the
// name of its input slice (after dst, before thetaT, n, d, l) and its formula.
func (k Proj) Name() string {
	return [...]string{"ProjectMeans", "ProjectDiagVars", "ProjectCholVars"}[k]
}
func (k Proj) In() string { return [...]string{"x", "s2", "chol"}[k] }
func (k Proj) Doc() string {
	return [...]string{
		"sets dst[i*l+k] = Σⱼ x[i*d+j]·thetaT[j*l+k] for i < n, k < l",
		"sets dst[i*l+k] = Σⱼ s2[i*d+j]·thetaT[j*l+k]² for i < n, k < l",
		"sets dst[i*l+k] = Σ_c (Σ_{r≥c} chol[i*d*d+r*d+c]·thetaT[r*l+k])² for i < n, k < l",
	}[k]
}

// BatchSums and BatchGrad return the name and slice parameters of the
// batch-lane forms of the row-sum and gradient kernels ("Batch" + the row
// kernel's name, the same slices, lane-interleaved; see
// purego.BatchCrossRowSums64). The assembly takes the integers BatchInts
// after the slices.
func (k Rows) BatchSums() (name string, params []string) {
	name, params = k.Sums()
	return "Batch" + name, params
}

func (k Rows) BatchGrad() (name string, params []string) {
	name, params = k.Grad()
	return "Batch" + name, params
}

// BatchInts returns the integer parameters of a batch-lane kernel's
// assembly: the numbers of rows, of columns (not for Self, whose columns
// are its rows) and of lanes.
func (k Rows) BatchInts() []string {
	if k == Self {
		return []string{"k", "n"}
	}
	return []string{"k", "m", "n"}
}
