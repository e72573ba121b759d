package mixio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// readCSV reads one sample per line: one number (the 1-D format) or, in D
// dimensions, D comma-separated coordinates, the same number on every line.
// Blank lines and lines starting with # are skipped, as is anything after
// a # on a line. Lines are read one at a time.
func (f *File[F]) readCSV(br *bufio.Reader) error {
	f.Kind = KindSamples
	f.Cov = ""
	bits := bitsOf[F]()
	values := []F{}
	line, first := 0, 0 // first: the first line with numbers
	var long []byte     // a line longer than the buffer
	for {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, b...)
			continue
		}
		if long != nil {
			b = append(long, b...)
			long = nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: cannot read: %v (line %d)", f.Name, err, line+1)
		}
		if len(b) == 0 && err != nil {
			break
		}
		line++
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff")) // a byte-order mark
		}
		if i := bytes.IndexByte(b, '#'); i >= 0 {
			b = b[:i]
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			f.skipped = append(f.skipped, line)
			if err != nil {
				break
			}
			continue
		}
		cells := bytes.Count(b, []byte{','}) + 1
		if first == 0 {
			first, f.Dim = line, cells
			f.Nested = f.Dim > 1
		}
		field := lineField(line)
		if cells != f.Dim {
			if f.Dim == 1 {
				return inputErr(f.Name, field(), -1, "%d comma-separated values, want 1 as on line %d (%s is not a number; # starts a comment)", cells, first, strconv.Quote(abbrev(string(b))))
			}
			return inputErr(f.Name, field(), -1, "%s, want %d as on line %d (every line has the same number of comma-separated coordinates)", plural(cells, "coordinate"), f.Dim, first)
		}
		for j := 0; len(b) > 0 || j < cells; j++ {
			c := b
			if i := bytes.IndexByte(b, ','); i >= 0 {
				c, b = b[:i], b[i+1:]
			} else {
				b = nil
			}
			c = bytes.TrimSpace(c)
			v, perr := parseFloat(c, bits)
			if perr != nil {
				col := ""
				if f.Nested {
					col = fmt.Sprintf(" (column %d)", j+1)
				}
				var ne *strconv.NumError
				if errors.As(perr, &ne) && errors.Is(ne.Err, strconv.ErrRange) && math.IsInf(v, 0) {
					return inputErr(f.Name, field(), -1, "%s is out of range for float%d%s", abbrev(string(c)), bits, col)
				}
				if f.Nested {
					return inputErr(f.Name, field(), -1, "%s is not a number%s", strconv.Quote(abbrev(string(c))), col)
				}
				return inputErr(f.Name, field(), -1, "%s is not a number (want one sample per line; # starts a comment)", strconv.Quote(abbrev(string(c))))
			}
			values = append(values, F(v))
		}
		if err != nil {
			break
		}
	}
	f.Samples.Dim, f.Samples.Values = f.Dim, values
	return nil
}

// lineField names a CSV line as the field of an error, when one is needed.
func lineField(line int) func() string {
	return func() string { return fmt.Sprintf("line %d", line) }
}
