package kernels_test

import (
	"reflect"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestImplComplete: every registered implementation usable here sets every
// kernel field of Impl (all are required; the purego and assembly ones are
// generated from the same kernel list by gen/checked).
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
				if f.IsNil() {
					t.Errorf("%s: Impl.%s is nil", name, v.Type().Field(i).Name)
				}
			}
		}
		if funcs < 2 {
			t.Fatalf("Impl has %d function fields", funcs)
		}
	}
}
