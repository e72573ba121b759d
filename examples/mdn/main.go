// Command mdn trains a mixture density network on Bishop's inverse problem
// twice — once with the negative log-likelihood, once with the Cramér
// ℓ₂² to the target point — with the same network, optimiser and seed, and
// compares them on held-out data.
//
// The data (Bishop 1994): t ~ U(0, 1), x = t + 0.3·sin(2πt) + U(−0.1, 0.1);
// the task is to predict t from x, whose conditional distribution has up to
// three branches for x in about (0.3, 0.7).
//
//	go run ./examples/mdn -out DIR          # PNGs into DIR, held-out losses printed
//	go run ./examples/mdn -seeds 20         # the table over seeds 1…20 (no PNGs)
//
// It writes DIR/mdn-density.png (the training data with each model's
// conditional density p(t|x) as a heat map and the component means, drawn
// where the component's weight exceeds 0.05) and DIR/mdn-training.png (held-out
// NLL and Cramér loss during training).
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gmmkit/cramer/internal/nn"
	"github.com/gmmkit/cramer/mdn"
)

// config is the experiment: data sizes, network and optimisation.
type config struct {
	train, test int   // data points
	hidden      []int // hidden layer widths (tanh)
	head        mdn.Head
	steps       int     // Adam steps
	batch       int     // minibatch size
	lr          float64 // Adam learning rate
	evalEvery   int     // steps between held-out evaluations
}

func defaultConfig() config {
	return config{
		train: 1000, test: 2000,
		hidden: []int{24, 24},
		head:   mdn.Head{K: 5, Scale: mdn.ELUPlusOne},
		steps:  4000, batch: 100, lr: 3e-3,
		evalEvery: 50,
	}
}

// bishop draws n points (x, t) of the inverse problem.
func bishop(rng *rand.Rand, n int) (x, t []float64) {
	x, t = make([]float64, n), make([]float64, n)
	for i := range x {
		t[i] = rng.Float64()
		x[i] = t[i] + 0.3*math.Sin(2*math.Pi*t[i]) + 0.2*rng.Float64() - 0.1
	}
	return x, t
}

// lossKind selects the training loss.
type lossKind int

const (
	nllLoss lossKind = iota
	cramerLoss
)

func (l lossKind) String() string { return [...]string{"NLL", "Cramér"}[l] }

// curvePoint is one held-out evaluation during training.
type curvePoint struct {
	step        int
	nll, cramer float64
}

// result is one trained model.
type result struct {
	loss    lossKind
	net     *nn.MLP
	curve   []curvePoint
	nll     float64 // final held-out NLL (nats per point)
	cramer  float64 // final held-out Cramér ℓ₂² to the target point
	nanStep int     // first step with a non-finite training loss, or −1
}

// train fits one network with the given loss; seed fixes the initial
// weights and the minibatch order (the same for both losses).
func train(cfg config, kind lossKind, seed uint64, xtr, ttr, xte, tte []float64) result {
	sizes := append(append([]int{1}, cfg.hidden...), cfg.head.Width())
	net := nn.New(sizes, nn.Tanh, seed)
	opt := nn.NewAdam(net, cfg.lr)
	rng := rand.New(rand.NewPCG(seed, 0xba7c4))
	var ws mdn.Workspace[float64]
	xb, tb := make([]float64, cfg.batch), make([]float64, cfg.batch)
	grad := make([]float64, cfg.batch*cfg.head.Width())
	res := result{loss: kind, net: net, nanStep: -1}
	perm := rng.Perm(len(xtr))
	pos := 0
	for step := 0; step <= cfg.steps; step++ {
		if step%cfg.evalEvery == 0 || step == cfg.steps {
			nll, cr := evaluate(cfg, net, &ws, xte, tte)
			res.curve = append(res.curve, curvePoint{step, nll, cr})
			res.nll, res.cramer = nll, cr
		}
		if step == cfg.steps {
			break
		}
		for i := range xb {
			if pos == len(perm) {
				rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				pos = 0
			}
			xb[i], tb[i] = xtr[perm[pos]], ttr[perm[pos]]
			pos++
		}
		raw := net.Forward(xb)
		var v float64
		var err error
		if kind == nllLoss {
			v, err = ws.NLL(cfg.head, raw, tb, nil, grad)
		} else {
			v, err = ws.CramerToPoints(cfg.head, raw, tb, nil, grad)
		}
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			if res.nanStep < 0 {
				res.nanStep = step
			}
			if err != nil {
				// Non-finite network outputs: the run has failed; stop.
				res.nll, res.cramer = math.NaN(), math.NaN()
				return res
			}
		}
		net.Backward(grad)
		opt.Step(net)
	}
	return res
}

// evaluate returns the held-out mean NLL and mean Cramér ℓ₂² (NaN when the
// network's outputs are not finite).
func evaluate(cfg config, net *nn.MLP, ws *mdn.Workspace[float64], x, t []float64) (nll, cr float64) {
	raw := net.Forward(x)
	nll, err1 := ws.NLL(cfg.head, raw, t, nil, nil)
	cr, err2 := ws.CramerToPoints(cfg.head, raw, t, nil, nil)
	if err1 != nil || err2 != nil {
		return math.NaN(), math.NaN()
	}
	return nll, cr
}

func main() {
	out := flag.String("out", ".", "directory for the PNGs")
	seed := flag.Uint64("seed", 1, "seed of the data, initial weights and minibatches")
	seeds := flag.Int("seeds", 0, "if > 0: train both models for seeds 1…N and print the summary table (no PNGs)")
	flag.Parse()
	cfg := defaultConfig()
	if *seeds > 0 {
		table(cfg, *seeds)
		return
	}
	start := time.Now()
	xtr, ttr, xte, tte := data(*seed)
	var res [2]result
	for _, kind := range []lossKind{nllLoss, cramerLoss} {
		res[kind] = train(cfg, kind, *seed, xtr, ttr, xte, tte)
	}
	fmt.Printf("Bishop's inverse problem: %d training and %d held-out points, MLP 1-%v-%d (tanh), K = %d (%v scales), Adam lr %g, %d steps of %d, seed %d\n",
		cfg.train, cfg.test, cfg.hidden, cfg.head.Width(), cfg.head.K, cfg.head.Scale, cfg.lr, cfg.steps, cfg.batch, *seed)
	fmt.Printf("%-16s %14s %18s\n", "trained with", "held-out NLL", "held-out Cramér")
	for _, r := range res {
		fmt.Printf("%-16s %14.4f %18.6f\n", r.loss, r.nll, r.cramer)
	}
	fmt.Printf("NLL gap (Cramér-trained − NLL-trained): %+.4f nats\n", res[cramerLoss].nll-res[nllLoss].nll)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := plotDensity(filepath.Join(*out, "mdn-density.png"), cfg, res[:], xtr, ttr); err != nil {
		log.Fatal(err)
	}
	if err := plotCurves(filepath.Join(*out, "mdn-training.png"), res[:]); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s and %s (%.1f s)\n", filepath.Join(*out, "mdn-density.png"), filepath.Join(*out, "mdn-training.png"), time.Since(start).Seconds())
}

// data draws the training and held-out sets of a seed.
func data(seed uint64) (xtr, ttr, xte, tte []float64) {
	cfg := defaultConfig()
	xtr, ttr = bishop(rand.New(rand.NewPCG(seed, 1)), cfg.train)
	xte, tte = bishop(rand.New(rand.NewPCG(seed, 2)), cfg.test)
	return
}

// table trains both models for seeds 1…n and prints mean ± sd of the final
// held-out losses and the number of failed runs.
func table(cfg config, n int) {
	type acc struct {
		nll, cr       []float64
		nan, diverged int
	}
	var a [2]acc
	gaps := []float64{}
	for s := 1; s <= n; s++ {
		xtr, ttr, xte, tte := data(uint64(s))
		var r [2]result
		for _, kind := range []lossKind{nllLoss, cramerLoss} {
			r[kind] = train(cfg, kind, uint64(s), xtr, ttr, xte, tte)
			switch {
			case r[kind].nanStep >= 0 || math.IsNaN(r[kind].nll):
				a[kind].nan++
			case r[kind].nll > 0:
				a[kind].diverged++
			default:
				a[kind].nll = append(a[kind].nll, r[kind].nll)
				a[kind].cr = append(a[kind].cr, r[kind].cramer)
			}
		}
		gaps = append(gaps, r[cramerLoss].nll-r[nllLoss].nll)
		fmt.Printf("seed %2d: NLL-trained %.4f / %.6f, Cramér-trained %.4f / %.6f\n", s, r[0].nll, r[0].cramer, r[1].nll, r[1].cramer)
	}
	fmt.Printf("\n| trained with | held-out NLL (nats) | held-out Cramér ℓ₂² | NaN runs | diverged runs |\n|---|---|---|---|---|\n")
	for kind, x := range a {
		mn, sn := meanSD(x.nll)
		mc, sc := meanSD(x.cr)
		fmt.Printf("| %v | %.4f ± %.4f | %.5f ± %.5f | %d | %d |\n", lossKind(kind), mn, sn, mc, sc, x.nan, x.diverged)
	}
	mg, sg := meanSD(gaps)
	fmt.Printf("\nNLL gap (Cramér-trained − NLL-trained), per seed: %.4f ± %.4f nats\n", mg, sg)
}

func meanSD(x []float64) (m, sd float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	for _, v := range x {
		sd += (v - m) * (v - m)
	}
	if len(x) > 1 {
		sd = math.Sqrt(sd / float64(len(x)-1))
	}
	return m, sd
}
