package mixio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError is malformed JSON: the file, the 1-based line and column (in
// bytes) of the offending byte, and the field whose value it is in ("" at
// the top level).
type SyntaxError struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
}

func (e *SyntaxError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d:%d: malformed JSON in %s: %s", e.File, e.Line, e.Col, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: malformed JSON: %s", e.File, e.Line, e.Col, e.Msg)
}

// scanner reads JSON from a buffered reader one byte at a time, keeping the
// line and column of the next byte. It holds no more of the document than
// the reader's buffer and the current number or string.
type scanner struct {
	r         *bufio.Reader
	name      string
	line, col int    // of the next byte
	field     string // the field being read, for syntax errors
	buf       []byte // the current number literal or string
	ioErr     error
}

const eof = -1

// peek returns the next byte without consuming it, or eof.
func (s *scanner) peek() int {
	b, err := s.r.ReadByte()
	if err != nil {
		if !errors.Is(err, io.EOF) && s.ioErr == nil {
			s.ioErr = err
		}
		return eof
	}
	s.r.UnreadByte()
	return int(b)
}

// next consumes and returns the next byte, or eof.
func (s *scanner) next() int {
	b, err := s.r.ReadByte()
	if err != nil {
		if !errors.Is(err, io.EOF) && s.ioErr == nil {
			s.ioErr = err
		}
		return eof
	}
	if b == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	return int(b)
}

// skipSpace consumes white space and returns the next byte (not consumed).
func (s *scanner) skipSpace() int {
	for {
		c := s.peek()
		switch c {
		case ' ', '\t', '\r', '\n':
			s.next()
		default:
			return c
		}
	}
}

// fail returns a syntax error at the next byte.
func (s *scanner) fail(format string, a ...any) error {
	if s.ioErr != nil {
		return fmt.Errorf("%s: cannot read: %v", s.name, s.ioErr)
	}
	return &SyntaxError{File: s.name, Line: s.line, Col: s.col, Field: s.field, Msg: fmt.Sprintf(format, a...)}
}

// unexpected reports the next byte (or the end of the input) as a syntax
// error: want says what was expected.
func (s *scanner) unexpected(want string) error {
	c := s.peek()
	if c == eof {
		return s.fail("unexpected end of JSON input (want %s)", want)
	}
	return s.fail("invalid character %s, want %s", quoteByte(c), want)
}

func quoteByte(c int) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// expect consumes the byte c after optional white space.
func (s *scanner) expect(c int, want string) error {
	if s.skipSpace() != c {
		return s.unexpected(want)
	}
	s.next()
	return nil
}

// kindOf names the JSON value starting with byte c, for error messages.
func kindOf(c int) string {
	switch c {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case eof:
		return "nothing"
	}
	return "a number"
}

// number reads a number literal (JSON grammar) into s.buf.
func (s *scanner) number() error {
	s.buf = s.buf[:0]
	take := func() { s.buf = append(s.buf, byte(s.next())) }
	digits := func() bool {
		n := 0
		for c := s.peek(); c >= '0' && c <= '9'; c = s.peek() {
			take()
			n++
		}
		return n > 0
	}
	if s.peek() == '-' {
		take()
	}
	switch c := s.peek(); {
	case c == '0':
		take()
	case c >= '1' && c <= '9':
		digits()
	default:
		return s.unexpected("a digit in a number")
	}
	if s.peek() == '.' {
		take()
		if !digits() {
			return s.unexpected("a digit after the decimal point")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		take()
		if c := s.peek(); c == '+' || c == '-' {
			take()
		}
		if !digits() {
			return s.unexpected("a digit in the exponent")
		}
	}
	return nil
}

// literal reads true, false or null.
func (s *scanner) literal() error {
	var word string
	switch s.peek() {
	case 't':
		word = "true"
	case 'f':
		word = "false"
	default:
		word = "null"
	}
	for i := 0; i < len(word); i++ {
		if s.peek() != int(word[i]) {
			return s.unexpected(fmt.Sprintf("%q", word))
		}
		s.next()
	}
	return nil
}

// str reads a string (after white space) and returns it decoded when keep
// is set.
func (s *scanner) str(keep bool) (string, error) {
	if s.skipSpace() != '"' {
		return "", s.unexpected("a string")
	}
	s.next()
	s.buf = s.buf[:0]
	for {
		c := s.peek()
		switch {
		case c == eof:
			return "", s.unexpected("the end of the string")
		case c < 0x20:
			return "", s.fail("invalid character %s in a string", quoteByte(c))
		case c == '"':
			s.next()
			if !keep {
				return "", nil
			}
			return string(s.buf), nil
		case c == '\\':
			s.next()
			e := s.peek()
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				s.next()
				u, err := s.hex4()
				if err != nil {
					return "", err
				}
				r = rune(u)
				if utf16.IsSurrogate(r) && s.peek() == '\\' {
					s.next()
					if s.peek() != 'u' {
						return "", s.unexpected(`"u" (the second half of a surrogate pair)`)
					}
					s.next()
					u2, err := s.hex4()
					if err != nil {
						return "", err
					}
					r = utf16.DecodeRune(r, rune(u2))
				}
				if keep {
					s.buf = utf8.AppendRune(s.buf, r)
				}
				continue
			default:
				return "", s.unexpected("an escape character")
			}
			s.next()
			if keep {
				s.buf = utf8.AppendRune(s.buf, r)
			}
		default:
			s.next()
			if keep {
				s.buf = append(s.buf, byte(c))
			}
		}
	}
}

func (s *scanner) hex4() (int, error) {
	u := 0
	for i := 0; i < 4; i++ {
		c := s.peek()
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, s.unexpected("a hexadecimal digit")
		}
		s.next()
		u = u*16 + v
	}
	return u, nil
}

// skip reads and discards one value (after white space), checking its syntax.
func (s *scanner) skip() error {
	switch c := s.skipSpace(); c {
	case '{':
		s.next()
		if s.skipSpace() == '}' {
			s.next()
			return nil
		}
		for {
			if _, err := s.str(false); err != nil {
				return err
			}
			if err := s.expect(':', `":" after an object key`); err != nil {
				return err
			}
			if err := s.skip(); err != nil {
				return err
			}
			switch s.skipSpace() {
			case ',':
				s.next()
			case '}':
				s.next()
				return nil
			default:
				return s.unexpected(`"," or "}" after an object value`)
			}
		}
	case '[':
		s.next()
		if s.skipSpace() == ']' {
			s.next()
			return nil
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			switch s.skipSpace() {
			case ',':
				s.next()
			case ']':
				s.next()
				return nil
			default:
				return s.unexpected(`"," or "]" after an array element`)
			}
		}
	case '"':
		_, err := s.str(false)
		return err
	case 't', 'f', 'n':
		return s.literal()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return s.number()
	default:
		return s.unexpected("a value")
	}
}
