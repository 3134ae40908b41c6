package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestREADMEExamples runs every code block marked ```sh runnable in the root
// README and then in the services' READMEs against one started system, so
// the examples a newcomer pastes cannot drift from what the system answers.
// A block repeated word for word (a service's README quoting the root's) runs
// once. localhost:8080 in a block is replaced by the test system's address.
func TestREADMEExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed to run the README's examples (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed: the README's examples are not run", tool)
		}
	}
	blocks := runnableBlocks(t, "../../README.md")
	if len(blocks) == 0 {
		t.Fatal("the README has no ```sh runnable block")
	}
	services, err := filepath.Glob("../../services/*/README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		seen[b.text] = true
	}
	for _, path := range services {
		for _, b := range runnableBlocks(t, path) {
			if !seen[b.text] {
				seen[b.text] = true
				blocks = append(blocks, b)
			}
		}
	}
	cfg := testConfig(t)
	base, _ := startStack(t, cfg)
	get, _ := client(t, base)
	waitReady(t, get)
	host := strings.TrimPrefix(base, "http://")

	for _, b := range blocks {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		script := strings.ReplaceAll(b.text, "localhost:8080", host)
		cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s block at line %d failed: %v\n%s", b.path, b.line, err, out)
		}
		for _, want := range b.expect {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s block at line %d: output lacks %q:\n%s", b.path, b.line, want, out)
			}
		}
		if strings.Contains(string(out), "\nnull\n") || strings.HasPrefix(string(out), "null\n") {
			t.Errorf("%s block at line %d printed null:\n%s", b.path, b.line, out)
		}
		t.Logf("%s block at line %d: ran", b.path, b.line)
	}
}

type block struct {
	path   string
	line   int
	text   string
	expect []string // from "# expect: …" lines in the block
}

// runnableBlocks returns the fenced blocks whose info string is "sh runnable".
func runnableBlocks(t *testing.T, path string) []block {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out []block
		cur *block
		sc  = bufio.NewScanner(f)
		n   int
	)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh runnable":
			cur = &block{path: strings.TrimPrefix(path, "../../"), line: n}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			if want, ok := strings.CutPrefix(strings.TrimSpace(line), "# expect: "); ok {
				cur.expect = append(cur.expect, want)
			}
			cur.text += line + "\n"
		}
	}
	return out
}
