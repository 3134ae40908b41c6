// Command openapi3 turns the Swagger 2.0 document that protoc-gen-openapiv2
// merges from proto/ into the OpenAPI 3.1 document the gateway serves, and
// completes it from what the .proto files declare and Swagger cannot say:
//
//   - security per operation, from (jangteo.options.v1.access): none for public
//     calls (a token is optional), bearer for the rest, the role in the text;
//   - every status an operation answers (its success status from
//     (jangteo.options.v1.http_status), 400, 401, 403, 404, 409, 413, 422, 429,
//     503 as they apply), each with the error schema and Retry-After where sent;
//   - the header parameters it reads (Idempotency-Key, X-Cart-Token) and the
//     headers it sets;
//   - field constraints from protovalidate (required, minLength, maxLength,
//     pattern, format, minimum, maximum, enum, minItems, maxItems).
//
// It runs as part of `make generate`:
//
//	go run ./tools/openapi3 -in gen/openapi/jangteo.swagger.json -out gen/openapi/jangteo.openapi.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "gen/openapi/jangteo.swagger.json", "the Swagger 2.0 document")
	out := flag.String("out", "gen/openapi/jangteo.openapi.json", "where the OpenAPI 3.1 document goes")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	doc, err := Convert(src, GlobalAPI())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
