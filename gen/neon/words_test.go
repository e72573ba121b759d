package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// generated is the committed output of this generator.
const generated = "../../asm/kernels_arm64.s"

var wordLine = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-f]{8})\s*//\s*(.+?)\s*$`)

// TestGeneratedWords decodes every WORD of the committed assembly with
// golang.org/x/arch/arm64/arm64asm and compares the result with the
// instruction written in its comment. Every WORD must carry one.
func TestGeneratedWords(t *testing.T) {
	f, err := os.Open(generated)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line, words := 0, 0
	seen := map[string]bool{}
	for sc.Scan() {
		line++
		text := sc.Text()
		if !strings.Contains(text, "WORD") {
			continue
		}
		m := wordLine.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("%s:%d: WORD without an instruction comment: %q", generated, line, text)
			continue
		}
		w, _ := strconv.ParseUint(m[1], 16, 32)
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(w))
		inst, err := arm64asm.Decode(b[:])
		if err != nil {
			t.Errorf("%s:%d: %s does not decode: %v", generated, line, m[1], err)
			continue
		}
		if got := arm64asm.GNUSyntax(inst); got != m[2] {
			t.Errorf("%s:%d: %s decodes as %q, the comment says %q", generated, line, m[1], got, m[2])
		}
		words++
		seen[strings.Fields(m[2])[0]] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if words == 0 {
		t.Fatal("no WORD found: wrong file?")
	}
	var ops []string
	for op := range seen {
		ops = append(ops, op)
	}
	t.Logf("%d WORDs decoded (%d mnemonics: %s)", words, len(ops), strings.Join(ops, " "))
}
