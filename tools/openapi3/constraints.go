package main

import (
	"google.golang.org/protobuf/reflect/protoreflect"
)

// keywords maps a protovalidate rule of a scalar type (string, int32, double,
// …) to the JSON Schema keyword that says the same. Rules with no such keyword
// (prefix, not_in, …) stay in the field's description.
var keywords = map[protoreflect.Name]string{
	"min_len": "minLength",
	"max_len": "maxLength",
	"pattern": "pattern",
	"const":   "const",
	"gte":     "minimum",
	"gt":      "exclusiveMinimum",
	"lte":     "maximum",
	"lt":      "exclusiveMaximum",
}

// formats maps a boolean string rule to a JSON Schema format.
var formats = map[protoreflect.Name]string{
	"email":    "email",
	"uuid":     "uuid",
	"uri":      "uri",
	"hostname": "hostname",
	"ip":       "ip",
}

// constrainMessage adds the constraints of md's fields to its object schema.
func constrainMessage(schema obj, md protoreflect.MessageDescriptor) {
	props := asObj(schema["properties"])
	if props == nil {
		return
	}
	var required []any
	for i := range md.Fields().Len() {
		f := md.Fields().Get(i)
		prop := asObj(props[string(f.Name())])
		if prop == nil {
			continue
		}
		constrainField(prop, f)
		if FieldRules(f).GetRequired() {
			required = append(required, string(f.Name()))
		}
	}
	if len(required) > 0 {
		schema["required"] = required
	}
}

// constrainField adds f's protovalidate rules to its schema.
func constrainField(schema obj, f protoreflect.FieldDescriptor) {
	rules := FieldRules(f)
	if rules == nil {
		return
	}
	m := rules.ProtoReflect()
	typ := m.Descriptor().Oneofs().ByName("type")
	if typ == nil {
		return
	}
	set := m.WhichOneof(typ)
	if set == nil {
		return
	}
	r := m.Get(set).Message()
	if set.Name() == "repeated" {
		constrainRepeated(schema, r)
		return
	}
	applyScalar(schema, r)
}

func constrainRepeated(schema obj, r protoreflect.Message) {
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch fd.Name() {
		case "min_items":
			schema["minItems"] = v.Interface()
		case "max_items":
			schema["maxItems"] = v.Interface()
		case "unique":
			schema["uniqueItems"] = v.Bool()
		case "items":
			items := asObj(schema["items"])
			if items == nil {
				break
			}
			item := v.Message()
			if typ := item.Descriptor().Oneofs().ByName("type"); typ != nil {
				if set := item.WhichOneof(typ); set != nil {
					applyScalar(items, item.Get(set).Message())
				}
			}
		}
		return true
	})
}

// applyScalar adds the rules of one scalar type (StringRules, Int32Rules, …).
func applyScalar(schema obj, r protoreflect.Message) {
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := fd.Name()
		switch {
		case name == "len":
			schema["minLength"] = v.Interface()
			schema["maxLength"] = v.Interface()
		case name == "in" && fd.IsList():
			var enum []any
			for i := range v.List().Len() {
				enum = append(enum, v.List().Get(i).Interface())
			}
			// An enum's allowed numbers: the schema already lists its names.
			if fd.Parent().Name() != "EnumRules" {
				schema["enum"] = enum
			}
		case formats[name] != "" && fd.Kind() == protoreflect.BoolKind:
			if v.Bool() {
				schema["format"] = formats[name]
			}
		case keywords[name] != "":
			schema[keywords[name]] = v.Interface()
		}
		return true
	})
}
