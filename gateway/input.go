package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/jangteo/jangteo/platform/errs"
)

// This file turns every malformed request into a 400 that names the field,
// in product words, before it reaches a service:
//
//   - path and query bytes (checkParams): NUL or invalid UTF-8 anywhere;
//   - query values (queryParser): a value its field cannot hold;
//   - JSON bodies (jsonMarshaler): unknown fields, trailing data, wrong types,
//     numbers out of their field's range.
//
// What the services check themselves (NUL inside JSON strings, NaN and
// Infinity, protovalidate rules) stays there: grpcserver applies it to every
// request, from the gateway or not.

// fieldError is a request field the gateway refused; errorHandler renders it
// as a BadRequest field violation.
type fieldError struct{ field, description string }

func (e fieldError) Error() string { return e.field + ": " + e.description }

// fieldMessage matches the messages fieldError produces once grpc-gateway has
// wrapped them in a status.
var fieldMessage = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.\[\]"]*): (.+)$`)

const badText = "must be valid UTF-8 text without NUL characters"

// checkParams refuses a path or query holding NUL or invalid UTF-8, naming the
// path parameter or query key.
func checkParams(rs routes) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
			for i, s := range segs {
				if !cleanText(s) {
					writeStatus(w, r, errs.InvalidFields(errs.Field(rs.paramName(r.Method, r.URL.Path, i), badText)))
					return
				}
			}
			values, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				writeStatus(w, r, errs.InvalidFields(errs.Field("query", "is not a valid URL query string")))
				return
			}
			for key, vs := range values {
				if !cleanText(key) {
					writeStatus(w, r, errs.InvalidFields(errs.Field("query", "parameter names "+badText)))
					return
				}
				for _, v := range vs {
					if !cleanText(v) {
						writeStatus(w, r, errs.InvalidFields(errs.Field(key, badText)))
						return
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// queryParser is grpc-gateway's query parser with errors that name the key
// and say what it must be ("page_size: must be an integer between …"), not
// what strconv thought of it.
type queryParser struct{ runtime.DefaultQueryParser }

// installQueryParser sets queryParser as grpc-gateway's query parser. The
// runtime keeps it in a package variable, not per ServeMux, so it is set
// once per process: setting it again while another gateway of the process
// serves requests (tests run several at once) would race with their reads.
var installQueryParser = sync.OnceFunc(func() { runtime.SetQueryParameterParser(&queryParser{})(nil) })

func (p *queryParser) Parse(msg proto.Message, values url.Values, filter *utilities.DoubleArray) error {
	err := p.DefaultQueryParser.Parse(msg, values, filter)
	if err == nil {
		return nil
	}
	// Find the key at fault by parsing each alone into a blank message.
	for key, vs := range values {
		blank := msg.ProtoReflect().New().Interface()
		if p.DefaultQueryParser.Parse(blank, url.Values{key: vs}, filter) != nil {
			return fieldError{key, describeKind(queryField(msg.ProtoReflect().Descriptor(), key))}
		}
	}
	return fieldError{"query", "a parameter is given twice"}
}

// queryField resolves a query key (a.b, or m[k] for a map) to its field.
func queryField(md protoreflect.MessageDescriptor, key string) protoreflect.FieldDescriptor {
	key, _, _ = strings.Cut(key, "[")
	var fd protoreflect.FieldDescriptor
	for name := range strings.SplitSeq(key, ".") {
		if md == nil {
			return nil
		}
		if fd = md.Fields().ByTextName(name); fd == nil {
			fd = md.Fields().ByJSONName(name)
		}
		if fd == nil {
			return nil
		}
		if fd.IsMap() {
			return fd.MapValue()
		}
		md = fd.Message()
	}
	return fd
}

// describeKind says what a value of field fd must be.
func describeKind(fd protoreflect.FieldDescriptor) string {
	if fd == nil {
		return "is not a valid value"
	}
	return kindRule(fd.Kind().String(), fd)
}

func kindRule(kind string, fd protoreflect.FieldDescriptor) string {
	switch kind {
	case "int32", "sint32", "sfixed32":
		return fmt.Sprintf("must be an integer between %d and %d", math.MinInt32, math.MaxInt32)
	case "int64", "sint64", "sfixed64":
		return fmt.Sprintf("must be an integer between %d and %d", int64(math.MinInt64), int64(math.MaxInt64))
	case "uint32", "fixed32":
		return fmt.Sprintf("must be an integer between 0 and %d", uint32(math.MaxUint32))
	case "uint64", "fixed64":
		return fmt.Sprintf("must be an integer between 0 and %d", uint64(math.MaxUint64))
	case "double", "float":
		return "must be a finite number"
	case "bool":
		return "must be true or false"
	case "string":
		return "must be a string"
	case "bytes":
		return "must be base64-encoded"
	case "enum":
		if fd != nil && fd.Enum() != nil {
			var names []string
			vals := fd.Enum().Values()
			for i := range vals.Len() {
				names = append(names, string(vals.Get(i).Name()))
			}
			return "must be one of " + strings.Join(names, ", ")
		}
		return "is not one of the allowed values"
	}
	return "is not a valid value"
}

// jsonMarshaler writes JSON as grpc-gateway's JSONPb does and reads request
// bodies strictly: the body is read once (the body limit bounds it) and
// decoded in one protojson pass, so an unknown field, a second value after
// the first, or a value its field cannot hold is a 400 naming the field.
type jsonMarshaler struct{ *runtime.JSONPb }

func (m *jsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		raw, err := readAll(r)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return io.EOF // no body: the request's fields stay unset
		}
		return m.Unmarshal(raw, v)
	})
}

func (m *jsonMarshaler) Unmarshal(raw []byte, v any) error {
	msg, ok := v.(proto.Message)
	if !ok {
		if err := m.JSONPb.Unmarshal(raw, v); err != nil {
			return fieldError{"body", "is not valid JSON for this request"}
		}
		return nil
	}
	opts := m.UnmarshalOptions
	opts.DiscardUnknown = false
	if err := opts.Unmarshal(raw, msg); err != nil {
		return bodyError(raw, err)
	}
	return nil
}

var (
	protojsonAt   = regexp.MustCompile(`\(line (\d+):(\d+)\)`)
	unknownField  = regexp.MustCompile(`unknown field "([^"]*)"`)
	invalidValue  = regexp.MustCompile(`invalid value for (\w+) field (\w+)`)
	duplicateName = regexp.MustCompile(`duplicate field "([^"]*)"`)
)

// bodyError turns a protojson error into a fieldError. protojson reports a
// position and a field's bare name; the path (price.amount, variants[2].sku)
// is read from the body at that position.
func bodyError(raw []byte, err error) error {
	msg := err.Error()
	at := -1
	pos := ""
	if m := protojsonAt.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		at = offsetOf(raw, line, col)
		pos = " at line " + m[1] + ", column " + m[2]
	}
	switch {
	case !utf8.Valid(raw):
		return fieldError{"body", "must be UTF-8 encoded JSON"}
	case unknownField.MatchString(msg):
		name := unknownField.FindStringSubmatch(msg)[1]
		return fieldError{joinPath(pathAt(raw, at), name), "is not a known field"}
	case invalidValue.MatchString(msg):
		m := invalidValue.FindStringSubmatch(msg)
		return fieldError{orName(pathAt(raw, at), m[2]), kindRule(m[1], nil)}
	case duplicateName.MatchString(msg):
		name := duplicateName.FindStringSubmatch(msg)[1]
		return fieldError{joinPath(pathAt(raw, at), name), "is given twice"}
	case strings.Contains(msg, "unexpected EOF"):
		return fieldError{"body", "is not valid JSON: it ends too early"}
	}
	return fieldError{"body", "is not valid JSON: expected one object" + pos}
}

func orName(path, name string) string {
	if path == "" {
		return name
	}
	return path
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// offsetOf converts protojson's 1-based line and rune column to a byte offset.
func offsetOf(raw []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(raw[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(raw); c++ {
		_, n := utf8.DecodeRune(raw[off:])
		off += n
	}
	return off
}

// pathAt returns the JSON path of the value starting at byte offset at:
// "price.amount" for the amount inside price, "variants[2]" for a list item.
// At a key (an unknown field) it is the path of the object holding the key.
func pathAt(raw []byte, at int) string {
	if at < 0 {
		return ""
	}
	type frame struct {
		array     bool
		index     int    // arrays: the current item
		key       string // objects: the current key
		expectKey bool   // objects: the next token is a key
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array && f.index >= 0:
				fmt.Fprintf(&b, "[%d]", f.index)
			case !f.array && !f.expectKey:
				b.WriteString("." + f.key)
			}
		}
		return strings.TrimPrefix(b.String(), ".")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		// InputOffset is before separators; the token starts after them.
		for start < len(raw) && strings.IndexByte(" \t\r\n,:", raw[start]) >= 0 {
			start++
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		closing := tok == json.Delim('}') || tok == json.Delim(']')
		if top != nil && top.array && !closing {
			top.index++
		}
		if start >= at {
			return path()
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{array: tok == json.Delim('['), index: -1, expectKey: tok == json.Delim('{')})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].expectKey = true
			}
		default:
			if top != nil && !top.array {
				if top.expectKey {
					top.key, _ = tok.(string)
				}
				top.expectKey = !top.expectKey
			}
		}
	}
}

// writeStatus writes err the way errorHandler renders a status.
func writeStatus(w http.ResponseWriter, r *http.Request, err error) {
	st, _ := errs.ToStatus(err)
	renderStatus(w, r, st)
}
