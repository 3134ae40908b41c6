package main

import (
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	_ "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

// API is what the .proto files declare about the REST operations and their
// messages, looked up by the names protoc-gen-openapiv2 gives them.
type API struct {
	// methods by operation id: "CatalogService_ListProducts".
	methods map[string]protoreflect.MethodDescriptor
	// messages by definition name: "v1Product", "v1ListProductsRequestFilter",
	// and "CatalogServiceUpdateProductBody" for a body that is the request
	// minus its path parameters.
	messages map[string]protoreflect.MessageDescriptor
}

// GlobalAPI reads every jangteo file compiled into this binary.
func GlobalAPI() *API {
	api := &API{
		methods:  map[string]protoreflect.MethodDescriptor{},
		messages: map[string]protoreflect.MessageDescriptor{},
	}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if strings.HasPrefix(string(fd.Package()), "jangteo.") {
			api.addFile(fd)
		}
		return true
	})
	return api
}

func (a *API) addFile(fd protoreflect.FileDescriptor) {
	version := fd.Package().Name() // "v1"
	var addMessages func(prefix string, ms protoreflect.MessageDescriptors)
	addMessages = func(prefix string, ms protoreflect.MessageDescriptors) {
		for i := range ms.Len() {
			m := ms.Get(i)
			name := prefix + string(m.Name())
			a.messages[name] = m
			addMessages(name, m.Messages())
		}
	}
	addMessages(string(version), fd.Messages())
	for i := range fd.Services().Len() {
		svc := fd.Services().Get(i)
		for j := range svc.Methods().Len() {
			m := svc.Methods().Get(j)
			a.methods[string(svc.Name())+"_"+string(m.Name())] = m
			a.messages[string(svc.Name())+string(m.Name())+"Body"] = m.Input()
		}
	}
}

// Method returns the RPC behind an operation id.
// An additional HTTP binding of an RPC gets a number after its id
// ("IdentityService_VerifyEmail2").
func (a *API) Method(operationID string) (protoreflect.MethodDescriptor, bool) {
	if m, ok := a.methods[operationID]; ok {
		return m, true
	}
	m, ok := a.methods[strings.TrimRight(operationID, "0123456789")]
	return m, ok
}

// Message returns the message behind a definition name.
func (a *API) Message(definition string) (protoreflect.MessageDescriptor, bool) {
	m, ok := a.messages[definition]
	return m, ok
}

// Access is the RPC's declared access level.
func Access(m protoreflect.MethodDescriptor) optionsv1.Access {
	a, _ := proto.GetExtension(m.Options(), optionsv1.E_Access).(optionsv1.Access)
	return a
}

// NeedsIdempotencyKey reports whether the RPC takes an Idempotency-Key.
func NeedsIdempotencyKey(m protoreflect.MethodDescriptor) bool {
	v, _ := proto.GetExtension(m.Options(), optionsv1.E_IdempotencyKeyRequired).(bool)
	return v
}

// Forbidden is why a caller whose role is enough may still be refused with
// 403 (an ownership, membership or account check), or "" when nothing
// says so.
func Forbidden(m protoreflect.MethodDescriptor) string {
	v, _ := proto.GetExtension(m.Options(), optionsv1.E_Forbidden).(string)
	return v
}

// SuccessStatus is the HTTP status of a successful call: 200 unless declared.
func SuccessStatus(m protoreflect.MethodDescriptor) int {
	if v, _ := proto.GetExtension(m.Options(), optionsv1.E_HttpStatus).(int32); v != 0 {
		return int(v)
	}
	return 200
}

// FieldRules returns the protovalidate rules of a field, or nil.
func FieldRules(f protoreflect.FieldDescriptor) *validate.FieldRules {
	r, _ := proto.GetExtension(f.Options(), validate.E_Field).(*validate.FieldRules)
	return r
}
