package grpcserver

import (
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

var readOnlyMethods sync.Map // full method name → bool

// readOnly reports whether a method only reads, as its HTTP rule declares
// with GET: such a call that lost its database connection changed nothing
// and may be answered "retry".
func readOnly(fullMethod string) bool {
	if v, ok := readOnlyMethods.Load(fullMethod); ok {
		return v.(bool)
	}
	name := protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(fullMethod, "/"), "/", "."))
	ro := false
	if d, err := protoregistry.GlobalFiles.FindDescriptorByName(name); err == nil {
		if m, ok := d.(protoreflect.MethodDescriptor); ok {
			rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			ro = rule.GetGet() != ""
		}
	}
	readOnlyMethods.Store(fullMethod, ro)
	return ro
}
