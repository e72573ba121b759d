package main

import (
	"errors"
	"fmt"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mixio"
)

// The P and Q files are read by package mixio, which parses them in the
// computation's precision, validates them and names the file, field and
// index in its errors; this file adds what concerns a pair of them.

// stdinName is the file name that reads standard input.
const stdinName = "-"

// loadPair reads P and Q in precision F.
func loadPair[F cramer.Float](pName, qName string) (p, q *mixio.File[F], err error) {
	if pName == stdinName && qName == stdinName {
		return nil, nil, &usageError{"P and Q are both \"-\": only one of them can be read from standard input"}
	}
	if p, err = mixio.ReadFile[F](pName); err != nil {
		return nil, nil, err
	}
	if q, err = mixio.ReadFile[F](qName); err != nil {
		return nil, nil, err
	}
	return p, q, nil
}

// rename rewrites a library *InputError whose Arg is one of the keys of
// args (the library's argument names) to name that input's file and field.
func rename[F cramer.Float](err error, args map[string]*mixio.File[F]) error {
	var ie *cramer.InputError
	if errors.As(err, &ie) {
		if in, ok := args[ie.Arg]; ok {
			return in.Locate(err)
		}
	}
	return err
}

// dimensionSource names where the file gives its dimension, for an error
// about it: the field and index (or -1).
func dimensionSource[F cramer.Float](in *mixio.File[F]) (string, int) {
	switch {
	case in.Format == mixio.CSV && in.Len() > 0:
		return fmt.Sprintf("line %d", in.Line(0)), -1
	case in.Format == mixio.CSV:
		return "values", -1
	case in.Kind == mixio.KindSamples && in.Nested:
		return "samples", 0
	case in.Kind == mixio.KindSamples:
		return "samples", -1
	case in.Nested:
		return "means", 0
	}
	return "means", -1
}

// checkDims reports P and Q of different dimensions, naming Q's file.
func checkDims[F cramer.Float](p, q *mixio.File[F]) error {
	if p.Dim == q.Dim {
		return nil
	}
	field, index := dimensionSource(q)
	what := func(in *mixio.File[F]) string {
		if !in.Nested {
			return "1-D (a flat array of numbers or one number per line)"
		}
		return fmt.Sprintf("%d-dimensional", in.Dim)
	}
	return &cramer.InputError{Arg: q.Name, Field: field, Index: index,
		Reason: fmt.Sprintf("%s, but P (%s) is %s: P and Q must have the same dimension", what(q), p.Name, what(p))}
}
