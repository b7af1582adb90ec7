// Reference answers from golang.org/x/mod/semver for version_semver_differential_test.
// Built in GOPATH mode against Debian's golang-golang-x-mod-dev (GOPATH=/usr/share/gocode).
// Reads lines "HEX_A HEX_B" on stdin; prints "VALID_A VALID_B CMP" per line.
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func valid(v string) int {
	if semver.IsValid(v) {
		return 1
	}
	return 0
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Split(in.Text(), " ")
		a, _ := hex.DecodeString(fields[0])
		b, _ := hex.DecodeString(fields[1])
		fmt.Fprintf(out, "%d %d %d\n", valid(string(a)), valid(string(b)),
			semver.Compare(string(a), string(b)))
	}
}
