package kernels_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestImplComplete: every registered implementation usable here sets every
// kernel field of Impl (all are required but the BatchGaussian kernels,
// which purego must set; the purego and assembly ones are generated from the
// same kernel list by gen/checked).
func TestImplComplete(t *testing.T) {
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(im).Elem()
		funcs := 0
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.Kind() == reflect.Func {
				funcs++
				optional := strings.HasPrefix(v.Type().Field(i).Name, "BatchGaussian") && name != "purego"
				if f.IsNil() && !optional {
					t.Errorf("%s: Impl.%s is nil", name, v.Type().Field(i).Name)
				}
			}
		}
		if funcs < 2 {
			t.Fatalf("Impl has %d function fields", funcs)
		}
	}
}
