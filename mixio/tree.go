package mixio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gmmkit/cramer"
)

// maxDepth is the deepest nesting of numbers a field has: covariance
// matrices, [[[…]]].
const maxDepth = 3

// lengths holds the lengths of the arrays at one nesting level, in document
// order, run-length encoded: uniform rows cost one entry.
type lengths []lengthRun

type lengthRun struct{ n, count int }

func (l *lengths) add(n int) {
	if k := len(*l); k > 0 && (*l)[k-1].n == n {
		(*l)[k-1].count++
		return
	}
	*l = append(*l, lengthRun{n, 1})
}

// cursor iterates over the lengths.
type cursor struct {
	l    lengths
	i, j int
}

func (c *cursor) next() int {
	for c.i < len(c.l) && c.j >= c.l[c.i].count {
		c.i, c.j = c.i+1, 0
	}
	if c.i == len(c.l) {
		return -1
	}
	c.j++
	return c.l[c.i].n
}

// value is one field's value as read: null, a non-array, or arrays nested
// depth deep whose numbers are stored flat, in document order, in the
// precision F. The depth is that of the first element's chain ([[…], …] is
// 2); the first element that does not fit it (or is not a number, or
// overflows F) is recorded in bad, and parsing continues to check the
// syntax.
type value[F cramer.Float] struct {
	field string
	kind  string // "" for an array, else kindOf the value
	depth int    // 0 while unknown
	nums  []F
	lens  [maxDepth]lengths // lens[a]: the lengths of the arrays at level a (0: the value itself)
	bad   *anomaly
}

// anomaly is the first element of a value that does not fit: its index
// path, and either what it is (got) where want was expected, or why its
// number is not accepted (reason).
type anomaly struct {
	path   []int
	got    string
	want   string // "a number" or "an array"
	reason string
}

// name returns field[i][j]… for the first n indices of the path.
func (a *anomaly) name(field string, n int) string {
	var b strings.Builder
	b.WriteString(field)
	for _, i := range a.path[:n] {
		fmt.Fprintf(&b, "[%d]", i)
	}
	return b.String()
}

// readValue reads a field's value.
func readValue[F cramer.Float](s *scanner, field string, bits int) (*value[F], error) {
	v := &value[F]{field: field}
	c := s.skipSpace()
	if c != '[' {
		v.kind = kindOf(c)
		return v, s.skip()
	}
	var path [maxDepth + 1]int
	err := readArray(s, v, 0, path[:0], bits)
	return v, err
}

// readArray reads the array at nesting level a (the opening bracket is next).
func readArray[F cramer.Float](s *scanner, v *value[F], a int, path []int, bits int) error {
	s.next() // [
	n := 0
	first := true
	for {
		c := s.skipSpace()
		if first && c == ']' {
			s.next()
			if v.depth == 0 {
				v.depth = a + 1 // an empty array on the first chain holds numbers
			}
			v.lens[a].add(0)
			return nil
		}
		first = false
		p := append(path, n)
		switch {
		case c == '[' && v.depth == 0 && a+1 >= maxDepth:
			// Deeper than any field: the first chain is too deep.
			v.depth = a + 1
			v.note(p, "an array", "a number", "")
			if err := s.skip(); err != nil {
				return err
			}
		case c == '[' && (v.depth == 0 || a+1 < v.depth):
			if err := readArray(s, v, a+1, p, bits); err != nil {
				return err
			}
		case c == '[':
			v.note(p, "an array", "a number", "")
			if err := s.skip(); err != nil {
				return err
			}
		default:
			if v.depth == 0 {
				v.depth = a + 1
			}
			if a+1 < v.depth {
				v.note(p, kindOf(c), "an array", "")
				if err := s.skip(); err != nil {
					return err
				}
				break
			}
			if c != '-' && (c < '0' || c > '9') {
				v.note(p, kindOf(c), "a number", "")
				if err := s.skip(); err != nil {
					return err
				}
				break
			}
			if err := s.number(); err != nil {
				return err
			}
			x, err := parseFloat(s.buf, bits)
			if err != nil {
				// The grammar is checked: only a range error is left.
				lit := abbrev(string(s.buf))
				if math.IsInf(x, 0) {
					v.note(p, "", "", fmt.Sprintf("%s is out of range for float%d", lit, bits))
				} else {
					v.note(p, "", "", fmt.Sprintf("%s is not a number", lit))
				}
			}
			v.nums = append(v.nums, F(x))
		}
		n++
		switch s.skipSpace() {
		case ',':
			s.next()
		case ']':
			s.next()
			v.lens[a].add(n)
			return nil
		default:
			return s.unexpected(`"," or "]" after an array element`)
		}
	}
}

// note records the first anomaly.
func (v *value[F]) note(path []int, got, want, reason string) {
	if v.bad == nil {
		v.bad = &anomaly{path: append([]int(nil), path...), got: got, want: want, reason: reason}
	}
}

// abbrev shortens s for an error message.
func abbrev(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// parseFloat is strconv.ParseFloat on b without copying it into a new
// string, so that reading makes no garbage per number. The string aliases b
// only during the call: strconv copies it into the *NumError it returns,
// and callers look at that error at once, before b changes.
func parseFloat(b []byte, bits int) (float64, error) {
	if len(b) == 0 {
		return strconv.ParseFloat("", bits)
	}
	return strconv.ParseFloat(unsafe.String(&b[0], len(b)), bits)
}
