// Command testsum reads `go test -json` output on stdin and prints what a
// person wants from a test run: one line per package, the output of every
// failed test, and at the end how many tests passed, failed and were skipped.
// It exits 1 when anything failed.
//
//	go test -json ./... | go run ./tools/testsum
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string // run, output, pass, fail, skip, build-output, …
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	os.Exit(run())
}

func run() int {
	var (
		pass, fail, skip int
		pkgFailed        int
		output           = map[string]*strings.Builder{} // package/test → output
	)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // build errors arrive as plain text
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "output":
			b := output[key]
			if b == nil {
				b = &strings.Builder{}
				output[key] = b
			}
			b.WriteString(e.Output)
		case "build-output":
			fmt.Print(e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					pkgFailed++
					fmt.Printf("FAIL\t%s\t%.1fs\n", e.Package, e.Elapsed)
					if b := output[key]; b != nil {
						fmt.Print(indent(b.String()))
					}
				} else if b := output[key]; b != nil && !strings.Contains(b.String(), "[no test files]") {
					fmt.Printf("ok\t%s\t%.1fs\n", e.Package, e.Elapsed)
				}
				delete(output, key)
				continue
			}
			switch e.Action {
			case "pass":
				pass++
			case "skip":
				skip++
			case "fail":
				fail++
				fmt.Printf("--- FAIL: %s (%s, %.1fs)\n", e.Test, e.Package, e.Elapsed)
				if b := output[key]; b != nil {
					fmt.Print(indent(b.String()))
				}
			}
			delete(output, key)
		}
	}
	fmt.Printf("tests: %d passed, %d failed, %d skipped\n", pass, fail, skip)
	if fail > 0 || pkgFailed > 0 {
		return 1
	}
	return 0
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("    " + l)
		}
	}
	return b.String()
}
